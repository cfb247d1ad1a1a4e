"""Face sources: frames through OpenCV's VideoCapture, reconnecting a camera that vanishes, the live source on a
real clip (capture and analysis stepped by hand), calibration, and a session going on when the camera is
missing."""

from dataclasses import replace

import cv2
import numpy as np
import pytest

from sensors.base import State
from sensors.face import LiveFace, ScriptedFace
from sensors.frames import Backoff, FaceConfig, FrameCapture, FrameReader, FrameSourceError, open_camera, read_file
from studio.kernel.clock import ManualClock, SessionClock
from studio.kernel.streams import StreamHub
from tests.face_support import LONDON, VIDEO
from tests.test_models import reference_model


def test_a_video_file_is_read_frame_by_frame_with_its_times(reference_data):
    frames = list(read_file(reference_data / VIDEO))
    assert len(frames) == 72 and frames[0].image.shape == (360, 640, 3)
    assert frames[30].t == pytest.approx(1.0)


def test_a_folder_of_images_is_replayed_image_by_image(reference_data):
    reader = FrameReader(FaceConfig(source=str(reference_data / LONDON), fps=1.0))
    reader.open()
    assert reader.name.endswith("(28 images)") and not reader.live
    first = [reader.read() for _ in range(4)]  # 2 s per image at 1 frame/s: two frames of each
    assert first[0] is first[1] and not np.array_equal(first[1], first[2])


def test_unusable_inputs_say_what_is_wrong(tmp_path):
    with pytest.raises(FrameSourceError, match=r"camera 7 cannot be opened \(no such device"):
        open_camera(7, 640, 480, 30.0)
    with pytest.raises(FrameSourceError, match="does not exist"):
        list(read_file(tmp_path / "none.mp4"))
    text = tmp_path / "notes.txt"
    text.write_text("not a video")
    with pytest.raises(FrameSourceError, match="not a video or image OpenCV can read"):
        list(read_file(text))
    (tmp_path / "empty").mkdir()
    with pytest.raises(FrameSourceError, match="holds no images"):
        FrameReader(FaceConfig(source=str(tmp_path / "empty"))).open()
    with pytest.raises(ValueError, match=r"face\.fps"):
        FaceConfig(fps=0.0).checked("test")


def test_a_camera_that_is_unplugged_is_retried_with_backoff_and_recovers(reference_data, tmp_path):
    """The live-camera path with a device that fails: it delivers a clip, vanishes for two attempts, returns."""
    clip = str(reference_data / VIDEO)
    gone = str(tmp_path / "unplugged.mp4")
    plan = [clip, gone, gone, clip]
    opened: list[str] = []

    def opener():
        target = plan[min(len(opened), len(plan) - 1)] if len(opened) < len(plan) else gone
        opened.append(target)
        return cv2.VideoCapture(target)

    reports = []
    stamps = []
    reader = FrameReader(FaceConfig(), opener=opener)
    clock = ManualClock()
    capture = FrameCapture(reader, clock.now, lambda image, t: stamps.append(t), lambda s, d: reports.append((s, d)))
    capture.backoff = Backoff(first=0.01, most=0.04)
    waits: list[float | None] = []
    while not (any("recovered" in d for _, d in reports) and capture.frames >= 2 * 72):
        assert len(waits) < 2 * 72 + 10, "each step opens, retries or reads one frame"
        clock.advance(0.01)
        waits.append(capture.pump_once())
    capture.close()
    assert reader.live and reports[0] == (State.OK, "camera 0 delivering frames")
    assert reports[1] == (State.DOWN, "camera 0 stopped delivering frames (unplugged?); retrying in 0.01 s")
    assert reports[2] == (State.DOWN, "camera 0 cannot be opened; retrying in 0.02 s")
    assert reports[3] == (State.DOWN, "camera 0 cannot be opened; retrying in 0.04 s")
    assert reports[4] == (State.OK, "camera 0 recovered")
    assert capture.delays[:3] == [0.01, 0.02, 0.04] and [w for w in waits if w] == [0.01, 0.02, 0.04]
    assert capture.frames == len(stamps) >= 2 * 72 and stamps == sorted(stamps)  # stamped as they arrived


