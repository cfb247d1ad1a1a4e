"""The main window against a real Studio in demo mode: live data reaches the plots, and operator actions
reach the core. One Studio runs for the whole module on a manual clock; the tests step it and draw the frames."""

import os
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

import ui.app
from sensors.base import CHANNELS
from studio.app import Studio
from studio.config import load_config
from studio.loop import FUSED
from studio.policy import ControlMode
from tests.stepped import Stepper, dispose, stepped_demo
from tests.waiting import qt_pause, wait_until
from ui.main_window import MainWindow
from ui.theme import DARK, LIGHT, SKY_BLUE
from ui.va_plane import halo_radius

WARM_UP = 4.5  # session seconds before the first test: the streams fill, the plots have a few seconds to show


def curve_points(curve) -> int:
    x, _ = curve.getData()
    return 0 if x is None else len(x)


def test_run_gui_stops_the_studio_once_on_quit(qapp: QApplication, tmp_path: Path, monkeypatch) -> None:
    stops: list[str] = []

    class CountingStudio(Studio):
        def stop(self, status: str = "completed") -> dict[str, int]:
            stops.append(status)
            return super().stop(status)

    monkeypatch.setattr(ui.app, "Studio", CountingStudio)
    QTimer.singleShot(0, qapp.quit)  # as soon as the window's event loop runs
    config = replace(load_config(), audio_backend="silent")
    assert ui.app.run_gui(config, demo=True, store=tmp_path / "gui.sqlite") == 0
    assert stops == ["completed"]
    assert (tmp_path / "gui.sqlite").is_file()


