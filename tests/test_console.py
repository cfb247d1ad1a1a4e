"""The operator console against a real recording Studio in demo mode: workspaces and their saved layouts
(a corrupt one falls back to the defaults), the status bar and fault banners (never a modal dialog), the
keyboard, and the guided session flow driven end to end with what it stored read back from the SQLite file.
One Studio runs for the whole module on a manual clock; the tests step it and draw the frames."""

import re
import socket
from pathlib import Path

import pyqtgraph as pg
import pytest
from PySide6.QtCore import QByteArray, QSize, Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from sensors.base import State
from studio.app import Studio
from studio.session import Outputs
from studio.store import Store
from tests.stepped import dispose, shown, stepped_demo
from tests.test_models import reference_model
from tests.waiting import qt_pause, wait_until
from ui.console_settings import ConsoleSettings
from ui.fit_check import fit_problems
from ui.main_window import MainWindow
from ui.theme import BLUE, BLUISH_GREEN, DARK, LIGHT, ORANGE, REDDISH_PURPLE, SKY_BLUE, VERMILLION
from ui.workspaces import BY_NAME, size_class


@pytest.fixture(scope="module")
def running(qapp: QApplication, tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("console")
    osc_sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)  # takes the OSC messages on loopback
    osc_sink.bind(("127.0.0.1", 0))
    outputs = Outputs(lsl=True, lsl_prefix="ConsoleTest", osc=True, osc_port=osc_sink.getsockname()[1])
    stepper = stepped_demo(folder / "s.sqlite", calibration_seconds=1.0, outputs=outputs)
    window = stepper.show(MainWindow(stepper.studio, ConsoleSettings(folder / "console.ini")))
    stepper.run(2.5)
    yield stepper, window, folder
    dispose(window)
    stepper.studio.stop()
    osc_sink.close()


def shown_docks(window: MainWindow) -> set[str]:
    return {name for name, dock in window.docks.items() if dock.isVisible()}


def second_window(studio: Studio, settings: ConsoleSettings) -> MainWindow:
    return shown(MainWindow(studio, settings))


def test_each_workspace_shows_its_docks_from_the_toolbar(running) -> None:
    stepper, window, _ = running
    for name in ("lab", "presentation", "session"):
        window.workspace_actions[name].trigger()
        stepper.tick()
        fronts = BY_NAME[name].arrangement(window.workspaces.size).fronts
        assert fronts <= shown_docks(window) <= set(BY_NAME[name].docks)
        assert window.workspace_actions[name].isChecked()
    assert window.workspaces.current.name == "session" and not window.isFullScreen()


def test_a_workspace_remembers_its_layout(running, tmp_path: Path) -> None:
    stepper, _, _ = running
    settings = ConsoleSettings(tmp_path / "console.ini")
    first = second_window(stepper.studio, settings)
    first.workspaces.switch("lab")
    first.docks["eeg"].close()  # the operator closes a panel in Lab
    first.workspaces.switch("session")
    first.close()
    again = second_window(stepper.studio, ConsoleSettings(tmp_path / "console.ini"))
    assert again.workspaces.current.name == "session"
    again.workspaces.switch("lab")
    stepper.tick()
    assert "eeg" not in shown_docks(again) and "body" in shown_docks(again)
    again.workspaces.reset()
    assert "eeg" in shown_docks(again)
    again.close()


def test_a_corrupt_layout_falls_back_to_the_defaults_and_is_kept_aside(running, tmp_path: Path) -> None:
    studio = running[0].studio
    path = tmp_path / "console.ini"
    settings = ConsoleSettings(path)
    settings.workspace = "lab"
    settings.set_layout("lab/standard", QByteArray(b"not a dock layout"))
    settings.sync()
    window = second_window(studio, ConsoleSettings(path))
    assert {"eeg", "body", "status"} <= shown_docks(window)  # the default Lab layout
    assert (tmp_path / "console.ini.bad").is_file()
    [message] = window.banners.texts()
    assert "unusable layout of the Lab workspace" in message and "console.ini.bad" in message
    assert QApplication.activeModalWidget() is None
    window.close()


