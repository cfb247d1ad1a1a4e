"""Cutting a stream of audio samples into overlapping analysis frames at a fixed hop, block by block.

Frame k is centred on sample ``round(k * hop_s * rate)``; the stream is taken to be preceded by silence, so
frame 0 is centred on the first sample. The frames produced do not depend on how the stream is split into
blocks, which makes a live capture and a file analyse identically.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

FRAME_HOP = 0.01  # seconds between frame centres


class FrameSlicer:
    """Collects samples (any block size) and hands out every complete frame of ``length`` samples."""

    def __init__(self, rate: float, length: int, hop_s: float = FRAME_HOP) -> None:
        if rate <= 0 or length < 2 or hop_s <= 0:
            raise ValueError(f"frame slicer needs a rate and hop above 0 and 2+ samples, got {rate}, {length}, {hop_s}")
        self.rate = float(rate)
        self.length = length
        self.hop = hop_s * self.rate  # samples, possibly fractional
        self.half = length // 2
        self._buffer = np.zeros(self.half)  # the silence before the stream
        self._offset = -self.half  # stream index of _buffer[0]
        self._next = 0  # index of the next frame to hand out
        self.samples = 0  # samples received so far

    def centre(self, k: int) -> int:
        """Stream index of frame ``k``'s centre sample."""
        return round(k * self.hop)

    def push(self, samples: FloatArray) -> FloatArray:
        """Add samples; returns the new frames, shape (n, length)."""
        x = np.asarray(samples, dtype=np.float64).ravel()
        self._buffer = np.concatenate([self._buffer, x])
        self.samples += x.size
        return self._take(self.samples)

    def flush(self) -> FloatArray:
        """End of stream: pad with silence and hand out the remaining frames centred on received samples."""
        last = self._next - 1
        while self.centre(last + 1) < self.samples:
            last += 1
        needed = self.centre(last) - self.half + self.length
        pad = max(0, needed - self.samples)
        self._buffer = np.concatenate([self._buffer, np.zeros(pad)])
        return self._take(self.samples + pad, last_frame=last)

    def _take(self, available: int, last_frame: int | None = None) -> FloatArray:
        starts = []
        k = self._next
        while (last_frame is None or k <= last_frame) and self.centre(k) - self.half + self.length <= available:
            starts.append(self.centre(k) - self.half - self._offset)
            k += 1
        self._next = k
        if not starts:
            frames = np.zeros((0, self.length))
        else:
            idx = np.asarray(starts)[:, None] + np.arange(self.length)[None, :]
            frames = self._buffer[idx]
        keep_from = self.centre(self._next) - self.half - self._offset
        if keep_from > 0:
            self._buffer = self._buffer[keep_from:]
            self._offset += keep_from
        return frames
