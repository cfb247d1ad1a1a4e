"""Music controls: start and fade-out, goal, auto/manual, the operator's limits, manual sliders, and output."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from studio.app import Studio
from studio.music.params import MusicParams
from studio.policy import ControlMode, Goal
from ui.bounds_editor import BoundsEditor
from ui.level_meter import LevelMeter
from ui.manual_controls import ManualControls
from ui.theme import set_role


def describe_params(p: MusicParams) -> str:
    """The music now, in three short lines."""
    return (
        f"{p.tempo:.0f} BPM · {p.mode} · {p.volume:.1f} dBFS\n"
        f"brightness {p.brightness:.2f} · density {p.density:.2f} · space {p.space:.2f}\n"
        f"tension {p.tension:.2f} · register {p.register:+.0f} st · {', '.join(sorted(p.layers))}"
    )


class MusicPanel(QWidget):
    """Three boxes: Music (transport, goal, mode, limits), Manual control, and Output (what plays, where)."""

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
        self.auto = QRadioButton("auto")
        self.manual = QRadioButton("manual")
        self._modes = QButtonGroup(self)
        self._modes.addButton(self.auto)
        self._modes.addButton(self.manual)
        (self.manual if loop.mode is ControlMode.MANUAL else self.auto).setChecked(True)
        self.bounds = BoundsEditor(loop, clock)
        self.manual_controls = ManualControls(loop, clock)
        self.manual_controls.set_active(loop.mode is ControlMode.MANUAL)
        self.params = QLabel(describe_params(loop.params))
        set_role(self.params, "readout")
        self.meter = LevelMeter()
        self.backend = QLabel(f"Audio: {studio.engine.backend.detail}")
        self.backend.setWordWrap(True)
        set_role(self.backend, "muted")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._music_box())
        layout.addWidget(self._boxed("Manual control", self.manual_controls))
        layout.addWidget(self._output_box())

        self.start_button.clicked.connect(self.fade_in)
        self.fade_button.clicked.connect(self.fade_out)
        self.goal.currentTextChanged.connect(lambda goal: loop.set_goal(goal, clock.now()))
        self.manual.toggled.connect(self._mode_changed)
        self._show_playing(studio.playing)

    @staticmethod
    def _boxed(title: str, content: QWidget) -> QGroupBox:
        box = QGroupBox(title)
        QVBoxLayout(box).addWidget(content)
        return box

    def _music_box(self) -> QGroupBox:
        box = QGroupBox("Music")
        transport = QHBoxLayout()
        transport.addWidget(self.start_button)
        transport.addWidget(self.fade_button, 1)
        modes = QHBoxLayout()
        modes.addWidget(self.auto)
        modes.addWidget(self.manual)
        modes.addStretch(1)
        form = QFormLayout()
        form.addRow("Goal", self.goal)
        form.addRow("Control", modes)
        layout = QVBoxLayout(box)
        layout.addLayout(transport)
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

    def _mode_changed(self, manual: bool) -> None:
        mode = ControlMode.MANUAL if manual else ControlMode.AUTO
        self._studio.loop.set_mode(mode, self._studio.clock.now())
        self.manual_controls.set_active(manual)

    def fade_out(self) -> None:
        """Fade the music to silence (the safety control: always acts, also when already faded)."""
        self._studio.fade_out()
        self._show_playing(False)

    def fade_in(self) -> None:
        self._studio.fade_in()
        self._show_playing(True)

    def refresh(self, now: float) -> None:
        self.params.setText(describe_params(self._studio.loop.params))
        self.meter.set_level(self._studio.engine.peak_dbfs())
        self.manual_controls.refresh(now)
