"""Suggest mode: the policy's pending proposal with its reason, and Accept (Space) or Dismiss."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from studio.kernel.clock import SessionClock
from studio.loop import FusionLoop, Suggestion
from studio.policy import ControlMode
from ui.theme import set_role


class SuggestionQueue(QWidget):
    """Shows the oldest pending suggestion; the buttons answer it. Quiet (a grey line) when none waits."""

    def __init__(self, loop: FusionLoop, clock: SessionClock) -> None:
        super().__init__()
        self._loop = loop
        self._clock = clock
        self._shown: tuple[ControlMode, tuple[Suggestion, ...]] | None = None  # what the text says now
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.accept_button = QPushButton("Accept  (Space)")
        self.dismiss_button = QPushButton("Dismiss")
        buttons = QHBoxLayout()
        buttons.addWidget(self.accept_button)
        buttons.addWidget(self.dismiss_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.text)
        layout.addLayout(buttons)
        self.accept_button.clicked.connect(self.accept)
        self.dismiss_button.clicked.connect(self.dismiss)
        self.refresh(0.0)

    def _first(self) -> Suggestion | None:
        pending = self._loop.suggestions()
        return pending[0] if pending else None

    def accept(self) -> None:
        """Accept the oldest pending suggestion, if any."""
        if (first := self._first()) is not None:
            self._loop.accept(first.id, self._clock.now())

    def dismiss(self) -> None:
        if (first := self._first()) is not None:
            self._loop.dismiss(first.id, self._clock.now())

    def refresh(self, now: float) -> None:
        pending = tuple(self._loop.suggestions())
        mode = self._loop.mode
        if (mode, pending) == self._shown:  # the quiet line depends on the mode too
            return
        self._shown = (mode, pending)
        if pending:
            first = pending[0]
            more = f"  (+{len(pending) - 1} more)" if len(pending) > 1 else ""
            self.text.setText(f"Suggested at {first.t:.0f} s: {first.summary()}{more}")
            set_role(self.text, "readout")
        elif mode is ControlMode.SUGGEST:
            self.text.setText("No suggestion waiting.")
            set_role(self.text, "muted")
        else:
            self.text.setText("Suggestions appear here in suggest mode.")
            set_role(self.text, "muted")
        self.accept_button.setEnabled(bool(pending))
        self.dismiss_button.setEnabled(bool(pending))
