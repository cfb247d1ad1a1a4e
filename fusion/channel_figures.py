"""Per-channel figures of the raw EEG window on show, for the experimenter: amplitude (RMS in µV), the share of
samples railed (lost, at the amplifier's limit or clipped) and the noise the display filter removes (RMS in µV of
what lies outside the EEG band: line noise, drift, muscle)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from fusion.quality import QualityLimits
from fusion.signal_checks import railed_mask

FloatArray = NDArray[np.float64]
LIMITS = QualityLimits()  # the quality check's own rail


@dataclass(frozen=True)
class ChannelFigures:
    """One value per channel (NaN where a channel has no finite sample)."""

    rms_uv: FloatArray
    railed_pct: FloatArray
    noise_uv: FloatArray

    def line(self, i: int) -> str:
        """Channel ``i``'s figures in a few characters: ``12.3 µV · 0% railed · noise 2.1``."""
        if not np.isfinite(self.rms_uv[i]):
            return "no signal · 100% railed"
        return f"{self.rms_uv[i]:.1f} µV · {self.railed_pct[i]:.0f}% railed · noise {self.noise_uv[i]:.1f}"


def channel_figures(raw: FloatArray, filtered: FloatArray, limits: QualityLimits = LIMITS) -> ChannelFigures:
    """Figures of ``raw`` (channels x samples, µV) and the same window as the display filters it.

    RMS is of the raw window less its mean; railed counts the samples ``railed_mask`` marks (non-finite, at the
    rail, or held at the window's extreme: a clipped, flat top); noise is the RMS
    of the raw window, less its mean, minus the filtered one (drift counts as noise too)."""
    raw = np.atleast_2d(np.asarray(raw, dtype=np.float64))
    filtered = np.atleast_2d(np.asarray(filtered, dtype=np.float64))
    channels = raw.shape[0]
    finite = np.isfinite(raw)
    railed_pct = 100.0 * railed_mask(raw, limits).mean(axis=1) if raw.shape[1] else np.full(channels, 100.0)
    rms, noise = np.full(channels, np.nan), np.full(channels, np.nan)
    for i in range(channels):
        values = raw[i, finite[i]]
        if values.size == 0:
            continue
        centred = values - values.mean()
        rms[i] = float(np.sqrt(np.mean(np.square(centred))))
        band = filtered[i, finite[i]]
        keep = np.isfinite(band)
        if keep.any():
            noise[i] = float(np.sqrt(np.mean(np.square(centred[keep] - band[keep]))))
    return ChannelFigures(rms, railed_pct, noise)
