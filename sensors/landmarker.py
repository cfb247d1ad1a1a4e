"""MediaPipe's Face Landmarker (Tasks API) and the one worker thread that runs it on the newest frame.

VIDEO mode with ``detect_for_video`` and strictly increasing millisecond timestamps for streams of frames;
IMAGE mode for unrelated still images. Never LIVE_STREAM: its callback is known to hang when it does work.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from fusion.face import CORNER_LIFT
from fusion.face_geometry import Box, FaceQuality, corner_lift, face_box, face_quality, pick_face
from sensors.frames import Image
from studio.errors import StudioError
from studio.paths import studio_command
from studio.quiet import native_stderr_silenced

log = logging.getLogger(__name__)
MAX_FACES = 4


def mediapipe_tasks() -> tuple[Any, Any]:
    """MediaPipe and its vision tasks, imported without the audio recorder's ``sounddevice``.

    Importing mediapipe imports sounddevice, which starts PortAudio, ALSA and a JACK client thread at import
    time; that thread now and then crashed the process (SIGSEGV while Python was still importing, 2 runs in
    60). Face landmarking needs none of it, and mediapipe's audio recorder tolerates its absence.
    """
    if "sounddevice" not in sys.modules:
        sys.modules["sounddevice"] = None  # type: ignore[assignment]  # makes `import sounddevice` fail cleanly
    import mediapipe
    from mediapipe.tasks.python import vision

    return mediapipe, vision


class LandmarkerError(StudioError, RuntimeError):
    """The face model could not be loaded; the message says why and what to do."""


@dataclass(frozen=True)
class DetectedFace:
    """One face in a frame: ``scores`` holds MediaPipe's 52 blendshape scores (0..1) and the lip-corner lift
    measured on the landmarks; 478 ``landmarks`` (x, y as image fractions; MediaPipe's relative depth is not
    kept) and MediaPipe's 4x4 facial transformation matrix (None if it gave none)."""

    scores: dict[str, float]
    landmarks: NDArray[np.float64]
    matrix: NDArray[np.float64] | None
    box: Box  # the landmarks' extent (image fractions)


@dataclass(frozen=True)
class FaceReading:
    """What one frame showed: every face, the one followed (index into ``faces``) and its quality."""

    t: float  # session seconds (live) or seconds into the file
    faces: list[DetectedFace]
    picked: int | None
    quality: FaceQuality | None
    size: tuple[int, int]  # frame width, height in pixels

    @property
    def face(self) -> DetectedFace | None:
        return self.faces[self.picked] if self.picked is not None else None

    @property
    def confidence(self) -> float:
        return self.quality.confidence if self.quality is not None else 0.0


