"""Face sources: frames through OpenCV's VideoCapture, reconnecting a camera that vanishes, the live source on a
real clip (capture and analysis stepped by hand), calibration, and a session going on when the camera is
missing."""

import zlib
from dataclasses import replace

import cv2
import numpy as np
import pytest

from sensors.base import State
from sensors.face import LiveFace, ScriptedFace
from sensors.frames import (
    MAX_SIDE,
    Backoff,
    FaceConfig,
    FrameCapture,
    FrameReader,
    FrameSourceError,
    open_camera,
    read_file,
)
from sensors.media_probe import ImageHeader, image_header
from studio.kernel.clock import ManualClock, SessionClock
from studio.kernel.streams import StreamHub
from tests.face_support import LONDON, VIDEO, image, london, png, write_big_png
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
    confidence = affect.values[:, 2]
    assert len(affect) == 4 and confidence.max() > 0.9  # a clear frontal face
    assert confidence.min() > 0.5  # uncalibrated, his raised inner brows make the smile's onset look mixed
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


def test_grey_16_bit_and_alpha_images_are_read_as_8_bit_colour(reference_data, tmp_path):
    face = image(london(reference_data, "001", "smiling"))
    grey = cv2.cvtColor(face, cv2.COLOR_BGR2GRAY)
    variants = {
        "grey.png": grey,
        "colour16.png": face.astype(np.uint16) * 257,
        "grey16.png": grey.astype(np.uint16) * 257,
        "alpha.png": cv2.cvtColor(face, cv2.COLOR_BGR2BGRA),
    }
    for name, pixels in variants.items():
        cv2.imwrite(str(tmp_path / name), pixels)
        frame = next(read_file(tmp_path / name))
        assert frame.image.dtype == np.uint8 and frame.image.shape == (512, 512, 3) and frame.note == "", name
        expected = cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR) if "grey" in name else face
        assert np.abs(frame.image.astype(int) - expected).mean() < 1.0, name


def test_a_huge_image_is_read_downscaled_and_one_too_large_is_refused(reference_data, tmp_path):
    """Before: a valid 20000x20000 PNG was 'corrupt or empty' (OpenCV's VideoCapture refuses the size)."""
    big = tmp_path / "big.png"
    write_big_png(big, image(london(reference_data, "001", "smiling")))
    frame = next(read_file(big))
    assert frame.image.shape == (MAX_SIDE, MAX_SIDE, 3)
    assert frame.note == f"20000x20000 pixels, analysed downscaled to {MAX_SIDE}x{MAX_SIDE}"
    assert frame.image[MAX_SIDE // 2, :50].mean() == pytest.approx(200)  # the grey border survives
    huge = tmp_path / "huge.png"
    huge.write_bytes(png(30000, 30000, zlib.compress(b"")))  # only the header matters: never decoded
    with pytest.raises(FrameSourceError, match=r"huge\.png is 30000x30000 pixels \(900 megapixels\); images up to 600"):
        next(read_file(huge))


def test_a_truncated_image_is_read_with_a_note_or_refused_in_one_line(reference_data, tmp_path, capfd):
    """Before: a JPEG cut in half was analysed without a word (and libjpeg wrote to stderr)."""
    whole = london(reference_data, "001", "smiling").read_bytes()
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(whole[: len(whole) // 2])
    frame = next(read_file(cut))
    assert frame.note == "the file is cut short (truncated?); analysed what OpenCV could decode"
    assert frame.image.shape == (512, 512, 3)
    assert capfd.readouterr().err == ""  # libjpeg's own complaint is kept off stderr
    cv2.imwrite(str(tmp_path / "whole.png"), image(london(reference_data, "001", "smiling")))
    (tmp_path / "cut.png").write_bytes((tmp_path / "whole.png").read_bytes()[:-5000])
    with pytest.raises(FrameSourceError, match=r"cut\.png is cut short \(truncated\?\) and OpenCV can decode none"):
        next(read_file(tmp_path / "cut.png"))  # OpenCV's PNG reader gives nothing of a cut file


def test_an_image_structure_is_followed_to_its_end_marker(reference_data, tmp_path):
    face = image(london(reference_data, "001", "smiling"))
    for name, params in (("plain.jpg", []), ("progressive.jpg", [cv2.IMWRITE_JPEG_PROGRESSIVE, 1]), ("p.png", [])):
        cv2.imwrite(str(tmp_path / name), face, params)
        assert image_header(tmp_path / name) == ImageHeader(512, 512, True), name
    # The London files carry an EXIF block: a thumbnail's end marker inside it does not end the image.
    assert image_header(london(reference_data, "001", "smiling")) == ImageHeader(512, 512, True)
    (tmp_path / "x.bmp").write_bytes(cv2.imencode(".bmp", face)[1].tobytes())
    assert image_header(tmp_path / "x.bmp") is None  # other formats: OpenCV alone decides


def test_a_video_with_no_frames_says_so(tmp_path):
    for name, fourcc in (("empty.avi", "MJPG"), ("empty.mp4", "mp4v")):
        writer = cv2.VideoWriter(str(tmp_path / name), cv2.VideoWriter.fourcc(*fourcc), 30.0, (64, 48))
        writer.release()
    with pytest.raises(FrameSourceError, match=r"empty\.avi is a video with no frames$"):
        next(read_file(tmp_path / "empty.avi"))
    with pytest.raises(FrameSourceError, match=r"empty\.mp4 is a video file with no frames OpenCV can decode"):
        next(read_file(tmp_path / "empty.mp4"))
