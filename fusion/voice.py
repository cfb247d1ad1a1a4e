"""Affect from voice prosody, each feature relative to the speaker's baseline, and that baseline."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from fusion.affect import NO_AFFECT, Affect, real_number
from fusion.prosody_features import ProsodySummary, semitones
from fusion.prosody_frames import ProsodyFrames

MIN_BASELINE_VOICED_S = 1.0  # a baseline needs at least this much voiced speech (seconds)


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


@dataclass(frozen=True)
class VoiceBaseline:
    """A speaker's neutral prosody: median F0 (Hz), F0 range (semitones), speech intensity (dB), speaking
    rate (syllable nuclei per second of speech)."""

    f0_median_hz: float
    f0_range_st: float
    intensity_db: float
    rate_syll_per_s: float

    def as_dict(self) -> dict[str, float]:
        return asdict(self)

    @staticmethod
    def from_dict(values: dict[str, float]) -> VoiceBaseline:
        """Read a stored baseline; ValueError naming the key when one is missing, unknown or out of range."""
        names = set(VoiceBaseline.__dataclass_fields__)
        unknown = set(values) - names
        missing = names - set(values)
        if unknown or missing:
            raise ValueError(f"voice baseline keys: missing {sorted(missing)}, unknown {sorted(unknown)}")
        checked = {}
        for name in names:
            value = values[name]
            if not real_number(value) or not math.isfinite(value):
                raise ValueError(f"voice baseline {name} = {value!r} must be a finite number")
            checked[name] = float(value)
        if not 40.0 <= checked["f0_median_hz"] <= 1000.0:
            raise ValueError(f"voice baseline f0_median_hz = {checked['f0_median_hz']:g} Hz is not a voice")
        if checked["f0_range_st"] < 0 or checked["rate_syll_per_s"] < 0:
            raise ValueError("voice baseline f0_range_st and rate_syll_per_s must be 0 or more")
        return VoiceBaseline(**checked)

    @staticmethod
    def from_summary(summary: ProsodySummary) -> VoiceBaseline | None:
        """The baseline a stretch of calm speech gives, or None with less than MIN_BASELINE_VOICED_S voiced."""
        if summary.voiced_fraction * summary.duration_s < MIN_BASELINE_VOICED_S:
            return None
        return VoiceBaseline(
            summary.f0_median_hz, summary.f0_range_st, summary.intensity_mean_db, summary.rate_syll_per_s
        )


def voice_affect(window: ProsodySummary, baseline: VoiceBaseline | None, trust: float = 1.0) -> Affect:
    """The estimate for a window of speech relative to ``baseline``; confidence 0 without voiced speech or
    baseline, scaled by ``trust`` (0..1: how settled the baseline is)."""
    if baseline is None or window.voiced_fraction == 0 or math.isnan(window.f0_median_hz):
        return NO_AFFECT
    rate_ratio = window.rate_syll_per_s / baseline.rate_syll_per_s if baseline.rate_syll_per_s > 0 else 1.0
    affect = affect_from_prosody(
        float(semitones(window.f0_median_hz, baseline.f0_median_hz)),
        window.f0_range_st - baseline.f0_range_st,
        window.intensity_mean_db - baseline.intensity_db,
        rate_ratio if rate_ratio > 0 else 1.0,
        window.voiced_fraction,
    )
    return Affect.make(affect.valence, affect.arousal, affect.confidence * trust)


class BaselineCollector:
    """Collects frames for a baseline: a fixed stretch of input (operator calibration, ``input_s``), or
    the first ``speech_s`` seconds of speech (automatic); either way until enough voiced speech is in."""

    def __init__(self, input_s: float | None = None, speech_s: float | None = None) -> None:
        if (input_s is None) == (speech_s is None):
            raise ValueError("collect either a stretch of input or a number of seconds of speech")
        self.input_s = input_s
        self.speech_s = speech_s
        self._parts: list[ProsodyFrames] = []

    def add(self, frames: ProsodyFrames) -> None:
        self._parts.append(frames)

    def frames(self) -> ProsodyFrames:
        merged = ProsodyFrames.concat(self._parts)
        self._parts = [merged]
        return merged

    def progress(self, summary: ProsodySummary) -> float:
        """Share done (0..1) given the summary of what has been collected."""
        voiced_s = summary.voiced_fraction * summary.duration_s
        enough_voice = min(1.0, voiced_s / MIN_BASELINE_VOICED_S)
        if self.input_s is not None:
            return min(summary.duration_s / self.input_s, enough_voice)
        assert self.speech_s is not None
        return min(1.0, summary.speech_s / self.speech_s, enough_voice)
