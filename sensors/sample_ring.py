"""A lock-protected ring of audio samples: a device callback writes, the analysis worker drains."""

from __future__ import annotations

import threading

import numpy as np
from numpy.typing import NDArray


class SampleRing:
    """Holds up to ``capacity`` int16 samples. ``write`` (the callback) only copies; when the reader falls
    behind, the oldest samples are overwritten and counted in ``dropped``."""

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError(f"a sample ring needs a positive capacity, got {capacity}")
        self._data = np.zeros(capacity, dtype=np.int16)
        self._written = 0  # samples ever written
        self._read = 0  # samples ever read (or skipped as dropped)
        self.dropped = 0  # samples overwritten before they were read
        self.last_write_t: float | None = None  # session time of the newest write
        self._lock = threading.Lock()

    @property
    def capacity(self) -> int:
        return int(self._data.size)

    def write(self, data: bytes, t: float) -> None:
        """Copy little-endian int16 samples in; ``t`` is when they arrived (session seconds)."""
        x = np.frombuffer(data, dtype="<i2")
        n = x.size
        with self._lock:
            if n > self.capacity:
                x = x[-self.capacity :]
            start = self._written % self.capacity
            first = min(x.size, self.capacity - start)
            self._data[start : start + first] = x[:first]
            self._data[: x.size - first] = x[first:]
            self._written += n
            self.last_write_t = t

    def drain(self) -> tuple[NDArray[np.int16], int]:
        """Every unread sample still held (oldest first) and how many were lost since the last drain."""
        with self._lock:
            oldest = self._written - self.capacity
            lost = max(0, oldest - self._read)
            start = max(self._read, oldest)
            idx = np.arange(start, self._written) % self.capacity
            out = self._data[idx].copy()
            self._read = self._written
            self.dropped += lost
            return out, lost
