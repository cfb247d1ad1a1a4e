"""Export from the window: a recorded session in the chosen formats (CSV, Parquet, EDF, BDF, report) into a
folder, on a worker thread with a progress bar (the console keeps drawing), through the same export code as
``affect-studio export``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from studio.export import write_into
from studio.kernel.errors import StudioError
from studio.kernel.worker import Jobs
from studio.session_export import FORMATS, read_export
from studio.store import SessionInfo, Store, passphrase_from_env
from ui.theme import set_role

FORMAT_NAMES = {"csv": "CSV tables", "parquet": "Parquet tables", "edf": "EDF+", "bdf": "BDF+", "report": "Report"}
POLL_MS = 100


class ExportJob:
    """Exports session ``sid`` of the database at ``store`` in ``formats`` into ``out``, one format after the
    other, on its own thread (each opens the database for itself); ``done`` counts the formats finished, ``step``
    says what it does now, ``files`` and ``problems`` collect what each format wrote or why it could not."""

    def __init__(self, store: Path, sid: int, formats: Sequence[str], out: Path, include_client: bool) -> None:
        self.store, self.sid, self.formats, self.out = store, sid, tuple(formats), out
        self.include_client = include_client
        self.done = 0
        self.step = "starting"
        self.files: list[Path] = []
        self.problems: list[str] = []

    def _say(self, step: str) -> None:
        self.step = step

    def run(self) -> None:
        for fmt in self.formats:
            self.step = f"{FORMAT_NAMES[fmt]}: starting"
            try:
                store = Store.open(self.store, create=False, passphrase=passphrase_from_env())
                try:
                    write = read_export(store, self.sid, fmt, self.include_client, self._say)
                finally:
                    store.close()
                self.files += write_into(self.out / fmt, write)
            except (StudioError, OSError, ValueError) as exc:
                self.problems.append(f"{FORMAT_NAMES[fmt]}: {exc}")
            self.done += 1
        self.step = "done"


class ExportDialog(QDialog):
    """Not modal. ``sessions()`` lists the database's sessions (the newest is chosen first); the files go into
    a folder per format under the folder given."""

    def __init__(
        self, store: Path, sessions: Callable[[], list[SessionInfo]], out: Path, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export a session")
        self._store = store
        self.session = QComboBox()
        for info in reversed(sessions()):
            client = f" · {info.client_code}" if info.client_code else ""
            research = "" if info.consent.research else " · report only (no research consent)"
            self.session.addItem(
                f"session {info.id} · {info.started_utc[:16]} · {info.status}{client}{research}", info.id
            )
        self.formats = {fmt: QCheckBox(FORMAT_NAMES[fmt]) for fmt in FORMATS}
        self.formats["report"].setChecked(True)
        self.out = QLineEdit(str(out))
        self.include_client = QCheckBox("add the client's code, notes and the date (default: none)")
        self.progress = QProgressBar()
        self.progress.setFormat("%v of %m formats")
        self.progress.setValue(0)
        self.step = QLabel("")
        self.step.setWordWrap(True)
        set_role(self.step, "muted")
        self.result = QLabel("")
        self.result.setWordWrap(True)
        self.export_button = QPushButton("Export")
        self.export_button.clicked.connect(self.start)
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        row = QHBoxLayout()
        for box in self.formats.values():
            row.addWidget(box)
        form = QFormLayout()
        form.addRow("Session", self.session)
        form.addRow("Formats", row)
        form.addRow("Into the folder", self.out)
        form.addRow("", self.include_client)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.step)
        layout.addWidget(self.result)
        layout.addLayout(buttons)
        self.job: ExportJob | None = None
        self.running: Future[None] | None = None
        self._worker = Jobs("export")
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self.poll)

    def start(self) -> None:
        """Export the chosen session in the chosen formats (refused in words when there is nothing to do)."""
        formats = [fmt for fmt, box in self.formats.items() if box.isChecked()]
        if self.session.currentData() is None or not formats or not self.out.text().strip():
            self._say("Choose a session, at least one format and a folder.", error=True)
            return
        out = Path(self.out.text().strip()).expanduser()
        self.job = ExportJob(
            self._store, int(self.session.currentData()), formats, out, self.include_client.isChecked()
        )
        self.progress.setRange(0, len(formats))
        self.progress.setValue(0)
        self._say("", error=False)
        self.export_button.setEnabled(False)
        self.running = self._worker.submit(self.job.run)
        self._timer.start()

    def poll(self) -> None:
        """Show the job's progress; once it is done, what it wrote and what it could not."""
        job, running = self.job, self.running
        if job is None or running is None:
            return
        self.progress.setValue(job.done)
        self.step.setText(job.step)
        if not running.done():
            return
        self._timer.stop()
        self.running = None
        self.export_button.setEnabled(True)
        failure = running.exception()
        problems = [*job.problems, *([f"export stopped: {failure}"] if failure else [])]
        folders = sorted({str(path.parent) for path in job.files})
        wrote = f"{len(job.files)} files written into {', '.join(folders)}." if job.files else "Nothing written."
        self._say(" ".join([wrote, *problems]), error=bool(problems))

    def _say(self, text: str, error: bool) -> None:
        self.result.setText(text)
        set_role(self.result, "error" if error else "muted")
