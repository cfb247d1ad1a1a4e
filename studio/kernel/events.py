"""Thread-safe append-only logs of discrete events (markers, control-log entries) with sequence numbers."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Marker:
    """An event on the session clock: ``t`` in session seconds, a label, who set it, and optionally an integer event
    ``code`` (a stimulus trigger) and a ``duration`` in seconds."""

    t: float
    label: str
    source: str = "operator"
    code: int | None = None
    duration: float | None = None


@dataclass(frozen=True)
class ControlChange:
    """One change of one music parameter, with who made it and why."""

    t: float
    param: str
    old: str
    new: str
    who: str  # "policy" or "operator"
    reason: str


class EventLog(Generic[T]):
    """An append-only list that readers consume by sequence number, so nothing is read twice or lost."""

    def __init__(self) -> None:
        self._items: list[T] = []
        self._lock = threading.Lock()

    def append(self, item: T) -> None:
        with self._lock:
            self._items.append(item)

    def since(self, seq: int) -> tuple[int, list[T]]:
        """Items after sequence number ``seq``; returns the next sequence number and the items."""
        with self._lock:
            return len(self._items), self._items[seq:]

    def last(self, n: int) -> list[T]:
        with self._lock:
            return self._items[-n:]

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)
