"""Face estimate against the reference recordings (real faces, labels nobody on the team wrote).

- London set: is smiling read as higher valence than neutral, for every one of the 14 people? Printed per
  person raw, and held out: each person judged against what the other 13 alone give (their mean neutral
  face as baseline, and a smile threshold set halfway between their neutral and smiling means).
- single_face.mp4: the frame at which valence rises after the smile's onset (about frame 20), raw and
  calibrated on the first 10 frames (0.33 s), as the app calibrates on a session's first seconds.

The weights are set from FACS action units, not fitted to these data; the held-out figures show what a
threshold learnt from other people does for someone new. Only neutral and smiling faces are available, so
no other expression is evaluated.

Run: .venv/bin/python -m benchmarks.face_accuracy [--data ../shared/data] [--model PATH]
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

import numpy as np

from benchmarks import reference_data_folder
from fusion.face import affect_from_blendshapes, mean_scores
from sensors.frames import read_file
from sensors.landmarker import Landmarker
from studio.paths import face_model_path

ONSET_FRAME = 20  # labels.csv: smiling from frame 20 (onset between 16 and 20)
NEUTRAL_FRAMES = range(0, 17)  # labels.csv: neutral 0-16
RISE = 0.2  # valence above the neutral frames' mean that counts as risen


def valence(scores: dict[str, float], baseline: dict[str, float] | None = None) -> float:
    return affect_from_blendshapes(scores, baseline).valence


def london(data: Path, model: Path) -> dict[str, object]:
    folder = data / "faces" / "london_set_neutral_smiling"
    scores: dict[str, dict[str, dict[str, float]]] = {}
    landmarker = Landmarker(model, video=False)
    try:
        with (folder / "labels.csv").open() as f:
            for row in csv.DictReader(f):
                frame = next(read_file(folder / row["file"]))
                face = landmarker.read(frame.image, 0.0).face
                if face is None:
                    raise SystemExit(f"no face found in {row['file']}")
                scores.setdefault(row["face_id"], {})[row["label"]] = face.scores
    finally:
        landmarker.close()
    people = {}
    held_out_correct = 0
    for person, faces in sorted(scores.items()):
        others = [p for p in scores if p != person]
        population = mean_scores([scores[p]["neutral"] for p in others])
        neutral_others = np.mean([valence(scores[p]["neutral"], population) for p in others])
        smiling_others = np.mean([valence(scores[p]["smiling"], population) for p in others])
        threshold = (neutral_others + smiling_others) / 2
        v_n, v_s = valence(faces["neutral"], population), valence(faces["smiling"], population)
        correct = int(v_n < threshold) + int(v_s >= threshold)
        held_out_correct += correct
        raw_n, raw_s = valence(faces["neutral"]), valence(faces["smiling"])
        people[person] = {
            "raw_neutral": round(raw_n, 3),
            "raw_smiling": round(raw_s, 3),
            "smiling_higher": raw_s > raw_n,
            "held_out_neutral": round(v_n, 3),
            "held_out_smiling": round(v_s, 3),
            "held_out_threshold": round(float(threshold), 3),
            "held_out_correct_of_2": correct,
        }
    margins = [p["raw_smiling"] - p["raw_neutral"] for p in people.values()]
    return {
        "people": len(people),
        "smiling_higher_for": sum(bool(p["smiling_higher"]) for p in people.values()),
        "smallest_margin": round(min(margins), 3),
        "median_margin": round(float(np.median(margins)), 3),
        "held_out_classified_correctly": f"{held_out_correct}/{2 * len(people)}",
        "per_person": people,
    }


def first_rise(values: list[float], start: int) -> int | None:
    """First frame from ``start`` on whose valence exceeds the neutral frames' mean by RISE."""
    rest = float(np.mean([values[i] for i in NEUTRAL_FRAMES]))
    return next((i for i in range(start, len(values)) if values[i] > rest + RISE), None)


def video(data: Path, model: Path) -> dict[str, object]:
    path = data / "faces" / "video" / "single_face.mp4"
    landmarker = Landmarker(model, video=True)
    frames = []
    try:
        for frame in read_file(path):
            face = landmarker.read(frame.image, frame.t).face
            frames.append(face.scores if face is not None else None)
    finally:
        landmarker.close()
    found = [s for s in frames if s is not None]
    if len(found) != len(frames):
        raise SystemExit(f"no face in {len(frames) - len(found)} frames of {path}")
    baseline = mean_scores(found[:10])
    raw = [valence(s) for s in found]
    calibrated = [valence(s, baseline) for s in found]
    out: dict[str, object] = {"frames": len(frames), "onset_frame": ONSET_FRAME}
    for name, values in (("raw", raw), ("calibrated", calibrated)):
        rise = first_rise(values, NEUTRAL_FRAMES.stop)
        out[name] = {
            "rise_frame": rise,
            "frames_after_onset": None if rise is None else rise - ONSET_FRAME,
            "within_5_frames": rise is not None and rise <= ONSET_FRAME + 5,
            "neutral_mean": round(float(np.mean([values[i] for i in NEUTRAL_FRAMES])), 3),
            "smiling_mean": round(float(np.mean(values[ONSET_FRAME:])), 3),
            "valence_frames_14_to_26": [round(v, 2) for v in values[14:27]],
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=reference_data_folder(), help="the shared reference data folder")
    parser.add_argument("--model", type=Path, default=face_model_path(), help="face_landmarker.task")
    args = parser.parse_args()
    print(
        json.dumps(
            {
                "benchmark": "face_accuracy",
                "london": london(args.data, args.model),
                "video": video(args.data, args.model),
            }
        )
    )


if __name__ == "__main__":
    main()
