"""Sliders for setting the music by hand (manual mode): tempo, brightness and mode (the volume has its own one
control, in every mode)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QGridLayout, QLabel, QSlider, QWidget

from studio.kernel.clock import SessionClock
from studio.loop import FusionLoop
from studio.music.params import MODES, NUMERIC, MusicParams
from ui.theme import set_role

# parameter -> slider steps per unit of the parameter (brightness 0..1 in hundredths)
SLIDERS = {"tempo": 1, "brightness": 100}  # loudness has one control: the Volume slider


class ParamSlider:
    """A slider for one numeric music parameter, with its value written beside it."""

    def __init__(self, param: str, steps_per_unit: int) -> None:
        rng = NUMERIC[param]
        self.param = param
        self.steps = steps_per_unit
        self.unit = rng.unit
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(round(rng.low * steps_per_unit), round(rng.high * steps_per_unit))
        self.slider.setTracking(False)  # one change (and one log entry) per release, not per pixel dragged
        self.value_label = QLabel()
        self.value_label.setMinimumWidth(78)
        set_role(self.value_label, "readout")
        self.slider.sliderMoved.connect(self._show)
        self.slider.valueChanged.connect(self._show)

    def value(self) -> float:
        return self.slider.value() / self.steps

    def show_value(self, value: float) -> None:
        """Move the slider to ``value`` without emitting a change."""
        self.slider.blockSignals(True)
        self.slider.setValue(round(value * self.steps))
        self.slider.blockSignals(False)
        self._show(self.slider.value())

    def _show(self, position: int) -> None:
        value = position / self.steps
        text = f"{value:.2f}" if self.steps > 1 else f"{value:.0f}"
        self.value_label.setText(f"{text} {self.unit}".strip())


class ManualControls(QWidget):
    """Active only in manual mode; each change goes through ``loop.set_manual`` (clamped into the bounds).

    In auto mode the sliders follow the music, so switching to manual starts from what is playing.
    """

    def __init__(self, loop: FusionLoop, clock: SessionClock) -> None:
        super().__init__()
        self._loop = loop
        self._clock = clock
        self.sliders = {name: ParamSlider(name, steps) for name, steps in SLIDERS.items()}
        self.mode = QComboBox()
        self.mode.addItems(MODES)
        self.notes = QLabel("")
        self.notes.setWordWrap(True)
        set_role(self.notes, "muted")
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setVerticalSpacing(2)
        for row, ps in enumerate(self.sliders.values()):
            grid.addWidget(QLabel(ps.param.capitalize()), row, 0)
            grid.addWidget(ps.slider, row, 1)
            grid.addWidget(ps.value_label, row, 2)
            ps.slider.valueChanged.connect(lambda _pos, ps=ps: self._set(**{ps.param: ps.value()}))
        grid.addWidget(QLabel("Mode"), len(self.sliders), 0)
        grid.addWidget(self.mode, len(self.sliders), 1, 1, 2)
        grid.addWidget(self.notes, len(self.sliders) + 1, 0, 1, 3)
        grid.setColumnStretch(1, 1)
        self.mode.currentTextChanged.connect(lambda mode: self._set(mode=mode))
        self._shown: MusicParams | None = None
        self.set_active(False)

    def set_active(self, active: bool) -> None:
        self.setEnabled(active)
        self.notes.setText("" if active else "Switch to manual to set the music by hand.")

    def _set(self, **values: float | str) -> None:
        notes = self._loop.set_manual(self._clock.now(), **values)
        self.notes.setText("; ".join(notes))

    def follow(self, params: MusicParams) -> None:
        """Show ``params`` on the controls without applying them (auto mode)."""
        if params == self._shown:
            return
        for name, ps in self.sliders.items():
            ps.show_value(params.numeric(name))
        self.mode.blockSignals(True)
        self.mode.setCurrentText(params.mode)
        self.mode.blockSignals(False)
        self._shown = params

    def refresh(self, now: float) -> None:
        if not self.isEnabled():
            self.follow(self._loop.params)
