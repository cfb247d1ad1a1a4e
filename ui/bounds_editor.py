"""The operator's limits on the music: tempo range and volume ceiling, applied together."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import QDoubleSpinBox, QGridLayout, QLabel, QPushButton, QWidget

from studio.clock import SessionClock
from studio.loop import FusionLoop
from studio.music.params import NUMERIC
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


class BoundsEditor(QWidget):
    """Apply sends the three values through ``loop.set_bounds``; a refusal is shown in red and the bounds
    in force stay as they were."""

    def __init__(self, loop: FusionLoop, clock: SessionClock) -> None:
        super().__init__()
        self._loop = loop
        self._clock = clock
        bounds = loop.bounds
        self.tempo_min = spin_for("tempo", bounds.tempo_min, 2)
        self.tempo_max = spin_for("tempo", bounds.tempo_max, 2)
        self.volume_ceiling = spin_for("volume", bounds.volume_ceiling, 1)
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
        grid.addWidget(QLabel("Ceiling"), 1, 0)
        grid.addWidget(self.volume_ceiling, 1, 1)
        grid.addWidget(self.apply, 1, 3)
        grid.addWidget(self.message, 2, 0, 1, 4)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        self.apply.clicked.connect(self.apply_bounds)

    def apply_bounds(self) -> None:
        old = self._loop.bounds
        new = replace(
            old,
            tempo_min=self.tempo_min.value(),
            tempo_max=self.tempo_max.value(),
            volume_ceiling=self.volume_ceiling.value(),
        )
        try:
            self._loop.set_bounds(new, self._clock.now())
        except ValueError as exc:
            self.message.setText(
                f"{exc}. Still in force: {old.tempo_min:g}–{old.tempo_max:g} BPM, ceiling {old.volume_ceiling:g} dBFS."
            )
            set_role(self.message, "error")
            return
        self.message.setText(f"In force: {new.tempo_min:g}–{new.tempo_max:g} BPM, ceiling {new.volume_ceiling:g} dBFS.")
        set_role(self.message, "muted")
