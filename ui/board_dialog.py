"""The board connection dialog, like the OpenBCI GUI's control panel: pick a board from a grouped, searchable
list by its proper name, fill in exactly the parameters it asks for (serial ports scanned, Bluetooth and WiFi
fields only for boards that use them), Test it with a live preview of each channel's quality, and save the
settings as a named profile (used with ``--board NAME`` or ``[body] source = "NAME"``) to pick again."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from sensors.board_backend import BoardBackend
from sensors.board_profiles import DEFAULT_PROFILE, ProfileError, load_profiles, save_profile
from sensors.boards import NO_BOARD, BoardConfig, BoardError, board_params, known_boards
from studio.kernel.clock import SessionClock
from ui.board_names import grouped_boards, missing_words, pretty_name, required_missing, serial_ports
from ui.board_test import BoardTest
from ui.theme import set_role

PREVIEW_MS = 250  # the live preview's refresh
MIN_WIDTH = 640  # pixels: room for a channel's figures on one line

FIELD_LABELS = {
    "serial_port": "Serial port",
    "mac_address": "MAC address",
    "ip_address": "IP address",
    "ip_port": "IP port",
    "serial_number": "Serial number",
    "other_info": "Other info",
    "timeout": "Timeout (s)",
    "file": "File",
    "master_board": "Recorded by board",
}


class PortBox(QComboBox):
    """A serial port: typed, or picked from the ports this machine has (scanned when made and on Scan)."""

    def __init__(self, value: str, hint: str) -> None:
        super().__init__()
        self.setEditable(True)
        self.setToolTip(hint)
        self.lineEdit().setPlaceholderText("e.g. /dev/ttyUSB0 or COM3")
        self.scan()
        self.setCurrentText(value)

    def scan(self) -> None:
        typed = self.currentText()
        self.clear()
        self.addItems(serial_ports())
        self.setCurrentText(typed)


class BoardDialog(QDialog):
    """Edits one BoardConfig; ``Save`` writes it under the name given into the profiles file."""

    def __init__(self, profiles_path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Board connection")
        self.setMinimumWidth(MIN_WIDTH)
        self.profiles_path = profiles_path
        layout = QVBoxLayout(self)
        top = QFormLayout()
        self.profile = QComboBox()
        self.search = QLineEdit()
        self.search.setPlaceholderText("type to find a board: cyton, muse, unicorn…")
        self.search.setClearButtonEnabled(True)
        self.board = QComboBox()
        self._fill_boards("")
        self.name = QLineEdit()
        self.name.setPlaceholderText("a name for these settings, e.g. lab-cyton")
        top.addRow("Profile", self.profile)
        top.addRow("Find", self.search)
        top.addRow("Board", self.board)
        layout.addLayout(top)
        self.params = QFormLayout()
        layout.addLayout(self.params)
        self.hint = QLabel()
        set_role(self.hint, "muted")
        self.hint.setWordWrap(True)
        layout.addWidget(self.hint)
        bottom = QFormLayout()
        bottom.addRow("Save as", self.name)
        layout.addLayout(bottom)
        self.message = QLabel()
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.preview = QLabel("")  # the test's live per-channel quality
        set_role(self.preview, "readout")
        layout.addWidget(self.preview)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close)
        self.test_button = buttons.addButton("Test (live preview)", QDialogButtonBox.ButtonRole.ActionRole)
        self.test_button.clicked.connect(self.toggle_test)
        self.impedance_button = buttons.addButton("Check impedance", QDialogButtonBox.ButtonRole.ActionRole)
        self.impedance_button.setToolTip("OpenBCI Cyton boards: each electrode's impedance, one channel at a time")
        self.impedance_button.setEnabled(False)
        self.impedance_button.clicked.connect(self.check_impedance)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.test: BoardTest | None = None
        self._test_timer = QTimer(self)
        self._test_timer.setInterval(PREVIEW_MS)
        self._test_timer.timeout.connect(self.show_test)
        self.search.textChanged.connect(self._fill_boards)
        self.editors: dict[str, QLineEdit | QSpinBox | QComboBox] = {}
        self.board.currentIndexChanged.connect(lambda _i: self._show_params(BoardConfig(board_id=self.board_id)))
        self.profile.currentTextChanged.connect(self._load_profile)
        self._fill_profiles()

    @property
    def board_id(self) -> int:
        return int(self.board.currentData())

    def _fill_boards(self, search: str) -> None:
        """The boards whose name holds ``search``, under their maker's heading (headings cannot be chosen)."""
        chosen = self.board.currentData()
        self.board.blockSignals(True)
        self.board.clear()
        model = self.board.model()
        for group, boards in grouped_boards(search):
            self.board.addItem(f"— {group} —", None)
            heading = model.item(self.board.count() - 1)  # type: ignore[attr-defined]
            heading.setEnabled(False)
            for board_id, name in boards:
                self.board.addItem(name, board_id)
        self.board.blockSignals(False)
        index = self.board.findData(chosen) if chosen is not None else -1
        first = next((i for i in range(self.board.count()) if self.board.itemData(i) is not None), -1)
        self.board.setCurrentIndex(index if index >= 0 else first)  # a new board shows its parameters

    def choose(self, board_id: int) -> None:
        """Show ``board_id`` chosen (clearing the search if it hides it)."""
        if self.board.findData(board_id) < 0:
            self.search.clear()
        self.board.setCurrentIndex(self.board.findData(board_id))

    def _fill_profiles(self) -> None:
        try:
            names = sorted(load_profiles(self.profiles_path))
        except ProfileError as exc:
            self._say(str(exc), error=True)
            names = [DEFAULT_PROFILE]
        self.profile.blockSignals(True)
        self.profile.clear()
        self.profile.addItems(names)
        self.profile.blockSignals(False)
        self._load_profile(self.profile.currentText())

    def _load_profile(self, name: str) -> None:
        try:
            config = load_profiles(self.profiles_path).get(name, BoardConfig())
        except ProfileError as exc:
            self._say(str(exc), error=True)
            config = BoardConfig()
        self.board.blockSignals(True)
        self.choose(config.board_id)
        self.board.blockSignals(False)
        self.name.setText("" if name == DEFAULT_PROFILE else name)
        self._show_params(config)

    def _show_params(self, config: BoardConfig) -> None:
        """Exactly the parameters this board reads, required ones marked with *."""
        while self.params.rowCount():
            self.params.removeRow(0)
        self.editors = {}
        params = board_params(self.board_id)
        for p in params:
            editor: QLineEdit | QSpinBox | QComboBox
            value = getattr(config, p.field)
            if p.field == "master_board":
                editor = QComboBox()
                for board_id, _ in known_boards():
                    editor.addItem(pretty_name(board_id), board_id)
                editor.setCurrentIndex(max(0, editor.findData(value if value != NO_BOARD else -1)))
            elif p.field == "serial_port":
                editor = PortBox(value, p.hint)
            elif isinstance(value, int):
                editor = QSpinBox()
                editor.setRange(0, 65535)
                editor.setValue(value)
            else:
                editor = QLineEdit(value)
                editor.setPlaceholderText(p.hint)
            editor.setToolTip(p.hint)
            self.editors[p.field] = editor
            self.params.addRow(FIELD_LABELS[p.field] + (" *" if p.required else ""), editor)
            if isinstance(editor, PortBox):
                scan = QPushButton("Scan serial ports")
                scan.clicked.connect(editor.scan)
                self.params.addRow("", scan)
        self.hint.setText(
            "* required. " + " ".join(f"{FIELD_LABELS[p.field]}: {p.hint}." for p in params)
            if params
            else f"{pretty_name(self.board_id)} needs no connection parameters."
        )
        self._say("")

    def config(self) -> BoardConfig:
        """The settings as entered (not yet checked)."""
        values: dict[str, object] = {}
        for name, editor in self.editors.items():
            if isinstance(editor, PortBox):
                values[name] = editor.currentText().strip()
            elif isinstance(editor, QComboBox):
                values[name] = int(editor.currentData())
            elif isinstance(editor, QSpinBox):
                values[name] = editor.value()
            else:
                values[name] = editor.text().strip()
        return replace(BoardConfig(board_id=self.board_id), **values)

    def save(self) -> None:
        """Check the settings and save them as the profile named; the message says what happened."""
        name = self.name.text().strip()
        try:
            config = self.checked_config()
            save_profile(self.profiles_path, name, config)
        except (BoardError, OSError) as exc:
            self._say(str(exc), error=True)
            return
        self._fill_profiles()
        self.profile.setCurrentText(name)
        self._say(f"saved '{name}': start a session with --board {name} (or [body] source = \"{name}\")")

    def checked_config(self) -> BoardConfig:
        """The settings entered, checked; BoardError saying in plain words what the board still needs."""
        config = self.config()
        missing = required_missing(config)
        if missing:
            raise BoardError(missing_words(config.board_id, missing))
        return config.checked()

    def toggle_test(self) -> None:
        """Test: connect with the settings entered and stream a live preview; pressed again, stop."""
        if self.test is not None:
            self.stop_test()
            return
        try:
            config = self.checked_config()
        except BoardError as exc:
            self._say(str(exc), error=True)
            return
        self.test = BoardTest(BoardBackend(config, SessionClock()), pretty_name(config.board_id))
        self.test.start()
        self.test_button.setText("Stop the test")
        self.impedance_button.setEnabled(self.test.measures_impedance)
        self._say(f"Connecting to {pretty_name(config.board_id)}…")
        self._test_timer.start()

    def show_test(self) -> None:
        """The test's newest seconds: each channel's quality and figures, or why it could not connect."""
        test = self.test
        if test is None:
            return
        if test.problem:
            self._say(test.problem, error=True)
            self.stop_test()
            return
        rows = test.preview
        if test.layout is None or not rows:
            return
        width = max(len(name) for name, _, _ in rows)
        ohms = test.impedance
        self.preview.setText(
            "\n".join(
                f"{name:<{width}}  {quality:<10}  {figures}"
                + (f" · {ohms[name] / 1000:.0f} kΩ" if name in ohms else "")
                for name, quality, figures in rows
            )
        )
        note = f"; {test.impedance_note}" if test.impedance_note else ""
        self._say(f"{test.label}: streaming, {test.samples} samples so far at {test.layout.fs:g} Hz{note}")

    def check_impedance(self) -> None:
        """Measure each electrode's impedance on the board under test (Cyton boards; about 2 s a channel)."""
        if self.test is not None:
            self.test.check_impedance()

    def stop_test(self) -> None:
        test, self.test = self.test, None
        self._test_timer.stop()
        self.test_button.setText("Test (live preview)")
        self.impedance_button.setEnabled(False)
        if test is not None:
            test.stop()

    def done(self, result: int) -> None:
        self.stop_test()  # the board is released when the dialog goes
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.stop_test()
        super().closeEvent(event)

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        set_role(self.message, "error" if error else "muted")