def test_an_unreadable_settings_file_is_set_aside(tmp_path: Path) -> None:
    path = tmp_path / "console.ini"
    path.write_bytes(b"\x00\xff\xfe garbage")
    settings = ConsoleSettings(path)
    assert "is not a settings file" in settings.problem or "cannot be read" in settings.problem
    assert (tmp_path / "console.ini.bad").read_bytes() == b"\x00\xff\xfe garbage"
    assert settings.workspace == "session" and settings.theme == "light" and settings.font_scale == 1.0
    path.write_text("[General]\ntheme=purple\n")
    settings = ConsoleSettings(path)
    assert settings.theme == "light" and "theme ('purple')" in settings.problem


def test_status_bar_shows_health_and_a_fault_is_a_banner_not_a_dialog(running) -> None:
    stepper, window, _ = running
    studio = stepper.studio
    text = studio.sources["text"]
    text.set_status(State.DOWN, "keyboard unplugged")
    stepper.until(lambda: any("text channel is down" in t for t in window.banners.texts()), seconds=2)
    stepper.until(lambda: "text down · keyboard unplugged" in window.status.chips["text"].text(), seconds=2)
    assert window.banners.isVisible() and QApplication.activeModalWidget() is None
    for label, expected in ((window.status.audio, "audio: silent"), (window.status.recording, "GB free")):
        assert expected in label.text()
    assert window.status.network.text() == "network: LSL 10 outlets, OSC → 127.0.0.1:" + str(
        studio.config.outputs.osc_port
    )
    text.set_status(State.OK, "waiting for text")
    stepper.until(lambda: not window.banners.texts(), seconds=2)
    stepper.until(lambda: "text ok" in window.status.chips["text"].text(), seconds=2)
    notice = "the stored response model of client P9 was ignored (bad); starting from what most listeners do"
    studio.notices.append(notice)
    stepper.until(lambda: notice in window.banners.texts(), seconds=2)
    studio.notices.remove(notice)
    window.banners.withdraw("notice:0")


def test_self_report_notes_and_board_dialogs_are_not_modal(running) -> None:
    _, window, _ = running
    for dialog in (window.open_sam("during"), window.open_notes(), window.open_board_dialog()):
        assert dialog.isVisible() and not dialog.isModal()
        assert QApplication.activeModalWidget() is None
        dialog.close()


def test_number_keys_set_markers_and_question_mark_lists_the_shortcuts(running) -> None:
    stepper, window, _ = running
    studio = stepper.studio
    window.raise_()
    window.activateWindow()
    assert QTest.qWaitForWindowActive(window)
    window.setFocus()
    QTest.keyClick(window, Qt.Key.Key_3)
    assert studio.markers.last(1)[0].label == "eyes open"
    QTest.keyClick(window, Qt.Key.Key_Question)
    assert window.help.isVisible()
    listed = window.help.label.text()
    for entry in ("Esc", "Fade out the music", "Space", "Accept the suggestion", "3 or F4", "Ctrl+2", "Lab", "F1"):
        assert entry in listed
    QTest.keyClick(window, Qt.Key.Key_Question)
    assert not window.help.isVisible()


@pytest.mark.slow  # the report is made on its own thread
def test_the_session_flow_end_to_end_is_stored(running) -> None:
    stepper, window, folder = running
    studio = stepper.studio
    panel = window.flow
    assert "step 1 of 9: Client code" in window.status.step.text()
    QTest.keyClicks(panel.client_code, "Jane Doe")  # a name, not a code: refused in place
    assert not panel.client_button.isEnabled() and "never a name" in panel.code_note.text()
    panel.client_code.clear()
    QTest.keyClicks(panel.client_code, "P07")
    QTest.keyClick(panel.client_code, Qt.Key.Key_Return)
    assert panel.flow.current.key == "consent"

    panel.consent_boxes["research"].setChecked(True)
    panel.consent_button.click()
    assert panel.flow.results["start"].startswith("demo: session")  # a demo records from its start
    panel.calibrate_button.click()
    stepper.until(lambda: "s left" in panel.countdown.text(), seconds=2)
    stepper.until(lambda: panel.flow.current.key == "sam_before", seconds=4)

    panel.sam_before.scales["valence"].choose(3)
    panel.sam_before.scales["arousal"].choose(7)
    panel.sam_before.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert panel.flow.current.key == "running"
    stepper.until(lambda: "step 6 of 9: Session" in window.status.step.text(), seconds=2)
    panel.end_button.click()
    assert not studio.playing and not studio.recording

    panel.skip_button.click()  # no self-report after
    panel.notes.sections["Subjective"].setPlainText("Calmer towards the end.")
    panel.notes.save()
    panel.report_button.click()
    wait_until(lambda: panel.flow.finished, 60, between=stepper.draw)
    assert "all steps done" in panel.where()
    assert "– Self-report after: <i>skipped</i>" in panel.steps.text().replace("&nbsp;", " ")
    assert [p.suffix for p in panel.report_files] == [".html", ".pdf"]
    assert all(p.stat().st_size > 1000 for p in panel.report_files)

    reader = Store.open(folder / "s.sqlite", create=False)
    sid = studio.session_id
    info = reader.session(sid)
    assert info.status == "completed"
    assert info.client_code == "P07" and info.consent.research and not info.consent.raw_audio
    [before] = reader.self_reports(sid)
    assert (before.phase, before.valence, before.arousal) == ("before", 3, 7)
    notes = reader.notes(sid)
    assert notes.template == "SOAP" and notes.sections["Subjective"] == "Calmer towards the end."
    actions = [a for (a,) in reader.query("SELECT action FROM operator_actions WHERE session_id = ?", (sid,))]
    assert {"client", "consent", "self-report", "notes saved"} <= set(actions)
    labels = [m for (m,) in reader.query("SELECT label FROM markers WHERE session_id = ?", (sid,))]
    assert "calibration complete" in labels and "session end" in labels
    reader.close()
    window.new_session()  # a demo records the next session from its start again
    assert studio.recording and studio.session_id == sid + 1 and panel.flow.current.key == "client"


