"""Suggest mode's waiting suggestion as a card above the panels: what would change, why and what the studio
expects, in plain words, with Accept (Space) and Dismiss (Ctrl+Backspace). The numbers stay in the control log.

A new suggestion fades the card in softly (and asks the desktop for attention when the window is in the
background); nothing sounds and nothing takes the focus. The card hides when no suggestion waits.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPropertyAnimation
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QGraphicsOpacityEffect,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
)

from studio.kernel.clock import SessionClock
from studio.loop import Suggestion
from studio.suggestion_words import SuggestionWatch, suggestion_words
from ui.theme import set_role

FADE_MS = 700


class SuggestionCard(QFrame):
    """The oldest suggestion ``watch`` reports pending; the buttons (and the window's Space / Ctrl+Backspace)
    answer it."""

    def __init__(self, watch: SuggestionWatch, clock: SessionClock) -> None:
        super().__init__()
        self.setObjectName("suggestion")
        self._watch = watch
        self._loop = watch.loop
        self._clock = clock
        self._shown: tuple[Suggestion, ...] = ()
        self.title = QLabel("")
        set_role(self.title, "muted")
        self.text = QLabel("")
        self.text.setWordWrap(True)
        self.more = QLabel("")
        set_role(self.more, "muted")
        self.accept_button = QPushButton("Accept  (Space)")
        self.dismiss_button = QPushButton("Dismiss  (Ctrl+Backspace)")
        self.accept_button.clicked.connect(self.accept)
        self.dismiss_button.clicked.connect(self.dismiss)
        buttons = QHBoxLayout()
        buttons.addWidget(self.accept_button)
        buttons.addWidget(self.dismiss_button)
        buttons.addWidget(self.more)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 6, 8, 6)
        layout.addWidget(self.title)
        layout.addWidget(self.text)
        layout.addLayout(buttons)
        self._effect = QGraphicsOpacityEffect(self)
        self.setGraphicsEffect(self._effect)
        self._fade = QPropertyAnimation(self._effect, b"opacity", self)
        self._fade.setDuration(FADE_MS)
        self._fade.setStartValue(0.25)
        self._fade.setEndValue(1.0)
        self.setVisible(False)
        watch.subscribe(self.show_pending)

    def _answer(self, answer: Callable[[int, float], None]) -> None:
        if self._shown:
            answer(self._shown[0].id, self._clock.now())
            self._watch.refresh()

    def accept(self) -> None:
        """Accept the oldest pending suggestion, if any."""
        self._answer(self._loop.accept)

    def dismiss(self) -> None:
        """Dismiss the oldest pending suggestion, if any (the control log keeps it as the operator's decision)."""
        self._answer(self._loop.dismiss)

    def show_pending(self, pending: tuple[Suggestion, ...]) -> None:
        """Show the oldest of ``pending`` (hide when none waits); a new one fades in."""
        new = bool(pending) and (not self._shown or pending[0] != self._shown[0])
        self._shown = pending
        self.setVisible(bool(pending))
        if not pending:
            return
        first = pending[0]
        words = suggestion_words(first, self._loop.response, self._loop.params)
        self.title.setText("Suggestion waiting")
        self.text.setText(f"<b>{words.what}</b>, {words.why}. Expected: {words.expects}.")
        self.text.setToolTip(f"In the control log: {first.summary()}")
        self.more.setText(f"+{len(pending) - 1} more waiting" if len(pending) > 1 else "")
        if new:
            self._fade.start()  # a soft notification: the card fades in, nothing sounds
            window = self.window()
            if not window.isActiveWindow():
                QApplication.alert(window, 0)
