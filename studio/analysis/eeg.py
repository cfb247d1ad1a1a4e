"""``affect-studio analyze eeg FILE``: band powers of a recording, per 2 s window (0.5 s hop) and averaged."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from studio.config import comma_separated

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from sensors.recordings import Recording

HELP = "EEG band powers per 2 s window and over the whole file (BrainFlow CSV, OpenBCI GUI text, EDF/BDF, XDF)"
WINDOW = 2.0  # s
HOP = 0.5  # s
KEYS = ("delta", "theta", "alpha", "beta", "gamma", "alpha_rel")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="the recording")
    parser.add_argument("--json", action="store_true", help="one JSON object per window, then a summary line")
    parser.add_argument("--channels", type=comma_separated, help="only these channels, e.g. Fp1,Fp2 (default: all EEG)")
    parser.add_argument(
        "--montage", type=comma_separated, help="names for the file's EEG channels in order, e.g. Fp1,Fp2,C3,C4"
    )
    parser.add_argument("--board", default="synthetic", help="the BrainFlow board that wrote a BrainFlow CSV file")
    parser.add_argument("--notch", type=float, choices=(0.0, 50.0, 60.0), default=50.0, help="mains notch (Hz)")


def run(args: argparse.Namespace) -> int:
    from sensors.recordings import RecordingError, read_recording
    from studio.analysis import note

    rec = read_recording(args.file, args.board)
    for text in rec.notes:
        note(f"{rec.origin}: {text}")
    if args.montage:
        rec = rec.with_montage(args.montage)
    if args.channels:
        rec = rec.select(args.channels)
    elif rec.indices("eeg"):
        rec = rec.select([rec.names[i] for i in rec.indices("eeg")])
    else:
        raise RecordingError(f"{rec.origin}: no EEG channels; choose some with --channels ({', '.join(rec.names)})")
    starts, rows = band_table(rec, args.notch)
    if args.json:
        for start, row in zip(starts, rows, strict=True):
            print(json.dumps({"t": round(start, 3), "channels": _channels(rec.names, row)}))
    mean = rows.mean(axis=0)
    channels = _channels(rec.names, mean)
    if args.json:
        summary = {"summary": True, "windows": len(starts), "duration_s": round(rec.duration, 3), "channels": channels}
        print(json.dumps(summary))
    else:
        print(f"{rec.origin}: {len(starts)} windows of {WINDOW:g} s, mean band power (units^2) and relative alpha")
        print(f"{'channel':>12} " + " ".join(f"{k:>10}" for k in KEYS))
        for name, values in channels.items():
            print(f"{name:>12} " + " ".join(f"{values[k]:>10.4g}" for k in KEYS))
    return 0


def band_table(rec: Recording, notch: float) -> tuple[list[float], NDArray[np.float64]]:
    """Window starts (s from the first sample) and, per window and channel, the KEYS values (units^2, share)."""
    import numpy as np

    from fusion.eeg import BAND_NAMES, band_powers, rate_problem, relative
    from fusion.filters import bandpass, fill_gaps
    from sensors.recordings import RecordingError

    if problem := rate_problem(rec.fs):
        raise RecordingError(f"{rec.origin}: {problem}")
    size = round(WINDOW * rec.fs)
    if len(rec.data) < size:
        raise RecordingError(f"{rec.origin}: {rec.duration:.2f} s is shorter than one {WINDOW:g} s window")
    data, _ = fill_gaps(rec.data.T)
    alpha = BAND_NAMES.index("alpha")
    starts = [round(k * HOP * rec.fs) for k in range(int((data.shape[1] - size) / (HOP * rec.fs)) + 1)]
    rows = []
    for start in starts:
        x = bandpass(data[:, start : start + size], rec.fs, 1.0, min(45.0, 0.49 * rec.fs), notch)
        powers = band_powers(x, rec.fs)
        rows.append(np.column_stack((powers, relative(powers)[:, alpha])))
    return [s / rec.fs for s in starts], np.asarray(rows)


def _channels(names: tuple[str, ...], values: NDArray[np.float64]) -> dict[str, dict[str, float]]:
    """{channel: {delta.., gamma, alpha_rel}} from a channels x 6 array."""
    return {
        name: {k: float(f"{v:.6g}") for k, v in zip(KEYS, row, strict=True)}
        for name, row in zip(names, values, strict=True)
    }
