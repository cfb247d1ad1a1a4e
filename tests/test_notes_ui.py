"""The session note in the window, against a real recording Studio and its SQLite file: a note written with
Ctrl+N shows in the Notes step, saving there keeps it, the report has both, every version is kept, and two
editors open at once (or the command line meanwhile) never overwrite each other's text. The Studio runs on a manual
clock; the tests step it and draw the frames."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from studio.store import Store
from tests.stepped import Stepper, dispose, stepped_demo
from tests.test_cli import run_cli
from tests.waiting import qt_pause, wait_until
from ui.console_settings import ConsoleSettings
from ui.main_window import MainWindow
from ui.notes_editor import CONFLICT_MARK, FOLLOW_MS, NotesEditor


@pytest.fixture(scope="module")
def running(qapp: QApplication, tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("notes")
    stepper = stepped_demo(folder / "s.sqlite")
    window = stepper.show(MainWindow(stepper.studio, ConsoleSettings(folder / "console.ini")))
    stepper.run(2.0)  # a session with estimates for the report to show
    yield stepper, window, folder
    dispose(window)
    stepper.studio.stop()


def ctrl_n(stepper: Stepper, window: MainWindow) -> NotesEditor:
    """Press Ctrl+N and return the notes window it opened."""
    before = set(window.findChildren(NotesEditor))
    window.activateWindow()  # from an editor opened before, the operator comes back to the window
    assert QTest.qWaitForWindowActive(window)
    QTest.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    stepper.until(lambda: set(window.findChildren(NotesEditor)) - before, seconds=2)
    (editor,) = set(window.findChildren(NotesEditor)) - before
    assert editor.isWindow() and editor.isVisible()
    return editor


def write(editor: NotesEditor, section: str, text: str) -> None:
    box = editor.sections[section]
    box.setFocus()
    box.selectAll()
    QTest.keyClicks(box, text)


def save(editor: NotesEditor) -> None:
    editor.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save).click()


def stored(folder):
    reader = Store.open(folder / "s.sqlite", create=False)
    try:
        sid = reader.latest().id
        return reader.notes(sid), reader.note_history(sid)
    finally:
        reader.close()


@pytest.mark.slow  # the report is made on its own thread
def test_a_note_written_with_ctrl_n_is_shown_and_kept_by_the_notes_step_and_the_report(running):
    stepper, window, folder = running
    editor = ctrl_n(stepper, window)
    write(editor, "Subjective", "Arrived tense after a long week.")
    save(editor)
    assert not editor.isVisible()

    panel = window.flow
    while panel.flow.current.key != "notes":  # consent and the session's end are steps of their own
        {"consent": panel.give_consent, "running": panel.end_session}.get(panel.flow.current.key, panel.skip)()
    step = panel.notes
    stepper.until(step.isVisible, seconds=2)
    assert step.sections["Subjective"].toPlainText() == "Arrived tense after a long week."  # what is there
    write(step, "Plan", "Repeat the calm programme.")
    save(step)
    assert panel.flow.current.key == "report"
    assert "SOAP note saved (version 2)" in panel.steps.text()

    note, history = stored(folder)
    assert note.sections["Subjective"] == "Arrived tense after a long week."
    assert note.sections["Plan"] == "Repeat the calm programme."
    assert [(n.version, n.source) for n in history] == [(1, "window"), (2, "session steps")]

    panel.report_button.click()
    wait_until(lambda: panel.flow.finished, 60, between=stepper.draw)
    page = panel.report_files[0].read_text(encoding="utf-8")
    assert "<td>Arrived tense after a long week.</td>" in page and "<td>Repeat the calm programme.</td>" in page


@pytest.mark.slow  # an open editor follows the store on its own timer
def test_two_editors_open_at_once_merge_and_a_clash_shows_both_texts(running):
    stepper, window, folder = running
    first, second = ctrl_n(stepper, window), ctrl_n(stepper, window)
    write(first, "Objective", "Fidgeting at first.")
    write(second, "Assessment", "Anxious, settling.")
    write(second, "Plan", "Two more sessions.")
    save(second)
    follows = 3 * FOLLOW_MS / 1000  # seconds within which an open editor shows what another saved
    wait_until(lambda: first.sections["Plan"].toPlainText() == "Two more sessions.", follows, pause=qt_pause)
    assert first.sections["Objective"].toPlainText() == "Fidgeting at first."  # its own text stays
    save(first)
    note, _ = stored(folder)
    assert note.sections["Objective"] == "Fidgeting at first." and note.sections["Assessment"] == "Anxious, settling."
    assert note.sections["Plan"] == "Two more sessions." and note.sections["Subjective"].startswith("Arrived tense")

    # Both change the same section: the one saved later is not written over the first; it shows both texts.
    third, fourth = ctrl_n(stepper, window), ctrl_n(stepper, window)
    write(third, "Objective", "Calm from the start.")
    write(fourth, "Objective", "Restless hands.")
    save(fourth)
    wait_until(lambda: CONFLICT_MARK in third.sections["Objective"].toPlainText(), follows, pause=qt_pause)
    both = third.sections["Objective"].toPlainText()
    assert both.index("Restless hands.") < both.index(CONFLICT_MARK) < both.index("Calm from the start.")
    assert "Objective changed elsewhere" in third.message.text()
    save(third)
    assert third.isVisible() and "remove the dashed line" in third.message.text()  # not saved with the mark
    assert stored(folder)[0].sections["Objective"] == "Restless hands."
    write(third, "Objective", "Restless hands, calm by the end.")
    save(third)
    note, history = stored(folder)
    assert note.sections["Objective"] == "Restless hands, calm by the end."
    assert any(n.sections["Objective"] == "Restless hands." for n in history)  # the other text is kept too


def test_the_command_line_writing_meanwhile_is_not_overwritten(running):
    stepper, window, folder = running
    studio = stepper.studio
    editor = ctrl_n(stepper, window)
    write(editor, "Plan", "Stop after this one.")
    sid = studio.recorder.session_id
    cli = run_cli(
        "sessions", "notes", str(sid), "--section", "Plan=Ask the family.", "--store", str(folder / "s.sqlite")
    )
    assert cli.returncode == 0, cli.stderr
    save(editor)  # based on the version it opened: the store refuses, the editor shows both texts
    text = editor.sections["Plan"].toPlainText()
    assert editor.isVisible() and "Ask the family." in text and "Stop after this one." in text
    assert stored(folder)[0].sections["Plan"] == "Ask the family."
