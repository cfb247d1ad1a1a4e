"""The settings dialog: what used to need a hand-edited TOML file (outputs, markers, audio, the channels'
weights, consent defaults), checked exactly as the settings file is and saved into the user's settings file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from sensors.base import CHANNELS
from studio.config import (
    AUDIO_BACKENDS,
    SETTING_RANGES,
    ConfigError,
    check_settings,
    comma_separated,
    settings_toml,
    user_settings,
)
from ui.theme import set_role

HEADER = (
    "Affect Studio settings, saved by the settings dialog. A setting left out keeps its default\n"
    "(resources/default_config.toml lists them all with what they do)."
)
ORIGIN = "the settings dialog"


def overlay(base: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """``new`` over ``base``, table by table (a setting ``new`` leaves out keeps ``base``'s)."""
    out = dict(base)
    for key, value in new.items():
        old = out.get(key)
        out[key] = overlay(old, value) if isinstance(value, dict) and isinstance(old, dict) else value
    return out


def port_box(key: str, value: int) -> QSpinBox:
    low, high, _ = SETTING_RANGES[key]
    box = QSpinBox()
    box.setRange(int(low), int(high))
    box.setValue(value)
    return box


def form_box(title: str, rows: list[tuple[str, QWidget]]) -> QGroupBox:
    """A titled group of labelled fields (a row with no label spans the width)."""
    box = QGroupBox(title)
    form = QFormLayout(box)
    for label, widget in rows:
        if label:
            form.addRow(label, widget)
        else:
            form.addRow(widget)
    return box


class SettingsDialog(QDialog):
    """Not modal. Save checks the values as the settings file is checked; a refusal names the value and the
    file is left as it was. The studio uses saved settings from its next start."""

    def __init__(self, path: Path, parent: QWidget | None = None, streams: str = "") -> None:
        """``streams``: the outputs streaming now with their measured rates, as the Outputs panel shows them."""
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.path = path
        self.message = QLabel("")
        self.message.setWordWrap(True)
        try:
            self._given = user_settings(path)
            current = check_settings(self._given, str(path))
        except ConfigError as exc:  # a broken file: start from the defaults, say so, and save over it only on Save
            self._given = {}
            current = check_settings({}, ORIGIN)
            self._say(f"{exc}. The dialog shows the defaults; Save replaces the file.", error=True)
        out, markers, consent = current["outputs"], current["markers"], current["consent"]
        self.lsl = QCheckBox("LSL outlets (fused affect, each channel, music, markers, EEG)")
        self.lsl.setChecked(out["lsl"])
        self.lsl_prefix = QLineEdit(out["lsl_prefix"])
        self.osc = QCheckBox("OSC messages")
        self.osc.setChecked(out["osc"])
        self.osc_host = QLineEdit(out["osc_host"])
        self.osc_port = port_box("outputs.osc_port", out["osc_port"])
        self.streams = QLabel(f"Streaming now:\n{streams}" if streams else "No output is streaming in this session.")
        set_role(self.streams, "readout")
        self.remote_port = port_box("remote.port", current["remote"]["port"])
        self.remote_port.setSpecialValueText("off")
        self.remote_address = QLineEdit(current["remote"]["address"])
        self.marker_labels = QLineEdit(", ".join(markers["labels"]))
        self.marker_keys = QLineEdit(", ".join(markers["keys"]))
        self.marker_stream = QLineEdit(markers["lsl_stream"])
        self.marker_stream.setPlaceholderText("none")
        self.marker_port = port_box("markers.osc_port", markers["osc_port"])
        self.marker_codes = QLineEdit(", ".join(str(c) for c in markers["codes"]))
        self.marker_codes.setPlaceholderText("none: markers without event codes")
        self.audio_backend = QComboBox()
        self.audio_backend.addItems(AUDIO_BACKENDS)
        self.audio_backend.setCurrentText(current["audio"]["backend"])
        self.audio_device = QLineEdit(current["audio"]["device"])
        self.audio_device.setPlaceholderText("the system's default output")
        low, high, _ = SETTING_RANGES["channels.weights"]
        self.weights: dict[str, QDoubleSpinBox] = {}
        for channel in CHANNELS:
            box = QDoubleSpinBox()
            box.setRange(low, high)
            box.setSingleStep(0.1)
            box.setValue(float(current["channels"]["weights"][channel]))
            self.weights[channel] = box
        self.consent = {key: QCheckBox(text) for key, text in CONSENT.items()}
        for key, box in self.consent.items():
            box.setChecked(consent[key])
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.close)
        content = QWidget()
        boxes = QVBoxLayout(content)
        forms: list[tuple[str, list[tuple[str, QWidget]]]] = [
            (
                "Outputs on the network (nothing leaves this machine unless turned on)",
                [
                    ("", self.lsl),
                    ("LSL stream names start with", self.lsl_prefix),
                    ("", self.osc),
                    ("OSC to address", self.osc_host),
                    ("OSC to port", self.osc_port),
                    ("", self.streams),
                ],
            ),
            (
                "Remote control by lab scripts (one command a line over TCP: marker, status, start, stop)",
                [("Port", self.remote_port), ("Listen on address", self.remote_address)],
            ),
            (
                "Markers",
                [
                    ("Buttons (comma-separated)", self.marker_labels),
                    ("Their keys, in order", self.marker_keys),
                    ("Their event codes, in order", self.marker_codes),
                    ("Take markers from the LSL stream", self.marker_stream),
                    ("Take OSC /marker on port (0: none)", self.marker_port),
                ],
            ),
            ("Audio", [("Output", self.audio_backend), ("Device (number or part of its name)", self.audio_device)]),
        ]
        for title, rows in forms:
            boxes.addWidget(form_box(title, rows))
        boxes.addWidget(self._weights_box())
        consent_box = QGroupBox("Consent a client gives unless the session says otherwise")
        consent_layout = QVBoxLayout(consent_box)
        for box in self.consent.values():
            consent_layout.addWidget(box)
        boxes.addWidget(consent_box)
        scroll = QScrollArea()  # on a laptop's screen the boxes scroll; the buttons stay in sight
        scroll.setWidget(content)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        where = QLabel(f"Saved into {path}; the studio uses them from its next start.")
        where.setWordWrap(True)
        set_role(where, "muted")
        layout.addWidget(where)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        area = self.screen().availableGeometry()
        self.resize(min(660, area.width()), min(content.sizeHint().height() + 140, area.height() - 60))

    def _weights_box(self) -> QGroupBox:
        box = QGroupBox("How much each channel counts (0 switches it off)")
        grid = QGridLayout(box)
        for column, (channel, spin) in enumerate(self.weights.items()):
            grid.addWidget(QLabel(channel), 0, column)
            grid.addWidget(spin, 1, column)
        return box

    def values(self) -> dict[str, Any]:
        """The dialog's settings as the tables of a settings file."""
        return {
            "outputs": {
                "lsl": self.lsl.isChecked(),
                "lsl_prefix": self.lsl_prefix.text().strip(),
                "osc": self.osc.isChecked(),
                "osc_host": self.osc_host.text().strip(),
                "osc_port": self.osc_port.value(),
            },
            "markers": {
                "labels": comma_separated(self.marker_labels.text()),
                "keys": comma_separated(self.marker_keys.text()),
                "lsl_stream": self.marker_stream.text().strip(),
                "osc_port": self.marker_port.value(),
                "codes": [int(c) if c.lstrip("-").isdigit() else c for c in comma_separated(self.marker_codes.text())],
            },
            "remote": {"port": self.remote_port.value(), "address": self.remote_address.text().strip()},
            "audio": {"backend": self.audio_backend.currentText(), "device": self.audio_device.text().strip()},
            "channels": {"weights": {channel: round(box.value(), 2) for channel, box in self.weights.items()}},
            "consent": {key: box.isChecked() for key, box in self.consent.items()},
        }

    def save(self) -> bool:
        """Check the settings as the file is checked and write them (over the file's own settings); False with
        the reason shown when they are refused."""
        given = overlay(self._given, self.values())
        try:
            check_settings(given, ORIGIN)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text(settings_toml(given, HEADER), encoding="utf-8")
        except ConfigError as exc:
            self._say(f"Not saved: {exc}", error=True)
            return False
        except OSError as exc:
            self._say(f"Not saved: cannot write {self.path} ({exc.strerror or exc})", error=True)
            return False
        self._given = given
        self._say(f"Saved to {self.path}. The studio uses these settings from its next start.", error=False)
        return True

    def _say(self, text: str, error: bool) -> None:
        self.message.setText(text)
        set_role(self.message, "error" if error else "muted")


CONSENT = {
    "raw_audio": "keep raw audio",
    "raw_video": "keep raw video",
    "research": "allow data exports for research (CSV, Parquet, EDF); the report is always allowed",
}
