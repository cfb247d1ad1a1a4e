"""The session flow panel: the steps of a session in order (client code, consent, baseline with its
countdown, self-report before, the session, self-report after, notes, report), each with Skip.

The step list always shows where the session stands; the status bar repeats it. Nothing here is a modal
dialog: the self-report and notes are the same widgets as the Session menu's, shown inside the panel.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from studio.app import Studio
from studio.session_flow import SKIPPED, STEPS, SessionFlow
from studio.store import CLIENT_CODE, Consent, Store, StoreError
from ui.notes_editor import NotesEditor
from ui.sam_dialog import SamDialog
from ui.theme import set_role

MARKS = {"done": "✓", "skipped": "–", "current": "▶", "later": "·"}


def make_report(store: Path, passphrase: str | None, session_id: int, out: Path) -> list[Path]:
    """The session's report (HTML and PDF) into ``out``, read through a connection of its own."""
    from studio.export.data import load_session
    from studio.export.report import export_report

    reader = Store.open(store, create=False, passphrase=passphrase)
    try:
        data = load_session(reader, session_id, False, lambda _step: None)
    finally:
        reader.close()
    return export_report(data, out, lambda _step: None)


def embedded(dialog: QDialog) -> QDialog:
    """A dialog shown as a part of the panel rather than a window of its own."""
    dialog.setWindowFlags(Qt.WindowType.Widget)
    return dialog


