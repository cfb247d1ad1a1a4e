"""Live event logs, one line per entry: the control log (every change of the music with its time, old and
new value, who and why) and, through the same view, the marker log."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from PySide6.QtWidgets import QPlainTextEdit

from studio.kernel.events import ControlChange, EventLog

MAX_LINES = 1000  # older lines scroll away here; the session database keeps all of them
E = TypeVar("E")


def log_line(c: ControlChange) -> str:
    minutes, seconds = divmod(c.t, 60.0)
    return f"{int(minutes):02d}:{seconds:04.1f}  {c.param} {c.old} → {c.new}  [{c.who}] {c.reason}"


class EventLogView(QPlainTextEdit, Generic[E]):
    """Appends the entries logged since the last refresh, each as ``line(entry)``; read-only."""

    def __init__(self, log: EventLog[E], line: Callable[[E], str], placeholder: str) -> None:
        super().__init__()
        self._log = log
        self._line = line
        self._seq = 0
        self.setReadOnly(True)
        self.setMaximumBlockCount(MAX_LINES)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setPlaceholderText(placeholder)

    def refresh(self, now: float) -> None:
        self._seq, entries = self._log.since(self._seq)
        for entry in entries:
            self.appendPlainText(self._line(entry))


class ControlLogView(EventLogView[ControlChange]):
    def __init__(self, log: EventLog[ControlChange]) -> None:
        super().__init__(log, log_line, "Changes of the music appear here with who made them and why.")
