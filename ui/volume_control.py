"""The operator's volume: a slider on the output ceiling (dBFS) that acts at once, in every control mode.

The music never plays above the ceiling; the policy chooses its loudness below it. Moving the slider is
logged like any bounds change (the control log says who changed what)."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSlider, QWidget

from studio.kernel.clock import SessionClock
from studio.loop import FusionLoop
from studio.music.params import NUMERIC
from studio.policy import Bounds
from ui.relay import Relay

STEP_DB = 1  # per arrow key; Page Up/Down move 6 dB


class VolumeControl(QWidget):
    """'Volume' with a slider from the quietest to the loudest allowed ceiling and the value in dBFS: the
    console's one volume control (the limits and the manual sliders leave loudness to it)."""

    def __init__(self, loop: FusionLoop, clock: SessionClock) -> None:
        super().__init__()
        self._loop, self._clock = loop, clock
        rng = NUMERIC["volume"]
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(round(rng.low), round(rng.high))
        self.slider.setSingleStep(STEP_DB)
        self.slider.setPageStep(6)
        self.slider.setTracking(False)  # a drag applies where it is let go; keys apply at each step
        self.slider.setToolTip("The loudest the music may play (dBFS); it applies at once, in every mode")
        self.slider.setAccessibleName("Volume")
        self.value = QLabel("")
        self.value.setMinimumWidth(self.value.fontMetrics().horizontalAdvance("-60 dBFS") + 4)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.value)
        self.slider.sliderMoved.connect(lambda v: self.value.setText(f"{v} dBFS"))
        self.slider.valueChanged.connect(self._apply)
        self.show_ceiling(loop.bounds)
        Relay(loop.events.bounds, self.show_ceiling, self)

    def _apply(self, dbfs: int) -> None:
        bounds = self._loop.bounds
        if dbfs != bounds.volume_ceiling:
            self._loop.set_bounds(replace(bounds, volume_ceiling=float(dbfs)), self._clock.now())
        self.value.setText(f"{dbfs} dBFS")

    def show_ceiling(self, bounds: Bounds) -> None:
        """Follow the ceiling in force (the bounds event: a session's settings or a script may change it)."""
        ceiling = round(bounds.volume_ceiling)
        if not self.slider.isSliderDown() and self.slider.value() != ceiling:
            self.slider.blockSignals(True)
            self.slider.setValue(ceiling)
            self.slider.blockSignals(False)
            self.value.setText(f"{ceiling} dBFS")
