"""Publishing the live session on the lab network: LSL outlets (for LabRecorder and other tools) and OSC
messages (python-osc). Off unless turned on in the settings' ``[outputs]``.

LSL outlets, named ``<prefix>-<what>``: ``Affect`` (fused valence, arousal, confidence at the loop rate),
``Affect-<channel>`` (each channel's estimate, irregular), ``Music`` (the music parameters at the loop rate: the
numeric ones, the mode as its index, 1 or 0 per layer), ``Markers`` (text), and one outlet per raw body stream
at the device's rate, as acquired: ``EEG`` (microvolts), ``PPG``, ``ECG``, ``EDA``, ``Accel``, ``Gyro`` and
``Temperature``, each that the source has. Every outlet describes its channels as the XDF meta-data
specification asks (``desc/channels/channel`` with ``label``, ``unit`` and ``type``); a coded channel (the mode,
each layer) has a ``legend`` of ``state`` entries, each a ``value`` and its ``name``. Timestamps are LSL's clock,
so they line up with the lab's other streams. OSC: ``/affect/fused v a c``, ``/affect/<channel> v a c``,
``/music/<param> value`` and ``/music/layers "name" ...`` (each when it changes) and ``/marker "label"``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fusion.affect import AFFECT_FIELDS
from sensors.base import affect_spec
from sensors.body_pipeline import EEG, RAW
from studio.kernel.clock import SessionClock
from studio.kernel.cursor import Cursor
from studio.kernel.events import EventLog, Marker
from studio.kernel.streams import Stream, StreamHub
from studio.loop import FUSED, LAYER_FIELDS, MUSIC, MUSIC_FIELDS
from studio.music.params import LAYERS, MODES, NUMERIC
from studio.session import Outputs

log = logging.getLogger(__name__)
PERIOD = 0.05  # seconds between sends
SOURCE_ID = "affect-studio"
EEG_KEY = "eeg"  # its key among the streams sent (the body channel's affect is sent under "body")
# Each raw body stream's outlet: (its key among the streams sent, the outlet's name and type); not sent over OSC.
RAW_OUTLETS = {EEG: (EEG_KEY, "EEG")} | {spec: (f"raw-{kind}", kind.upper()) for kind, spec in RAW.items()}
RAW_OUTLETS |= {RAW["accel"]: ("raw-accel", "Accel"), RAW["gyro"]: ("raw-gyro", "Gyro")}
RAW_OUTLETS |= {RAW["temperature"]: ("raw-temperature", "Temperature")}
RAW_KEYS = {key for key, _ in RAW_OUTLETS.values()}
XDF_UNITS = {"µV": "microvolts", "µS": "microsiemens", "g": "g", "deg/s": "degrees/s", "°C": "celsius"}


@dataclass(frozen=True)
class ChannelInfo:
    """One channel's LSL description: XDF's ``label``, ``unit`` and ``type``, and for a coded value the names
    of its codes 0, 1, 2, ... (its ``legend``)."""

    label: str
    unit: str
    type: str
    legend: tuple[str, ...] = ()


AFFECT_CHANNELS = tuple(ChannelInfo(f, "normalized", f.capitalize()) for f in AFFECT_FIELDS)  # -1..1, 0..1
MARKER_CHANNELS = (ChannelInfo("label", "text", "Marker"),)


def music_channels() -> tuple[ChannelInfo, ...]:
    """The Music outlet's channels, in MUSIC_FIELDS order: units from NUMERIC ("normalized" for the 0..1 ones),
    the mode's index with the MODES legend, and each layer as 0 (off) or 1 (playing)."""
    layers = dict(zip(LAYER_FIELDS, LAYERS, strict=True))
    out = []
    for name in MUSIC_FIELDS:
        if name in NUMERIC:
            out.append(ChannelInfo(name, NUMERIC[name].unit or "normalized", "MusicParameter"))
        elif name == "mode":
            out.append(ChannelInfo(name, "index", "MusicMode", MODES))
        else:
            out.append(ChannelInfo(name, "boolean", "MusicLayer", (f"{layers[name]} off", f"{layers[name]} on")))
    return tuple(out)


def lsl_offset(clock: SessionClock) -> float:
    """LSL's clock (seconds) at session time 0: add it to a session time to get an LSL timestamp."""
    import pylsl

    return float(pylsl.local_clock()) - clock.now()


