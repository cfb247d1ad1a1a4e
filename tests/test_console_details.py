"""Details of the console on its own recording demo (on a manual clock): one session clock everywhere, F1 for
help with the marker keys off it, the face-feature bars in the dark theme's colours, a question before quitting a
recording (Ctrl+Q and the window manager's close), answered both ways, the F9 kiosk for a room, the settings
dialog and export from the window."""

import pytest
from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QFontInfo, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QMenuBar,
    QStatusBar,
    QTabBar,
    QToolBar,
    QWidget,
)

from studio.config import load_config, user_config_path
from studio.store import Consent
from tests.stepped import dispose, stepped_demo
from tests.waiting import qt_pause, wait_until
from ui.console_settings import ConsoleSettings
from ui.main_window import MainWindow
from ui.theme import DARK


@pytest.fixture(scope="module")
def running(qapp: QApplication, tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("details")
    stepper = stepped_demo(folder / "s.sqlite")
    window = stepper.show(MainWindow(stepper.studio, ConsoleSettings(folder / "console.ini")))
    stepper.run(2.0)
    yield stepper, window
    dispose(window)
    stepper.studio.stop()


def test_the_status_bar_and_the_session_steps_show_one_clock(running) -> None:
    stepper, window = running
    for _ in range(40):  # across several second boundaries: the two never disagree
        stepper.tick()
        shown = window.flow.elapsed.text()
        assert window.status.clock.text() == f"{shown} · demo"
    assert shown == f"00:{int(stepper.studio.session_time()):02d}"


def test_f1_is_help_and_no_marker_key(running) -> None:
    _, window = running
    help_action = next(a for a in window.actions() if a.text().startswith("Help"))
    assert QKeySequence("F1") in help_action.shortcuts()
    assert "F1" not in {keys for keys, _ in window.marker_bar.keys} and window.marker_bar.keys[0][0] == "1 or F2"
    help_action.trigger()
    assert window.help.isVisible()
    help_action.trigger()


def test_marker_buttons_show_their_whole_labels(running) -> None:
    _, window = running
    for label, button in window.marker_bar.buttons.items():
        assert label in button.text() and button.width() >= button.sizeHint().width()


def test_the_face_feature_bars_follow_the_dark_theme(running) -> None:
    stepper, window = running
    window.workspaces.switch("lab")
    window.docks["face_features"].raise_()
    window.toggle_theme()
    stepper.run(0.5)
    image = window.face_bars.grab().toImage()
    light_pixels = sum(
        1
        for x in range(0, image.width(), 4)
        for y in range(0, image.height(), 4)
        if image.pixelColor(x, y).lightness() > 200
    )
    total = len(range(0, image.width(), 4)) * len(range(0, image.height(), 4))
    assert window.settings.theme == "dark" and light_pixels < 0.1 * total  # no light-grey tracks on dark
    assert window.face_bars.palette().color(window.face_bars.foregroundRole()).name().upper() == DARK.ink.upper()
    window.toggle_theme()
    window.workspaces.switch("session")


def answer_quit_question(window: MainWindow, button: str) -> None:
    """Click ``button`` on the question once it is asked (it is modal: it runs its own event loop)."""

    def click() -> None:
        box = window.quit_question
        assert box is not None
        next(b for b in box.buttons() if b.text() == button).click()

    QTimer.singleShot(0, click)


class WindowManagerClose(QCloseEvent):
    """The close event the window manager's close button sends (Qt marks it spontaneous)."""

    def spontaneous(self) -> bool:
        return True


def test_quitting_a_recording_asks_first(running) -> None:
    stepper, window = running
    studio = stepper.studio
    assert studio.recording
    answer_quit_question(window, "Keep recording")
    quit_action = next(a for a in window.actions() if a.text() == "Quit")
    quit_action.trigger()  # Ctrl+Q
    assert window.isVisible() and studio.recording
    answer_quit_question(window, "Keep recording")
    closing = WindowManagerClose()
    window.closeEvent(closing)
    assert not closing.isAccepted() and studio.recording
    answer_quit_question(window, "End the session and quit")
    quit_action.trigger()
    assert not window.isVisible() and not studio.recording
    session = studio.session_id
    assert session is not None and studio.database is not None
    assert next(s for s in studio.database.sessions() if s.id == session).status == "completed"


def test_f9_presents_a_clean_full_screen_kiosk_that_esc_leaves(running) -> None:
    stepper, window = running
    next(a for a in window.actions() if a.text().startswith("Present in a kiosk")).trigger()  # F9
    kiosk = window.kiosk
    assert kiosk is not None
    stepper.run(1.0)
    assert kiosk.isFullScreen() and kiosk.size() == kiosk.screen().geometry().size() == QSize(1920, 1080)
    controls = (QMenuBar, QTabBar, QToolBar, QAbstractButton, QComboBox, QAbstractSpinBox, QLineEdit, QStatusBar)
    shown = [w for w in kiosk.findChildren(QWidget) if w.isVisible()]
    assert not [w for w in shown if isinstance(w, controls)]  # nothing of the operator's console
    assert kiosk.badge.isVisible() and kiosk.badge.text().startswith("DEMO")
    for key_figure in (kiosk.glance.state, kiosk.music.headline, kiosk.badge):
        assert QFontInfo(key_figure.font()).pixelSize() >= 28, key_figure.text()
    assert kiosk.glance.state.text() and "BPM" in kiosk.music.headline.text()
    assert kiosk.glance.words is window.glance.words  # one "start" for the console and the room
    assert kiosk.plane.current.opts["brush"].color().name().upper() == DARK.trail.upper()
    tick_font = kiosk.plane.getPlotItem().getAxis("left").style["tickFont"]
    assert tick_font.pointSizeF() * 96 / 72 >= 26  # the plane's digits too, read from the back of the room
    playing = stepper.studio.playing
    QTest.keyClick(kiosk, Qt.Key.Key_Escape)
    assert window.kiosk is None and stepper.studio.playing == playing  # Esc left the kiosk, the music plays on


def test_the_settings_dialog_saves_checked_settings_into_the_users_file(running) -> None:
    _, window = running
    path = user_config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("[control]\ngoal = 'energise'\n", encoding="utf-8")  # the operator's own setting stays
    dialog = window.open_settings()
    assert dialog.path == path and not dialog.lsl.isChecked() and dialog.weights["face"].value() == 1.0
    dialog.lsl.setChecked(True)
    dialog.lsl_prefix.setText("Room2")
    dialog.weights["text"].setValue(0.0)
    dialog.marker_labels.setText("start, eyes closed, end")
    dialog.marker_keys.setText("F2, F3, F4")
    dialog.consent["research"].setChecked(True)
    dialog.marker_codes.setText("1, 2, 3")
    dialog.remote_port.setValue(22345)
    assert dialog.save() and "Saved to" in dialog.message.text()
    config = load_config(path)
    assert config.outputs.lsl and config.outputs.lsl_prefix == "Room2" and config.consent.research
    assert config.markers.codes == (1, 2, 3) and (config.remote.port, config.remote.address) == (22345, "127.0.0.1")
    assert config.markers.labels == ("start", "eyes closed", "end") and config.goal.value == "energise"
    saved = path.read_text(encoding="utf-8")
    dialog.marker_keys.setText("F1, F3, F4")  # F1 is Help
    assert not dialog.save()
    assert "Not saved: the settings dialog: markers.keys has 'F1'" in dialog.message.text()
    assert path.read_text(encoding="utf-8") == saved  # a refusal leaves the file as it was
    dialog.marker_keys.setText("F2, F3, F4")
    dialog.marker_codes.setText("1, two, 3")
    assert not dialog.save() and "markers.codes" in dialog.message.text()
    assert path.read_text(encoding="utf-8") == saved
    dialog.close()
    path.unlink()


def test_export_from_the_window_writes_the_session_with_a_progress_bar(running, tmp_path) -> None:
    stepper, window = running
    studio = stepper.studio
    dialog = window.open_export()
    assert dialog is not None and dialog.session.currentData() == studio.session_id  # the newest first
    dialog.formats["report"].setChecked(False)
    dialog.formats["csv"].setChecked(True)
    dialog.formats["edf"].setChecked(True)
    dialog.out.setText(str(tmp_path / "exports"))
    assert not studio.database.session(studio.session_id).consent.research  # the demo's consent: features only

    def export() -> None:
        dialog.start()
        assert not dialog.export_button.isEnabled() and dialog.progress.maximum() == 2
        wait_until(lambda: dialog.running is None, 60, pause=qt_pause)  # the console goes on drawing meanwhile
        assert dialog.progress.value() == 2 and dialog.export_button.isEnabled()

    export()  # without research consent only the report may leave, and the dialog says so
    assert "research" in dialog.result.text() and dialog.result.property("role") == "error"
    assert not (tmp_path / "exports" / "edf").exists()
    studio.database.assign_session(studio.session_id, None, Consent(research=True))  # the client agrees later
    export()
    assert {p.suffix for p in (tmp_path / "exports" / "csv").iterdir()} >= {".csv"}
    assert any((tmp_path / "exports" / "edf").glob("*.edf")) and "files written" in dialog.result.text()
    dialog.formats["csv"].setChecked(False)
    dialog.formats["edf"].setChecked(False)
    dialog.start()
    assert "at least one format" in dialog.result.text()
    dialog.close()
