"""The face preview and blendshape bars as real Qt widgets (offscreen) on a real face through MediaPipe."""

import os
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest

from sensors.face import LiveFace, ScriptedFace
from sensors.frames import FaceConfig
from studio.kernel.clock import ManualClock
from studio.kernel.streams import StreamHub
from tests.face_support import LONDON
from tests.test_models import reference_model
from ui.blendshape_bars import BlendshapeBars
from ui.face_preview import FacePreview, FrameView, picture
from ui.face_sketch import sketch


@pytest.fixture
def shots(tmp_path) -> Path:
    """Where screenshots go: $STUDIO_SCREENSHOTS (to look at them), else the test's temporary folder."""
    folder = Path(os.environ.get("STUDIO_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def array(img: QImage) -> np.ndarray:
    """An RGB array (h, w, 3) of a grabbed image."""
    img = img.convertToFormat(QImage.Format.Format_RGB888)
    rows = np.array(img.constBits(), np.uint8).reshape(img.height(), img.bytesPerLine())
    return rows[:, : 3 * img.width()].reshape(img.height(), img.width(), 3)


def detail(rgb: np.ndarray) -> float:
    """Mean absolute difference between horizontally neighbouring pixels: how much fine detail shows."""
    return float(np.abs(np.diff(rgb.astype(int), axis=1)).mean())


@pytest.fixture
def live(qapp, reference_data):
    """A live face source replaying the London set (neutral 001 first) at 10 frames/s."""
    clock = ManualClock()
    source = LiveFace(FaceConfig(source=str(reference_data / LONDON), fps=10.0), clock, reference_model())
    source.open(StreamHub())
    for _ in range(3):  # open the folder, then two frames of its first (neutral) image
        source.pump_once()
        clock.advance(0.1)
        source.analyse_newest()
    source.step(clock.now())
    yield source
    source.close()


def test_preview_shows_the_face_with_landmarks_and_hides_or_blurs_it(qapp, live, shots):
    panel = FacePreview(live)
    panel.resize(400, 300)
    panel.show()
    panel.refresh(0.0)
    view = panel.view
    assert view.preview is not None and view.privacy == "blur" and view.overlay
    panel.privacy.setCurrentIndex(1)  # show
    assert panel.grab().save(str(shots / "face_preview.png"))
    with_marks = array(view.grab().toImage())
    panel.overlay.setChecked(False)
    shown = array(view.grab().toImage())
    panel.privacy.setCurrentIndex(0)  # blur
    blurred = array(view.grab().toImage())
    assert panel.grab().save(str(shots / "face_preview_blurred.png"))
    panel.privacy.setCurrentIndex(2)  # hide
    hidden = array(view.grab().toImage())
    panel.overlay.setChecked(True)
    hidden_marks = array(view.grab().toImage())

    assert detail(blurred) < 0.5 * detail(shown)  # fine detail (identity) is gone when blurred
    assert hidden.std() < 12  # nothing of the picture when hidden
    assert hidden_marks.std() > hidden.std() + 5  # the landmarks still show the tracking
    r, g, b = (with_marks[..., i].astype(int) for i in range(3))
    orange = (r > 200) & (g > 130) & (g < 185) & (b < 60)
    assert orange.sum() > 300  # the followed face's landmarks are drawn in the face colour


def test_clicking_a_face_follows_it_and_calibrate_starts_calibration(qapp, live):
    panel = FacePreview(live)
    panel.resize(400, 300)
    panel.show()
    panel.refresh(0.0)
    QTest.mouseClick(panel.view, Qt.MouseButton.LeftButton, pos=QPoint(200, 120))
    assert live._near is not None
    panel.largest.click()
    assert live._near is None
    panel.calibrate.click()
    assert live.calibration_note().startswith("calibrating neutral face")


def test_bars_show_the_strongest_blendshapes_and_what_drove_the_estimate(qapp, shots):
    hub = StreamHub()
    face = ScriptedFace()
    face.open(hub)
    face.step(0.0)
    face.step(12.5)  # the script smiles around 12 s (and does not blink at 12.5 s)
    bars = BlendshapeBars(face)
    bars.resize(220, 140)
    bars.refresh(12.5)
    names = [name for name, _ in bars.bars]
    assert names[:2] == ["mouthSmileLeft", "mouthSmileRight"] and len(names) == 7
    assert bars.drivers.startswith("Drivers: mouthSmile +")
    assert bars.grab().save(str(shots / "blendshape_bars.png"))


def orange_pixels(widget) -> int:
    """How many pixels of ``widget`` are drawn in the followed face's orange (#E69F00 and its antialiasing)."""
    rgb = array(widget.grab().toImage()).astype(int)
    return int(np.sum((rgb[..., 0] > 180) & (rgb[..., 1] > 110) & (rgb[..., 1] < 190) & (rgb[..., 2] < 90)))


def test_demo_face_is_drawn_from_its_scripted_blendshapes(qapp, shots):
    face = ScriptedFace()
    face.open(StreamHub())
    panel = FacePreview(face)
    panel.resize(300, 300)
    drawn = {}
    for t, pose in ((2.0, "neutral"), (12.5, "smile"), (24.5, "surprise"), (34.5, "frown")):
        face.step(t)
        panel.refresh(t)
        assert panel.view.preview is None and "scripted blendshapes" in panel.view.message
        drawn[pose] = panel.view.sketch
        assert orange_pixels(panel.view) > 300, pose
        assert panel.grab().save(str(shots / f"demo_face_{pose}.png"))
    corner_y = {pose: sketch.corners[0][1] for pose, sketch in drawn.items()}
    assert corner_y["smile"] < corner_y["neutral"] < corner_y["frown"]  # y grows downwards
    mouth_open = {pose: sketch.lower_lip[1] - sketch.upper_lip[1] for pose, sketch in drawn.items()}
    assert mouth_open["surprise"] > 2 * mouth_open["neutral"]
    assert drawn["surprise"].eyes[0][1] > drawn["neutral"].eyes[0][1]
    assert drawn["frown"].brows[0][1][1] > drawn["neutral"].brows[0][1][1]  # inner brow ends drawn down
    panel.overlay.setChecked(False)
    assert orange_pixels(panel.view) == 0
    face.step(45.5)  # the script looks away near the end of its 48 s cycle
    panel.refresh(45.5)
    assert panel.view.sketch is None and "no face in view" in panel.view.message
    assert not panel.largest.isEnabled() and panel.calibrate.isEnabled()


def test_a_blink_closes_the_sketched_eyes() -> None:
    opened, closed = sketch({}), sketch({"eyeBlinkLeft": 1.0, "eyeBlinkRight": 1.0})
    assert closed.eyes[0][1] < 0.2 * opened.eyes[0][1] and closed.eyes[1][1] < 0.2 * opened.eyes[1][1]
    assert sketch({"mouthSmileLeft": 5.0}) == sketch({"mouthSmileLeft": 1.0})  # scores are clipped to 0..1


def test_the_picture_is_scaled_to_the_view_and_a_click_outside_it_picks_nothing(qapp):
    image = np.random.default_rng(0).integers(0, 255, (48, 64, 3), np.uint8)
    assert picture(image, (32, 24), "blur").size().width() == 32
    picks: list[tuple[float, float] | None] = []
    view = FrameView(picks.append)
    view.resize(200, 150)
    QTest.mouseClick(view, Qt.MouseButton.LeftButton, pos=QPoint(100, 75))
    assert picks == []  # no picture yet
