"""Where face frames come from: a camera, a video file, an image or a folder of images, all read through
OpenCV's ``VideoCapture``. Frames stay in memory; nothing here writes them anywhere."""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import cast

# FFmpeg inside OpenCV prints its own complaints about damaged files ("moov atom not found") straight to the
# process's stderr; the studio reports those files in one line of its own. Read once, before first use.
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")

import cv2
import numpy as np
from numpy.typing import NDArray

from sensors.base import State
from sensors.hardware import cameras
from sensors.media_probe import image_header, video_container
from studio.kernel.errors import StudioError
from studio.kernel.quiet import native_stderr_silenced

Image = NDArray[np.uint8]  # BGR, shape (height, width, 3), as OpenCV decodes it
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp")
MAX_SIDE = 4096  # pixels: larger images are analysed downscaled to this (the face model works on far less)
MAX_PIXELS = 600_000_000  # larger images are refused: decoding one would take gigabytes of memory
REDUCED = ((8, cv2.IMREAD_REDUCED_COLOR_8), (4, cv2.IMREAD_REDUCED_COLOR_4), (2, cv2.IMREAD_REDUCED_COLOR_2))


class FrameSourceError(StudioError, OSError):
    """A camera, file or folder that gives no frames; the message names it and says what to do."""


@dataclass(frozen=True)
class FaceConfig:
    """The face channel's input: ``source`` is a camera index ("0") or a path (video, image or folder)."""

    source: str = "0"
    width: int = 640  # pixels asked of a camera (it may pick the nearest mode it has)
    height: int = 480
    fps: float = 30.0  # frames per second asked of a camera; a folder of images is replayed at this rate

    def checked(self, origin: str) -> FaceConfig:
        """This config, or ValueError naming the bad setting."""
        if not self.source.strip():
            raise ValueError(f"{origin}: face.source is empty; give a camera index such as 0, or a file or folder")
        if self.width <= 0 or self.height <= 0:
            raise ValueError(f"{origin}: face.width and face.height must be above 0, got {self.width}x{self.height}")
        if not (self.fps > 0 and math.isfinite(self.fps)):
            raise ValueError(f"{origin}: face.fps = {self.fps!r} must be above 0")
        return self

    @property
    def camera(self) -> int | None:
        """The camera index when the source names one, else None (a path)."""
        text = self.source.strip()
        return int(text) if text.isdigit() else None


Capture = cv2.VideoCapture  # one path for cameras, video files and images


def open_camera(index: int, width: int, height: int, fps: float) -> Capture:
    """Open camera ``index`` asking for ``width`` x ``height`` pixels at ``fps``; FrameSourceError if absent."""
    level = cv2.utils.logging.getLogLevel()
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)  # OpenCV would print a page per backend
    try:
        capture = cv2.VideoCapture(index)
    finally:
        cv2.utils.logging.setLogLevel(level)
    if not capture.isOpened():
        capture.release()
        found = ", ".join(cameras()) or "none"
        raise FrameSourceError(f"camera {index} cannot be opened (no such device, or it is in use; cameras: {found})")
    capture.set(cv2.CAP_PROP_FRAME_WIDTH, width)
    capture.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
    capture.set(cv2.CAP_PROP_FPS, fps)
    return capture


def open_file(path: Path) -> Capture:
    """Open a video or image file; FrameSourceError when it is missing or OpenCV cannot read it."""
    if not path.exists():
        raise FrameSourceError(f"{path} does not exist")
    if not path.is_file():
        raise FrameSourceError(f"{path} is not a file")
    capture = cv2.VideoCapture(str(path))
    if not capture.isOpened():
        capture.release()
        if video_container(path):
            raise FrameSourceError(f"{path} is a video file with no frames OpenCV can decode (empty or damaged)")
        raise FrameSourceError(f"{path} is not a video or image OpenCV can read")
    return capture


def is_image(path: Path) -> bool:
    """Whether ``path`` names a still image (by its suffix)."""
    return path.suffix.lower() in IMAGE_SUFFIXES


