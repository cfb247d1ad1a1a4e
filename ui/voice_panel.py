"""The voice channel's controls: input level, microphone picker, calibration, and the live pitch plot."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QGridLayout, QGroupBox, QLabel, QPushButton

from sensors.microphone import MicrophoneFeed, input_devices
from sensors.voice import PROSODY, VoiceSource, level_dbfs
from studio.app import Studio
from ui.level_meter import LevelMeter
from ui.pitch_plot import PitchPlot
from ui.theme import set_role

CALIBRATION_S = 30.0
LEVEL_WINDOW_S = 0.1  # the meter shows the loudest frame of the last 0.1 s


class DevicePicker(QComboBox):
    """Lists the input devices PortAudio sees now; choosing one switches the microphone to it."""

    def __init__(self, feed: MicrophoneFeed | None, backend: str) -> None:
        super().__init__()
        self._feed = feed
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(12)  # a long device name is cut in the box, not the panel widened
        self.setEnabled(feed is not None)
        if feed is None:
            self.addItem(f"{backend} (not a microphone)")
            return
        self.reload()
        self.activated.connect(self._chosen)

    def reload(self) -> None:
        """List the devices again (a device plugged in since shows up)."""
        assert self._feed is not None
        self.clear()
        self.addItem("default input", None)
        for device in input_devices():
            self.addItem(f"{device.index}: {device.name}", device.index)
        current = self.findData(self._feed.device)
        self.setCurrentIndex(max(0, current))

    def _chosen(self, row: int) -> None:
        assert self._feed is not None
        self._feed.use_device(self.itemData(row))


class VoicePanel(QGroupBox):
    """Input level meter, device picker, calibrate button, and pitch contour of the voice channel."""

    def __init__(self, studio: Studio) -> None:
        super().__init__("Voice")
        self._hub = studio.hub
        source = studio.sources["voice"]
        self._source = source if isinstance(source, VoiceSource) else None
        feed = self._source.feed if self._source is not None else None
        self.meter = LevelMeter()
        self.picker = DevicePicker(feed if isinstance(feed, MicrophoneFeed) else None, source.backend)
        self.rescan = QPushButton("Rescan")
        self.rescan.setEnabled(self.picker.isEnabled())
        self.rescan.clicked.connect(self.picker.reload)
        self.calibrate = QPushButton(f"Calibrate ({CALIBRATION_S:.0f} s)")
        self.calibrate.setToolTip("Ask for calm, neutral speech; the voice estimate is then relative to it")
        self.calibrate.setEnabled(self._source is not None)
        self.calibrate.clicked.connect(self._calibrate)
        self.note = QLabel("")
        set_role(self.note, "muted")
        self.pitch = PitchPlot(studio.hub)
        grid = QGridLayout(self)
        grid.addWidget(QLabel("Input"), 0, 0)
        grid.addWidget(self.meter, 0, 1, 1, 2)
        grid.addWidget(self.picker, 1, 0, 1, 2)
        grid.addWidget(self.rescan, 1, 2)
        grid.addWidget(self.calibrate, 2, 0, 1, 2)
        grid.addWidget(self.note, 2, 2)
        grid.addWidget(self.pitch, 3, 0, 1, 3)
        grid.setColumnStretch(1, 1)

    def _calibrate(self) -> None:
        assert self._source is not None
        self._source.calibrate(CALIBRATION_S)
        self.note.setText("speak calmly…")

    def refresh(self, now: float) -> None:
        if PROSODY in self._hub:
            window = self._hub.get(PROSODY).last(LEVEL_WINDOW_S)
            level = float(level_dbfs(window.values[:, 1]).max()) if len(window) else -120.0
            self.meter.set_level(level)
        if self._source is not None and "calibrating" not in self._source.status.detail:
            self.note.setText("baseline set" if self._source.baseline() is not None else "")
        self.pitch.refresh(now)
