"""Music presets: pick one and play it (through the loop, as a manual setting), or save what plays now."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QGridLayout, QLabel, QLineEdit, QPushButton, QWidget

from studio.kernel.clock import SessionClock
from studio.loop import FusionLoop
from studio.music.presets import PresetError, load_presets, save_preset
from studio.policy import ControlMode
from ui.theme import set_role


class PresetPicker(QWidget):
    """ "Play" sets every parameter of the chosen preset by hand; "Save" stores the music playing now under the
    typed name. Problems (an unreadable preset file, a bad name) show as one line; nothing else changes.
    ``on_played(name)`` hears each preset played (the session keeps it for its report)."""

    def __init__(
        self, loop: FusionLoop, clock: SessionClock, on_played: Callable[[str], None] = lambda _name: None
    ) -> None:
        super().__init__()
        self._loop = loop
        self._clock = clock
        self._on_played = on_played
        self.choice = QComboBox()
        self.play = QPushButton("Play preset")
        self.name = QLineEdit()
        self.name.setPlaceholderText("name for the music now")
        self.save = QPushButton("Save")
        self.message = QLabel("")
        self.message.setWordWrap(True)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.choice, 0, 0)
        grid.addWidget(self.play, 0, 1)
        grid.addWidget(self.name, 1, 0)
        grid.addWidget(self.save, 1, 1)
        grid.addWidget(self.message, 2, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        self.play.clicked.connect(self.play_preset)
        self.save.clicked.connect(self.save_preset)
        self.reload()

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        set_role(self.message, "error" if error else "muted")

    def reload(self, select: str = "") -> None:
        """List every preset again (saved ones marked), keeping `select` chosen when given."""
        presets, problems = load_presets()
        self._presets = {p.name: p for p in presets}
        self.choice.clear()
        for preset in presets:
            self.choice.addItem(f"{preset.name}{' (saved)' if preset.saved else ''}", preset.name)
            self.choice.setItemData(self.choice.count() - 1, preset.description, Qt.ItemDataRole.ToolTipRole)
        if select:
            self.choice.setCurrentIndex(self.choice.findData(select))
        self._say("; ".join(problems), error=bool(problems))

    def play_preset(self) -> None:
        preset = self._presets.get(self.choice.currentData())
        if preset is None:
            return
        values = {f.name: getattr(preset.params, f.name) for f in fields(preset.params)}
        try:
            notes = self._loop.set_manual(self._clock.now(), **values)
        except ValueError as exc:  # frozen: the music stays as it is, and the operator is told why
            self._say(f"{preset.name} not played: {exc}", error=True)
            return
        self._on_played(preset.name)
        steering = "" if self._loop.mode is ControlMode.MANUAL else "; in auto mode the goal steers on from here"
        self._say("; ".join([f"playing {preset.name}", *preset.notes, *notes]) + steering)

    def save_preset(self) -> None:
        name = self.name.text().strip()
        try:
            path = save_preset(name, self._loop.params)
        except PresetError as exc:
            self._say(str(exc), error=True)
            return
        self.reload(select=name)
        self._say(f"saved {name} ({path})")