@pytest.mark.slow  # the devices are probed and the model installed on the assistant's own thread
def test_the_setup_assistant_says_what_it_found_installs_the_model_and_sets_privacy(
    running, tmp_path: Path, monkeypatch
) -> None:
    _, window, _ = running
    official = reference_model()  # found before the data folder moves
    monkeypatch.setenv("STUDIO_DATA_DIR", str(tmp_path / "data"))  # no model installed there yet
    assistant = window.open_setup()
    assert not assistant.isModal() and QApplication.activeModalWidget() is None
    wait_until(assistant.checks_done, 20, pause=qt_pause)
    assert list(assistant.rows) == ["Camera", "Microphone", "Board", "Audio output", "Face model"]
    assert all(text.text() for _, text in assistant.rows.values())
    assert "not installed" in assistant.rows["Face model"][1].text()
    assert "synthetic board" in assistant.rows["Board"][1].text()

    assistant.model_file.setText(str(tmp_path / "nowhere.task"))  # validated in place
    assert not assistant.install.isEnabled() and "is not a file" in assistant.model_message.text()
    assistant.model_file.setText(str(official))
    assistant.install.click()
    wait_until(assistant.checks_done, 30, pause=qt_pause)
    assert "installed at" in assistant.model_message.text()
    assert (tmp_path / "data" / "models" / "face_landmarker.task").is_file()
    assert "✓" in assistant.rows["Face model"][0].text()

    assistant.privacy.button(2).click()  # hide the camera picture
    assistant.done_button.click()
    assert window.settings.first_run_done and window.settings.privacy == "hide"
    assert window.face_preview.view.privacy == "hide"
    window.use_privacy("blur")


def plot_colours(window: MainWindow) -> set[str]:
    """Every pen and symbol colour of every curve in the window's plots."""
    found = set()
    for view in window.findChildren(pg.GraphicsView):
        for item in view.scene().items():
            if isinstance(item, (pg.PlotDataItem, pg.PlotCurveItem)):
                for key in ("pen", "symbolBrush"):
                    spec = item.opts.get(key)
                    if spec is not None and (key == "pen" or item.opts.get("symbol") is not None):
                        colour = (pg.mkPen(spec) if key == "pen" else pg.mkBrush(spec)).color()
                        if colour.alpha():
                            found.add(colour.name().upper())
    return found


def test_plots_use_the_colour_blind_safe_palette_in_both_themes(running) -> None:
    _, window, _ = running
    okabe_ito = {c.upper() for c in (ORANGE, SKY_BLUE, BLUISH_GREEN, BLUE, VERMILLION, REDDISH_PURPLE)}
    colours = plot_colours(window)
    assert okabe_ito & colours
    for colour in colours - okabe_ito:  # anything else is a neutral grey or slate
        assert QColor(colour).hslSaturation() < 60, colour
    window.toggle_theme()
    assert window.fused.backgroundBrush().color().name().upper() == DARK.panel.upper()
    window.toggle_theme()
    assert window.fused.backgroundBrush().color().name().upper() == LIGHT.panel.upper()


