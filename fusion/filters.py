"""Zero-phase filters for windows of biosignals: linear detrend, mains-hum removal and band-pass (numpy)."""

from __future__ import annotations

import functools

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

TRANSITION_HZ = 0.5  # width of the raised-cosine edge of each pass band (Hz)


def detrend(x: FloatArray) -> FloatArray:
    """Remove each row's least-squares straight line (offset and drift); ``x`` is channels x samples."""
    x = np.atleast_2d(np.asarray(x, dtype=np.float64))
    n = x.shape[1]
    if n < 2:
        centred: FloatArray = x - x.mean(axis=1, keepdims=True)
        return centred
    ramp = np.arange(n) - (n - 1) / 2.0
    slope = (x * ramp).sum(axis=1) / float((ramp * ramp).sum())  # elementwise: no BLAS threads for small work
    out: FloatArray = x - x.mean(axis=1, keepdims=True) - slope[:, None] * ramp
    return out


def _edge(freqs: FloatArray, corner: float, rising: bool) -> FloatArray:
    """Gain 0..1 across a raised-cosine edge centred on ``corner`` Hz."""
    u = np.clip((freqs - corner) / TRANSITION_HZ + 0.5, 0.0, 1.0)
    gain: FloatArray = 0.5 - 0.5 * np.cos(np.pi * u)
    return gain if rising else 1.0 - gain


def frequency_gain(n: int, fs: float, low: float, high: float) -> FloatArray:
    """Gain at each rfft bin of an ``n``-sample window at ``fs`` Hz that passes ``low``..``high`` Hz.
    ``low`` <= 0 keeps DC; ``high`` >= fs/2 keeps everything above ``low``."""
    freqs: FloatArray = np.fft.rfftfreq(n, 1.0 / fs).astype(np.float64)
    gain: FloatArray = np.ones_like(freqs)
    if low > 0:
        gain *= _edge(freqs, low, rising=True)
    if high < fs / 2:
        gain *= _edge(freqs, high, rising=False)
    return gain


@functools.lru_cache(maxsize=16)
def _line_basis(n: int, fs: float, line_hz: float, top_hz: float) -> tuple[FloatArray, FloatArray]:
    """Sines and cosines at ``line_hz`` and its harmonics up to ``top_hz`` (n x 2H), and their pseudo-inverse."""
    t = np.arange(n) / fs
    harmonics = np.arange(line_hz, top_hz, line_hz)
    basis = np.column_stack([f(2 * np.pi * h * t) for h in harmonics for f in (np.sin, np.cos)])
    return basis, np.linalg.pinv(basis)


def remove_line(x: FloatArray, fs: float, line_hz: float, top_hz: float | None = None) -> FloatArray:
    """Subtract the best-fitting sinusoids at the mains frequency ``line_hz`` and its harmonics below ``top_hz``
    (default fs/2) from each row: a notch that is exact for a steady hum, whatever the window's length. Rows
    shorter than two mains periods, or with no harmonic below ``top_hz``, are returned unchanged."""
    n = x.shape[1]
    top = min(fs / 2, top_hz if top_hz is not None else fs / 2)
    if line_hz <= 0 or line_hz >= top or n < 2 * fs / line_hz:
        return x
    basis, inverse = _line_basis(n, float(fs), float(line_hz), float(top))
    out: FloatArray = x - (basis @ (inverse @ x.T)).T
    return out


def bandpass(x: FloatArray, fs: float, low: float, high: float, notch: float = 0.0) -> FloatArray:
    """Detrend, remove mains hum at ``notch`` Hz and its harmonics (0: keep), then zero-phase band-pass
    ``low``..``high`` Hz each row of ``x`` (channels x samples, or one signal) sampled at ``fs`` Hz.

    Each row is mirrored before the FFT so that its two ends meet smoothly (no wrap-around step to smear). Only
    mains harmonics the band-pass would let through are fitted (with the usual 45 Hz top, 50 and 60 Hz hum is
    already outside the band).
    """
    arr = np.asarray(x, dtype=np.float64)
    rows = remove_line(detrend(arr), fs, notch, high + TRANSITION_HZ)
    n = rows.shape[1]
    mirrored = np.concatenate((rows, rows[:, ::-1]), axis=1)
    gain = frequency_gain(2 * n, fs, low, high)
    out: FloatArray = np.fft.irfft(np.fft.rfft(mirrored, axis=1) * gain, n=2 * n, axis=1)[:, :n]
    return out if arr.ndim == 2 else out[0]


def fill_gaps(x: FloatArray) -> tuple[FloatArray, NDArray[np.bool_]]:
    """Replace NaN and infinite samples of each row by straight lines between the finite neighbours.

    Returns the filled copy and, per row, whether anything was filled. A row with no finite value becomes 0.
    """
    x = np.atleast_2d(np.array(x, dtype=np.float64))
    bad = ~np.isfinite(x)
    filled: NDArray[np.bool_] = np.asarray(bad.any(axis=1))
    idx = np.arange(x.shape[1])
    for row in np.flatnonzero(filled):
        good = ~bad[row]
        x[row] = np.interp(idx, idx[good], x[row, good]) if good.any() else 0.0
    return x, filled
