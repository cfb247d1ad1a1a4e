"""The session widgets against a real recording Studio: marker buttons and shortcuts, markers on the plots,
the Self-Assessment Manikin dialog and the notes editor, all saved into the session database. The Studio runs on
a manual clock; the tests step it and draw the frames."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from studio.store import Consent, Store
from tests.stepped import dispose, stepped_demo
from ui.main_window import MainWindow
from ui.notes_editor import NotesEditor
from ui.sam_dialog import SamDialog


@pytest.fixture(scope="module")
def running(qapp: QApplication, tmp_path_factory: pytest.TempPathFactory):
    store = tmp_path_factory.mktemp("ui") / "s.sqlite"
    crashed = Store.open(store)  # a session left running by a process that is gone
    sid = crashed.begin_session("2025-01-01T10:00:00+00:00", {}, Consent(), None)
    crashed.db.execute("UPDATE sessions SET heartbeat_utc = '2025-01-01T10:05:00+00:00' WHERE id = ?", (sid,))
    crashed.db.commit()
    crashed.close()
    stepper = stepped_demo(store)
    window = stepper.show(MainWindow(stepper.studio))
    stepper.run(2.5)
    yield stepper, window, store
    dispose(window)
    stepper.studio.stop()


def test_marker_buttons_and_shortcuts_set_markers_drawn_on_every_plot(running, tmp_path):
    stepper, window, _ = running
    studio = stepper.studio
    window.marker_bar.buttons["eyes closed"].click()
    QTest.keyClick(window, Qt.Key.Key_F5)  # "music change"
    stepper.run(0.4)
    labels = [m.label for m in studio.markers.last(5)]
    assert labels[-2:] == ["eyes closed", "music change"]
    assert "'music change' at" in window.marker_bar.feedback.text()
    now = studio.clock.now()
    for lines in window.marker_lines._lines:
        shown = [line for line in lines if line.isVisible()]
        assert len(shown) == 2
        assert -3.0 < shown[0].value() < 0.0
    assert window.marker_lines._lines[0][0].label.format == "eyes closed"
    assert studio.markers.last(1)[0].t <= now
    window.grab().save(str(tmp_path / "window.png"))
    assert any("Session 1 was interrupted" in text for text in window.banners.texts())


def test_self_report_and_notes_are_saved_with_the_session(running, qapp):
    stepper, window, store = running
    studio = stepper.studio
    dialog = SamDialog(studio, "before", window)
    save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    assert not save.isEnabled()
    dialog.scales["valence"].choose(3)
    dialog.scales["arousal"].choose(8)
    assert save.isEnabled()
    save.click()
    editor = NotesEditor(studio, window)
    editor.sections["Plan"].setPlainText("Keep the tempo low.")
    editor.template.setCurrentText("DAP")
    assert editor.sections["Plan"].toPlainText() == "Keep the tempo low."  # shared sections keep their text
    editor.sections["Data"].setPlainText("Restless first ten minutes.")
    editor.save()
    studio.recorder.flush()
    reader = Store.open(store, create=False)
    sid = studio.recorder.session_id
    (report,) = reader.self_reports(sid)
    assert (report.phase, report.valence, report.arousal) == ("before", 3, 8)
    notes = reader.notes(sid)
    assert notes.template == "DAP" and notes.sections["Data"] == "Restless first ten minutes."
    actions = reader.query("SELECT action FROM operator_actions WHERE session_id = ?", (sid,))
    assert ("self-report",) in actions and ("notes saved",) in actions
    reader.close()
