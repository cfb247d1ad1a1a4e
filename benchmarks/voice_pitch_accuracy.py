"""Pitch accuracy against laryngograph references, next to Praat's autocorrelation pitch tracker.

For each file of ``speech/fda_ue_pitch_reference`` (reference F0 every 15 ms, 0 = unvoiced): gross pitch
errors (share of frames voiced in both that are more than 20% off), the median absolute error (Hz) on those
frames, voicing agreement (share of reference frames), and run time, for this analysis and for Praat
(parselmouth, ``pip install -e '.[bench]'``; Praat at its defaults: ac, 75-600 Hz, 10 ms step). Figures are
given per file, for the files the analysis was developed on (rl001, sb001), for the held-out ones (rl002,
sb002) and overall.

Run: .venv/bin/python -m benchmarks.voice_pitch_accuracy [DATA_DIR]   (default: $STUDIO_REFERENCE_DATA)
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np

from sensors.voice_file import analyse_wav
from sensors.wav_input import read_wav

REF_STEP = 0.015  # seconds between reference values (frame k at k x 15 ms)
FRAME_STEP = 0.01  # seconds between F0 values of the tracks compared
DEVELOPMENT = ("rl001", "sb001")  # looked at while building the tracker; the rest is held out


def at_reference_times(f0: np.ndarray, count: int) -> np.ndarray:
    """A 10 ms F0 track (0 = unvoiced) read at the reference times: linear between two voiced frames, else
    the nearer frame."""
    pos = np.clip(np.arange(count) * REF_STEP / FRAME_STEP, 0, f0.size - 1)
    i0 = np.floor(pos).astype(int)
    i1 = np.minimum(i0 + 1, f0.size - 1)
    w = pos - i0
    a, b = f0[i0], f0[i1]
    est: np.ndarray = np.where((a > 0) & (b > 0), a * (1 - w) + b * w, np.where(w < 0.5, a, b))
    return est


def scores(f0: np.ndarray, ref: np.ndarray) -> dict[str, float]:
    """Counts and figures of one track against one reference."""
    est = at_reference_times(f0, ref.size)
    both = (est > 0) & (ref > 0)
    err = np.abs(est[both] - ref[both])
    return {
        "frames": int(ref.size),
        "voiced_both": int(both.sum()),
        "gross_errors": int((err > 0.2 * ref[both]).sum()),
        "gpe": float((err > 0.2 * ref[both]).mean()) if both.any() else float("nan"),
        "median_abs_error_hz": float(np.median(err)) if both.any() else float("nan"),
        "voicing_agreement": float(((est > 0) == (ref > 0)).mean()),
        "_errors": err.tolist(),  # pooled for the group figures, then dropped
        "_agree": int(((est > 0) == (ref > 0)).sum()),
    }


def pooled(results: list[dict[str, float]], seconds: float) -> dict[str, float]:
    errors = np.concatenate([np.asarray(r["_errors"]) for r in results])
    voiced = sum(r["voiced_both"] for r in results)
    return {
        "gpe": round(sum(r["gross_errors"] for r in results) / voiced, 4),
        "median_abs_error_hz": round(float(np.median(errors)), 2),
        "voicing_agreement": round(sum(r["_agree"] for r in results) / sum(r["frames"] for r in results), 4),
        "voiced_frames": voiced,
        "seconds": round(seconds, 4),
    }


def ours(path: Path) -> tuple[np.ndarray, float]:
    t0 = time.perf_counter()
    f0 = analyse_wav(read_wav(path)).f0_hz
    return f0, time.perf_counter() - t0


def praat(path: Path) -> tuple[np.ndarray, float]:
    import parselmouth

    audio = read_wav(path)
    sound = parselmouth.Sound(audio.samples, audio.rate)
    t0 = time.perf_counter()
    pitch = sound.to_pitch_ac(time_step=FRAME_STEP, pitch_floor=75.0, pitch_ceiling=600.0)
    seconds = time.perf_counter() - t0
    grid = np.arange(round(audio.duration_s / FRAME_STEP)) * FRAME_STEP
    values = np.array([pitch.get_value_at_time(t) for t in grid])
    return np.nan_to_num(values, nan=0.0), seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", nargs="?", type=Path, default=Path(os.environ.get("STUDIO_REFERENCE_DATA", "")))
    args = parser.parse_args()
    folder = args.data / "speech" / "fda_ue_pitch_reference"
    files = sorted(folder.glob("*.wav"))
    if not files:
        raise SystemExit(f"no reference recordings in {folder}; pass the shared data folder")
    trackers = {"ours": ours}
    try:
        import parselmouth  # noqa: F401

        trackers["praat"] = praat
    except ImportError:
        print(json.dumps({"praat": "parselmouth not installed: pip install -e '.[bench]'"}))
    per_file: dict[str, dict[str, dict[str, float]]] = {name: {} for name in trackers}
    seconds: dict[str, dict[str, float]] = {name: {} for name in trackers}
    audio_s = 0.0
    for path in files:
        ref = np.loadtxt(path.with_suffix(".f0ref"))
        audio_s += read_wav(path).duration_s
        for name, track in trackers.items():
            f0, took = track(path)
            per_file[name][path.stem] = scores(f0, ref)
            seconds[name][path.stem] = took
    for name in trackers:
        for stem, r in per_file[name].items():
            shown = {k: round(v, 4) for k, v in r.items() if not k.startswith("_")}
            print(json.dumps({"tracker": name, "file": stem, "held_out": stem not in DEVELOPMENT, **shown}))
    for name in trackers:
        groups = {
            "development": [s for s in per_file[name] if s in DEVELOPMENT],
            "held_out": [s for s in per_file[name] if s not in DEVELOPMENT],
            "all": list(per_file[name]),
        }
        for group, stems in groups.items():
            figures = pooled([per_file[name][s] for s in stems], sum(seconds[name][s] for s in stems))
            print(json.dumps({"tracker": name, "group": group, **figures}))
        print(
            json.dumps(
                {
                    "tracker": name,
                    "audio_s": round(audio_s, 2),
                    "real_time_factor": round(sum(seconds[name].values()) / audio_s, 4),
                }
            )
        )


if __name__ == "__main__":
    main()
