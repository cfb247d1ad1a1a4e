"""The first-run assistant: what hardware was found (camera, microphone, board, audio output), the face
model (installed from its official address or a local file), and the privacy defaults. It opens by itself
the first time and from Help > Setup assistant later; it is a window beside the console, never modal."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from studio.config import Config
from studio.kernel.worker import Jobs
from studio.models import install_face_model
from studio.setup_checks import Check, run_checks
from ui.console_settings import ConsoleSettings
from ui.face_preview import PRIVACY_MODES
from ui.theme import BLUISH_GREEN, ORANGE, set_role

POLL_MS = 100
PRIVACY_TEXT = {
    "blur": "Blur the camera picture (the face estimate still works; nobody can be recognised on screen)",
    "show": "Show the camera picture as it is",
    "hide": "Hide the camera picture",
}
ALWAYS = (
    "Everything runs on this computer; nothing is sent on the network unless LSL or OSC is turned on.",
    "Raw audio and video are never written to disk; sessions keep features and estimates only.",
    "Clients are pseudonymous codes, never names; exports carry no names.",
    "To encrypt the session database, set STUDIO_PASSPHRASE before the first session.",
)


class SetupAssistant(QDialog):
    """``on_done(privacy)`` runs when the operator presses Done (the choices are saved in ``settings``)."""

    def __init__(
        self, config: Config, settings: ConsoleSettings, on_done: Callable[[str], None], parent: QWidget | None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Affect Studio · setup")
        self.setModal(False)
        self.resize(760, 620)
        self._config = config
        self._settings = settings
        self._on_done = on_done
        self._checking, self._installing = Jobs("setup-checks"), Jobs("setup-install")
        self._checks: Future[list[Check]] | None = None
        self._install: Future[Path] | None = None
        self.rows: dict[str, tuple[QLabel, QLabel]] = {}

        self.grid = QGridLayout()
        self.grid.setColumnStretch(2, 1)
        self.recheck = QPushButton("Check again")
        self.recheck.clicked.connect(self.check)
        found = QGroupBox("What this computer has")
        found_layout = QVBoxLayout(found)
        found_layout.addLayout(self.grid)
        found_layout.addWidget(self.recheck)

        self.model_file = QLineEdit()
        self.model_file.setPlaceholderText("face_landmarker.task on this computer (empty: download the official file)")
        self.model_file.textChanged.connect(self._check_file)
        self.install = QPushButton("Install the face model")
        self.install.clicked.connect(self.install_model)
        self.model_message = QLabel("")
        self.model_message.setWordWrap(True)
        model = QGroupBox("Face model (MediaPipe Face Landmarker, checked against its sha256)")
        model_layout = QVBoxLayout(model)
        row = QHBoxLayout()
        row.addWidget(self.model_file, 1)
        row.addWidget(self.install)
        model_layout.addLayout(row)
        model_layout.addWidget(self.model_message)

        privacy = QGroupBox("Privacy")
        privacy_layout = QVBoxLayout(privacy)
        self.privacy = QButtonGroup(self)
        for i, mode in enumerate(PRIVACY_MODES):
            button = QRadioButton(PRIVACY_TEXT[mode])
            button.setChecked(mode == settings.privacy)
            self.privacy.addButton(button, i)
            privacy_layout.addWidget(button)
        for text in ALWAYS:
            note = QLabel("• " + text)
            note.setWordWrap(True)
            set_role(note, "muted")
            privacy_layout.addWidget(note)

        self.done_button = QPushButton("Done")
        self.done_button.setDefault(True)
        self.done_button.clicked.connect(self.finish)
        layout = QVBoxLayout(self)
        intro = QLabel(
            "The studio works with whatever is here: a missing device leaves its channel down and the rest goes "
            "on. Demo mode (--demo) needs no hardware at all."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        for box in (found, model, privacy):
            layout.addWidget(box)
        layout.addStretch(1)
        layout.addWidget(self.done_button)
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self._poll)
        self.check()

    def check(self) -> None:
        """Look for the devices again (on a worker: PortAudio can take a moment)."""
        if self._checks is None:
            self._checks = self._checking.submit(run_checks, self._config)
            self.recheck.setEnabled(False)
            self.timer.start()

    def checks_done(self) -> bool:
        return self._checks is None and self._install is None

    def _show_checks(self, checks: list[Check]) -> None:
        for i, check in enumerate(checks):
            if check.name not in self.rows:
                mark, text = QLabel(), QLabel()
                text.setWordWrap(True)
                self.grid.addWidget(QLabel(f"<b>{check.name}</b>"), i, 0)
                self.grid.addWidget(mark, i, 1)
                self.grid.addWidget(text, i, 2)
                self.rows[check.name] = (mark, text)
            mark, text = self.rows[check.name]
            colour, sign = (BLUISH_GREEN, "✓ found") if check.found else (ORANGE, "✗ missing")
            mark.setText(f'<span style="color:{colour}">{sign}</span>')
            text.setText(check.text)

    def _check_file(self, text: str) -> None:
        """Validated in place: a path that is not a file is said next to the field."""
        path = Path(text.strip()) if text.strip() else None
        bad = path is not None and not path.is_file()
        self.model_message.setText(f"{path} is not a file" if bad else "")
        set_role(self.model_message, "error" if bad else "muted")
        self.install.setEnabled(not bad)

    def install_model(self) -> None:
        text = self.model_file.text().strip()
        source = Path(text) if text else None
        self._install = self._installing.submit(install_face_model, source)
        self.install.setEnabled(False)
        self.model_message.setText("installing…" if source else "downloading the official file…")
        set_role(self.model_message, "muted")
        self.timer.start()

    def _poll(self) -> None:
        if self._checks is not None and self._checks.done():
            checks, self._checks = self._checks, None
            self.recheck.setEnabled(True)
            try:
                self._show_checks(checks.result())
            except Exception as exc:  # run_checks catches each probe; this is a last resort
                self.model_message.setText(f"the checks failed: {exc}")
        if self._install is not None and self._install.done():
            install, self._install = self._install, None
            self.install.setEnabled(True)
            try:
                path = install.result()
            except Exception as exc:  # ModelError: no network, a wrong file; said, nothing else changes
                self.model_message.setText(str(exc))
                set_role(self.model_message, "error")
            else:
                self.model_message.setText(f"installed at {path}; the face channel uses it from the next session")
                set_role(self.model_message, "muted")
                self.check()
        if self.checks_done():
            self.timer.stop()

    def finish(self) -> None:
        """Keep the choices and close."""
        mode = PRIVACY_MODES[max(0, self.privacy.checkedId())]
        self._settings.privacy = mode
        self._settings.first_run_done = True
        self._settings.sync()
        self._on_done(mode)
        self.close()

    def done(self, result: int) -> None:
        self.timer.stop()
        self._checking.shutdown(wait=False)
        self._installing.shutdown(wait=False)
        super().done(result)
