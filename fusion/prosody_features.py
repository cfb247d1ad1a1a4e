"""Prosody over a stretch of 10 ms frames: pitch level and range, loudness, speaking rate, jitter, shimmer.

The speaking rate counts syllable nuclei after de Jong & Wempe (2009): peaks of the (lightly smoothed)
intensity contour that are voiced, well above the noise floor, and separated from the previous nucleus by a
dip of at least 2 dB. Rates are nuclei per second of speaking time: speech frames and the gaps shorter
than ``PAUSE_S`` between them (de Jong & Wempe's articulation rate: pauses of 0.3 s and more excluded).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from fusion.framing import FRAME_HOP
from fusion.prosody_frames import ProsodyFrames
from fusion.voice_activity import Activity

FloatArray = NDArray[np.float64]

NUCLEUS_DIP_DB = 2.0  # an intensity dip between two nuclei at least this deep (dB)
NUCLEUS_MARGIN_DB = 10.0  # a nucleus is at least this far above the noise floor (dB)
NUCLEUS_BELOW_TOP_DB = 25.0  # ... and no more than this below the loudest frame of the stretch (dB)
PAUSE_S = 0.3  # a gap between speech frames at least this long is a pause, not part of speaking time


@dataclass(frozen=True)
class ProsodySummary:
    """Prosody of a stretch of frames. Pitch values are NaN when no frame is voiced.

    ``f0_median_hz`` (Hz); ``f0_range_st`` (10th to 90th percentile of voiced F0, semitones);
    ``intensity_mean_db`` (mean over speech frames, else over all frames, dB); ``voiced_fraction`` and
    ``speech_fraction`` (shares of frames); ``speech_s`` (speaking time, seconds, see ``speaking_time``);
    ``rate_syll_per_s`` (syllable nuclei per second of speaking time); ``jitter`` (mean relative change of
    the period between consecutive voiced
    frames, a frame-level proxy of cycle jitter); ``shimmer_db`` (mean absolute intensity change between
    consecutive voiced frames, dB, a proxy of shimmer).
    """

    duration_s: float
    f0_median_hz: float
    f0_range_st: float
    intensity_mean_db: float
    voiced_fraction: float
    speech_fraction: float
    speech_s: float
    rate_syll_per_s: float
    jitter: float
    shimmer_db: float


def semitones(f_hz: float | FloatArray, reference_hz: float) -> float | FloatArray:
    """Interval from ``reference_hz`` to ``f_hz`` in semitones."""
    return 12.0 * np.log2(np.asarray(f_hz) / reference_hz)


def syllable_nuclei(intensity_db: FloatArray, voiced: NDArray[np.bool_], floor_db: FloatArray) -> NDArray[np.int64]:
    """Frame indices of syllable nuclei (see the module docstring)."""
    if intensity_db.size < 3:
        return np.zeros(0, dtype=np.int64)
    smooth = np.convolve(np.pad(intensity_db, 1, mode="edge"), np.ones(3) / 3, mode="valid")
    threshold = np.maximum(floor_db + NUCLEUS_MARGIN_DB, smooth.max() - NUCLEUS_BELOW_TOP_DB)
    inner = np.arange(1, smooth.size - 1)
    peak = (smooth[inner] > smooth[inner - 1]) & (smooth[inner] >= smooth[inner + 1])
    candidates = inner[peak & voiced[inner] & (smooth[inner] > threshold[inner])]
    kept: list[int] = []
    for i in candidates.tolist():
        if not kept:
            kept.append(i)
            continue
        j = kept[-1]
        dip = smooth[j : i + 1].min()
        if min(smooth[j], smooth[i]) - dip >= NUCLEUS_DIP_DB:
            kept.append(i)
        elif smooth[i] > smooth[j]:
            kept[-1] = i
    return np.asarray(kept, dtype=np.int64)


def speaking_time(speech: NDArray[np.bool_]) -> float:
    """Seconds of speaking: speech frames plus the gaps between them shorter than PAUSE_S."""
    idx = np.flatnonzero(speech)
    if idx.size == 0:
        return 0.0
    gaps = np.diff(idx) - 1
    short_gaps = gaps[gaps * FRAME_HOP < PAUSE_S].sum()
    return float(idx.size + short_gaps) * FRAME_HOP


def jitter_proxy(f0_hz: FloatArray) -> float:
    """Mean |T(k) - T(k-1)| / mean T over pairs of consecutive voiced frames (T = 1/F0); NaN without pairs."""
    pairs = (f0_hz[1:] > 0) & (f0_hz[:-1] > 0)
    if not pairs.any():
        return math.nan
    periods = 1.0 / np.where(f0_hz > 0, f0_hz, 1.0)
    diffs = np.abs(np.diff(periods))[pairs]
    return float(diffs.mean() / periods[1:][pairs].mean())


def shimmer_proxy(intensity_db: FloatArray, voiced: NDArray[np.bool_]) -> float:
    """Mean |dB(k) - dB(k-1)| over pairs of consecutive voiced frames; NaN without pairs."""
    pairs = voiced[1:] & voiced[:-1]
    if not pairs.any():
        return math.nan
    return float(np.abs(np.diff(intensity_db))[pairs].mean())


def summarize(frames: ProsodyFrames) -> ProsodySummary:
    """The prosody of ``frames`` (consecutive 10 ms frames)."""
    n = len(frames)
    voiced = frames.voiced
    speech = frames.activity == Activity.SPEECH
    f0 = frames.f0_hz[voiced]
    if f0.size:
        low, median, high = np.percentile(f0, [10, 50, 90])
        f0_median, f0_range = float(median), float(12 * np.log2(high / low))
    else:
        f0_median = f0_range = math.nan
    levels = frames.intensity_db[speech] if speech.any() else frames.intensity_db
    speech_s = speaking_time(speech)
    nuclei = syllable_nuclei(frames.intensity_db, voiced, frames.floor_db)
    return ProsodySummary(
        duration_s=n * FRAME_HOP,
        f0_median_hz=f0_median,
        f0_range_st=f0_range,
        intensity_mean_db=float(levels.mean()) if levels.size else math.nan,
        voiced_fraction=float(voiced.mean()) if n else 0.0,
        speech_fraction=float(speech.mean()) if n else 0.0,
        speech_s=speech_s,
        rate_syll_per_s=nuclei.size / speech_s if speech_s > 0 else 0.0,
        jitter=jitter_proxy(frames.f0_hz),
        shimmer_db=shimmer_proxy(frames.intensity_db, voiced),
    )
