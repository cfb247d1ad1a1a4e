"""``affect-studio analyze physio FILE --kind ppg|ecg|eda``: heart rate and RMSSD, or EDA level and responses."""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

HELP = "heart rate and RMSSD from PPG or ECG, or tonic level and responses from EDA (also WFDB records)"
WINDOW = 10.0  # s
HOP = 5.0  # s


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="the recording (a WFDB record by its .hea file)")
    parser.add_argument("--kind", choices=("ppg", "ecg", "eda"), required=True, help="what the channel records")
    parser.add_argument("--channel", help="the channel's name (default: the first channel of that kind)")
    parser.add_argument("--json", action="store_true", help="one JSON object per 10 s window, then a summary line")
    parser.add_argument("--board", default="synthetic", help="the BrainFlow board that wrote a BrainFlow CSV file")


def _number(x: float, digits: int = 2) -> float | None:
    return round(x, digits) if math.isfinite(x) else None


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from sensors.recordings import RecordingError, read_recording
    from studio.analysis import note

    rec = read_recording(args.file, args.board)
    for text in rec.notes:
        note(f"{rec.origin}: {text}")
    if args.channel:
        column = rec.index(args.channel)
    elif rec.indices(args.kind):
        column = rec.indices(args.kind)[0]
    else:
        raise RecordingError(
            f"{rec.origin}: no {args.kind} channel found; name one with --channel ({', '.join(rec.names)})"
        )
    x = rec.data[:, column]
    if not np.isfinite(x).any():
        raise RecordingError(f"{rec.origin}: channel {rec.names[column]} holds no finite samples")
    lines, summary = eda_summary(x, rec.fs) if args.kind == "eda" else heart_summary(x, rec.fs, args.kind)
    summary = {"summary": True, "channel": rec.names[column], "duration_s": round(rec.duration, 3), **summary}
    if args.json:
        for line in lines:
            print(json.dumps(line))
        print(json.dumps(summary))
    else:
        print(f"{rec.origin}, channel {rec.names[column]} ({args.kind}):")
        for key, value in summary.items():
            if key != "summary":
                print(f"  {key}: {value}")
    return 0


def _windows(n: int, fs: float) -> tuple[range, int]:
    """Starts (samples) of the WINDOW-second windows every HOP seconds, and the window length in samples."""
    size = round(WINDOW * fs)
    return range(0, max(1, n - size + 1), round(HOP * fs)), size


def heart_summary(x: NDArray[np.float64], fs: float, kind: str) -> tuple[list[dict[str, object]], dict[str, object]]:
    """Heart rate per window, and the whole trace's mean window rate, RMSSD and beat count (``kind`` ppg/ecg)."""
    import numpy as np

    from fusion.cardiac import beat_times, heart_rate_bpm, rmssd_ms

    signal = np.asarray(x)
    starts, size = _windows(signal.size, fs)
    lines: list[dict[str, object]] = []
    rates = []
    for s in starts:
        rate = heart_rate_bpm(beat_times(signal[s : s + size], fs, kind), size / fs)
        rates.append(rate)
        lines.append({"t": round(s / fs, 3), "heart_rate_bpm": _number(rate)})
    beats = beat_times(signal, fs, kind)
    finite = [r for r in rates if math.isfinite(r)]
    mean = float(np.mean(finite)) if finite else math.nan
    return lines, {"heart_rate_bpm_mean": _number(mean), "rmssd_ms": _number(rmssd_ms(beats)), "beats": len(beats)}


def eda_summary(x: NDArray[np.float64], fs: float) -> tuple[list[dict[str, object]], dict[str, object]]:
    """Tonic level and responses per window, and for the whole trace."""
    import numpy as np

    from fusion.eda import eda_features

    signal = np.asarray(x)
    starts, size = _windows(signal.size, fs)
    lines: list[dict[str, object]] = []
    for s in starts:
        f = eda_features(signal[s : s + size], fs)
        lines.append({"t": round(s / fs, 3), "eda_tonic": _number(f.tonic, 4), "eda_responses": f.responses})
    whole = eda_features(signal, fs)
    return lines, {
        "eda_tonic_mean": _number(whole.tonic, 4),
        "eda_responses": whole.responses,
        "eda_responses_per_min": _number(whole.per_minute),
    }
