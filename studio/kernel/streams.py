"""Timestamped, thread-safe ring buffers: one per named stream (raw channels, features, affect, music)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Window:
    """A slice of a stream: ``t`` (session seconds, shape (n,)) and ``values`` (shape (n, width))."""

    t: FloatArray
    values: FloatArray

    def __len__(self) -> int:
        return int(self.t.shape[0])

    def column(self, index: int) -> FloatArray:
        return self.values[:, index]


class Stream:
    """A named series of fixed-width float rows, each stamped in session seconds.

    Writers (device workers) call ``append``/``extend``; readers ask for the last N seconds or for
    everything after a sequence number (the recorder). Old rows are overwritten once ``capacity`` is full.
    """

    def __init__(self, name: str, fields: Sequence[str], capacity: int) -> None:
        if not fields:
            raise ValueError(f"stream {name!r} needs at least one field")
        if capacity < 1:
            raise ValueError(f"stream {name!r} needs a positive capacity, got {capacity}")
        self.name = name
        self.fields: tuple[str, ...] = tuple(fields)
        self.capacity = capacity
        self._t = np.zeros(capacity)
        self._v = np.zeros((capacity, len(self.fields)))
        self._count = 0  # rows ever written; the next row's sequence number
        self._lock = threading.Lock()

    @property
    def width(self) -> int:
        return len(self.fields)

    @property
    def count(self) -> int:
        """Rows written since the stream was made (not only those still held)."""
        return self._count

    def append(self, t: float, values: Sequence[float] | FloatArray) -> None:
        """Add one row stamped ``t`` (session seconds)."""
        row = np.asarray(values, dtype=np.float64)
        if row.shape != (self.width,):
            raise ValueError(f"stream {self.name!r} takes rows of {self.width} values, got shape {row.shape}")
        with self._lock:
            i = self._count % self.capacity
            self._t[i] = t
            self._v[i] = row
            self._count += 1

    def extend(self, t: Sequence[float] | FloatArray, values: FloatArray) -> None:
        """Add many rows at once: ``t`` shape (n,), ``values`` shape (n, width)."""
        ts = np.asarray(t, dtype=np.float64)
        vs = np.asarray(values, dtype=np.float64)
        if vs.ndim != 2 or vs.shape != (ts.shape[0], self.width):
            raise ValueError(f"stream {self.name!r} takes ({ts.shape[0]}, {self.width}) values, got shape {vs.shape}")
        n = ts.shape[0]
        if n == 0:
            return
        if n > self.capacity:
            ts, vs = ts[-self.capacity :], vs[-self.capacity :]
            skipped = n - self.capacity
            n = self.capacity
        else:
            skipped = 0
        with self._lock:
            start = (self._count + skipped) % self.capacity
            first = min(n, self.capacity - start)
            self._t[start : start + first] = ts[:first]
            self._v[start : start + first] = vs[:first]
            self._t[: n - first] = ts[first:]
            self._v[: n - first] = vs[first:]
            self._count += skipped + n

    def _slice(self, first_seq: int) -> Window:
        """Rows with sequence number >= first_seq that are still held; the caller holds the lock."""
        oldest = max(0, self._count - self.capacity)
        first_seq = max(first_seq, oldest)
        n = self._count - first_seq
        if n <= 0:
            return Window(np.zeros(0), np.zeros((0, self.width)))
        idx = np.arange(first_seq, self._count) % self.capacity
        return Window(self._t[idx].copy(), self._v[idx].copy())

    def since(self, seq: int) -> tuple[int, Window]:
        """Rows written after sequence number ``seq``; returns the next sequence number and the rows."""
        with self._lock:
            return self._count, self._slice(seq)

    def last(self, seconds: float, now: float | None = None) -> Window:
        """Rows stamped within the last ``seconds`` before ``now`` (default: the newest row's time).

        Rows are assumed to arrive in time order; only the rows returned are copied.
        """
        with self._lock:
            if self._count == 0:
                return Window(np.zeros(0), np.zeros((0, self.width)))
            held = min(self._count, self.capacity)
            order = np.arange(self._count - held, self._count) % self.capacity
            t = self._t[order]
            end = t[-1] if now is None else now
            first = int(np.searchsorted(t, end - seconds, side="left"))
            last = int(np.searchsorted(t, end, side="right"))
            return Window(t[first:last], self._v[order[first:last]])

    def tail(self, n: int) -> Window:
        """The newest ``n`` rows still held (fewer when fewer were written)."""
        with self._lock:
            return self._slice(self._count - n)

    def latest(self) -> tuple[float, FloatArray] | None:
        """The newest row as (t, values), or None when nothing was written yet."""
        with self._lock:
            if self._count == 0:
                return None
            i = (self._count - 1) % self.capacity
            return float(self._t[i]), self._v[i].copy()


class StreamHub:
    """All streams of a session, by name. Streams are made once and then shared across threads."""

    def __init__(self) -> None:
        self._streams: dict[str, Stream] = {}
        self._lock = threading.Lock()

    def add(self, name: str, fields: Sequence[str], capacity: int) -> Stream:
        """Make a stream, or return the existing one if it has the same fields."""
        with self._lock:
            existing = self._streams.get(name)
            if existing is not None:
                if existing.fields != tuple(fields):
                    raise ValueError(f"stream {name!r} exists with fields {existing.fields}, not {tuple(fields)}")
                return existing
            stream = Stream(name, fields, capacity)
            self._streams[name] = stream
            return stream

    def get(self, name: str) -> Stream:
        try:
            return self._streams[name]
        except KeyError:
            raise KeyError(f"no stream named {name!r}; known: {sorted(self._streams)}") from None

    def __contains__(self, name: object) -> bool:
        return name in self._streams

    def names(self) -> list[str]:
        with self._lock:
            return sorted(self._streams)
