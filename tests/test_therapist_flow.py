"""A therapist's whole flow on the real console, live (not a demo): nothing is written before consent and the
explicit start; baseline; the Self-Assessment Manikin answered with the keys; a suggestion read off its card and
accepted with Space; End session; the self-report after, notes and the report; New session for the next client
with the first one's notes kept. Every state is checked in the SQLite file and kept as a screenshot
(``STUDIO_SHOTS=DIR`` keeps them in DIR)."""

import os
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from studio.app import Studio, make_sources
from studio.config import load_config
from studio.kernel.clock import SessionClock
from studio.policy import ControlMode
from studio.store import Store
from tests.waiting import qt_pause, wait_until
from ui.console_settings import ConsoleSettings
from ui.main_window import MainWindow
from ui.sam_manikin import SamForm

PERSON_TABLES = ("channel_affect", "fused_affect", "features", "samples", "markers", "self_reports", "clients")


@pytest.fixture(scope="module")
def console(qapp: QApplication, tmp_path_factory: pytest.TempPathFactory):
    """A live console (the demo person's signals, but not a demo: it waits for consent) on the silent backend."""
    folder = tmp_path_factory.mktemp("therapist")
    config = replace(load_config(), audio_backend="silent", calibration_seconds=1.0)
    config = replace(config, loop=replace(config.loop, suggest_interval=2.0))
    clock = SessionClock()
    studio = Studio(
        config, demo=False, store=folder / "s.sqlite", clock=clock, sources=make_sources(config, clock, True),
        wait_for_consent=True,
    )  # fmt: skip
    studio.start()
    window = MainWindow(studio, ConsoleSettings(folder / "console.ini"))
    window.resize(1500, 940)
    window.show()
    QTest.qWaitForWindowExposed(window)
    window.activateWindow()
    assert QTest.qWaitForWindowActive(window)
    shots = Path(os.environ.get("STUDIO_SHOTS", folder / "shots"))
    shots.mkdir(parents=True, exist_ok=True)
    yield studio, window, folder / "s.sqlite", shots
    window.close()
    studio.stop()
    window.deleteLater()
    QTest.qWait(10)


def rows(path: Path) -> dict[str, int]:
    db = sqlite3.connect(path)
    try:
        return {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in (*PERSON_TABLES, "sessions")}
    finally:
        db.close()


def step(window: MainWindow) -> str:
    current = window.flow.flow.current
    return current.key if current else "done"


def shot(window: MainWindow, shots: Path, name: str) -> None:
    window.draw_shown()
    window.grab().save(str(shots / f"{name}.png"))


