"""Two lines of words over the plane, for reading at a glance: the person's state and how sure the studio is
("Calm, content; calmer than at the start; fairly sure; face and voice agree"), and what the music is doing
and why."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from studio.loop import FusionLoop
from studio.state_words import StateWords, music_line
from ui.theme import set_role


class GlanceLines(QWidget):
    """Draws ``loop``'s newest estimate and music; ``session()`` is the session recording (its start is "the
    start"), ``playing()`` whether the music plays; ``words`` remembers the start (share the console's, so that a
    second view of the same session says the same)."""

    def __init__(
        self,
        loop: FusionLoop,
        session: Callable[[], int | None],
        playing: Callable[[], bool],
        words: StateWords | None = None,
    ) -> None:
        super().__init__()
        self._loop, self._session, self._playing = loop, session, playing
        self.words = words or StateWords()
        self.state = QLabel("Waiting for the first estimate")
        set_role(self.state, "glance")
        self.music = QLabel("")
        for label in (self.state, self.music):
            label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.setSpacing(2)
        layout.addWidget(self.state)
        layout.addWidget(self.music)

    def refresh(self, now: float) -> None:
        loop = self._loop
        self.state.setText(self.words.describe(loop.last, self._session()))
        p = loop.params
        self.music.setText(music_line(self._playing(), p.tempo, p.mode, loop.goal.value, loop.trying))
