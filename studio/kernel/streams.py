"""Streams: each declared once, where it is produced, as a StreamSpec (name, fields, units, seconds kept), and
held in a timestamped, thread-safe ring buffer (raw channels, features, affect, music).

A session's StreamHub is its graph: producers declare their specs when the session is built, and a reader that
asks for a stream nobody declared is refused then, not when it first finds the stream missing.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


class Record(StrEnum):
    """How the recorder keeps a stream: its rows as feature rows, its samples as raw chunks, or not at all
    (memory only: what only the console draws). Affect, fused affect and music have tables of their own."""

    FEATURES = "features"
    SAMPLES = "samples"
    MEMORY = "memory"


@dataclass(frozen=True)
class StreamSpec:
    """A stream as its producer declares it.

    ``fields`` are the names of the values in each row; empty when the device names them as it opens (an EEG
    montage, spectrum bins): the producer then opens the stream with ``fields``. ``units`` is one unit per
    field, or one text for every field ("" for dimensionless). ``seconds`` is how much is kept in memory.
    """

    name: str
    fields: tuple[str, ...]
    units: tuple[str, ...] | str
    seconds: float
    record: Record = Record.MEMORY

    def __post_init__(self) -> None:
        if not isinstance(self.units, str) and self.fields and len(self.units) != len(self.fields):
            raise ValueError(f"stream {self.name!r} has {len(self.fields)} fields but {len(self.units)} units")
        if not (math.isfinite(self.seconds) and self.seconds > 0):
            raise ValueError(f"stream {self.name!r} must keep a positive, finite number of seconds")

    def unit(self, field: str) -> str:
        """The unit of ``field`` ("" for dimensionless)."""
        if isinstance(self.units, str):
            return self.units
        return self.units[self.fields.index(field)]

    def named(self, fields: Sequence[str], units: Sequence[str] | str | None = None) -> StreamSpec:
        """This spec with the fields (and units) a device gave it when it opened."""
        return replace(self, fields=tuple(fields), units=self.units if units is None else _units(units))

    def capacity(self, rate_hz: float) -> int:
        """Rows to hold ``seconds`` at ``rate_hz`` rows per second (at least 16)."""
        return max(16, math.ceil(self.seconds * rate_hz))


def _units(units: Sequence[str] | str) -> tuple[str, ...] | str:
    return units if isinstance(units, str) else tuple(units)


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

    def __init__(self, name: str, fields: Sequence[str], capacity: int, rate_hz: float | None = None) -> None:
        """``rate_hz``: the rate the producer writes at (Hz), as it declared it when opening the stream."""
        if not fields:
            raise ValueError(f"stream {name!r} needs at least one field")
        if capacity < 1:
            raise ValueError(f"stream {name!r} needs a positive capacity, got {capacity}")
        self.name = name
        self.fields: tuple[str, ...] = tuple(fields)
        self.capacity = capacity
        self.rate_hz = rate_hz
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


class UndeclaredStream(KeyError):
    """A stream asked for that no producer of the session declared."""

    def __str__(self) -> str:
        return str(self.args[0])


class StreamHub:
    """All streams of a session: the specs its producers declared, and the streams opened so far.

    Streams are opened once and then shared across threads. A stream is opened by its producer (with the rate
    it writes at) when the device is there; a declared stream may stay unopened (a board that never answered).
    """

    def __init__(self) -> None:
        self._specs: dict[str, StreamSpec] = {}
        self._streams: dict[str, Stream] = {}
        self._lock = threading.Lock()

    def declare(self, *specs: StreamSpec) -> None:
        """Add producers' specs to the session's graph (the same spec again changes nothing)."""
        with self._lock:
            for spec in specs:
                known = self._specs.get(spec.name)
                if known is not None and known.fields and spec.fields and known.fields != spec.fields:
                    raise ValueError(
                        f"stream {spec.name!r} is declared twice, with fields {known.fields} and {spec.fields}"
                    )
                if known is None or not known.fields:
                    self._specs[spec.name] = spec

    def require(self, *wanted: StreamSpec | str) -> None:
        """Refuse (UndeclaredStream) a reader's stream that no producer declared, naming those that were."""
        with self._lock:
            missing = [_name(w) for w in wanted if _name(w) not in self._specs]
            known = sorted(self._specs)
        if missing:
            raise UndeclaredStream(
                f"no producer in this session declares the stream(s) {', '.join(missing)}; declared: {', '.join(known)}"
            )

    def open(
        self,
        spec: StreamSpec,
        rate_hz: float,
        fields: Sequence[str] | None = None,
        units: Sequence[str] | None = None,
    ) -> Stream:
        """Make the stream of ``spec`` holding ``spec.seconds`` at ``rate_hz`` rows per second (``fields``: the
        names a device gave, ``units`` theirs when they differ), declaring it if need be; or return the one already
        open with the same fields."""
        if fields is not None:
            spec = spec.named(fields, units)
        with self._lock:
            existing = self._streams.get(spec.name)
            if existing is not None:
                if existing.fields != spec.fields:
                    raise ValueError(f"stream {spec.name!r} exists with fields {existing.fields}, not {spec.fields}")
                return existing
            stream = Stream(spec.name, spec.fields, spec.capacity(rate_hz), rate_hz)
            self._streams[spec.name] = stream
            self._specs[spec.name] = spec
            return stream

    def spec(self, name: StreamSpec | str) -> StreamSpec:
        """The declared spec of a stream (with the fields it was opened with); UndeclaredStream if none."""
        with self._lock:
            found = self._specs.get(_name(name))
        if found is None:
            self.require(name)
        assert found is not None
        return found

    def get(self, name: StreamSpec | str) -> Stream:
        """An open stream; KeyError naming the open ones when it is not open (yet)."""
        try:
            return self._streams[_name(name)]
        except KeyError:
            raise KeyError(f"no stream named {_name(name)!r} is open; open: {sorted(self._streams)}") from None

    def __contains__(self, name: object) -> bool:
        return (name.name if isinstance(name, StreamSpec) else name) in self._streams

    def names(self) -> list[str]:
        """The streams open now, by name."""
        with self._lock:
            return sorted(self._streams)

    def declared(self) -> list[StreamSpec]:
        """Every declared spec, by name."""
        with self._lock:
            return [self._specs[n] for n in sorted(self._specs)]


def _name(stream: StreamSpec | str) -> str:
    return stream.name if isinstance(stream, StreamSpec) else stream