def test_font_scaling_and_estimate_tooltips(running) -> None:
    stepper, window, _ = running
    studio = stepper.studio
    window.scale_font(1.5)
    assert window.settings.font_scale == pytest.approx(1.5) and "font-size: 15.0pt" in window.styleSheet()
    window.scale_font(1 / 1.5)
    window.workspaces.switch("lab")
    stepper.until(lambda: "What it rests on" in window.va_plane.toolTip() and window.channel_affect.toolTip(), 3)
    tip = window.va_plane.toolTip()
    shown = float(re.search(r"confidence (\d\.\d\d) \(", tip).group(1))
    assert shown == pytest.approx(studio.loop.last.affect.confidence, abs=0.1)  # refreshed a few times a second
    assert "face: valence" in window.channel_affect.toolTip()
    assert "Confidence runs from 0" in window.fused.toolTip()
    window.workspaces.switch("session")


def test_lab_shows_each_network_stream_with_its_rate_and_the_lsl_clock_offset(running) -> None:
    stepper, window, _ = running
    window.workspaces.switch("lab")
    stepper.until(lambda: "fused    LSL" in window.outputs.streams.text(), seconds=3)
    stepper.until(lambda: "measuring" not in window.outputs.streams.text(), seconds=5)  # a second of rates
    lines = window.outputs.streams.text().splitlines()
    assert lines[0].startswith("LSL clock at session 0 s:")
    rates = {line.split()[0]: float(line.split()[2]) for line in lines[2:]}
    assert set(rates) == {"fused", "music", "face", "voice", "text", "body", "eeg", "raw-ppg", "raw-eda"}
    assert 10 < rates["fused"] < 30  # the loop's 20 Hz
    assert 150 < rates["eeg"] < 350  # the synthetic board's 250 Hz
    assert rates["body"] < 10  # the body channel's estimate: four windows a second
    assert "GB free" in window.outputs.recording.text()
    window.workspaces.switch("session")


def test_nothing_is_cut_short_at_the_gallery_size(running) -> None:
    """No panel past the window, no label or tab title cut short, no plot squeezed, no panel scrolling sideways."""
    stepper, window, _ = running
    window.resize(1500, 940)
    for name in ("session", "lab"):
        window.workspaces.switch(name)
        stepper.tick()
        assert fit_problems(window) == [], name
    window.workspaces.switch("session")


def test_the_window_opens_no_larger_than_its_screen_and_larger_text_keeps_it_there(running) -> None:
    stepper, _, folder = running
    window = second_window(stepper.studio, ConsoleSettings(folder / "fit.ini"))
    screen = window.screen().availableGeometry()
    assert screen.contains(window.frameGeometry())
    window.resize(screen.size())
    for name in ("session", "lab"):
        window.workspaces.switch(name)
        window.scale_font(3.0)  # as far as Ctrl++ goes: the largest text
        qt_pause(50)  # the window shrinks back once the larger text has laid itself out
        assert window.settings.font_scale == pytest.approx(2.5)
        assert window.minimumSizeHint().width() <= screen.width(), name
        assert screen.contains(window.frameGeometry()), (name, window.frameGeometry())
        window.scale_font(1 / 2.5)
    window.close()


def test_each_screen_size_has_its_own_arrangement_and_saved_layout(running, tmp_path: Path) -> None:
    stepper, _, _ = running
    assert size_class(QSize(1280, 800)) == size_class(QSize(1366, 768)) == "compact"
    assert size_class(QSize(1600, 1000)) == size_class(QSize(1920, 1080)) == "standard"
    lab = BY_NAME["lab"]
    assert len(lab.arrangement("compact").columns) == 2 and len(lab.arrangement("standard").columns) == 3
    settings = ConsoleSettings(tmp_path / "console.ini")
    window = second_window(stepper.studio, settings)
    window.workspaces.switch("lab")
    window.docks["eeg"].close()
    window.workspaces.switch("session")
    assert settings.layout("lab/standard") is not None and settings.layout("lab/compact") is None
    window.workspaces.switch("lab")
    assert "eeg" not in shown_docks(window)
    window.workspace_actions["lab"].trigger()
    reset = next(a for a in window.actions() if a.text() == "Reset this workspace's layout")
    reset.trigger()  # Ctrl+Shift+R: the default again
    assert lab.standard.fronts <= shown_docks(window)
    window.close()
