"""Per-channel signal quality of one EEG window: usable, flat, railed, line-noise dominated or very noisy."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np
from numpy.typing import NDArray

from fusion.eeg import welch_psd

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


class Quality(IntEnum):
    """One channel's state in a window, worst first when several apply (railed beats flat beats noise)."""

    OK = 0
    FLAT = 1
    RAILED = 2
    LINE_NOISE = 3
    NOISY = 4


QUALITY_LABELS = {q: q.name.lower().replace("_", " ") for q in Quality}


@dataclass(frozen=True)
class QualityLimits:
    """Thresholds in the signal's units (µV for EEG boards)."""

    flat_below: float = 0.1  # standard deviation under which a channel carries nothing (µV)
    railed_above: float = 1e5  # |value| at which the amplifier is saturated (µV)
    clipped_share: float = 0.02  # share of samples held at the window's extreme value that means clipping
    line_ratio: float = 1.0  # line-frequency power (±1 Hz) over 1-45 Hz power above which noise dominates
    noisy_above: float = 300.0  # band-passed standard deviation above which a channel is artefact (µV)
    noisy_factor: float = 10.0  # ... or this many times the median channel's (with 4 channels or more)


def channel_quality(
    raw: FloatArray, filtered: FloatArray, fs: float, line_hz: float, limits: QualityLimits = QualityLimits()
) -> IntArray:
    """Quality code per channel from the raw window and the same window band-passed (both channels x samples).

    Non-finite samples (what boards send for lost or saturated samples) count as railed. ``line_hz`` 0 skips
    the line-noise test, which also needs a sampling rate above twice the line frequency.
    """
    raw = np.atleast_2d(raw)
    out = np.full(raw.shape[0], int(Quality.OK), dtype=np.int64)
    finite = np.isfinite(raw).all(axis=1)
    safe = np.where(np.isfinite(raw), raw, 0.0)
    noise = filtered.std(axis=1)
    median = float(np.median(noise)) if noise.size >= 4 else np.inf
    noisy = (noise > limits.noisy_above) | (noise > limits.noisy_factor * median)
    out[noisy] = Quality.NOISY
    if line_hz > 0 and fs > 2 * (line_hz + 1):
        freqs, psd = welch_psd(safe, fs)
        line = psd[:, np.abs(freqs - line_hz) <= 1.0].sum(axis=1)
        eeg = psd[:, (freqs >= 1.0) & (freqs <= 45.0)].sum(axis=1)
        out[line > limits.line_ratio * np.maximum(eeg, 1e-30)] = Quality.LINE_NOISE
    spread = safe.std(axis=1)
    out[spread < limits.flat_below] = Quality.FLAT
    magnitude = np.abs(safe)
    peak = magnitude.max(axis=1)
    # Clipping: runs of identical samples at the window's extreme (a flat top, not a sine's single peak sample).
    held = (magnitude[:, 1:] >= peak[:, None]) & (np.diff(safe, axis=1) == 0)
    clipped = (held.mean(axis=1) > limits.clipped_share) & (spread >= limits.flat_below)
    out[~finite | (peak >= limits.railed_above) | clipped] = Quality.RAILED
    return out


def usable(quality: IntArray) -> NDArray[np.bool_]:
    """Channels whose window can be used for features."""
    ok: NDArray[np.bool_] = quality == Quality.OK
    return ok


def describe(quality: IntArray, names: list[str] | tuple[str, ...]) -> str:
    """A short operator line naming the unusable channels and why, e.g. ``2 of 8 channels: O1 railed, ...``."""
    bad = [f"{names[i]} {QUALITY_LABELS[Quality(int(q))]}" for i, q in enumerate(quality) if q != Quality.OK]
    if not bad:
        return ""
    shown = ", ".join(bad[:4]) + (", …" if len(bad) > 4 else "")
    return f"{len(bad)} of {len(names)} channels unusable: {shown}"
