"""Music controls: start and fade-out, volume, goal and its point, control mode, the operator's limits, manual
sliders, the control log, and output. A waiting suggestion is a card above the panels (suggestion_card.py)."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from fusion.response import ResponseModel
from studio.app import Studio
from studio.goal_plan import Goal
from studio.levers import response_words
from studio.music.params import MusicParams
from studio.policy import ControlMode, PolicyKind
from ui.bounds_editor import BoundsEditor
from ui.control_log_view import ControlLogView
from ui.level_meter import LevelMeter
from ui.manual_controls import ManualControls
from ui.relay import Relay
from ui.theme import set_role
from ui.volume_control import VolumeControl


def learned_words(model: ResponseModel, policy: PolicyKind) -> str:
    """What the studio knows about this person's response to the music, in one line."""
    visits = f"; from {model.sessions} earlier sessions and this one" if model.sessions else ""
    steering = "" if policy is PolicyKind.ADAPTIVE else " (the fixed policy does not use it)"
    return f"This person: {response_words(model)} (response lag about {model.lag_s:.0f} s{visits}){steering}"


def describe_params(p: MusicParams) -> str:
    """The music now, in three short lines."""
    return (
        f"{p.tempo:.0f} BPM · {p.mode} · {p.volume:.1f} dBFS\n"
        f"brightness {p.brightness:.2f} · density {p.density:.2f} · space {p.space:.2f}\n"
        f"tension {p.tension:.2f} · register {p.register:+.0f} st · {', '.join(sorted(p.layers))}"
    )