class Landmarker:
    """One MediaPipe Face Landmarker. ``video`` (default) tracks faces across frames of one stream; with
    ``video=False`` every image is analysed on its own. Not thread-safe: one thread uses it."""

    def __init__(self, model: Path, video: bool = True, max_faces: int = MAX_FACES) -> None:
        mp, vision = mediapipe_tasks()
        if not model.is_file():
            raise LandmarkerError(f"face model {model} does not exist; run: {studio_command()} models install")
        options = vision.FaceLandmarkerOptions(
            base_options=mp.tasks.BaseOptions(model_asset_path=str(model)),
            running_mode=vision.RunningMode.VIDEO if video else vision.RunningMode.IMAGE,
            num_faces=max_faces,
            output_face_blendshapes=True,
            output_facial_transformation_matrixes=True,
        )
        try:
            with native_stderr_silenced():  # MediaPipe and TFLite log a page of start-up notes to stderr
                self._task: Any = vision.FaceLandmarker.create_from_options(options)
        except (RuntimeError, ValueError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise LandmarkerError(
                f"cannot load the face model {model} ({first}); run: {studio_command()} models install"
            ) from None
        self.video = video
        self._mp = mp
        self._last_ms = -1

    def detect(self, image: Image, t: float = 0.0) -> list[DetectedFace]:
        """Faces in a BGR ``image`` taken at ``t`` seconds (used in video mode, made strictly increasing)."""
        rgb = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
        frame = self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=rgb)
        if self.video:
            ms = max(int(t * 1000.0), self._last_ms + 1)
            self._last_ms = ms
            result = self._task.detect_for_video(frame, ms)
        else:
            result = self._task.detect(frame)
        matrices = result.facial_transformation_matrixes or []
        size = (image.shape[1], image.shape[0])
        faces = []
        for i, points in enumerate(result.face_landmarks):
            landmarks = np.array([(p.x, p.y) for p in points], dtype=np.float64)
            scores = {c.category_name: float(c.score) for c in result.face_blendshapes[i]}
            scores[CORNER_LIFT] = corner_lift(landmarks, size)
            matrix = np.asarray(matrices[i], dtype=np.float64) if i < len(matrices) else None
            faces.append(DetectedFace(scores, landmarks, matrix, face_box(landmarks)))
        return faces

    def read(self, image: Image, t: float, near: tuple[float, float] | None = None) -> FaceReading:
        """Detect, pick the face to follow (largest, or nearest to ``near``) and rate its quality."""
        faces = self.detect(image, t)
        picked = pick_face([f.box for f in faces], near)
        height, width = image.shape[:2]
        quality = None
        if picked is not None:
            face = faces[picked]
            quality = face_quality(face.landmarks, (width, height), face.matrix, image[:, :, 1], face.box)
        return FaceReading(t, faces, picked, quality, (width, height))

    def close(self) -> None:
        self._task.close()


@dataclass
class WorkerStats:
    """Counters of the landmarker worker: frames offered, analysed and dropped as stale."""

    offered: int = 0
    analysed: int = 0
    dropped: int = 0
    latencies: list[float] = field(default_factory=list)  # seconds from frame stamp to reading, newest 500


class NewestFrameWorker:
    """Runs ``analyse(image, t)`` on one thread, always on the newest frame offered; older ones are dropped.

    ``offer`` never blocks the caller (the camera thread): it overwrites the one waiting slot.
    ``on_reading`` is called on the worker thread with each result.
    """

    def __init__(
        self,
        analyse: Callable[[Image, float], FaceReading],
        on_reading: Callable[[FaceReading], None],
        clock: Callable[[], float],
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        self._analyse = analyse
        self._on_reading = on_reading
        self._on_error = on_error
        self._clock = clock
        self._slot: tuple[Image, float] | None = None
        self._cond = threading.Condition()
        self._stopped = False
        self._busy = False
        self.stats = WorkerStats()
        self._thread = threading.Thread(target=self._run, name="face-landmarker", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def offer(self, image: Image, t: float) -> None:
        """Hand over a frame stamped ``t`` (session seconds); replaces a frame still waiting."""
        with self._cond:
            self.stats.offered += 1
            if self._slot is not None:
                self.stats.dropped += 1
            self._slot = (image, t)
            self._cond.notify()

    def idle(self, timeout: float = 5.0) -> bool:
        """Wait until no frame is waiting or being analysed; False on timeout (seconds)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._slot is not None or self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
        return True

    def stop(self, timeout: float = 5.0) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            with self._cond:
                while self._slot is None and not self._stopped:
                    self._cond.wait()
                if self._stopped:
                    return
                assert self._slot is not None
                image, t = self._slot
                self._slot = None
                self._busy = True
            try:
                reading = self._analyse(image, t)
                self._on_reading(reading)
                latency = self._clock() - t
                with self._cond:
                    self.stats.analysed += 1
                    self.stats.latencies.append(latency)
                    del self.stats.latencies[:-500]
            except Exception as exc:  # the worker outlives a bad frame; the source shows the fault
                log.exception("face landmarker failed on a frame")
                if self._on_error is not None:
                    self._on_error(exc)
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()
