"""MediaPipe's Face Landmarker (Tasks API): faces, blendshapes and their quality in one frame.

VIDEO mode with ``detect_for_video`` and strictly increasing millisecond timestamps for streams of frames;
IMAGE mode for unrelated still images. Never LIVE_STREAM: its callback is known to hang when it does work.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from fusion.face import CORNER_LIFT
from fusion.face_geometry import Box, FaceQuality, corner_lift, face_box, face_quality, pick_face
from sensors.frames import Image
from studio.kernel.command import studio_command
from studio.kernel.errors import StudioError
from studio.kernel.quiet import native_stderr_silenced

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
