"""The operator's limits on the music: tempo range, rate of change, allowed modes and layers (the volume ceiling
is the Volume slider's), applied together."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from PySide6.QtWidgets import QCheckBox, QDoubleSpinBox, QGridLayout, QHBoxLayout, QLabel, QPushButton, QWidget

from studio.kernel.clock import SessionClock
from studio.loop import FusionLoop
from studio.music.params import LAYERS, MODES, NUMERIC
from studio.policy import Bounds
from ui.relay import Relay
from ui.theme import set_role


def spin_for(param: str, value: float, step: float) -> QDoubleSpinBox:
    """A spin box limited to ``param``'s range, showing its unit."""
    rng = NUMERIC[param]
    spin = QDoubleSpinBox()
    spin.setRange(rng.low, rng.high)
    spin.setDecimals(0)
    spin.setSingleStep(step)
    spin.setSuffix(f" {rng.unit}")
    spin.setValue(value)
    return spin


def row_of(widgets: Iterable[QWidget]) -> QHBoxLayout:
    row = QHBoxLayout()
    for widget in widgets:
        row.addWidget(widget)
    row.addStretch(1)
    return row


def in_force(b: Bounds) -> str:
    return f"{b.tempo_min:g}–{b.tempo_max:g} BPM, ceiling {b.volume_ceiling:g} dBFS, {b.max_change_per_min:g}/min"


class BoundsEditor(QWidget):
    """Apply sends the values through ``loop.set_bounds``; a refusal is shown in red and the bounds in force
    stay as they were."""

    def __init__(self, loop: FusionLoop, clock: SessionClock) -> None:
        super().__init__()
        self._loop = loop
        self._clock = clock
        bounds = loop.bounds
        self.tempo_min = spin_for("tempo", bounds.tempo_min, 2)
        self.tempo_max = spin_for("tempo", bounds.tempo_max, 2)
        self.change = QDoubleSpinBox()
        self.change.setRange(0.05, 10.0)
        self.change.setSingleStep(0.05)
        self.change.setSuffix(" of range/min")
        self.change.setValue(bounds.max_change_per_min)
        self.change.setToolTip("The most the policy may move any parameter per minute, as a share of its range")
        self.modes = {m: QCheckBox(m) for m in MODES}
        self.layers = {name: QCheckBox(name) for name in LAYERS}
        for name, box in (*self.modes.items(), *self.layers.items()):
            box.setChecked(name in bounds.allowed_modes or name in bounds.allowed_layers)
        self.apply = QPushButton("Apply limits")
        self.message = QLabel("")
        self.message.setWordWrap(True)
        set_role(self.message, "muted")
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(QLabel("Tempo"), 0, 0)
        grid.addWidget(self.tempo_min, 0, 1)
        grid.addWidget(QLabel("to"), 0, 2)
        grid.addWidget(self.tempo_max, 0, 3)
        grid.addWidget(QLabel("Change"), 1, 0)
        grid.addWidget(self.change, 1, 1, 1, 2)
        grid.addWidget(QLabel("Modes"), 3, 0)
        grid.addLayout(row_of(self.modes.values()), 3, 1, 1, 3)
        grid.addWidget(QLabel("Layers"), 4, 0)
        grid.addLayout(row_of(self.layers.values()), 4, 1, 1, 3)
        grid.addWidget(self.apply, 1, 3)
        grid.addWidget(self.message, 5, 0, 1, 4)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        self.apply.clicked.connect(self.apply_bounds)
        Relay(loop.events.bounds, self.show_bounds, self)

    def show_bounds(self, bounds: Bounds) -> None:
        """The bounds in force (the bounds event: the volume slider, a session's settings or a script changed them)."""
        for spin, value in (
            (self.tempo_min, bounds.tempo_min),
            (self.tempo_max, bounds.tempo_max),
            (self.change, bounds.max_change_per_min),
        ):
            spin.setValue(value)
        for name, box in (*self.modes.items(), *self.layers.items()):
            box.setChecked(name in bounds.allowed_modes or name in bounds.allowed_layers)

    def apply_bounds(self) -> None:
        old = self._loop.bounds
        new = replace(
            old,
            tempo_min=self.tempo_min.value(),
            tempo_max=self.tempo_max.value(),
            max_change_per_min=self.change.value(),
            allowed_modes=tuple(m for m, box in self.modes.items() if box.isChecked()),
            allowed_layers=frozenset(name for name, box in self.layers.items() if box.isChecked()),
        )
        try:
            self._loop.set_bounds(new, self._clock.now())
        except ValueError as exc:
            self.message.setText(f"{exc}. Still in force: {in_force(old)}.")
            set_role(self.message, "error")
            return
        self.message.setText(f"In force: {in_force(new)}.")
        set_role(self.message, "muted")
