"""Affect from voice prosody, each feature relative to the speaker's baseline."""

from __future__ import annotations

import math

from fusion.affect import Affect


def affect_from_prosody(
    pitch_st: float, pitch_range_st: float, loudness_db: float, rate_ratio: float, voiced_fraction: float
) -> Affect:
    """Arousal from loudness, pitch level and range, and speaking rate; a weak valence from pitch range.

    ``pitch_st``: pitch level above the baseline in semitones. ``pitch_range_st``: pitch range in the
    window minus the baseline range, semitones. ``loudness_db``: intensity above baseline, dB.
    ``rate_ratio``: speaking rate over the baseline rate (1 = same). ``voiced_fraction``: share of the
    window that is voiced speech (0..1); confidence is 0 in silence and grows with voiced speech.
    """
    arousal = math.tanh(
        0.08 * loudness_db + 0.12 * pitch_st + 0.08 * pitch_range_st + 0.8 * math.log(max(rate_ratio, 1e-3))
    )
    valence = 0.3 * math.tanh(0.1 * pitch_range_st)
    confidence = 0.7 * min(1.0, voiced_fraction / 0.4)
    return Affect.make(valence, arousal, confidence)
