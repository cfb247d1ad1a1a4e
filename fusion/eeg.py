"""EEG features on one window: Welch spectrum, band powers, frontal alpha asymmetry and engagement."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

BANDS: dict[str, tuple[float, float]] = {
    "delta": (1.0, 4.0),
    "theta": (4.0, 8.0),
    "alpha": (8.0, 13.0),
    "beta": (13.0, 30.0),
    "gamma": (30.0, 45.0),
}
BAND_NAMES = tuple(BANDS)
ALPHA = BAND_NAMES.index("alpha")
MIN_SEGMENT = 8  # samples: the shortest Welch segment that gives a spectrum
MIN_RATE_HZ = 2 * BANDS["alpha"][1]  # Hz: below it the alpha band, which most features rest on, is past Nyquist

# Homologous frontal pairs (right, left), best first: where the preferred pair is missing, the first pair the
# montage has stands in for it (Cyton's Fp2/Fp1, Muse's AF8/AF7, ...).
FRONTAL_PAIRS: tuple[tuple[str, str], ...] = (
    ("F4", "F3"),
    ("F2", "F1"),
    ("F6", "F5"),
    ("AF4", "AF3"),
    ("F8", "F7"),
    ("FC4", "FC3"),
    ("AF8", "AF7"),
    ("Fp2", "Fp1"),
    ("FC2", "FC1"),
)


def rate_problem(fs: float) -> str:
    """Why EEG sampled at ``fs`` Hz cannot give band powers, or "" when it can."""
    if fs < MIN_RATE_HZ:
        return f"EEG sampled at {fs:g} Hz: band powers need at least {MIN_RATE_HZ:g} Hz"
    return ""


def welch_psd(x: FloatArray, fs: float, segment_seconds: float = 1.0) -> tuple[FloatArray, FloatArray]:
    """Welch power spectral density of each row of ``x`` (channels x samples) sampled at ``fs`` Hz.

    Hann-windowed segments of ``segment_seconds`` (at least MIN_SEGMENT samples) with 50% overlap, linear detrend
    per segment. Returns (frequencies in Hz, PSD in units^2/Hz with shape channels x frequencies); ValueError
    when a row is shorter than MIN_SEGMENT samples.
    """
    x = np.atleast_2d(np.asarray(x, dtype=np.float64))
    n = x.shape[1]
    if n < MIN_SEGMENT:
        raise ValueError(f"a spectrum needs at least {MIN_SEGMENT} samples; the window holds {n}")
    nper = min(n, max(MIN_SEGMENT, round(segment_seconds * fs)))
    step = max(1, nper // 2)
    starts = np.arange(0, n - nper + 1, step)
    segs = np.stack([x[:, s : s + nper] for s in starts], axis=1)  # channels x segments x samples
    ramp = np.arange(nper) - (nper - 1) / 2.0
    segs = segs - segs.mean(axis=2, keepdims=True)
    segs = segs - (segs @ ramp / float(ramp @ ramp))[..., None] * ramp
    window = np.hanning(nper)
    scale = 1.0 / (fs * float(np.sum(window**2)))
    spec = np.abs(np.fft.rfft(segs * window, axis=2)) ** 2 * scale
    spec[..., 1:-1] *= 2.0
    freqs = np.fft.rfftfreq(nper, 1.0 / fs).astype(np.float64)
    psd: FloatArray = spec.mean(axis=1)
    return freqs, psd


def band_powers_from_psd(freqs: FloatArray, psd: FloatArray) -> FloatArray:
    """Absolute power per band (rows: channels, columns: BAND_NAMES) in units^2 from a PSD."""
    df = freqs[1] - freqs[0] if freqs.size > 1 else 1.0
    out = np.zeros((psd.shape[0], len(BANDS)))
    for j, (lo, hi) in enumerate(BANDS.values()):
        sel = (freqs >= lo) & (freqs < hi)
        out[:, j] = psd[:, sel].sum(axis=1) * df
    return out


def band_powers(x: FloatArray, fs: float) -> FloatArray:
    """Absolute power per band (rows: channels, columns: BAND_NAMES), in units^2, from a Welch PSD."""
    return band_powers_from_psd(*welch_psd(x, fs))


def relative(powers: FloatArray) -> FloatArray:
    """Each band's share of the channel's total 1-45 Hz power."""
    total = powers.sum(axis=1, keepdims=True)
    out: FloatArray = np.divide(powers, total, out=np.zeros_like(powers), where=total > 0)
    return out


def parse_pairs(text: str) -> tuple[tuple[str, str], ...]:
    """Read asymmetry pairs written ``RIGHT/LEFT`` and separated by commas (``F4/F3,F8/F7``); ValueError names
    the part that cannot be read."""
    pairs = []
    for part in text.split(","):
        right, slash, left = part.strip().partition("/")
        if not slash or not right.strip() or not left.strip():
            raise ValueError(f"cannot read the asymmetry pair {part.strip()!r}; write RIGHT/LEFT, e.g. F4/F3")
        pairs.append((right.strip(), left.strip()))
    return tuple(pairs)


def resolve_pairs(names: Sequence[str], wanted: Sequence[tuple[str, str]]) -> list[tuple[int, int]]:
    """Channel indices (right, left) of the ``wanted`` pairs this montage has; when it has none of them, the
    best frontal pair it does have (see FRONTAL_PAIRS); empty when it has no frontal pair at all."""
    upper = [n.upper() for n in names]

    def found(pairs: Sequence[tuple[str, str]]) -> list[tuple[int, int]]:
        return [
            (upper.index(r.upper()), upper.index(left.upper()))
            for r, left in pairs
            if r.upper() in upper and left.upper() in upper
        ]

    return found(wanted) or found(FRONTAL_PAIRS)[:1]


def alpha_asymmetry(powers: FloatArray, pairs: Sequence[tuple[int, int]], ok: BoolArray) -> float:
    """Mean over usable pairs of ln(alpha right) - ln(alpha left); NaN when no pair is usable.

    Positive means relatively more right alpha, i.e. less right-frontal activity, read as approach/positive.
    """
    values = [
        math.log(powers[r, ALPHA] + 1e-12) - math.log(powers[left, ALPHA] + 1e-12)
        for r, left in pairs
        if ok[r] and ok[left]
    ]
    return float(np.mean(values)) if values else math.nan


def engagement(powers: FloatArray, ok: BoolArray) -> float:
    """The engagement index beta / (alpha + theta) of the mean band powers of the usable channels; NaN if none."""
    if not ok.any():
        return math.nan
    mean = powers[ok].mean(axis=0)
    theta, alpha, beta = (float(mean[BAND_NAMES.index(b)]) for b in ("theta", "alpha", "beta"))
    return beta / (alpha + theta) if alpha + theta > 0 else math.nan
