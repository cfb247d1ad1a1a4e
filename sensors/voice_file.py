"""WAV files through the voice channel's analysis, for offline analysis and baselines."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from fusion.prosody_features import summarize
from fusion.prosody_frames import ProsodyAnalyzer, ProsodyFrames
from fusion.voice import MIN_BASELINE_VOICED_S, VoiceBaseline
from sensors.wav_input import WavAudio, read_wav
from studio.kernel.errors import UsageError

BLOCK = 4096  # samples per push: the analysis does not depend on it; blocks keep memory flat


def analyse_wav(audio: WavAudio) -> ProsodyFrames:
    """Every 10 ms frame of ``audio``, pushed through the same streaming analysis as the microphone."""
    analyzer = ProsodyAnalyzer(audio.rate)
    parts = [analyzer.push(audio.samples[i : i + BLOCK]) for i in range(0, audio.samples.size, BLOCK)]
    parts.append(analyzer.finish())
    return ProsodyFrames.concat(parts)


def pooled_baseline(frames: list[ProsodyFrames]) -> VoiceBaseline | None:
    """The baseline of several recordings of one speaker: the median of each recording's prosody (None: less
    than MIN_BASELINE_VOICED_S seconds voiced in all)."""
    summaries = [s for s in map(summarize, frames) if s.voiced_fraction > 0]
    voiced_s = sum(s.voiced_fraction * s.duration_s for s in summaries)
    if voiced_s < MIN_BASELINE_VOICED_S:
        return None
    return VoiceBaseline(
        float(np.median([s.f0_median_hz for s in summaries])),
        float(np.median([s.f0_range_st for s in summaries])),
        float(np.median([s.intensity_mean_db for s in summaries])),
        float(np.median([s.rate_syll_per_s for s in summaries])),
    )


def load_baseline(path: Path) -> VoiceBaseline:
    """A baseline from a stored one (``.json``, as ``VoiceSource.baseline()`` gives) or a calm recording."""
    if path.suffix.lower() != ".json":
        baseline = VoiceBaseline.from_summary(summarize(analyse_wav(read_wav(path))))
        if baseline is None:
            raise UsageError(f"baseline {path} has too little voiced speech (at least 1 s is needed)")
        return baseline
    try:
        values = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(values, dict):
            raise ValueError("expected a JSON object")
        return VoiceBaseline.from_dict(values)
    except FileNotFoundError:
        raise UsageError(f"baseline {path}: no such file") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise UsageError(f"baseline {path} is not a stored voice baseline: {exc}") from None