def decode_image(path: Path) -> tuple[Image, str]:
    """A still image as 8-bit BGR (grey, 16-bit and alpha images are converted) and a note for the user ('' or
    what was done: downscaled, truncated). Images above MAX_SIDE pixels are decoded reduced (JPEG decodes
    them reduced natively) and scaled down to it; above MAX_PIXELS they are refused. FrameSourceError when the
    file is missing or cannot be decoded."""
    if not path.is_file():
        raise FrameSourceError(f"{path} does not exist" if not path.exists() else f"{path} is not a file")
    header = image_header(path)
    notes = []
    flag = cv2.IMREAD_COLOR
    if header is not None:
        pixels = header.width * header.height
        if pixels > MAX_PIXELS:
            raise FrameSourceError(
                f"{path} is {header.width}x{header.height} pixels ({pixels / 1e6:.0f} megapixels); images up to "
                f"{MAX_PIXELS / 1e6:.0f} megapixels are analysed"
            )
        longest = max(header.width, header.height)
        flag = next((f for factor, f in REDUCED if longest / factor >= MAX_SIDE), cv2.IMREAD_COLOR)
        if not header.complete:
            notes.append("the file is cut short (truncated?); analysed what OpenCV could decode")
    if notes:  # libjpeg prints its own complaint ("Premature end of JPEG file"): the note says it in one line
        with native_stderr_silenced():
            image = cv2.imread(str(path), flag)
    else:
        image = cv2.imread(str(path), flag)
    if image is None or image.size == 0:
        if notes:
            raise FrameSourceError(f"{path} is cut short (truncated?) and OpenCV can decode none of it")
        raise FrameSourceError(f"{path} has no image OpenCV can decode (corrupt or empty?)")
    full = (header.width, header.height) if header is not None else (image.shape[1], image.shape[0])
    scale = MAX_SIDE / max(image.shape[:2])
    if scale < 1.0:
        size = (max(1, round(image.shape[1] * scale)), max(1, round(image.shape[0] * scale)))
        image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    if (image.shape[1], image.shape[0]) != full:
        notes.append(f"{full[0]}x{full[1]} pixels, analysed downscaled to {image.shape[1]}x{image.shape[0]}")
    return cast(Image, image), "; ".join(notes)


def folder_images(folder: Path) -> list[Path]:
    """The image files in ``folder``, by name; FrameSourceError when there are none."""
    images = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
    if not images:
        raise FrameSourceError(f"{folder} holds no images ({', '.join(IMAGE_SUFFIXES)})")
    return images


def grab(capture: Capture) -> tuple[bool, Image | None]:
    """The next frame of ``capture`` (BGR), or (False, None)."""
    ok, image = capture.read()
    return (True, cast(Image, image)) if ok and image is not None else (False, None)


def frame_rate(capture: Capture, fallback: float) -> float:
    """The capture's frame rate (frames/s), or ``fallback`` when it reports none."""
    fps = float(capture.get(cv2.CAP_PROP_FPS))
    return fps if fps > 0 and math.isfinite(fps) else fallback


@dataclass(frozen=True)
class FileFrame:
    """One decoded frame of a file: its index, its time in the file (seconds) and what the user should know
    about the file ('' or, say, that it was downscaled or is truncated; on its first frame only)."""

    image: Image
    index: int
    t: float
    note: str = ""


