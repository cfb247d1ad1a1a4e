"""Face channel speed on 640x480 frames, with the process pinned to one CPU core.

- per-frame cost of the studio's path (BGR frame -> landmarks, quality, face pick, blendshapes, valence,
  arousal, explanation, written to the streams) against bare ``FaceLandmarker.detect_for_video`` on the
  same frames already converted to RGB; each frame goes through both back to back so that machine load
  hits both alike; the ratios of medians, of means and the median of per-frame ratios are printed (the
  target is at most 1.15);
- frames per second that one core sustains on the studio's path;
- the pure estimate's own cost per frame (blendshapes -> cues, masking, conflict; and with the face dynamics:
  medoid, held distress, jaw rhythm), in microseconds, on 20 s of a sobbing sequence at 30 frames/s;
- frame-to-estimate latency (p50/p95/p99) through the real newest-frame worker, frames offered at 30/s.

The frames are single_face.mp4's (640x360) centred on a 640x480 canvas.
Run: .venv/bin/python -m benchmarks.face_speed [--rounds 5] [--seconds 10]
"""

from __future__ import annotations

import argparse
import json
import os
import threading
import time
from pathlib import Path

import cv2
import numpy as np

from benchmarks import reference_data_folder
from benchmarks.face_cases import CRYING, REST, rhythmic
from fusion.face import estimate
from fusion.face_dynamics import FaceDynamics
from sensors.face import ScriptedFace
from sensors.frames import read_file
from sensors.landmarker import Landmarker, mediapipe_tasks
from studio.kernel.streams import StreamHub
from studio.kernel.worker import NewestItemWorker
from studio.paths import face_model_path

WIDTH, HEIGHT = 640, 480


def frames(data: Path) -> list[np.ndarray]:
    out = []
    for frame in read_file(data / "faces" / "video" / "single_face.mp4"):
        canvas = np.full((HEIGHT, WIDTH, 3), 128, np.uint8)
        h, w = frame.image.shape[:2]
        top = (HEIGHT - h) // 2
        canvas[top : top + h, :w] = frame.image
        out.append(canvas)
    return out


def bare_task(model: Path):
    mp, vision = mediapipe_tasks()
    options = vision.FaceLandmarkerOptions(
        base_options=mp.tasks.BaseOptions(model_asset_path=str(model)),
        running_mode=vision.RunningMode.VIDEO,
        num_faces=4,
        output_face_blendshapes=True,
        output_facial_transformation_matrixes=True,
    )
    return mp, vision.FaceLandmarker.create_from_options(options)


def timed_rounds(model: Path, images: list[np.ndarray], rounds: int) -> tuple[list[float], list[float]]:
    """Per-frame seconds of the bare task and of the studio's path over ``rounds`` passes of ``images``.

    Each frame goes through both back to back (two landmarkers, each with its own timestamps), so a burst
    of load from other processes lands on a pair, not on one side.
    """
    mp, task = bare_task(model)
    rgb = [mp.Image(image_format=mp.ImageFormat.SRGB, data=cv2.cvtColor(i, cv2.COLOR_BGR2RGB)) for i in images]
    landmarker = Landmarker(model)
    source = ScriptedFace()  # only for FaceSource.publish: the same code LiveFace runs per frame
    source.open(StreamHub())
    bare: list[float] = []
    studio: list[float] = []
    for n in range((rounds + 1) * len(images)):  # the first pass warms both up and is not counted
        t = n / 30.0
        t0 = time.perf_counter()
        task.detect_for_video(rgb[n % len(images)], int(t * 1000))
        t1 = time.perf_counter()
        reading = landmarker.read(images[n % len(images)], t)
        face = reading.face
        source.publish(t, face.scores if face is not None else None, reading.confidence)
        t2 = time.perf_counter()
        if n >= len(images):
            bare.append(t1 - t0)
            studio.append(t2 - t1)
    task.close()
    landmarker.close()
    return bare, studio


