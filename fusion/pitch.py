"""F0 and voicing by the autocorrelation method (Boersma 1993, as in Praat), vectorised and streaming.

Each 10 ms frame (a Hann window three periods of the pitch floor long) gives up to ``max_candidates`` pitch
candidates from the peaks of its normalised autocorrelation (divided by the window's own autocorrelation),
plus one unvoiced candidate whose strength rises in quiet frames. A Viterbi search over the frames picks one
candidate per frame, penalising octave jumps and voiced/unvoiced switches. Live, the path is decided with a
fixed look-ahead of ``lag_frames`` frames, so a frame's F0 is final ``lag_frames`` x 10 ms after it.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class PitchSettings:
    """Praat's defaults for its autocorrelation method; frequencies in Hz."""

    floor_hz: float = 75.0
    ceiling_hz: float = 600.0
    max_candidates: int = 15
    silence_threshold: float = 0.03  # share of the recent peak amplitude below which a frame tends to unvoiced
    voicing_threshold: float = 0.45  # autocorrelation strength a voiced candidate needs to beat
    octave_cost: float = 0.01  # per octave: favours higher candidates (against period doubling)
    octave_jump_cost: float = 0.35  # per octave of F0 change between frames
    voiced_unvoiced_cost: float = 0.14  # per voicing switch
    periods_per_window: float = 3.0
    lag_frames: int = 3  # look-ahead of the live path decision, frames

    def window_length(self, rate: float) -> int:
        """Analysis window in samples at ``rate`` Hz."""
        return round(self.periods_per_window / self.floor_hz * rate)


@dataclass(frozen=True)
class Candidates:
    """Per frame: candidate F0s (Hz, 0 = the unvoiced candidate in column 0) and their strengths."""

    freq: FloatArray  # shape (n, max_candidates + 1)
    strength: FloatArray  # same shape; -inf where a frame has fewer candidates


