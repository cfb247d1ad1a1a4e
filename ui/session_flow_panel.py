"""The session flow panel: the steps of a session in order (client code, consent, start, baseline with its
countdown, self-report before, the session and its end, self-report after, notes, report), then the next session.

Nothing about the client is written before consent and the explicit start (a demo records from its start, and
says so). The step list always shows where the session stands; the status bar repeats it. Nothing here is a
modal dialog: the self-report and notes are the same widgets as the Session menu's, shown inside the panel.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from studio.app import Studio
from studio.kernel.worker import Jobs
from studio.session_flow import SKIPPED, STEPS, SessionFlow
from studio.store import CLIENT_CODE, Consent, Store, StoreError, name_warning
from ui.console_status import clock_text
from ui.notes_editor import NotesEditor
from ui.sam_dialog import SamDialog
from ui.theme import set_role

MARKS = {"done": "✓", "skipped": "–", "current": "▶", "later": "·"}


def make_report(store: Path, passphrase: str | None, session_id: int, out: Path) -> list[Path]:
    """The session's report (HTML and PDF) into ``out``, read through a connection of its own."""
    from studio.export.report import export_report, load_report

    reader = Store.open(store, create=False, passphrase=passphrase)
    try:
        data = load_report(reader, session_id, False, lambda _step: None)
    finally:
        reader.close()
    return export_report(data, out, lambda _step: None)


def key_button(text: str, name: str, tip: str, slot: Callable[[], None]) -> QPushButton:
    """One of the buttons that start, end or renew a session (styled by its object ``name``)."""
    button = QPushButton(text)
    button.setObjectName(name)
    button.setToolTip(tip)
    button.clicked.connect(slot)
    return button


def embedded(dialog: QDialog) -> QDialog:
    """A dialog shown as a part of the panel rather than a window of its own."""
    dialog.setWindowFlags(Qt.WindowType.Widget)
    return dialog