def estimate_cost(seconds: float = 20.0) -> dict[str, float]:
    """Microseconds per frame of the estimate alone and of the estimate followed by the face dynamics."""
    sequence = rhythmic(CRYING["grimace"], 1.0, seconds, 30.0, seed=1)
    t0 = time.perf_counter()
    for _, scores in sequence:
        estimate(scores, REST, 0.95)
    t1 = time.perf_counter()
    dynamics = FaceDynamics()
    for t, scores in sequence:
        dynamics.update(t, estimate(scores, REST, 0.95))
    t2 = time.perf_counter()
    return {
        "estimate_us_per_frame": round((t1 - t0) / len(sequence) * 1e6, 1),
        "estimate_and_dynamics_us_per_frame": round((t2 - t1) / len(sequence) * 1e6, 1),
    }


def latency(model: Path, images: list[np.ndarray], seconds: float, rate: float = 30.0) -> dict[str, object]:
    """Offer frames at ``rate``/s to the real worker for ``seconds``; latencies from stamp to published estimate."""
    landmarker = Landmarker(model)
    source = ScriptedFace()
    source.open(StreamHub())

    latencies: list[float] = []

    def analyse(frame: tuple[np.ndarray, float]) -> None:
        image, t = frame
        reading = landmarker.read(image, t)
        face = reading.face
        source.publish(reading.t, face.scores if face is not None else None, reading.confidence)
        latencies.append(time.monotonic() - t)

    worker: NewestItemWorker[tuple[np.ndarray, float]] = NewestItemWorker("face-analysis", analyse)
    worker.start()
    stop = threading.Event()
    start = time.monotonic()
    count = 0
    while not stop.is_set() and time.monotonic() - start < seconds:
        worker.offer((images[count % len(images)], time.monotonic()))
        count += 1
        stop.wait(max(0.0, start + count / rate - time.monotonic()))
    worker.idle()
    worker.stop()
    landmarker.close()
    ms = np.array(latencies[-int(seconds * rate) :]) * 1000.0
    return {
        "offered": worker.counts.offered,
        "analysed": worker.counts.handled,
        "dropped_as_stale": worker.counts.dropped,
        "latency_ms_p50": round(float(np.percentile(ms, 50)), 2),
        "latency_ms_p95": round(float(np.percentile(ms, 95)), 2),
        "latency_ms_p99": round(float(np.percentile(ms, 99)), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=reference_data_folder(), help="the shared reference data folder")
    parser.add_argument("--model", type=Path, default=face_model_path(), help="face_landmarker.task")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds over the 72 frames")
    parser.add_argument("--seconds", type=float, default=10.0, help="how long to measure latency")
    args = parser.parse_args()
    core = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {core})  # before MediaPipe starts any thread: they all inherit the one core
    images = frames(args.data)
    bare, studio = timed_rounds(args.model, images, args.rounds)
    b, s = np.array(bare) * 1000.0, np.array(studio) * 1000.0
    print(
        json.dumps(
            {
                "benchmark": "face_speed",
                "frame": f"{WIDTH}x{HEIGHT}",
                "cpu_cores": sorted(os.sched_getaffinity(0)),
                "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],
                "frames_timed": len(studio),
                "bare_detect_for_video_ms_p50": round(float(np.median(b)), 3),
                "studio_path_ms_p50": round(float(np.median(s)), 3),
                "bare_ms_mean": round(float(b.mean()), 3),
                "studio_ms_mean": round(float(s.mean()), 3),
                "cost_ratio_p50": round(float(np.median(s) / np.median(b)), 3),
                "cost_ratio_mean": round(float(s.mean() / b.mean()), 3),
                "cost_ratio_median_of_pairs": round(float(np.median(s / b)), 3),
                "studio_fps_one_core": round(1000.0 / float(s.mean()), 1),
                "pure_estimate": estimate_cost(),
                "live_worker_30fps": latency(args.model, images, args.seconds),
            }
        )
    )


if __name__ == "__main__":
    main()