class Publisher:
    """Sends what is new in the session's streams on every ``step`` (a worker calls it every PERIOD s)."""

    def __init__(
        self,
        hub: StreamHub,
        clock: SessionClock,
        channels: Sequence[str],
        markers: EventLog[Marker],
        outputs: Outputs,
        loop_rate: float,
        body_rate: float = 0.0,
    ) -> None:
        self._markers = markers
        self._cursor = Cursor()
        self.offset = lsl_offset(clock)
        self._streams: dict[str, Stream] = {"fused": hub.get(FUSED), "music": hub.get(MUSIC)}
        self._streams |= {ch: hub.get(affect_spec(ch)) for ch in channels}
        raw = {key: (spec, name) for spec, (key, name) in RAW_OUTLETS.items() if spec in hub}
        self._streams |= {key: hub.get(spec) for key, (spec, _) in raw.items()}
        self.outlets: dict[str, Any] = {}
        if outputs.lsl:
            p = outputs.lsl_prefix
            self.outlets["fused"] = _outlet(f"{p}-Affect", "Affect", AFFECT_CHANNELS, loop_rate)
            self.outlets |= {ch: _outlet(f"{p}-Affect-{ch}", "Affect", AFFECT_CHANNELS, 0.0) for ch in channels}
            self.outlets["music"] = _outlet(f"{p}-Music", "Music", music_channels(), loop_rate)
            self.outlets["markers"] = _outlet(f"{p}-Markers", "Markers", MARKER_CHANNELS, 0.0, text=True)
            for key, (spec, name) in raw.items():
                given = spec.units if isinstance(spec.units, str) else ""
                unit = XDF_UNITS.get(given, given or "device units")
                described = tuple(ChannelInfo(f, unit, name) for f in self._streams[key].fields)
                self.outlets[key] = _outlet(f"{p}-{name}", name, described, body_rate)
        self.osc: Any = None
        if outputs.osc:
            from pythonosc.udp_client import SimpleUDPClient

            self.osc = SimpleUDPClient(outputs.osc_host, outputs.osc_port)
        self._music_sent: dict[str, object] = {}
        self.sent = 0  # LSL samples and OSC messages sent

    @property
    def streams(self) -> dict[str, Stream]:
        """The session streams sent, by outlet key (fused, each channel, music, eeg)."""
        return dict(self._streams)

    def step(self) -> None:
        for key, stream in self._streams.items():
            w = self._cursor.rows(key, stream)
            if not len(w):
                continue
            outlet = self.outlets.get(key)
            if outlet is not None:
                outlet.push_chunk(w.values.tolist(), (w.t + self.offset).tolist())
                self.sent += len(w)
            if self.osc is not None and key not in RAW_KEYS:
                self._send_osc(key, w.values.tolist())
        for m in self._cursor.events("markers", self._markers):
            if "markers" in self.outlets:
                self.outlets["markers"].push_sample([m.label], m.t + self.offset)
                self.sent += 1
            if self.osc is not None:
                self._send("/marker", m.label)

    def _send_osc(self, key: str, rows: list[list[float]]) -> None:
        for row in rows:
            if key == "music":  # a parameter is sent when it changes (it is held between changes)
                values = dict(zip(MUSIC_FIELDS, row, strict=True))
                playing = [name for name, field in zip(LAYERS, LAYER_FIELDS, strict=True) if values[field]]
                changed: dict[str, object] = {name: values[name] for name in NUMERIC}
                changed |= {"mode": MODES[int(values["mode"])], "layers": playing}
                for name, value in changed.items():
                    if self._music_sent.get(name) != value:
                        self._send(f"/music/{name}", value)
                        self._music_sent[name] = value
            else:
                self._send(f"/affect/{key}", row)

    def _send(self, address: str, value: object) -> None:
        self.osc.send_message(address, value)
        self.sent += 1

    def close(self) -> None:
        self.outlets.clear()  # pylsl outlets close when released


def _outlet(name: str, kind: str, channels: Sequence[ChannelInfo], rate: float, text: bool = False) -> Any:
    """An LSL outlet whose description lists each channel's label, unit and type (and legend where it has one)."""
    import pylsl

    fmt = pylsl.cf_string if text else pylsl.cf_float32
    info = pylsl.StreamInfo(name, kind, len(channels), rate, fmt, f"{SOURCE_ID}-{name}")
    described = info.desc().append_child("channels")
    for channel in channels:
        ch = described.append_child("channel")
        ch.append_child_value("label", channel.label)
        ch.append_child_value("unit", channel.unit)
        ch.append_child_value("type", channel.type)
        if channel.legend:
            legend = ch.append_child("legend")
            for value, state in enumerate(channel.legend):
                entry = legend.append_child("state")
                entry.append_child_value("value", str(value))
                entry.append_child_value("name", state)
    info.desc().append_child_value("manufacturer", "Affect Studio")
    return pylsl.StreamOutlet(info)