@pytest.fixture(scope="module")
def running(qapp: QApplication, tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("store")
    stepper = stepped_demo(folder / "s.sqlite")
    window = stepper.show(MainWindow(stepper.studio))
    stepper.run(WARM_UP)
    yield stepper, window
    dispose(window)
    stepper.studio.stop()


@pytest.fixture
def window(running) -> Iterator[MainWindow]:
    """The module's window, back in the Session workspace after each test (hidden views are not refreshed)."""
    yield running[1]
    running[1].workspaces.switch("session")


@pytest.fixture
def stepper(running) -> Stepper:
    """The module's studio, stepped by hand."""
    stepped: Stepper = running[0]
    return stepped


def test_plots_show_live_data(window: MainWindow, stepper: Stepper) -> None:
    assert window.frames > 30
    window.workspaces.switch("lab")  # every trace is on show there
    stepper.until(lambda: curve_points(window.channel_affect.curves["face"][0]) > 20, seconds=3)
    stepper.until(lambda: all(curve_points(c) > 100 for c in window.eeg.curves), seconds=3)  # filtered on a worker
    assert curve_points(window.fused.valence) > 20
    assert curve_points(window.fused.confidence) > 20
    assert curve_points(window.va_plane.trail) > 5
    assert curve_points(window.va_plane.current) == 1
    assert np.any(window.bands.bars.opts["height"] > 0)
    assert set(window.status_panel.rows) == set(CHANNELS)
    for row in window.status_panel.rows.values():
        assert row.state.text() in {"ok", "degraded", "down"}
        assert row.detail.text()
    assert "%" in window.status_panel.shares.text()
    assert "BPM" in window.music.params.text()
    assert "silent" in window.music.backend.text()


def test_the_plane_and_its_two_lines_read_at_a_glance(window: MainWindow, stepper: Stepper) -> None:
    """The point's halo is as wide as the estimate is unsure, the trail reads on both themes, and two lines of
    words say the state with its certainty and what the music does and why."""
    window.workspaces.switch("session")
    stepper.run(1.0)
    plane, glance = window.va_plane, window.glance
    confidence = float(window.studio.hub.get(FUSED).latest()[1][2])
    [size] = plane.halo.data["size"]
    assert size == pytest.approx(2 * halo_radius(confidence), abs=0.05)
    assert halo_radius(1.0) < halo_radius(0.5) < halo_radius(0.0)
    state = glance.state.text()
    assert any(word in state for word in ("sure", "No usable")) and ("agree" in state or "counts" in state)
    music = glance.music.text()
    assert music.startswith("Music: ") and "BPM" in music and "(+" not in music and "(-" not in music
    assert glance.state.isVisible() and glance.music.isVisible()
    assert plane.current.opts["brush"].color().name().upper() == LIGHT.trail.upper()
    window.toggle_theme()
    assert plane.current.opts["brush"].color().name().upper() == DARK.trail.upper() == SKY_BLUE.upper()
    window.toggle_theme()


def test_screenshot(window: MainWindow, tmp_path: Path) -> None:
    folder = Path(os.environ.get("STUDIO_SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "main_window.png"
    image = window.grab().toImage()
    assert image.save(str(path))
    assert path.stat().st_size > 50_000
    assert image.width() >= 1200 and image.height() >= 800
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
    assert len(colours) > 200  # plots, text and controls, not a blank window


def test_enter_sends_text_to_the_text_channel(window: MainWindow, stepper: Stepper, qtbot) -> None:
    message = "Thank you, this music makes me really happy and relaxed."
    sentiment = window.studio.hub.get("text.sentiment")
    before = sentiment.count
    qtbot.keyClicks(window.text_entry.edit, message)
    qtbot.keyClick(window.text_entry.edit, Qt.Key.Key_Return)
    stepper.until(lambda: sentiment.count > before, seconds=3)
    latest = sentiment.latest()
    assert latest is not None
    expected = SentimentIntensityAnalyzer().polarity_scores(message)["compound"]
    assert latest[1][0] == pytest.approx(expected)
    assert window.text_entry.edit.text() == ""


def test_empty_message_shows_the_reason_and_keeps_the_text(window: MainWindow, qtbot) -> None:
    qtbot.keyClicks(window.text_entry.edit, "   ")
    qtbot.keyClick(window.text_entry.edit, Qt.Key.Key_Return)
    assert window.text_entry.feedback.isVisible()
    assert "empty" in window.text_entry.feedback.text()
    assert window.text_entry.feedback.property("role") == "error"
    assert window.text_entry.edit.text() == "   "
    window.text_entry.edit.clear()


def test_tempo_minimum_above_maximum_is_refused(window: MainWindow, qtbot) -> None:
    loop, editor = window.studio.loop, window.music.bounds
    before = loop.bounds
    editor.tempo_min.setValue(120)
    editor.tempo_max.setValue(80)
    qtbot.mouseClick(editor.apply, Qt.MouseButton.LeftButton)
    assert editor.message.property("role") == "error"
    assert "minimum above the maximum" in editor.message.text()
    assert loop.bounds == before

    editor.tempo_min.setValue(64)
    editor.tempo_max.setValue(90)
    qtbot.mouseClick(editor.apply, Qt.MouseButton.LeftButton)
    assert editor.message.property("role") == "muted"
    assert (loop.bounds.tempo_min, loop.bounds.tempo_max) == (64, 90)


def test_manual_mode_sets_the_music_by_hand(window: MainWindow, qtbot) -> None:
    loop, controls = window.studio.loop, window.music.manual_controls
    assert not controls.isEnabled()
    qtbot.mouseClick(window.music.mode_buttons[ControlMode.MANUAL], Qt.MouseButton.LeftButton)
    assert loop.mode is ControlMode.MANUAL and controls.isEnabled()
    controls.sliders["tempo"].slider.setValue(70)
    assert loop.params.tempo == 70
    qtbot.mouseClick(window.music.mode_buttons[ControlMode.AUTO], Qt.MouseButton.LeftButton)
    assert loop.mode is ControlMode.AUTO and not controls.isEnabled()


def test_suggest_mode_shows_the_proposal_and_space_accepts_it(window: MainWindow, stepper: Stepper, qtbot) -> None:
    loop, card = window.studio.loop, window.suggestion
    loop.config = replace(loop.config, suggest_interval=1.0)  # the default 20 s would only slow the test
    qtbot.mouseClick(window.music.mode_buttons[ControlMode.SUGGEST], Qt.MouseButton.LeftButton)
    assert loop.mode is ControlMode.SUGGEST
    loop.set_goal("energise", window.studio.clock.now())  # the demo person is far from it: a change is due
    stepper.until(card.isVisible, seconds=5)
    assert "towards more energy. Expected:" in card.text.text() and "goal energise" in card.text.toolTip()
    [pending] = loop.suggestions()
    window.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert pending not in loop.suggestions()
    stepper.until(lambda: "accepted by operator" in window.music.control_log.toPlainText(), seconds=2)
    qtbot.mouseClick(window.music.mode_buttons[ControlMode.AUTO], Qt.MouseButton.LeftButton)
    loop.set_goal("calm", window.studio.clock.now())


def test_goal_point_boxes_set_the_iso_target(window: MainWindow) -> None:
    music, loop = window.music, window.studio.loop
    music.goal.setCurrentText("iso")
    music.goal_point[0].setValue(0.5)
    music.goal_point[1].setValue(-0.4)
    music.goal_point[1].editingFinished.emit()
    assert loop.goal.value == "iso" and loop.goal_point == (0.5, -0.4)
    music.goal.setCurrentText("calm")
    assert (music.goal_point[0].value(), music.goal_point[1].value()) == (0.3, -0.6)


def test_calibration_counts_down_and_holds_the_policy(window: MainWindow, stepper: Stepper, qtbot) -> None:
    panel, studio = window.status_panel, window.studio
    window.workspaces.switch("lab")  # the channel panel is on show there
    qtbot.mouseClick(panel.calibrate_button, Qt.MouseButton.LeftButton)
    assert studio.calibration_end is not None and not panel.calibrate_button.isEnabled()
    stepper.until(lambda: "calibrating" in panel.calibration.text(), seconds=2)
    assert "calibration start" in studio.markers.last(1)[0].label
    studio.calibration_end = studio.clock.now()  # end it now rather than wait the configured minute
    studio.loop.hold_policy(studio.calibration_end)
    stepper.until(lambda: panel.calibrate_button.isEnabled(), seconds=2)
    assert studio.markers.last(1)[0].label == "calibration complete"
    assert "agree" in panel.agreement.text()


def test_fade_out_button_and_escape_are_logged(window: MainWindow, qtbot) -> None:
    log = window.studio.control_log

    def outputs() -> list[str]:
        return [c.new for c in log.last(len(log)) if c.param == "output"]

    before = len(outputs())
    qtbot.mouseClick(window.music.fade_button, Qt.MouseButton.LeftButton)
    assert outputs()[before:] == ["faded out"]
    assert window.music.start_button.isEnabled()
    qtbot.mouseClick(window.music.start_button, Qt.MouseButton.LeftButton)
    assert outputs()[before:] == ["faded out", "playing"]
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert outputs()[before:] == ["faded out", "playing", "faded out"]


def test_marker_is_added(window: MainWindow, qtbot) -> None:
    qtbot.keyClicks(window.marker.edit, "client closes eyes")
    qtbot.mouseClick(window.marker.button, Qt.MouseButton.LeftButton)
    assert window.studio.markers.last(1)[0].label == "client closes eyes"
    assert "client closes eyes" in window.marker.feedback.text()


@pytest.mark.slow  # the window's own frame timer, in real time
def test_replay_chooser_opens_beside_the_running_session(window: MainWindow) -> None:
    [action] = [a for a in window.actions() if a.text() == "Replay a session…"]
    assert action.shortcut().toString() == "Ctrl+R"
    action.trigger()
    chooser = window.replay_chooser
    assert chooser is not None and chooser.isVisible() and not chooser.isModal()
    assert chooser.table.item(0, 4).text() == "running"  # this very session, listed from its database
    frames = window.frames
    wait_until(lambda: window.frames > frames + 5, 2, pause=qt_pause)  # the console keeps drawing meanwhile
    chooser.close()


def test_the_one_volume_slider_sets_the_ceiling_at_once_from_the_keyboard(window: MainWindow, qtbot) -> None:
    music, loop = window.music, window.studio.loop
    before = loop.bounds.volume_ceiling
    qtbot.keyClick(music.volume.slider, Qt.Key.Key_PageDown)
    assert loop.bounds.volume_ceiling == before - 6
    assert loop.params.volume <= before - 6 and music.volume.value.text() == f"{before - 6:.0f} dBFS"
    change = [c for c in loop.control_log.last(20) if c.param == "bound volume_ceiling"][-1]
    assert (change.new, change.who) == (f"{before - 6:.2f}", "operator")
    music.bounds.apply_bounds()  # the limits keep the ceiling the slider set
    assert loop.bounds.volume_ceiling == before - 6
    qtbot.keyClick(music.volume.slider, Qt.Key.Key_PageUp)
    assert loop.bounds.volume_ceiling == before


def test_goal_mode_and_bounds_reach_the_views_as_events_from_any_thread(window: MainWindow) -> None:
    """Views subscribe to the loop's goal, mode and bounds (no polling): a change made on another thread shows once
    the GUI thread runs, one made on it at once; the controls show it without sending it back to the loop."""
    loop, music, clock = window.studio.loop, window.music, window.studio.clock
    before = (loop.goal, loop.goal_point, loop.mode, loop.bounds)
    changer = threading.Thread(target=lambda: loop.set_goal("energise", clock.now()))
    changer.start()
    changer.join()
    assert music.goal.currentText() != "energise"  # queued for the GUI thread, not drawn from the other one
    QApplication.processEvents()
    assert music.goal.currentText() == "energise"
    assert (music.goal_point[0].value(), music.goal_point[1].value()) == pytest.approx(loop.goal_point, abs=0.01)
    x, y = window.va_plane.goal.getData()
    assert (x[0], y[0]) == pytest.approx(loop.goal_point)
    loop.set_mode("suggest", clock.now())
    assert music.mode_buttons[ControlMode.SUGGEST].isChecked() and loop.mode is ControlMode.SUGGEST
    loop.set_bounds(replace(loop.bounds, tempo_max=90.0, volume_ceiling=-12.0), clock.now())
    assert music.bounds.tempo_max.value() == 90.0 and music.volume.slider.value() == -12
    changes = len(loop.control_log.last(1000))
    QApplication.processEvents()
    assert len(loop.control_log.last(1000)) == changes  # showing a change sent nothing back
    loop.set_goal(before[0], clock.now(), before[1])
    loop.set_mode(before[2], clock.now())
    loop.set_bounds(before[3], clock.now())