class SessionFlowPanel(QWidget):
    """One page per step; ``flow`` is the model it advances. ``client`` and ``consent`` are the choices made for
    the session about to start (they are written only when it starts)."""

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
        self.client: str | None = None
        self.consent = studio.options.consent
        self._calibrating = False
        self._report: Future[list[Path]] | None = None
        self._jobs = Jobs("report")
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
        self.code_note.setWordWrap(True)
        set_role(self.code_note, "muted")
        self.client_button = QPushButton("Use this code")
        self.client_button.clicked.connect(self.use_client)
        self._page(self.client_code, self.code_note, self.client_button)

        self.consent_boxes = {
            "raw_audio": QCheckBox("raw audio may be recorded"),
            "raw_video": QCheckBox("raw video may be recorded"),
            "research": QCheckBox("the data may be exported for research"),
        }
        for name, box in self.consent_boxes.items():
            box.setChecked(getattr(self.consent, name))
        self.consent_button = QPushButton("The client agrees")
        self.consent_button.clicked.connect(self.give_consent)
        always = QLabel(
            "With consent, features and estimates are recorded from the session's start; the studio writes no raw "
            "audio or video today. Without consent nothing is recorded."
        )
        always.setWordWrap(True)
        set_role(always, "muted")
        self._page(always, *self.consent_boxes.values(), self.consent_button)

        self.start_summary = QLabel("")
        self.start_summary.setWordWrap(True)
        self.start_button = key_button(
            "Start the session", "startSession", "The recording begins now (session time 0) and the music fades in",
            self.start_session,
        )  # fmt: skip
        self._page(self.start_summary, self.start_button)

        seconds = self._studio.config.calibration_seconds
        self.countdown = QLabel("")
        set_role(self.countdown, "big")
        self.calibrate_button = QPushButton(f"Start the {seconds:g} s rest")
        self.calibrate_button.clicked.connect(self.start_calibration)
        self._page(self.calibrate_button, self.countdown)

        self.sam_before = self._sam_page("before")

        self.elapsed = QLabel("")
        set_role(self.elapsed, "big")
        self.end_button = key_button(
            "End the session", "endSession", "Stops the recording, fades the music out and closes the session's record",
            self.end_session,
        )  # fmt: skip
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

        self.finished_note = QLabel("")
        self.finished_note.setWordWrap(True)
        self.new_button = key_button(
            "New session (next client)", "newSession",
            "Begin the steps again for the next client; the studio keeps running", self.new_session,
        )  # fmt: skip
        self._page(self.finished_note, self.new_button)

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
        dialog.accepted.connect(lambda: self._done(dialog.result_text()))
        dialog.rejected.connect(self.skip)
        self._page(dialog)
        return dialog

    # --- steps ----------------------------------------------------------------------------------------------
    def _check_code(self, text: str) -> bool:
        """Validated in place: the reason is shown next to the field while typing; a name-like code is warned of."""
        ok = bool(CLIENT_CODE.match(text))
        warning = name_warning(text) if ok else ""
        if not text:
            self.code_note.setText("")
        elif not ok:
            self.code_note.setText("1-32 letters, digits, '_', '.' or '-': a pseudonym, never a name")
        else:
            database = self._studio.database
            known = database is not None and database.client(text) is not None
            levers = self._studio.client_levers(text) if known else ""
            found = (
                f"a known client: their baseline and response model are reused{f' ({levers})' if levers else ''}"
                if known
                else "a new client"
            )
            self.code_note.setText(f"{warning}: {found}" if warning else found)
        set_role(self.code_note, "muted" if (ok and not warning) or not text else "error")
        self.client_button.setEnabled(ok)
        return ok

    def use_client(self) -> None:
        code = self.client_code.text().strip()
        if not self._check_code(code):
            return
        if self._assign_now(client=code):
            self.client = code
            self._done(code)

    def give_consent(self) -> None:
        consent = Consent(**{name: box.isChecked() for name, box in self.consent_boxes.items()})
        if self._assign_now(consent=consent):
            self.consent = consent
            self._done(consent.describe())

    def _assign_now(self, client: str | None = None, consent: Consent | None = None) -> bool:
        """A demo records from its start: its client and consent go to that session at once (live, they wait for
        the start). False, said, when the session refuses them."""
        if not self._studio.recording:
            return True
        try:
            self._studio.assign(client=client, consent=consent)
        except StoreError as exc:
            self._say(str(exc), error=True)
            return False
        return True

    def start_session(self) -> None:
        """The explicit start: the recording of this client's session begins now, and the music with it."""
        try:
            sid = self._studio.begin_session(self.client, self.consent)
        except StoreError as exc:
            self._say(str(exc), error=True)
            return
        self.notes.reload()  # the notes step writes this session's note
        self._done(f"session {sid} recording")

    def start_calibration(self) -> None:
        try:
            self._studio.calibrate()
        except ValueError as exc:
            self._say(str(exc), error=True)
            return
        self._calibrating = True
        self.calibrate_button.setEnabled(False)

    def end_session(self) -> None:
        """End the session: the recording stops, the music fades, the record is closed as completed."""
        studio = self._studio
        studio.end_session()
        self._done(f"{clock_text(studio)} recorded, completed")

    def _notes_saved(self) -> None:
        saved = self.notes.saved
        self._done(f"{saved.template} note saved (version {saved.version})" if saved else "note saved")

    def start_report(self) -> None:
        studio = self._studio
        sid, store = studio.session_id, studio.store
        if sid is None or store is None:
            self._say("no session was recorded: there is nothing to report", error=True)
            return
        passphrase = studio.options.passphrase

        def report() -> list[Path]:
            studio.flush()  # the newest rows reach the database before the report reads it
            return make_report(store, passphrase, sid, store.parent / "reports")

        self._report = self._jobs.submit(report)
        self.report_button.setEnabled(False)
        self._say("making the report…")

    def skip(self) -> None:
        step = self.flow.current
        if step is None or not step.skippable:
            return
        if step.key == "baseline" and self._calibrating:
            self._calibrating = False
        self.flow.skip()
        self._show()

    def new_session(self) -> None:
        """The steps again for the next client, without restarting; refused while a session records. A demo
        records the next session from its start again."""
        studio = self._studio
        if studio.recording:
            self._say(f"session {studio.session_id} is still recording: end it first", error=True)
            return
        for page in [self.pages.widget(i) for i in range(self.pages.count())]:
            self.pages.removeWidget(page)
            page.deleteLater()
        self.client, self.consent = None, studio.config.consent
        studio.expect_next_client()
        self._calibrating = False
        self.report_files = []
        self._build_pages()
        self.flow.restart()
        if not studio.wait_for_consent:
            studio.begin_session(None, self.consent)
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
        step = self.flow.current
        if step is not None and step.key == "start" and self._studio.recording:  # a demo records from its start
            self.flow.complete(f"demo: session {self._studio.session_id} recording from its start")
            step = self.flow.current
        lines = []
        for i, each in enumerate(STEPS):
            result = self.flow.results.get(each.key)
            if result is None:
                mark = MARKS["current"] if i == self.flow.index else MARKS["later"]
                text = f"<b>{each.title}</b>" if i == self.flow.index else each.title
            else:
                mark = MARKS["skipped"] if result == SKIPPED else MARKS["done"]
                text = f"{each.title}: <i>{result}</i>"
            lines.append(f"{mark}&nbsp;{text}")
        self.steps.setText(" &nbsp;›&nbsp; ".join(lines))  # one wrapped line of steps: compact, in order
        self._turn_to(self.flow.index)
        self.hint.setText(step.hint if step else "")
        skippable = step is not None and step.skippable
        self.skip_button.setEnabled(skippable)
        self.skip_button.setToolTip(
            "Leave this step out and go on to the next (Ctrl+Shift+S)" if skippable else "This step cannot be skipped"
        )
        if step is not None and step.key == "start":
            who = f"client {self.client}" if self.client else "no client code"
            self.start_summary.setText(f"Session for {who}; consent: {self.consent.describe()}.")
        if step is None:
            info = f"Session {self._studio.session_id} is closed" if self._studio.session_id else "No session"
            self.finished_note.setText(f"{info}. The studio keeps running; nothing is recorded until the next start.")
        self._say("")
        if step is not None and step.key in ("sam_before", "sam_after"):
            (self.sam_before if step.key == "sam_before" else self.sam_after).form.start()

    def _turn_to(self, index: int) -> None:
        """Show page ``index``, the panel as tall as that page alone, scrolled to its top."""
        for i in range(self.pages.count()):
            policy = QSizePolicy.Policy.Preferred if i == index else QSizePolicy.Policy.Ignored
            self.pages.widget(i).setSizePolicy(policy, policy)
        self.pages.setCurrentIndex(index)
        self.pages.adjustSize()
        parent = self.parentWidget()
        while parent is not None and not isinstance(parent, QScrollArea):
            parent = parent.parentWidget()
        if parent is not None:
            parent.verticalScrollBar().setValue(0)

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
