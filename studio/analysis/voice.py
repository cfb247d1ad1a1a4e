"""``affect-studio analyze voice WAV... [--json]``: prosody of WAV files through the live channel's analysis.

With ``--json``: one line per 10 ms frame (``source``, ``t`` in seconds, ``f0_hz`` or null when unvoiced,
``voiced``, ``intensity_db``), then one summary line per file. Without it: one readable line per file.
Estimates are relative to the speaker's baseline: ``--baseline`` (a stored baseline as JSON, or a WAV of
the speaker talking calmly), else the pooled speech of all the files that could be read. A file that cannot
be read gets one error line on stderr and the others are still analysed (exit status 2 if any failed).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

HELP = "pitch, loudness, speaking rate and voice affect of WAV files (10 ms frames and a summary per file)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("wav", nargs="+", type=Path, metavar="WAV", help="WAV files (PCM; any rate and channels)")
    parser.add_argument("--json", action="store_true", help="JSON lines: every 10 ms frame, then a summary per file")
    parser.add_argument(
        "--baseline", type=Path, help="the speaker's baseline: a stored baseline (.json) or a calm recording (.wav)"
    )


def run(args: argparse.Namespace) -> int:
    from fusion.prosody_features import summarize
    from fusion.voice import voice_affect
    from sensors.voice_file import analyse_wav, load_baseline, pooled_baseline
    from sensors.wav_input import WavAudio, WavError, read_wav
    from studio.analysis import note
    from studio.analysis.face import report

    baseline = load_baseline(args.baseline) if args.baseline else None  # a bad baseline stops everything
    audio: list[tuple[Path, WavAudio]] = []
    failed = 0
    for path in args.wav:  # every file is read before anything is printed: the baseline pools them all
        try:
            audio.append((path, read_wav(path)))
        except WavError as exc:
            failed += report(exc)
            continue
        for text in audio[-1][1].notes:
            note(text)
    frames = [(path, analyse_wav(wav)) for path, wav in audio]
    if frames and not args.baseline:
        baseline = pooled_baseline([f for _, f in frames])
    if frames and baseline is None:
        note("too little voiced speech for a baseline, so confidence is 0")
    out = sys.stdout
    for path, f in frames:
        source = str(path)
        summary = summarize(f)
        affect = voice_affect(summary, baseline)
        result = {
            "f0_median_hz": rounded(summary.f0_median_hz),
            "f0_range_st": rounded(summary.f0_range_st),
            "intensity_mean_db": rounded(summary.intensity_mean_db),
            "voiced_fraction": rounded(summary.voiced_fraction, 3),
            "speech_rate_syll_per_s": rounded(summary.rate_syll_per_s),
            "arousal": rounded(affect.arousal, 3),
            "valence": rounded(affect.valence, 3),
            "confidence": rounded(affect.confidence, 3),
        }
        if args.json:
            for t, f0, level in zip(f.t.tolist(), f.f0_hz.tolist(), f.intensity_db.tolist(), strict=True):
                voiced = f0 > 0
                frame = {"source": source, "t": round(t, 2), "f0_hz": round(f0, 2) if voiced else None}
                out.write(json.dumps(frame | {"voiced": voiced, "intensity_db": round(level, 2)}) + "\n")
            out.write(json.dumps({"source": source, "summary": result}) + "\n")
        else:
            out.write(f"{source}: " + ", ".join(f"{k} {v}" for k, v in result.items()) + "\n")
    return 2 if failed else 0


def rounded(value: float, digits: int = 2) -> float | None:
    """JSON-safe: NaN (undefined, e.g. no voiced frame) becomes null."""
    return None if math.isnan(value) else round(value, digits)
