"""EEG band powers (Welch) and a first affect estimate from them."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from fusion.affect import Affect

FloatArray = NDArray[np.float64]

BANDS: dict[str, tuple[float, float]] = {
    "delta": (1.0, 4.0),
    "theta": (4.0, 8.0),
    "alpha": (8.0, 13.0),
    "beta": (13.0, 30.0),
    "gamma": (30.0, 45.0),
}
BAND_NAMES = tuple(BANDS)


def welch_psd(x: FloatArray, fs: float, segment_seconds: float = 1.0) -> tuple[FloatArray, FloatArray]:
    """Welch power spectral density of each row of ``x`` (channels x samples) sampled at ``fs`` Hz.

    Hann-windowed segments of ``segment_seconds`` with 50% overlap, linear detrend per segment.
    Returns (frequencies in Hz, PSD in units^2/Hz with shape channels x frequencies).
    """
    x = np.atleast_2d(np.asarray(x, dtype=np.float64))
    n = x.shape[1]
    nper = min(n, max(8, round(segment_seconds * fs)))
    step = max(1, nper // 2)
    starts = range(0, n - nper + 1, step)
    window = np.hanning(nper)
    scale = 1.0 / (fs * float(np.sum(window**2)))
    ramp = np.arange(nper) - (nper - 1) / 2.0
    ramp_norm = float(np.sum(ramp**2))
    acc = np.zeros((x.shape[0], nper // 2 + 1))
    count = 0
    for s in starts:
        seg = x[:, s : s + nper]
        seg = seg - seg.mean(axis=1, keepdims=True)
        seg = seg - np.outer(seg @ ramp / ramp_norm, ramp)
        spec = np.abs(np.fft.rfft(seg * window, axis=1)) ** 2 * scale
        spec[:, 1:-1] *= 2.0
        acc += spec
        count += 1
    freqs = np.fft.rfftfreq(nper, 1.0 / fs).astype(np.float64)
    return freqs, acc / max(count, 1)


def band_powers(x: FloatArray, fs: float) -> FloatArray:
    """Absolute power per band (rows: channels, columns: BAND_NAMES), in units^2, from a Welch PSD."""
    freqs, psd = welch_psd(x, fs)
    df = freqs[1] - freqs[0] if freqs.size > 1 else 1.0
    out = np.zeros((psd.shape[0], len(BANDS)))
    for j, (lo, hi) in enumerate(BANDS.values()):
        sel = (freqs >= lo) & (freqs < hi)
        out[:, j] = psd[:, sel].sum(axis=1) * df
    return out


def relative(powers: FloatArray) -> FloatArray:
    """Each band's share of the channel's total 1-45 Hz power."""
    total = powers.sum(axis=1, keepdims=True)
    out: FloatArray = np.divide(powers, total, out=np.zeros_like(powers), where=total > 0)
    return out


def signal_ok(x: FloatArray, flat_below: float = 1e-3, railed_above: float = 1e5) -> NDArray[np.bool_]:
    """Per channel: False when the trace is flat (std below ``flat_below``) or railed (|x| above)."""
    std = x.std(axis=1)
    peak = np.abs(x).max(axis=1)
    ok: NDArray[np.bool_] = (std > flat_below) & (peak < railed_above) & np.isfinite(x).all(axis=1)
    return ok


SMOOTHING = 0.3  # weight of the newest window in the running log-ratios (about 1 s at 4 windows a second)


class EegAffect:
    """A first EEG affect estimate, relative to the person's own baseline.

    Arousal follows the engagement index beta / (alpha + theta); valence follows frontal alpha asymmetry
    ln(alpha right) - ln(alpha left) (more right alpha means more left-frontal activity, read as positive).
    Both log-ratios are smoothed over windows. The first ``baseline_windows`` windows set the baseline;
    confidence is modest (0.5 at best) because scalp EEG is a weak affect signal, and falls with the share
    of unusable channels.
    """

    def __init__(self, names: Sequence[str], left: str = "F3", right: str = "F4", baseline_windows: int = 20):
        self.names = list(names)
        self.left = self._index(left, ("F3", "F7", "F5", "F1"))
        self.right = self._index(right, ("F4", "F8", "F6", "F2"))
        self.baseline_windows = baseline_windows
        self._engagement: list[float] = []
        self._asymmetry: list[float] = []
        self._smoothed: tuple[float, float] | None = None

    def _index(self, preferred: str, fallbacks: Sequence[str]) -> int | None:
        for name in (preferred, *fallbacks):
            if name in self.names:
                return self.names.index(name)
        return None

    def update(self, powers: FloatArray, ok: NDArray[np.bool_]) -> Affect:
        """Estimate from one window's band powers (channels x BAND_NAMES) and per-channel usability."""
        if not ok.any():
            return Affect(0.0, 0.0, 0.0)
        good = powers[ok]
        theta, alpha, beta = (float(good[:, BAND_NAMES.index(b)].mean()) for b in ("theta", "alpha", "beta"))
        log_eng = math.log((beta + 1e-12) / (alpha + theta + 1e-12))
        asym = 0.0
        has_pair = self.left is not None and self.right is not None and ok[self.left] and ok[self.right]
        if has_pair:
            a_idx = BAND_NAMES.index("alpha")
            asym = math.log(powers[self.right, a_idx] + 1e-12) - math.log(powers[self.left, a_idx] + 1e-12)
        if self._smoothed is not None:
            log_eng = SMOOTHING * log_eng + (1 - SMOOTHING) * self._smoothed[0]
            asym = SMOOTHING * asym + (1 - SMOOTHING) * self._smoothed[1]
        self._smoothed = (log_eng, asym)
        if len(self._engagement) < self.baseline_windows:
            self._engagement.append(log_eng)
            self._asymmetry.append(asym)
        base_eng = float(np.mean(self._engagement))
        base_asym = float(np.mean(self._asymmetry))
        arousal = math.tanh(2.0 * (log_eng - base_eng))
        valence = math.tanh(2.0 * (asym - base_asym)) if has_pair else 0.0
        calibrating = len(self._engagement) < self.baseline_windows
        confidence = 0.5 * float(ok.mean()) * (0.3 if calibrating else 1.0)
        return Affect.make(valence, arousal, confidence)