class SessionFlowPanel(QWidget):
    """One page per step; ``flow`` is the model it advances."""

    def __init__(self, studio: Studio) -> None:
        super().__init__()
        self._studio = studio
        self.flow = SessionFlow()
        self.steps = QLabel("")
        self.steps.setTextFormat(Qt.TextFormat.RichText)
        self.steps.setWordWrap(True)
        self.hint = QLabel("")
        self.hint.setWordWrap(True)
        set_role(self.hint, "muted")
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.pages = QStackedWidget()
        self.skip_button = QPushButton("Skip this step")
        self.skip_button.setToolTip("Leave this step out and go on to the next (Ctrl+Shift+S)")
        self.skip_button.clicked.connect(self.skip)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addWidget(self.steps)
        layout.addWidget(self.hint)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.message)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.skip_button)
        layout.addLayout(bottom)
        self._calibrating = False
        self._running_since = 0.0
        self._report: Future[list[Path]] | None = None
        self._pool: ThreadPoolExecutor | None = None
        self.report_files: list[Path] = []
        self._build_pages()
        self._show()

    # --- pages ----------------------------------------------------------------------------------------------
    def _build_pages(self) -> None:
        self.client_code = QLineEdit()
        self.client_code.setPlaceholderText("e.g. P01")
        self.client_code.setMaxLength(32)
        self.client_code.textChanged.connect(self._check_code)
        self.client_code.returnPressed.connect(self.use_client)
        self.code_note = QLabel("")
        set_role(self.code_note, "muted")
        self.client_button = QPushButton("Use this code")
        self.client_button.clicked.connect(self.use_client)
        self._page(self.client_code, self.code_note, self.client_button)

        self.consent_boxes = {
            "raw_audio": QCheckBox("raw audio may be recorded"),
            "raw_video": QCheckBox("raw video may be recorded"),
            "research": QCheckBox("the data may be exported for research"),
        }
        consent = self._studio.options.consent
        for name, box in self.consent_boxes.items():
            box.setChecked(getattr(consent, name))
        self.consent_button = QPushButton("The client agrees")
        self.consent_button.clicked.connect(self.give_consent)
        always = QLabel("Features and estimates are always recorded; the studio writes no raw audio or video today.")
        always.setWordWrap(True)
        set_role(always, "muted")
        self._page(always, *self.consent_boxes.values(), self.consent_button)

        seconds = self._studio.config.calibration_seconds
        self.countdown = QLabel("")
        set_role(self.countdown, "big")
        self.calibrate_button = QPushButton(f"Start the {seconds:g} s rest")
        self.calibrate_button.clicked.connect(self.start_calibration)
        self._page(self.calibrate_button, self.countdown)

        self.sam_before = self._sam_page("before")

        self.elapsed = QLabel("")
        set_role(self.elapsed, "big")
        self.end_button = QPushButton("End the session")
        self.end_button.setToolTip("The music fades out; the recording goes on until the window closes")
        self.end_button.clicked.connect(self.end_session)
        self._page(self.elapsed, self.end_button)

        self.sam_after = self._sam_page("after")

        self.notes = NotesEditor(self._studio, source="session steps")  # filled with what is stored when shown
        embedded(self.notes)
        self.notes.accepted.connect(self._notes_saved)
        self.notes.rejected.connect(self.skip)
        self._page(self.notes)

        self.report_button = QPushButton("Make the report")
        self.report_button.clicked.connect(self.start_report)
        self._page(self.report_button)

        self.finished_note = QLabel("All steps are done. The session records until the window closes.")
        self.finished_note.setWordWrap(True)
        self._page(self.finished_note)

    def _page(self, *widgets: QWidget) -> None:
        page = QWidget()
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 0, 0, 0)
        for widget in widgets:
            column.addWidget(widget)
        column.addStretch(1)
        self.pages.addWidget(page)

    def _sam_page(self, phase: str) -> SamDialog:
        dialog = embedded(SamDialog(self._studio, phase))
        assert isinstance(dialog, SamDialog)
        dialog.accepted.connect(
            lambda: self._done(
                f"valence {dialog.groups['valence'].checkedId()}, arousal {dialog.groups['arousal'].checkedId()}"
            )
        )
        dialog.rejected.connect(self.skip)
        self._page(dialog)
        return dialog

    # --- steps ----------------------------------------------------------------------------------------------
    def _check_code(self, text: str) -> bool:
        """Validated in place: the reason is shown next to the field while typing."""
        ok = bool(CLIENT_CODE.match(text))
        if not text:
            self.code_note.setText("")
        elif not ok:
            self.code_note.setText("1-32 letters, digits, '_', '.' or '-': a pseudonym, never a name")
        else:
            database = self._studio.database
            known = database is not None and database.client(text) is not None
            self.code_note.setText("a known client: their baseline is reused" if known else "a new client")
        set_role(self.code_note, "muted" if ok or not text else "error")
        self.client_button.setEnabled(ok)
        return ok

    def use_client(self) -> None:
        code = self.client_code.text().strip()
        if not self._check_code(code):
            return
        try:
            self._studio.assign(client=code)
        except StoreError as exc:
            self._say(str(exc), error=True)
            return
        self._done(code)

    def give_consent(self) -> None:
        consent = Consent(**{name: box.isChecked() for name, box in self.consent_boxes.items()})
        try:
            self._studio.assign(consent=consent)
        except StoreError as exc:
            self._say(str(exc), error=True)
            return
        self._done(consent.describe())

    def start_calibration(self) -> None:
        try:
            self._studio.calibrate()
        except ValueError as exc:
            self._say(str(exc), error=True)
            return
        self._calibrating = True
        self.calibrate_button.setEnabled(False)

    def end_session(self) -> None:
        self._studio.fade_out()
        self._studio.add_marker("session end", "studio")
        self._done(f"{self._studio.clock.now() - self._running_since:.0f} s")

    def _notes_saved(self) -> None:
        saved = self.notes.saved
        self._done(f"{saved.template} note saved (version {saved.version})" if saved else "note saved")

    def start_report(self) -> None:
        studio = self._studio
        if studio.recorder is None or studio.store is None:
            self._say("this session is not recorded: there is nothing to report", error=True)
            return
        recorder, store, passphrase = studio.recorder, studio.store, studio.options.passphrase

        def report() -> list[Path]:
            recorder.flush()  # the newest rows reach the database before the report reads it
            return make_report(store, passphrase, recorder.session_id, store.parent / "reports")

        self._pool = self._pool or ThreadPoolExecutor(1, thread_name_prefix="report")
        self._report = self._pool.submit(report)
        self.report_button.setEnabled(False)
        self._say("making the report…")

    def skip(self) -> None:
        if self.flow.finished:
            return
        if self.flow.current is not None and self.flow.current.key == "baseline" and self._calibrating:
            self._calibrating = False
        self.flow.skip()
        self._show()

    def _done(self, result: str) -> None:
        if self.flow.finished:
            return
        self.flow.complete(result)
        self._show()

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        set_role(self.message, "error" if error else "muted")

    def _show(self) -> None:
        """The step list with its marks, the page of the current step, the hint."""
        lines = []
        for i, step in enumerate(STEPS):
            result = self.flow.results.get(step.key)
            if result is None:
                mark = MARKS["current"] if i == self.flow.index else MARKS["later"]
                text = f"<b>{step.title}</b>" if i == self.flow.index else step.title
            else:
                mark = MARKS["skipped"] if result == SKIPPED else MARKS["done"]
                text = f"{step.title}: <i>{result}</i>"
            lines.append(f"{mark}&nbsp;{text}")
        self.steps.setText(" &nbsp;›&nbsp; ".join(lines))  # one wrapped line of steps: compact, in order
        step = self.flow.current
        self.pages.setCurrentIndex(self.flow.index)
        self.hint.setText(step.hint if step else "")
        self.skip_button.setEnabled(step is not None)
        if step is not None and step.key == "running":
            self._running_since = self._studio.clock.now()
        self._say("")

    def refresh(self, now: float) -> None:
        """Counts the calibration down and the session up; picks up a finished report."""
        step = self.flow.current
        if step is None:
            return
        if step.key == "baseline" and self._calibrating:
            end = self._studio.calibration_end
            if end is None:
                self._calibrating = False
                self._done(f"{', '.join(sorted(self._studio.baselines)) or 'no channel'} calibrated")
            else:
                self.countdown.setText(f"{max(0.0, end - now):.0f} s left")
        elif step.key == "running":
            minutes, seconds = divmod(int(now - self._running_since), 60)
            self.elapsed.setText(f"{minutes:02d}:{seconds:02d}")
        elif step.key == "report" and self._report is not None and self._report.done():
            report, self._report = self._report, None
            self.report_button.setEnabled(True)
            try:
                self.report_files = report.result()
            except Exception as exc:  # a report that cannot be made is said; the session is kept
                self._say(f"the report could not be made: {exc}", error=True)
                return
            self._done(f"written to {self.report_files[0].parent}")
            self._say("\n".join(str(p) for p in self.report_files))

    def where(self) -> str:
        return self.flow.where()
