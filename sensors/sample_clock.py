"""Device samples onto the session clock: lost samples from a board's package counter, and a robust linear fit of
the device's timestamps against the sample index (what LSL and pyxdf call dejittering).

A board stamps its samples when they reach the computer, in bursts: BrainFlow's synthetic board gives gaps of
0.004-75 ms between samples nominally 4 ms apart. The samples themselves were taken at a steady rate, so their
times are a straight line in the sample index (lost samples counted): ``t = intercept + index * period``. The fit
uses every sample so far (running sums), starts from the nominal period and clips timestamps that lie more than
``CLIP`` seconds off the line, so one late burst cannot tilt it. The times given out follow the line smoothly
(``SLEW``), so the spacing of consecutive samples says how many were lost between them.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

MIN_FIT_SECONDS = 2.0  # s of samples before the slope is fitted; until then the nominal period is used
CLIP = 0.1  # s: a timestamp further than this from the line so far counts as this far
MAX_DRIFT = 0.05  # the fitted period stays within 5 % of the nominal one (crystals are off by < 0.1 %)
SLEW = 0.01  # the most a sample's time may differ from one period after the previous one, as a share of a period


class PacketCounter:
    """Samples lost between successive samples, from the package counter a board puts in every sample.

    The counter wraps at ``modulus`` (Cyton and BrainFlow's synthetic board: 256); when the modulus is not known
    it is learnt as one more than the largest value seen. A repeated value (several samples in one packet) is
    not a loss."""

    def __init__(self, modulus: int | None = None) -> None:
        self.modulus = modulus
        self._largest = -1
        self._last: int | None = None

    def lost(self, counters: FloatArray) -> IntArray:
        """For each sample, how many samples were lost just before it (the first sample ever: 0)."""
        values = np.asarray(counters, dtype=np.float64)
        if values.size == 0:
            return np.zeros(0, dtype=np.int64)
        c = np.round(values).astype(np.int64)
        self._largest = max(self._largest, int(c.max()))
        modulus = self.modulus or self._largest + 1
        previous = np.concatenate([[c[0] if self._last is None else self._last], c[:-1]])
        step = np.mod(c - previous, modulus)
        self._last = int(c[-1])
        return np.asarray(np.maximum(step - 1, 0), dtype=np.int64)


class ClockFit:
    """Maps sample indices (lost samples included) and their device timestamps (s, on the session clock) onto a
    straight line fitted over everything so far; ``rate_hz`` is the device's nominal rate."""

    def __init__(self, rate_hz: float) -> None:
        if not np.isfinite(rate_hz) or rate_hz <= 0:
            raise ValueError(f"a sample clock needs a positive rate, got {rate_hz!r} Hz")
        self.nominal = 1.0 / rate_hz  # s per sample
        self._origin: tuple[int, float] | None = None  # first (index, timestamp): sums are kept relative to it
        self._n = 0
        self._sx = self._sy = self._sxx = self._sxy = 0.0
        self._last: tuple[float, float] | None = None  # the last sample given: (x, t) relative to the origin

    @property
    def period(self) -> float:
        """The fitted sample period (s), the nominal one until MIN_FIT_SECONDS of samples have arrived."""
        n = self._n
        if n * self.nominal < MIN_FIT_SECONDS:
            return self.nominal
        spread = n * self._sxx - self._sx * self._sx
        fitted = (n * self._sxy - self._sx * self._sy) / spread if spread > 0 else self.nominal
        return float(np.clip(fitted, self.nominal * (1 - MAX_DRIFT), self.nominal * (1 + MAX_DRIFT)))

    def _line(self, x: FloatArray) -> FloatArray:
        period = self.period
        intercept = (self._sy - period * self._sx) / self._n
        return intercept + period * x

    def map(self, index: IntArray, stamps: FloatArray) -> FloatArray:
        """Session times (s) of samples ``index`` (increasing) stamped ``stamps`` (s), the fit updated with them
        first. The first samples lie on the line; later ones follow on from the last sample given at the fitted
        period and slew towards the line by at most SLEW of a period per sample, so that a refit never moves a
        sample by a jump: consecutive samples are always (index difference x period) apart, within SLEW."""
        if index.size == 0:
            return np.zeros(0)
        if self._origin is None:
            self._origin = (int(index[0]), float(stamps[0]))
        i0, s0 = self._origin
        x = (index - i0).astype(np.float64)
        y = np.asarray(stamps, dtype=np.float64) - s0
        if self._n:
            predicted = self._line(x)
            y = np.clip(y, predicted - CLIP, predicted + CLIP)
        self._n += x.size
        self._sx += float(x.sum())
        self._sy += float(y.sum())
        self._sxx += float(x @ x)
        self._sxy += float(x @ y)
        line = self._line(x)
        if self._last is None:
            t = line
        else:
            last_x, last_t = self._last
            steps = x - last_x  # sample periods since the last sample given, per sample
            following = last_t + steps * self.period
            reach = SLEW * steps * self.nominal  # the most each sample may be moved towards the line
            t = following + np.clip(line - following, -reach, reach)
        self._last = (float(x[-1]), float(t[-1]))
        return np.asarray(s0 + t, dtype=np.float64)
