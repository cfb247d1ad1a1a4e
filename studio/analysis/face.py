"""``affect-studio analyze face PATH... [--json] [--calibrate-from PATH]``: valence, arousal, confidence and
blendshapes of every image, or every frame of a video, through MediaPipe's Face Landmarker."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fusion.face_dynamics import FaceDynamics
    from sensors.frames import FileFrame
    from sensors.landmarker import FaceReading

HELP = "face images, folders of images or videos: valence, arousal, confidence and blendshapes per frame"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="images, videos or folders of images")
    parser.add_argument("--json", action="store_true", help="one JSON object per image or video frame")
    parser.add_argument(
        "--calibrate-from",
        type=Path,
        metavar="PATH",
        help="an image or video of the same person's neutral face, used as the resting baseline",
    )
    parser.add_argument("--model", type=Path, help="face_landmarker.task to use (default: the installed model)")


def inputs(path: Path) -> list[tuple[Path, bool]]:
    """The files ``path`` stands for, each with whether it is a still image (a folder: its images)."""
    from sensors.frames import FrameSourceError, folder_images, is_image

    if path.is_dir():
        return [(p, True) for p in folder_images(path)]
    if not path.exists():
        raise FrameSourceError(f"{path} does not exist")
    return [(path, is_image(path))]


def readings(model: Path, path: Path, still: bool) -> Iterator[tuple[FileFrame, FaceReading]]:
    """Every frame of ``path`` with what the landmarker read in it (a video is tracked frame to frame)."""
    from sensors.frames import read_file
    from sensors.landmarker import Landmarker

    frames = read_file(path)
    first = next(frames)  # fails before the model loads when the file is unreadable
    landmarker = Landmarker(model, video=not still)
    try:
        yield first, landmarker.read(first.image, first.t)
        for frame in frames:
            yield frame, landmarker.read(frame.image, frame.t)
    finally:
        landmarker.close()


def calibration(model: Path, path: Path) -> dict[str, float]:
    """The resting profile: mean blendshapes over every face frame of the image or video at ``path``."""
    from fusion.face import mean_scores
    from studio.kernel.errors import UsageError

    scores = []
    for source, still in inputs(path):
        scores += [r.face.scores for _, r in readings(model, source, still) if r.face is not None]
    if not scores:
        raise UsageError(f"--calibrate-from {path}: no face found to take the neutral baseline from")
    return mean_scores(scores)


def record(
    source: Path,
    frame: FileFrame,
    reading: FaceReading,
    baseline: dict[str, float] | None,
    dynamics: FaceDynamics | None = None,
) -> dict[str, Any]:
    """One frame's JSON object; a video's frames go through ``dynamics`` (its time course), a still's do not."""
    from fusion.face import CORNER_LIFT, FACE_BLENDSHAPES, estimate

    face = reading.face
    out: dict[str, Any] = {"source": str(source), "frame": frame.index, "t": round(frame.t, 4)}
    out["face"] = face is not None
    out["faces"] = len(reading.faces)
    if face is None:
        return out | {
            "valence": None,
            "arousal": None,
            "confidence": 0.0,
            "conflict": 0.0,
            "note": "",
            "blendshapes": {},
            "drivers": [],
        }
    found = estimate(face.scores, baseline, reading.confidence)
    if dynamics is not None:
        found = dynamics.update(frame.t, found)
    affect = found.affect
    drivers = [d for d in found.drivers[:3] if d.weight >= 0.02]
    assert reading.quality is not None
    return out | {
        "valence": round(affect.valence, 4),
        "arousal": round(affect.arousal, 4),
        "confidence": round(affect.confidence, 4),
        "conflict": round(found.conflict, 4),
        "note": found.note,
        "quality": {k: round(v, 3) for k, v in vars(reading.quality).items()},
        "blendshapes": {name: round(face.scores[name], 4) for name in FACE_BLENDSHAPES if name in face.scores},
        "geometry": {CORNER_LIFT: round(face.scores[CORNER_LIFT], 4)},
        "drivers": [{"name": d.name, "valence": round(d.valence, 4), "arousal": round(d.arousal, 4)} for d in drivers],
    }


def text_line(rec: dict[str, Any]) -> str:
    """One frame for people: where, whether a face was found, the estimate and what drove it."""
    head = f"{rec['source']} frame {rec['frame']} t={rec['t']:.2f}s"
    if not rec["face"]:
        return f"{head}  no face"
    drivers = ", ".join(f"{d['name']}" for d in rec["drivers"]) or "resting face"
    note = f"  {rec['note']}" if rec["note"] else ""
    return (
        f"{head}  valence {rec['valence']:+.2f}  arousal {rec['arousal']:+.2f}  "
        f"confidence {rec['confidence']:.2f}  ({drivers}){note}"
    )


def run(args: argparse.Namespace) -> int:
    from fusion.face_dynamics import FaceDynamics
    from sensors.frames import FrameSourceError
    from sensors.landmarker import LandmarkerError
    from studio.kernel.errors import UsageError
    from studio.models import face_model_status
    from studio.paths import face_model_path

    model = args.model or face_model_path()
    ok, text = face_model_status(model)
    if not ok:
        raise UsageError(text)
    try:
        baseline = calibration(model, args.calibrate_from) if args.calibrate_from is not None else None
    except (FrameSourceError, LandmarkerError) as exc:
        raise UsageError(f"--calibrate-from: {exc}") from None
    failed = 0
    for path in args.paths:
        try:
            files = inputs(path)
        except FrameSourceError as exc:
            failed += report(exc)
            continue
        for source, still in files:
            dynamics = None if still else FaceDynamics()
            try:
                for frame, reading in readings(model, source, still):
                    if frame.note:
                        warn(f"{source}: {frame.note}")
                    rec = record(source, frame, reading, baseline, dynamics)
                    print(json.dumps(rec) if args.json else text_line(rec), flush=True)
            except (FrameSourceError, LandmarkerError) as exc:
                failed += report(exc)
    return 2 if failed else 0


def warn(text: str) -> None:
    """Say in one line on stderr what the user should know about an input that is still analysed."""
    from studio.kernel.errors import print_error

    print_error(text, "warning")


def report(exc: Exception) -> int:
    """Say in one line on stderr why an input was skipped; the others are still analysed. Returns 1."""
    from studio.kernel.errors import print_error

    print_error(exc)
    return 1
