"""Body channel accuracy on recordings with ground truth, through the same code as ``affect-studio analyze``.

- EEG eyes closed vs open (BioSPPy): relative alpha must be higher with eyes closed.
- PhysioNet a103l: heart rate from the finger PPG and from ECG II (and V) within 3 bpm of 127.
- Held out (never used to tune): BioSPPy PPG (reference 94.6 bpm) and ECG (60.7 bpm), and the OpenBCI GUI
  sample, whose alpha segment (about 28-60 s, eyes presumably closed) must show more relative alpha on the
  occipital-looking channels 6-7 than its blink segment (0-7 s).

Run: .venv/bin/python -m benchmarks.body_accuracy [DATA]   (DATA: the shared reference data folder; default
$STUDIO_REFERENCE_DATA, else ../shared/data beside the checkout)
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from benchmarks import reference_data_folder
from sensors.recordings import read_recording
from studio.analysis.eeg import band_table
from studio.analysis.physio import heart_summary

HR_TOLERANCE = 3.0  # bpm


def mean_alpha_rel(path: Path, channels: list[int], seconds: tuple[float, float] | None = None) -> float:
    rec = read_recording(path)
    starts, rows = band_table(rec, 50.0)
    keep = [i for i, s in enumerate(starts) if seconds is None or seconds[0] <= s <= seconds[1] - 2]
    return float(rows[keep][:, channels, -1].mean())


def heart(path: Path, channel: str, kind: str, reference: float) -> dict[str, object]:
    rec = read_recording(path)
    _, summary = heart_summary(rec.data[:, rec.index(channel)], rec.fs, kind)
    bpm = float(summary["heart_rate_bpm_mean"])  # type: ignore[arg-type]
    return {
        "file": path.name,
        "channel": channel,
        "heart_rate_bpm": round(bpm, 2),
        "reference_bpm": reference,
        "error_bpm": round(bpm - reference, 2),
        "rmssd_ms": summary["rmssd_ms"],
        "pass": abs(bpm - reference) <= HR_TOLERANCE,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", type=Path, nargs="?", default=reference_data_folder(), help="the reference data folder")
    data = parser.parse_args().data
    eyes = data / "eeg/biosppy_eyes_open_closed"
    closed, opened = mean_alpha_rel(eyes / "eeg_ec.txt", [0]), mean_alpha_rel(eyes / "eeg_eo.txt", [0])
    a103l = data / "physio/wfdb_challenge2015_a103l/a103l.hea"
    openbci = data / "eeg/openbci_gui_sample/OpenBCI_GUI-v6-blinks-jawClench-alpha.txt.gz"
    alpha_segment = mean_alpha_rel(openbci, [6, 7], (28.0, 60.0))
    blink_segment = mean_alpha_rel(openbci, [6, 7], (0.0, 7.0))
    biosppy = data / "physio/biosppy_examples"
    rates = [heart(a103l, "PLETH", "ppg", 127.0), heart(a103l, "II", "ecg", 127.0), heart(a103l, "V", "ecg", 127.0)]
    required = [closed > opened, *(bool(r["pass"]) for r in rates)]
    report = {
        "eyes_closed_vs_open": {
            "alpha_rel_closed": round(closed, 4),
            "alpha_rel_open": round(opened, 4),
            "ratio": round(closed / opened, 2),
            "pass": closed > opened,
        },
        "heart_rate_a103l": rates,
        "held_out": {
            "heart_rate": [
                heart(biosppy / "ppg.txt", "PPG", "ppg", 94.6),
                heart(biosppy / "ecg.txt", "ECG", "ecg", 60.7),
            ],
            "openbci_alpha_segment_vs_blinks": {
                "alpha_rel_28_60s": round(alpha_segment, 4),
                "alpha_rel_0_7s": round(blink_segment, 4),
                "pass": alpha_segment > blink_segment,
            },
        },
        "all_required_pass": all(required),
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
