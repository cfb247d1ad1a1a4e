"""Thread-safe append-only logs of discrete events (markers, control-log entries) with sequence numbers, and the
emitters of state changes that views subscribe to."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

MIN_CODE, MAX_CODE = -(2**31), 2**31 - 1  # event codes are 32-bit signed integers (what LSL's int32 carries)
MAX_DURATION = 86400.0  # s: a marker's duration is at most a day


def is_code_text(text: str) -> bool:
    """Whether ``text`` reads as a whole number, and so as an event code ("12", " -3 ")."""
    return text.strip().lstrip("+-").isdigit()


def event_code(value: object) -> int:
    """An event code from a number or its text ("12", 12, 12.0); ValueError saying what a code must be."""
    if isinstance(value, str):
        if not is_code_text(value):
            raise ValueError(f"event code {value!r} is not a whole number")
        value = int(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"event code {value!r} is not a whole number")
    if not MIN_CODE <= value <= MAX_CODE:
        raise ValueError(f"event code {value} is outside {MIN_CODE}..{MAX_CODE}")
    return value


def event_duration(value: object) -> float:
    """A marker's duration (s) from a number or its text; ValueError unless finite and in 0..MAX_DURATION."""
    try:
        seconds = float(value) if isinstance(value, str | int | float) and not isinstance(value, bool) else math.nan
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and 0 <= seconds <= MAX_DURATION):
        raise ValueError(f"marker duration {value!r} must be a number of seconds in 0..{MAX_DURATION:g}")
    return seconds


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