def read_file(path: Path, fallback_fps: float = 30.0) -> Iterator[FileFrame]:
    """Every frame of a video (or the one frame of an image) at ``path``.

    Raises FrameSourceError when the file cannot be opened or its first frame cannot be decoded, and after
    the last good frame of a video that breaks off well before its announced length.
    """
    if is_image(path):
        still, note = decode_image(path)
        yield FileFrame(still, 0, 0.0, note)
        return
    capture = open_file(path)
    try:
        fps = frame_rate(capture, fallback_fps)
        expected = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
        index = 0
        while True:
            ok, image = grab(capture)
            if not ok or image is None:
                if index == 0 and expected <= 0:
                    raise FrameSourceError(f"{path} is a video with no frames")
                if index == 0:
                    raise FrameSourceError(f"{path} has no frame OpenCV can decode (corrupt or empty?)")
                if index < expected - max(2, expected // 50):  # container frame counts are approximate
                    raise FrameSourceError(f"{path}: decoding stopped at frame {index} of {expected} (damaged?)")
                return
            yield FileFrame(image, index, index / fps)
            index += 1
    finally:
        capture.release()


IDLE_SECONDS = 0.5  # how often a finished capture's worker looks again (it has nothing more to do)


class Backoff:
    """Delays between reconnection attempts (seconds): ``first``, doubling up to ``most``."""

    def __init__(self, first: float = 0.5, most: float = 8.0) -> None:
        self.first = first
        self.most = most
        self._next = first

    def next_delay(self) -> float:
        delay = self._next
        self._next = min(self.most, self._next * 2.0)
        return delay

    def reset(self) -> None:
        self._next = self.first


class FrameReader:
    """Reads frames one by one from whatever the face config names.

    A camera delivers at its own pace and may vanish (``live``: the feed reconnects); a file is replayed at
    its own frame rate once; a folder shows each image for ``IMAGE_SECONDS``, repeated at the config's rate.
    """

    IMAGE_SECONDS = 2.0

    def __init__(self, config: FaceConfig, opener: Callable[[], Capture] | None = None) -> None:
        self.config = config
        index = config.camera
        self.live = index is not None or opener is not None
        self.name = f"camera {index}" if index is not None else Path(config.source).name
        self._opener = opener
        self._capture: Capture | None = None
        self._images: list[Path] = []
        self._cache: dict[int, Image] = {}
        self._count = 0
        self.fps = config.fps

    def open(self) -> None:
        """Open the device or file; FrameSourceError saying why not."""
        self.close()
        index = self.config.camera
        if self._opener is not None:
            self._capture = self._opener()
            if not self._capture.isOpened():
                raise FrameSourceError(f"{self.name} cannot be opened")
        elif index is not None:
            self._capture = open_camera(index, self.config.width, self.config.height, self.config.fps)
        else:
            path = Path(self.config.source).expanduser()
            if path.is_dir():
                self._images = folder_images(path)
                self.name = f"{path.name}/ ({len(self._images)} images)"
                return
            if is_image(path):
                self._images = [path]
                return
            self._capture = open_file(path)
            self.fps = frame_rate(self._capture, self.config.fps)

    def read(self) -> Image | None:
        """The next frame, or None when the device stopped delivering or the file ended."""
        if self._images:
            per_image = max(1, round(self.IMAGE_SECONDS * self.fps))
            i = self._count // per_image
            self._count += 1
            if i >= len(self._images):
                return None
            if i not in self._cache:
                self._cache = {i: decode_image(self._images[i])[0]}
            return self._cache[i]
        if self._capture is None:
            return None
        ok, image = grab(self._capture)
        return image if ok else None

    def close(self) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None


class FrameCapture:
    """The capture step: reads a frame, stamps it with the session clock as it arrives and hands it on.

    ``pump_once`` does one step and says how long to wait before the next (a PeriodicWorker runs it in the
    app; tests call it by hand). A live device that stops delivering (unplugged) or cannot be opened is
    retried with growing delays until it is back; a file is paced at its frame rate and ends the capture.
    ``report(state, detail)`` tells the source what is happening.
    """

    def __init__(
        self,
        reader: FrameReader,
        clock: Callable[[], float],
        deliver: Callable[[Image, float], None],
        report: Callable[[State, str], None],
        backoff: Backoff | None = None,
    ) -> None:
        self.reader = reader
        self._clock = clock
        self._deliver = deliver
        self._report = report
        self.backoff = backoff or Backoff()
        self.delays: list[float] = []  # every reconnection delay asked for, seconds
        self.frames = 0
        self.finished = False  # a file ended or cannot be read: nothing more will come
        self._open = False
        self._lost = False
        self._start = 0.0  # session time the current opening began (a file's pacing counts from it)
        self._count = 0

    def pump_once(self) -> float | None:
        """Open the reader if need be, or read and deliver one frame; returns seconds to wait before the next
        step (None: at once, a camera paces itself by blocking in read)."""
        if self.finished:
            return IDLE_SECONDS
        if not self._open:
            return self._open_reader()
        image = self.reader.read()
        if image is None:
            self.reader.close()
            self._open = False
            if not self.reader.live:
                self._end(f"end of {self.reader.name}")
                return IDLE_SECONDS
            self._lost = True
            return self._retry(f"{self.reader.name} stopped delivering frames (unplugged?)")
        self._deliver(image, self._clock())
        self.frames += 1
        self._count += 1
        if self.reader.live:
            return None
        return max(0.0, self._start + self._count / self.reader.fps - self._clock())

    def close(self) -> None:
        self.reader.close()
        self._open = False

    def _open_reader(self) -> float | None:
        try:
            self.reader.open()
        except FrameSourceError as exc:
            if not self.reader.live:
                self._end(str(exc))
                return IDLE_SECONDS
            return self._retry(str(exc))
        self.backoff.reset()
        self._open = True
        self._start, self._count = self._clock(), 0
        self._report(State.OK, f"{self.reader.name} {'recovered' if self._lost else 'delivering frames'}")
        return None

    def _retry(self, problem: str) -> float:
        delay = self.backoff.next_delay()
        self.delays.append(delay)
        self._report(State.DOWN, f"{problem}; retrying in {delay:g} s")
        return delay

    def _end(self, detail: str) -> None:
        self.finished = True
        self._report(State.DOWN, detail)
