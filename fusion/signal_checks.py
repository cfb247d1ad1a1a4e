"""The signal checks an EEG lab expects per channel, for any board (what the OpenBCI GUI shows beside each trace):
railed percentage, RMS amplitude, line-noise share and packet loss; and electrode impedance from a lead-off
current, where a board drives one.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from fusion.eeg import welch_psd
from fusion.filters import bandpass, fill_gaps
from fusion.quality import QualityLimits

FloatArray = NDArray[np.float64]

CHECK_FIELDS = ("railed_pct", "rms_uv", "line_share", "lost_pct")
CHECK_UNITS = ("%", "µV", "", "%")
LEAD_OFF_AMPS = 6.0e-9  # the ADS1299's lead-off current as OpenBCI drives it for impedance (6 nA)
SERIES_OHMS = 2200.0  # the Cyton's series resistor on every input, subtracted from the measured impedance


def railed_mask(raw: FloatArray, limits: QualityLimits) -> NDArray[np.bool_]:
    """Which samples of a window (channels x samples, µV) are railed: non-finite, at or beyond the amplifier's rail
    (``limits.railed_above``), or held at the window's extreme on a channel that moves (a clipped, flat top)."""
    raw = np.atleast_2d(raw)
    finite = np.isfinite(raw)
    safe = np.where(finite, raw, 0.0)
    magnitude = np.abs(safe)
    peak = magnitude.max(axis=1, keepdims=True, initial=0.0)
    held = np.zeros_like(finite)
    held[:, 1:] = (magnitude[:, 1:] >= peak) & (np.diff(safe, axis=1) == 0) & (safe.std(axis=1) > 0)[:, None]
    railed: NDArray[np.bool_] = ~finite | (magnitude >= limits.railed_above) | held
    return railed


def signal_checks(
    raw: FloatArray, filtered: FloatArray, fs: float, line_hz: float, lost: int, limits: QualityLimits
) -> FloatArray:
    """Per channel of one window (channels x samples, µV; ``filtered`` band-passed as for features) the values of
    CHECK_FIELDS: the share of samples that are railed (non-finite, at the amplifier's rail, or held at the
    window's extreme) in %, the RMS of the band-passed signal (µV), the share of the raw signal's power within
    ±1 Hz of the line frequency (0..1; NaN when the rate cannot show it), and the samples lost in the window as
    a share of those expected (``lost`` counted by the board, in %; the same for every channel)."""
    raw = np.atleast_2d(raw)
    n = raw.shape[1]
    safe = np.where(np.isfinite(raw), raw, 0.0)
    out = np.full((raw.shape[0], len(CHECK_FIELDS)), np.nan)
    out[:, 0] = 100.0 * railed_mask(raw, limits).mean(axis=1)
    out[:, 1] = np.sqrt(np.mean(np.square(filtered), axis=1))
    if line_hz > 0 and fs > 2 * (line_hz + 1):
        freqs, psd = welch_psd(safe - safe.mean(axis=1, keepdims=True), fs)
        total = psd[:, freqs >= 1.0].sum(axis=1)
        line = psd[:, np.abs(freqs - line_hz) <= 1.0].sum(axis=1)
        out[:, 2] = line / np.maximum(total, 1e-30)
    out[:, 3] = 100.0 * lost / (n + lost) if n + lost else math.nan
    return out


def impedance_ohms(window: FloatArray, fs: float, line_hz: float) -> FloatArray:
    """Electrode impedance (Ω) per channel of a window (channels x samples, µV) recorded while the board drives
    its lead-off current through the electrode, as the OpenBCI GUI computes it: sqrt(2) x RMS (V, 5-50 Hz)
    / 6 nA - 2.2 kΩ, at least 0."""
    filled, _ = fill_gaps(np.atleast_2d(window))
    passed = bandpass(filled, fs, 5.0, min(50.0, 0.45 * fs), line_hz)
    rms_volts = np.sqrt(np.mean(np.square(passed), axis=1)) * 1e-6
    return np.asarray(np.maximum(math.sqrt(2.0) * rms_volts / LEAD_OFF_AMPS - SERIES_OHMS, 0.0), dtype=np.float64)
