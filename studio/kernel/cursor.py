"""Reading what is new in streams and event logs since the last read, for each consumer on its own."""

from __future__ import annotations

from typing import TypeVar

from studio.kernel.events import EventLog
from studio.kernel.streams import Stream, Window

T = TypeVar("T")


class Cursor:
    """One reader's position in every stream and log it follows (by key), so nothing is read twice or lost."""

    def __init__(self) -> None:
        self._seq: dict[str, int] = {}

    def rows(self, key: str, stream: Stream) -> Window:
        """Rows written to ``stream`` since the last call with ``key``."""
        seq, window = stream.since(self._seq.get(key, 0))
        self._seq[key] = seq
        return window

    def events(self, key: str, log: EventLog[T]) -> list[T]:
        """Items appended to ``log`` since the last call with ``key``."""
        seq, items = log.since(self._seq.get(key, 0))
        self._seq[key] = seq
        return items