@pytest.mark.slow  # a live console: its workers and frame timer run by themselves
def test_the_whole_flow_writes_nothing_before_consent_and_keeps_each_session(console) -> None:
    studio, window, path, shots = console
    panel = window.flow
    wait_until(lambda: "not recording · no session started" in window.status.recording.text(), 3, pause=qt_pause)
    wait_until(
        lambda: len(studio.hub.get("affect.fused").last(5.0)) > 20, 5, pause=qt_pause
    )  # the console shows the person
    assert not studio.playing and rows(path) == dict.fromkeys((*PERSON_TABLES, "sessions"), 0)
    shot(window, shots, "1-not-recording")

    QTest.keyClicks(panel.client_code, "Maria")  # a name-like code is warned of
    assert "looks like a name" in panel.code_note.text()
    panel.client_code.clear()
    QTest.keyClicks(panel.client_code, "P07")
    QTest.keyClick(panel.client_code, Qt.Key.Key_Return)
    assert step(window) == "consent" and not panel.skip_button.isEnabled()  # consent cannot be skipped
    panel.skip()
    assert step(window) == "consent"
    panel.consent_boxes["research"].setChecked(True)
    shot(window, shots, "2-consent")
    panel.consent_button.click()
    assert step(window) == "start" and "client P07; consent: features, research" in panel.start_summary.text()
    shot(window, shots, "3-start")
    assert rows(path) == dict.fromkeys((*PERSON_TABLES, "sessions"), 0)  # nothing yet, not even the code

    panel.start_button.click()
    sid = studio.session_id
    assert studio.recording and studio.playing and step(window) == "baseline"
    wait_until(lambda: f"recording session {sid} (P07)" in window.status.recording.text(), 3, pause=qt_pause)
    panel.calibrate_button.click()
    wait_until(lambda: step(window) == "sam_before", 5, pause=qt_pause)

    markers_before = len(studio.markers)
    sam = panel.sam_before
    wait_until(lambda: sam.scales["valence"].hasFocus(), 2, pause=qt_pause)
    QTest.keyClick(sam.scales["valence"], Qt.Key.Key_3)  # keys answer the scale, not the marker buttons
    QTest.keyClick(sam.scales["valence"], Qt.Key.Key_Tab)
    assert sam.scales["arousal"].hasFocus()
    QTest.keyClick(sam.scales["arousal"], Qt.Key.Key_7)
    assert sam.form.values() == (3, 7) and len(studio.markers) == markers_before
    shot(window, shots, "4-sam-before")
    QTest.keyClick(sam.scales["arousal"], Qt.Key.Key_Return)  # Enter saves
    assert step(window) == "running"

    window.music.mode_buttons[ControlMode.SUGGEST].click()
    window.music.goal.setCurrentText("energise")  # far from the person: a change is due
    wait_until(window.suggestion.isVisible, 10, pause=qt_pause)
    card = window.suggestion.text.text()
    assert "towards more energy. Expected:" in card and "->" not in card and "rule" not in card
    wait_until(lambda: window.suggestion.graphicsEffect().opacity() > 0.99, 2, pause=qt_pause)  # it fades in softly
    shot(window, shots, "5-suggestion")
    [pending] = studio.loop.suggestions()
    window.setFocus()
    QTest.keyClick(window, Qt.Key.Key_Space)
    assert pending not in studio.loop.suggestions()
    wait_until(lambda: not window.suggestion.isVisible() or window.suggestion._shown[0] != pending, 2, pause=qt_pause)
    window.music.mode_buttons[ControlMode.AUTO].click()
    shot(window, shots, "6-running")

    panel.end_button.click()
    assert not studio.recording and not studio.playing and step(window) == "sam_after"
    wait_until(lambda: f"not recording · session {sid} ended" in window.status.recording.text(), 3, pause=qt_pause)
    after_end = rows(path)
    shot(window, shots, "7-ended")
    sam = panel.sam_after
    wait_until(lambda: sam.scales["valence"].hasFocus(), 2, pause=qt_pause)
    for key in (Qt.Key.Key_6, Qt.Key.Key_Tab, Qt.Key.Key_4, Qt.Key.Key_Return):
        QTest.keyClick(QApplication.focusWidget(), key)
    assert step(window) == "notes"
    panel.notes.sections["Subjective"].setPlainText("Calmer towards the end.")
    panel.notes.save()
    panel.report_button.click()
    wait_until(lambda: step(window) == "done", 90, pause=qt_pause)
    assert [p.suffix for p in panel.report_files] == [".html", ".pdf"]
    shot(window, shots, "8-done")

    reader = Store.open(path, create=False)
    info = reader.session(sid)
    assert info.status == "completed" and info.client_code == "P07" and info.consent.research
    assert [(r.phase, r.valence, r.arousal) for r in reader.self_reports(sid)] == [("before", 3, 7), ("after", 6, 4)]
    assert reader.self_reports(sid)[1].t == pytest.approx(info.duration_s, abs=0.1)  # at its end
    assert reader.outcome(sid)["goal"] == "energise"
    accepted = reader.query("SELECT COUNT(*) FROM control_log WHERE session_id = ? AND reason LIKE 'accepted%'", (sid,))
    assert accepted[0][0] > 0
    labels = [m for (m,) in reader.query("SELECT label FROM markers WHERE session_id = ?", (sid,))]
    assert labels[-1] == "session end" and "calibration complete" in labels
    lo = reader.query("SELECT MIN(t) FROM fused_affect WHERE session_id = ?", (sid,))[0][0]
    assert 0.0 <= lo < 0.2  # the session's time 0 is its start, not the console's
    reader.close()
    for table in ("channel_affect", "fused_affect", "features", "samples"):
        assert rows(path)[table] == after_end[table]  # nothing more about the person after the end

    window.new_session()  # the next client, without restarting
    assert step(window) == "client" and not studio.recording
    QTest.keyClicks(panel.client_code, "P08")
    panel.use_client()
    panel.consent_button.click()
    panel.start_button.click()
    second = studio.session_id
    assert second == sid + 1 and studio.recording
    assert panel.notes.sections["Subjective"].toPlainText() == ""  # a new note for the new session
    wait_until(lambda: f"recording session {second} (P08)" in window.status.recording.text(), 3, pause=qt_pause)
    shot(window, shots, "9-next-session")
    window.end_session()
    reader = Store.open(path, create=False)
    assert [(s.id, s.client_code, s.status) for s in reader.sessions()] == [
        (sid, "P07", "completed"),
        (second, "P08", "completed"),
    ]
    assert reader.notes(sid).sections["Subjective"] == "Calmer towards the end."  # the first client's note is kept
    reader.close()


@pytest.mark.slow  # a live console: its workers and frame timer run by themselves
def test_the_client_view_shows_each_visit_and_writes_the_progress_report(console) -> None:
    _, window, _, shots = console
    view = window.open_client_view()
    view.reload("P07")
    assert view.table.rowCount() == 1
    cells = [view.table.item(0, c).text() for c in range(view.table.columnCount())]
    assert cells[0] == "1" and cells[2].startswith("calm then energise") and cells[3:6] == ["3 / 7", "6 / 4", "+3 / -3"]
    view.report_button.click()
    wait_until(lambda: bool(view.files), 60, pause=qt_pause)
    assert [p.name for p in view.files] == ["client-progress.html", "client-progress.pdf"]  # de-identified
    view.grab().save(str(shots / "10-client-view.png"))
    view.close()


def test_a_manikin_scale_answers_a_click_the_arrows_and_the_number_keys(qtbot) -> None:
    form = SamForm()
    qtbot.addWidget(form)
    form.resize(600, 320)
    form.show()
    form.activateWindow()
    assert QTest.qWaitForWindowActive(form)
    scale = form.scales["arousal"]
    QTest.mouseClick(scale, Qt.MouseButton.LeftButton, pos=QPoint(int(scale.width() * 6.5 / 9), 40))
    assert scale.value == 7 and scale.hasFocus()
    QTest.keyClick(scale, Qt.Key.Key_Left)
    QTest.keyClick(scale, Qt.Key.Key_9)
    assert form.values() == (0, 9) and not form.complete()
    with pytest.raises(ValueError, match="from 1 to 9"):
        scale.choose(10)
    valence = form.scales["valence"]
    valence.choose(1)
    sad = valence.grab().toImage()
    valence.choose(9)
    assert valence.grab().toImage() != sad and form.complete()  # the figures are drawn, one per point