class MusicPanel(QWidget):
    """Boxes for Music (transport, goal, mode, limits), Manual control / Control log (tabs), and Output (what
    plays, where)."""

    def __init__(self, studio: Studio) -> None:
        super().__init__()
        self._studio = studio
        loop, clock = studio.loop, studio.clock
        self.start_button = QPushButton("Start music")
        self.fade_button = QPushButton("Fade out  (Esc)")
        self.fade_button.setObjectName("fadeOut")
        self.goal = QComboBox()
        self.goal.addItems([g.value for g in Goal])
        self.goal.setCurrentText(loop.goal.value)
        self.goal_point = [self._point_box(value) for value in loop.goal_point]
        self.mode_buttons = {mode: QRadioButton(mode.value) for mode in ControlMode}
        self._modes = QButtonGroup(self)
        for button in self.mode_buttons.values():
            self._modes.addButton(button)
        self.mode_buttons[loop.mode].setChecked(True)
        self.bounds = BoundsEditor(loop, clock)
        self.volume = VolumeControl(loop, clock)
        self.control_log = ControlLogView(loop.control_log)
        self.manual_controls = ManualControls(loop, clock)
        self.manual_controls.set_active(loop.mode is ControlMode.MANUAL)
        self.trying = QLabel()
        self.trying.setWordWrap(True)
        self.learned = QLabel()
        self.learned.setWordWrap(True)
        set_role(self.learned, "muted")
        self.params = QLabel(describe_params(loop.params))
        set_role(self.params, "readout")
        self.meter = LevelMeter()
        self.backend = QLabel(f"Audio: {studio.engine.backend.detail}")
        self.backend.setWordWrap(True)
        set_role(self.backend, "muted")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._music_box())
        tabs = QTabWidget()
        tabs.addTab(self.manual_controls, "Manual control")
        tabs.addTab(self.control_log, "Control log")
        layout.addWidget(tabs)
        layout.addWidget(self._output_box())

        self.start_button.clicked.connect(self.fade_in)
        self.fade_button.clicked.connect(self.fade_out)
        self.goal.currentTextChanged.connect(self._goal_changed)
        for box in self.goal_point:
            box.editingFinished.connect(self._point_changed)
        for mode, button in self.mode_buttons.items():
            button.toggled.connect(lambda on, m=mode: on and self._mode_changed(m))
        self._show_playing(studio.playing)
        Relay(loop.events.goal, self.show_goal, self)  # whoever changes them (a suggestion, a script, another
        Relay(loop.events.mode, self.show_mode, self)  # view), the controls show the goal and mode in force

    def _music_box(self) -> QGroupBox:
        box = QGroupBox("Steering")
        transport = QHBoxLayout()
        transport.addWidget(self.start_button)
        transport.addWidget(self.fade_button, 1)
        modes = QHBoxLayout()
        for button in self.mode_buttons.values():
            modes.addWidget(button)
        modes.addStretch(1)
        point = QHBoxLayout()
        for caption, spin in zip(("valence", "arousal"), self.goal_point, strict=True):
            point.addWidget(QLabel(caption))
            point.addWidget(spin)
        form = QFormLayout()
        form.addRow("Volume", self.volume)
        form.addRow("Goal", self.goal)
        form.addRow("Goal point", point)
        form.addRow("Control", modes)
        layout = QVBoxLayout(box)
        layout.addLayout(transport)
        layout.addWidget(self.trying)
        layout.addWidget(self.learned)
        layout.addLayout(form)
        layout.addWidget(self.bounds)
        return box

    def _output_box(self) -> QGroupBox:
        box = QGroupBox("Output")
        layout = QVBoxLayout(box)
        layout.addWidget(self.params)
        layout.addWidget(self.meter)
        layout.addWidget(self.backend)
        return box

    def _show_playing(self, playing: bool) -> None:
        self.start_button.setEnabled(not playing)
        self.fade_button.setEnabled(playing)

    @staticmethod
    def _point_box(value: float) -> QDoubleSpinBox:
        box = QDoubleSpinBox()
        box.setRange(-1.0, 1.0)  # the plane: the box cannot hold a point outside it
        box.setSingleStep(0.1)
        box.setDecimals(2)
        box.setValue(value)
        box.setToolTip("Where the goal leads on the valence-arousal plane (-1..1); iso leads here step by step")
        return box

    def _goal_changed(self, goal: str) -> None:
        """A new goal brings its own point (the goal event then shows it in the boxes)."""
        self._studio.loop.set_goal(goal, self._studio.clock.now())

    def show_goal(self, chosen: tuple[Goal, tuple[float, float]]) -> None:
        """The goal and point in force, without sending them back to the loop."""
        goal, point = chosen
        with QSignalBlocker(self.goal):
            self.goal.setCurrentText(goal.value)
        for box, value in zip(self.goal_point, point, strict=True):
            with QSignalBlocker(box):
                box.setValue(value)

    def show_mode(self, mode: ControlMode) -> None:
        with QSignalBlocker(self.mode_buttons[mode]):
            self.mode_buttons[mode].setChecked(True)
        self.manual_controls.set_active(mode is ControlMode.MANUAL)

    def _point_changed(self) -> None:
        loop = self._studio.loop
        point = (self.goal_point[0].value(), self.goal_point[1].value())
        if point != loop.goal_point:
            loop.set_goal(loop.goal, self._studio.clock.now(), point)

    def _mode_changed(self, mode: ControlMode) -> None:
        self._studio.loop.set_mode(mode, self._studio.clock.now())
        self.manual_controls.set_active(mode is ControlMode.MANUAL)

    def fade_out(self) -> None:
        """Fade the music to silence (the safety control: always acts, also when already faded)."""
        self._studio.fade_out()
        self._show_playing(False)

    def fade_in(self) -> None:
        self._studio.fade_in()
        self._show_playing(True)

    def refresh(self, now: float) -> None:
        loop = self._studio.loop
        self.trying.setText(f"Now: {loop.trying or 'waiting for the first estimate'}")
        self.learned.setText(learned_words(loop.response, loop.policy_kind))
        self.params.setText(describe_params(loop.params))
        self._show_playing(self._studio.playing)  # a session's start and end fade the music too
        self.meter.set_level(self._studio.engine.peak_dbfs())
        self.manual_controls.refresh(now)
        self.control_log.refresh(now)
