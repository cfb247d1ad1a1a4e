"""Thread-safe append-only logs of discrete events (markers, control-log entries) with sequence numbers, and the
emitters of state changes that views subscribe to."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Marker:
    """An event on the session clock: ``t`` in session seconds, a label, and who set it."""

    t: float
    label: str
    source: str = "operator"


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


class Emitter(Generic[T]):
    """One kind of state change that views subscribe to (as napari's layer controls connect to
    ``layer.events.<name>``): ``emit(value)`` calls every connected callback with the new value, on the thread
    that made the change (a view on another thread hands it over to its own, see ``ui/relay.py``)."""

    def __init__(self) -> None:
        self._callbacks: list[Callable[[T], None]] = []
        self._lock = threading.Lock()

    def connect(self, callback: Callable[[T], None]) -> None:
        with self._lock:
            self._callbacks.append(callback)

    def disconnect(self, callback: Callable[[T], None]) -> None:
        with self._lock:
            if callback in self._callbacks:
                self._callbacks.remove(callback)

    def emit(self, value: T) -> None:
        with self._lock:
            callbacks = list(self._callbacks)
        for callback in callbacks:
            callback(value)