class AutocorrelationPitch:
    """The per-frame half of the tracker: candidates from frames of ``window_length`` samples at ``rate`` Hz."""

    def __init__(self, rate: float, settings: PitchSettings | None = None) -> None:
        self.settings = s = settings or PitchSettings()
        self.rate = float(rate)
        self.length = s.window_length(rate)
        self.min_lag = max(2, int(np.floor(rate / s.ceiling_hz)))
        self.max_lag = min(self.length // 2, int(np.ceil(rate / s.floor_hz)))
        self.nfft = fast_fft_size(self.length + self.max_lag + 2)
        self.window = np.hanning(self.length + 2)[1:-1]
        wac = np.fft.irfft(np.abs(np.fft.rfft(self.window, self.nfft)) ** 2, self.nfft)[: self.max_lag + 2]
        self.window_ac = wac / wac[0]

    def candidates(self, frames: FloatArray, recent_peak: FloatArray) -> Candidates:
        """Candidates of ``frames`` (shape (n, length)); ``recent_peak`` is each frame's reference peak
        amplitude (the loudest recent frame), against which quiet frames lean towards unvoiced."""
        s = self.settings
        n = frames.shape[0]
        k = s.max_candidates
        x = frames - frames.mean(axis=1, keepdims=True)
        local_peak = np.abs(x).max(axis=1) if n else np.zeros(0)
        spectrum = np.fft.rfft(x * self.window, self.nfft, axis=1)
        ac = np.fft.irfft(spectrum.real**2 + spectrum.imag**2, self.nfft, axis=1)[:, : self.max_lag + 2]
        energy = ac[:, :1]
        r = np.divide(ac, energy * self.window_ac, out=np.zeros_like(ac), where=energy > 0)
        lo, hi = self.min_lag, self.max_lag
        mid = r[:, lo : hi + 1]
        left = r[:, lo - 1 : hi]
        right = r[:, lo + 1 : hi + 2]
        is_peak = (mid > left) & (mid >= right) & (mid > 0.5 * s.voicing_threshold)
        denom = left - 2 * mid + right
        shift = np.divide(0.5 * (left - right), denom, out=np.zeros_like(mid), where=denom < 0)
        shift = np.clip(shift, -0.5, 0.5)
        peak_r = mid - 0.25 * (left - right) * shift
        peak_r = np.where(peak_r > 1.0, 1.0 / np.maximum(peak_r, 1e-12), peak_r)
        lag = np.arange(lo, hi + 1)[None, :] + shift
        freq = self.rate / lag
        strength = peak_r + s.octave_cost * np.log2(freq / s.floor_hz)
        strength = np.where(is_peak & (freq <= s.ceiling_hz) & (freq >= s.floor_hz), strength, -np.inf)
        width = strength.shape[1]
        k = min(k, max(1, int(np.isfinite(strength).sum(axis=1).max(initial=0))))
        if width > k:
            top = np.argpartition(-strength, k - 1, axis=1)[:, :k]
        else:
            top = np.broadcast_to(np.arange(width), (n, width))
        rows = np.arange(n)[:, None]
        voiced_freq = np.where(np.isfinite(strength[rows, top]), freq[rows, top], 0.0)
        voiced_strength = strength[rows, top]
        ratio = np.divide(local_peak, recent_peak, out=np.zeros(n), where=recent_peak > 0)
        unvoiced = s.voicing_threshold + np.maximum(
            0.0, 2.0 - ratio / (s.silence_threshold / (1.0 + s.voicing_threshold))
        )
        return Candidates(
            np.concatenate([np.zeros((n, 1)), voiced_freq], axis=1),
            np.concatenate([unvoiced[:, None], voiced_strength], axis=1),
        )


class PathTracker:
    """The Viterbi half: picks one candidate per frame, deciding each frame ``lag_frames`` frames later.

    ``push`` returns the F0 (Hz, 0 = unvoiced) of every frame decided by the new candidates; ``finish``
    decides the rest. The decisions do not depend on how frames arrive in batches.
    """

    def __init__(self, settings: PitchSettings | None = None) -> None:
        self.settings = settings or PitchSettings()
        self._score: FloatArray | None = None  # best path score ending in each candidate of the newest frame
        self._freqs: deque[FloatArray] = deque()  # candidate F0s of the undecided frames (and a few decided)
        self._back: deque[IntArray] = deque()  # back pointers of the same frames
        self._frames = 0  # frames pushed
        self._decided = 0  # frames decided

    def push(self, cand: Candidates) -> FloatArray:
        out = []
        n = cand.freq.shape[0]
        if n == 0:
            return np.zeros(0)
        previous = self._freqs[-1] if self._freqs else None
        costs = batch_transition_costs(previous, cand.freq, self.settings)
        for i in range(n):
            self._advance(cand.freq[i], cand.strength[i], costs[i])
            if self._frames - 1 - self._decided >= self.settings.lag_frames:
                out.append(self._trace()[0])
                self._decided += 1
                self._trim()
        return np.asarray(out, dtype=np.float64)

    def finish(self) -> FloatArray:
        if self._frames == self._decided:
            return np.zeros(0)
        path = self._trace()
        self._decided = self._frames
        self._trim()
        return np.asarray(path, dtype=np.float64)

    def _advance(self, freq: FloatArray, strength: FloatArray, cost: FloatArray | None) -> None:
        if self._score is None or cost is None:
            self._score = strength.copy()
            self._back.append(np.zeros(freq.size, dtype=np.int64))
        else:
            total = self._score[:, None] - cost
            best = np.argmax(total, axis=0)
            self._score = total[best, np.arange(freq.size)] + strength
            self._back.append(best)
        self._freqs.append(freq)
        self._frames += 1

    def _trace(self) -> list[float]:
        """F0 of every undecided frame along the best path ending in the newest frame, oldest first."""
        assert self._score is not None
        j = int(np.argmax(self._score))
        undecided = self._frames - self._decided
        path = []
        for back, freq in zip(reversed(self._back), reversed(self._freqs), strict=True):
            path.append(float(freq[j]))
            if len(path) == undecided:
                break
            j = int(back[j])
        return path[::-1]

    def _trim(self) -> None:
        keep = self._frames - self._decided
        while len(self._freqs) > max(keep, 1):
            self._freqs.popleft()
            self._back.popleft()


def batch_transition_costs(previous: FloatArray | None, freq: FloatArray, s: PitchSettings) -> list[FloatArray | None]:
    """The cost matrix into each frame of ``freq`` (shape (n, m), Hz, 0 = unvoiced) from every candidate of
    the frame before it; ``previous`` is the frame before the batch (None at the start: no cost)."""
    first = [None] if previous is None else [pair_costs(previous[None, :], freq[:1], s)[0]]
    inner = pair_costs(freq[:-1], freq[1:], s)
    return [*first, *inner]


def pair_costs(a: FloatArray, b: FloatArray, s: PitchSettings) -> FloatArray:
    """Costs from each candidate of a[i] to each of b[i]: shapes (p, m1) and (p, m2) give (p, m1, m2)."""
    va, vb = (a > 0)[:, :, None], (b > 0)[:, None, :]
    octaves_a = np.log2(np.where(a > 0, a, 1.0))[:, :, None]
    octaves_b = np.log2(np.where(b > 0, b, 1.0))[:, None, :]
    jump = s.octave_jump_cost * np.abs(octaves_a - octaves_b)
    return np.where(va & vb, jump, np.where(va != vb, s.voiced_unvoiced_cost, 0.0))


def fast_fft_size(n: int) -> int:
    """The smallest 5-smooth number (only factors 2, 3, 5) at least ``n``: FFTs of that size are fast."""
    best = 1 << int(np.ceil(np.log2(max(n, 1))))
    p5 = 1
    while p5 < best:
        p35 = p5
        while p35 < best:
            p = p35
            while p < n:
                p *= 2
            best = min(best, p)
            p35 *= 3
        p5 *= 5
    return best
