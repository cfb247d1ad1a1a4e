"""Publishing the live session on the lab network: LSL outlets (for LabRecorder and other tools) and OSC
messages (python-osc). Off unless turned on in the settings' ``[outputs]``.

LSL outlets, named ``<prefix>-<what>``: ``Affect`` (fused valence, arousal, confidence at the loop rate),
``Affect-<channel>`` (each channel's estimate, irregular), ``Music`` (the music parameters, mode as its index),
``Markers`` (text), and ``EEG`` (the body channel's raw signal, uV, at its sampling rate). Timestamps are
LSL's clock, so they line up with the lab's other streams. OSC: ``/affect/fused v a c``,
``/affect/<channel> v a c``, ``/music/<param> value`` (when it changes) and ``/marker "label"``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fusion.affect import AFFECT_FIELDS
from sensors.base import affect_spec
from sensors.body_pipeline import EEG
from studio.kernel.clock import SessionClock
from studio.kernel.cursor import Cursor
from studio.kernel.events import EventLog, Marker
from studio.kernel.streams import Stream, StreamHub
from studio.loop import FUSED, MUSIC, MUSIC_FIELDS
from studio.music.params import MODES
from studio.session import Outputs

log = logging.getLogger(__name__)
PERIOD = 0.05  # seconds between sends
SOURCE_ID = "affect-studio"


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
        if EEG in hub:
            self._streams["body"] = hub.get(EEG)
        self.outlets: dict[str, Any] = {}
        if outputs.lsl:
            p = outputs.lsl_prefix
            self.outlets["fused"] = _outlet(f"{p}-Affect", "Affect", AFFECT_FIELDS, loop_rate)
            self.outlets |= {ch: _outlet(f"{p}-Affect-{ch}", "Affect", AFFECT_FIELDS, 0.0) for ch in channels}
            self.outlets["music"] = _outlet(f"{p}-Music", "Music", MUSIC_FIELDS, loop_rate)
            self.outlets["markers"] = _outlet(f"{p}-Markers", "Markers", ("label",), 0.0, text=True)
            if "body" in self._streams:
                body = self._streams["body"]
                self.outlets["body"] = _outlet(f"{p}-EEG", "EEG", body.fields, body_rate, unit="microvolts")
        self.osc: Any = None
        if outputs.osc:
            from pythonosc.udp_client import SimpleUDPClient

            self.osc = SimpleUDPClient(outputs.osc_host, outputs.osc_port)
        self._music_sent: dict[str, float] = {}
        self.sent = 0  # LSL samples and OSC messages sent

    @property
    def streams(self) -> dict[str, Stream]:
        """The session streams sent, by outlet key (fused, each channel, music, body)."""
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
            if self.osc is not None and key != "body":
                self._send_osc(key, w.values.tolist())
        for m in self._cursor.events("markers", self._markers):
            if "markers" in self.outlets:
                self.outlets["markers"].push_sample([m.label], m.t + self.offset)
            if self.osc is not None:
                self.osc.send_message("/marker", m.label)
            self.sent += 1

    def _send_osc(self, key: str, rows: list[list[float]]) -> None:
        for row in rows:
            if key == "music":  # a parameter is sent when it changes (it is held between changes)
                for name, value in zip(MUSIC_FIELDS, row, strict=True):
                    if self._music_sent.get(name) != value:
                        self.osc.send_message(f"/music/{name}", MODES[int(value)] if name == "mode" else value)
                        self._music_sent[name] = value
            else:
                self.osc.send_message(f"/affect/{key}", row)
            self.sent += 1

    def close(self) -> None:
        self.outlets.clear()  # pylsl outlets close when released


def _outlet(name: str, kind: str, fields: Sequence[str], rate: float, text: bool = False, unit: str = "") -> Any:
    import pylsl

    fmt = pylsl.cf_string if text else pylsl.cf_float32
    info = pylsl.StreamInfo(name, kind, len(fields), rate, fmt, f"{SOURCE_ID}-{name}")
    channels = info.desc().append_child("channels")
    for field in fields:
        ch = channels.append_child("channel")
        ch.append_child_value("label", field)
        if unit:
            ch.append_child_value("unit", unit)
    info.desc().append_child_value("manufacturer", "Affect Studio")
    return pylsl.StreamOutlet(info)
