"""An EEG or physiology stream from the lab network (Lab Streaming Layer inlet), stamped on the session clock."""

from __future__ import annotations

import numpy as np

from sensors.body_backend import FloatArray, SourceDefaults, SourceFault, nothing
from sensors.body_pipeline import ChannelLayout
from sensors.recordings.recording import PHYSIO_TYPES, clean_label, guess_kind
from studio.kernel.clock import SessionClock

RESOLVE_SECONDS = 1.0  # how long one connection attempt looks for the stream (the worker waits meanwhile)
STREAM_KINDS = {"eeg": "eeg", "exg": "eeg", **PHYSIO_TYPES}
MAX_CHUNK = 4096


def parse_query(text: str) -> tuple[str, str]:
    """``NAME`` or ``PROPERTY=VALUE`` (name, type, source_id, hostname) -> (property, value)."""
    prop, eq, value = text.partition("=")
    if eq and prop.strip() in ("name", "type", "source_id", "hostname"):
        return prop.strip(), value.strip()
    return "name", text.strip()


class LslBackend(SourceDefaults):
    """Subscribes to the first LSL stream matching ``query`` (its name, or ``type=EEG`` and the like).

    LSL's clock-offset correction maps the sender's stamps onto this machine's LSL clock, whose offset from the
    session clock is measured when connecting. Channel names and kinds come from the stream's ``desc/channels``
    (``label``, ``type``) or, without them, from the stream type.
    """

    kind = "lsl"

    def __init__(self, query: str, clock: SessionClock) -> None:
        self.prop, self.value = parse_query(query)
        self.clock = clock
        self.label = f"LSL stream {self.value!r}" if self.prop == "name" else f"LSL stream {self.prop}={self.value}"
        self._inlet: object | None = None
        self._offset = 0.0
        self._width = 0

    def connect(self) -> ChannelLayout:
        import pylsl

        found = pylsl.resolve_byprop(self.prop, self.value, minimum=1, timeout=RESOLVE_SECONDS)
        if not found:
            raise SourceFault(f"no {self.label} on the network")
        info = found[0]
        fs = float(info.nominal_srate())
        if fs <= 0:
            raise SourceFault(f"{self.label} has no regular sampling rate; the body channel needs one")
        flags = pylsl.proc_clocksync | pylsl.proc_dejitter | pylsl.proc_monotonize
        inlet = pylsl.StreamInlet(info, max_buflen=30, processing_flags=flags)
        try:
            full = inlet.info(timeout=RESOLVE_SECONDS)
        except pylsl.util.TimeoutError:
            inlet.close_stream()
            raise SourceFault(f"{self.label} does not answer") from None
        names, kinds = self._channels(full)
        self._offset = self.clock.now() - pylsl.local_clock()
        inlet.open_stream(timeout=RESOLVE_SECONDS)
        self._inlet = inlet
        self._width = len(names)
        return ChannelLayout(fs, names, kinds)

    @staticmethod
    def _channels(info: object) -> tuple[tuple[str, ...], tuple[str, ...]]:
        count = int(info.channel_count())  # type: ignore[attr-defined]
        stream_kind = STREAM_KINDS.get(str(info.type()).lower(), "other")  # type: ignore[attr-defined]
        names: list[str] = []
        kinds: list[str] = []
        channel = info.desc().child("channels").child("channel")  # type: ignore[attr-defined]
        while not channel.empty() and len(names) < count:
            label = channel.child_value("label") or f"ch{len(names) + 1}"
            ctype = channel.child_value("type")
            names.append(clean_label(label))
            kinds.append(
                STREAM_KINDS.get(ctype.lower(), guess_kind(label)) if ctype or stream_kind == "eeg" else stream_kind
            )
            channel = channel.next_sibling()
        if len(names) != count:
            names = [f"ch{i + 1}" for i in range(count)]
            kinds = [stream_kind] * count
        return tuple(names), tuple(kinds)

    def read(self) -> tuple[FloatArray, FloatArray]:
        inlet = self._inlet
        if inlet is None:
            return nothing(self._width)
        try:
            samples, stamps = inlet.pull_chunk(timeout=0.0, max_samples=MAX_CHUNK)  # type: ignore[attr-defined]
        except Exception as exc:  # pylsl raises LostError and RuntimeError when the sender is gone
            raise SourceFault(f"{self.label}: {exc}") from None
        if not stamps:
            return nothing(self._width)
        t = np.asarray(stamps, dtype=np.float64) + self._offset
        return t, np.asarray(samples, dtype=np.float64).reshape(len(stamps), self._width)

    def disconnect(self) -> None:
        inlet, self._inlet = self._inlet, None
        if inlet is not None:
            inlet.close_stream()  # type: ignore[attr-defined]
