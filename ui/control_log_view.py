"""The control log, live: every change of the music with its time, old and new value, who and why."""

from __future__ import annotations

from PySide6.QtWidgets import QPlainTextEdit

from studio.events import ControlChange, EventLog

MAX_LINES = 1000  # older lines scroll away here; the session database keeps all of them


def log_line(c: ControlChange) -> str:
    minutes, seconds = divmod(c.t, 60.0)
    return f"{int(minutes):02d}:{seconds:04.1f}  {c.param} {c.old} → {c.new}  [{c.who}] {c.reason}"


class ControlLogView(QPlainTextEdit):
    """Appends the entries logged since the last refresh; read-only."""

    def __init__(self, log: EventLog[ControlChange]) -> None:
        super().__init__()
        self._log = log
        self._seq = 0
        self.setReadOnly(True)
        self.setMaximumBlockCount(MAX_LINES)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setPlaceholderText("Changes of the music appear here with who made them and why.")

    def refresh(self, now: float) -> None:
        self._seq, entries = self._log.since(self._seq)
        for entry in entries:
            self.appendPlainText(log_line(entry))
