"""The board connection dialog: pick any BrainFlow board, fill in exactly the parameters it asks for, and save
the settings as a named profile (used with ``--board NAME`` or ``[body] source = "NAME"``)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from sensors.board_profiles import DEFAULT_PROFILE, ProfileError, load_profiles, save_profile
from sensors.boards import NO_BOARD, BoardConfig, BoardError, board_name, board_params, known_boards
from ui.theme import set_role

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


class BoardDialog(QDialog):
    """Edits one BoardConfig; ``Save`` writes it under the name given into the profiles file."""

    def __init__(self, profiles_path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Board connection")
        self.profiles_path = profiles_path
        layout = QVBoxLayout(self)
        top = QFormLayout()
        self.profile = QComboBox()
        self.board = QComboBox()
        for board_id, name in known_boards():
            self.board.addItem(name.removesuffix("_board").replace("_", " "), board_id)
        self.name = QLineEdit()
        self.name.setPlaceholderText("a name for these settings, e.g. lab-cyton")
        top.addRow("Profile", self.profile)
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
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.editors: dict[str, QLineEdit | QSpinBox | QComboBox] = {}
        self.board.currentIndexChanged.connect(lambda _i: self._show_params(BoardConfig(board_id=self.board_id)))
        self.profile.currentTextChanged.connect(self._load_profile)
        self._fill_profiles()

    @property
    def board_id(self) -> int:
        return int(self.board.currentData())

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
        self.board.setCurrentIndex(max(0, self.board.findData(config.board_id)))
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
                for board_id, name in known_boards():
                    editor.addItem(name, board_id)
                editor.setCurrentIndex(max(0, editor.findData(value if value != NO_BOARD else -1)))
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
        self.hint.setText(
            "* required. " + " ".join(f"{FIELD_LABELS[p.field]}: {p.hint}." for p in params)
            if params
            else f"{board_name(self.board_id)} needs no connection parameters."
        )
        self._say("")

    def config(self) -> BoardConfig:
        """The settings as entered (not yet checked)."""
        values: dict[str, object] = {}
        for name, editor in self.editors.items():
            if isinstance(editor, QComboBox):
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
            config = self.config().checked()
            save_profile(self.profiles_path, name, config)
        except (BoardError, OSError) as exc:
            self._say(str(exc), error=True)
            return
        self._fill_profiles()
        self.profile.setCurrentText(name)
        self._say(f"saved '{name}': start a session with --board {name} (or [body] source = \"{name}\")")

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        set_role(self.message, "error" if error else "muted")