def test_live_face_on_the_camera_path_estimates_and_explains(reference_data):
    """A clip read like a camera, captured three frames for every one analysed: only the newest is analysed."""
    clock = ManualClock()
    hub = StreamHub()
    clip = str(reference_data / VIDEO)
    face = LiveFace(FaceConfig(), clock, reference_model(), opener=lambda: cv2.VideoCapture(clip))
    face.open(hub)
    assert len(face.workers()) == 2
    try:
        assert face.pump_once() is None  # opens the camera
        for _ in range(4):
            for _ in range(3):
                clock.advance(1 / 30)
                face.pump_once()
            assert face.analyse_newest()
        assert not face.analyse_newest()  # nothing new waits
        face.step(clock.now())
        preview = face.preview()
        assert preview.image.shape == (360, 640, 3) and preview.reading.face is not None
        assert face.drivers and face.backend == "camera" and face.status.state is State.OK
    finally:
        face.close()
    counts = face.counts
    assert (counts.offered, counts.handled, counts.dropped) == (12, 4, 8)
    affect = hub.get("affect.face").last(600)
    assert len(affect) == 4 and affect.values[:, 2].min() > 0.9
    assert affect.t.tolist() == pytest.approx([k * 3 / 30 for k in range(1, 5)])  # each the newest frame's time
    shapes = hub.get("face.blendshapes")
    assert shapes.width == 53 and shapes.count == 4  # 52 blendshapes and the lip-corner lift
    assert face.status.state is State.DOWN


def test_live_face_on_a_folder_of_images_says_it_found_a_face(reference_data):
    clock = ManualClock()
    face = LiveFace(FaceConfig(source=str(reference_data / LONDON), fps=10.0), clock, reference_model())
    face.open(StreamHub())
    try:
        face.pump_once()  # opens the folder
        for _ in range(2):
            assert face.pump_once() == pytest.approx(0.1)  # paced at 10 frames/s
            clock.advance(0.1)
            assert face.analyse_newest()
        face.step(clock.now())
        status = face.status
    finally:
        face.close()
    assert status.state is State.OK and face.backend == "file"
    assert status.detail.startswith("face found (images/ (28 images), 512x512); calibrating neutral face")


def test_calibration_collects_the_resting_face_and_can_be_stored():
    hub = StreamHub()
    face = ScriptedFace()
    face.open(hub)
    face.step(0.0)
    face.step(6.0)  # the first 5 s calibrate on their own
    auto = face.baseline()
    assert auto is not None and auto["mouthSmileLeft"] < 0.1
    face.step(11.0)
    face.calibrate(2.0)  # while the script smiles (about 9 to 15 s)
    face.step(12.0)
    assert "calibrating neutral face (2 s left)" in face.status.detail  # counted from the next frame
    face.step(13.5)
    smiling = face.baseline()
    assert smiling["mouthSmileLeft"] > 0.5 and "neutral face from" in face.status.detail
    assert hub.get("affect.face").latest()[1][0] == pytest.approx(0.0, abs=0.15)  # relative to the smile
    other = ScriptedFace()
    other.open(StreamHub())
    other.load_baseline(smiling)
    assert other.baseline() == smiling
    with pytest.raises(ValueError, match="unknown feature"):
        other.load_baseline({"grin": 0.5})
    assert other.baseline() == smiling


def test_a_missing_model_or_camera_leaves_the_session_running(tmp_path):
    from studio.app import Studio
    from studio.config import load_config

    missing = LiveFace(FaceConfig(), SessionClock(), tmp_path / "none.task")
    missing.open(StreamHub())
    assert missing.status.state is State.DOWN and "affect-studio models install" in missing.status.detail

    config = load_config()
    config = replace(config, face=replace(config.face, source="7"), audio_backend="silent")
    clock = ManualClock()
    studio = Studio(config, demo=False, store=None, clock=clock)
    studio.start(run_workers=False)
    try:
        for k in range(1, 8):
            clock.set(k * 0.05)
            studio.advance(studio.clock.now())
        assert len(studio.hub.get("affect.fused").last(100)) == 7
        statuses = studio.statuses()
        assert statuses["face"].state is State.DOWN and "retrying in" in statuses["face"].detail
        assert statuses["body"].state is State.OK
    finally:
        studio.stop()
