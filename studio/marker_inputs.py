"""Markers from outside the studio: an LSL marker stream (by name: string markers, or integer event codes) and OSC
``/marker label [code] [duration]`` messages (a label, optionally an integer event code and a duration in s).

Anything unusable (an empty, over-long or non-finite label, an OSC message with another address or arguments,
an empty bundle, a datagram that is not OSC or is damaged) is ignored and counted, quietly: nothing is logged
per packet, and no packet stops the listener. ``summary()`` says what arrived, for the operator. Each input listens
on its own periodic worker, whose step (``receive``) waits a moment for what arrives and takes it.
"""

from __future__ import annotations

import logging
import math
import socket
import threading
from collections.abc import Callable
from typing import Any

from studio.kernel.events import event_code, event_duration, is_code_text
from studio.kernel.worker import PeriodicWorker
from studio.osc_packets import read_packet
from studio.session import MarkerSettings

log = logging.getLogger(__name__)
# (label, source, session time or None for now, event code or None, duration in s or None)
AddMarker = Callable[[str, str, float | None, int | None, float | None], None]
RESOLVE_WAIT = 1.0  # seconds per attempt to find the LSL marker stream
RECEIVE_WAIT = 0.2  # seconds a step waits for a datagram or samples before the worker looks whether to stop
IDLE_WAIT = 3600.0  # seconds between the steps of an input that takes nothing any more (socket closed, stream gone)


class InputCounter:
    """Markers taken and messages ignored from one input, counted from its own thread."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.accepted = 0
        self.malformed = 0
        self.detail = "starting"
        self._lock = threading.Lock()

    def count(self, ok: bool) -> None:
        with self._lock:
            if ok:
                self.accepted += 1
            else:
                self.malformed += 1

    def summary(self) -> dict[str, Any]:
        with self._lock:
            return {"markers": self.accepted, "malformed_ignored": self.malformed, "detail": self.detail}


def offer(
    add: AddMarker,
    counter: InputCounter,
    label: object,
    source: str,
    t: float | None,
    code: object = None,
    duration: object = None,
) -> None:
    """Take ``label`` as a marker if it is text or a finite number, with ``code`` (a whole number) and ``duration``
    (s) when given; a label that is a whole number (an LSL integer marker, "12") is also the event code. Anything
    else is counted as malformed."""
    if isinstance(label, bool) or not isinstance(label, str | int | float):
        counter.count(False)
        return
    if isinstance(label, float) and not math.isfinite(label):
        counter.count(False)
        return
    try:
        if code is None and (isinstance(label, int | float) or is_code_text(str(label))):
            code = event_code(label)
            label = code
        add(
            str(label),
            source,
            t,
            None if code is None else event_code(code),
            None if duration is None else event_duration(duration),
        )
    except ValueError:
        counter.count(False)
        return
    counter.count(True)


class OscMarkers:
    """Listens for OSC datagrams on a UDP port of one local address (127.0.0.1 unless the settings name another)
    and takes ``/marker label [code] [duration]`` messages, alone or in bundles."""

    def __init__(self, address: str, port: int, add: AddMarker) -> None:
        self.counter = InputCounter(f"OSC :{port}")
        self._add = add
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            self._sock.bind((address, port))
        except OSError as exc:
            self._sock.close()
            raise OSError(f"cannot listen for OSC markers on {address} UDP port {port}: {exc.strerror}") from None
        self._sock.settimeout(RECEIVE_WAIT)
        self.counter.detail = f"listening on {address} UDP port {port}"
        self._worker = PeriodicWorker("osc-markers", RECEIVE_WAIT, self.receive)
        self._worker.start()

    def receive(self) -> float:
        """Take the next datagram, waiting up to RECEIVE_WAIT seconds for one; the next step is due at once."""
        try:
            data, _ = self._sock.recvfrom(65536)
        except TimeoutError:
            return 0.0
        except OSError:  # the socket is closed: nothing arrives any more
            return IDLE_WAIT
        self._take(data)
        return 0.0

    def _take(self, data: bytes) -> None:
        """Handle one datagram: each ``/marker`` message with a label (and a code and duration) is offered, everything
        else counted."""
        messages = read_packet(data)
        if messages is None:
            self.counter.count(False)
            return
        for msg in messages:
            if msg is not None and msg.address == "/marker" and 1 <= len(msg.args) <= 3:
                offer(self._add, self.counter, msg.args[0], "osc", None, *msg.args[1:])
            else:
                self.counter.count(False)

    def close(self) -> None:
        self._worker.stop(timeout=2)
        self._sock.close()


class LslMarkers:
    """Finds the LSL marker stream named ``name`` (retrying until it appears) and takes each sample's first
    value as a marker, stamped with its own LSL time mapped onto the session clock."""

    def __init__(self, name: str, add: AddMarker, lsl_offset: float) -> None:
        self.counter = InputCounter(f"LSL {name}")
        self.counter.detail = f"looking for the LSL stream {name!r}"
        self._name = name
        self._add = add
        self._offset = lsl_offset  # LSL time at session time 0
        self._inlet: Any = None
        self._gone = False
        self._worker = PeriodicWorker("lsl-markers", RECEIVE_WAIT, self.receive)
        self._worker.start()

    def receive(self) -> float:
        """One attempt to find the stream (up to RESOLVE_WAIT seconds) or, once found, take the samples that arrive
        within RECEIVE_WAIT seconds; returns when the next step is due. A stream that went away is not looked for
        again."""
        import pylsl

        if self._gone:
            return IDLE_WAIT
        if self._inlet is None:
            found = pylsl.resolve_byprop("name", self._name, timeout=RESOLVE_WAIT)
            if found:
                self._inlet = pylsl.StreamInlet(found[0], processing_flags=pylsl.proc_clocksync)
                self.counter.detail = f"receiving from the LSL stream {self._name!r}"
            return 0.0
        try:
            samples, stamps = self._inlet.pull_chunk(timeout=RECEIVE_WAIT)
        except pylsl.LostError:
            self.counter.detail = f"the LSL stream {self._name!r} went away"
            self._gone = True
            return IDLE_WAIT
        for sample, stamp in zip(samples, stamps, strict=True):
            value = sample[0] if sample else None
            offer(self._add, self.counter, value, "lsl", stamp - self._offset)
        return 0.0

    def close(self) -> None:
        self._worker.stop(timeout=RESOLVE_WAIT + 2)
        if self._inlet is not None:
            self._inlet.close_stream()


def start_marker_inputs(settings: MarkerSettings, add: AddMarker, lsl_offset: float) -> list[OscMarkers | LslMarkers]:
    """The inputs turned on in the settings (none by default); OSError if the OSC port is taken."""
    inputs: list[OscMarkers | LslMarkers] = []
    if settings.osc_port:
        inputs.append(OscMarkers(settings.osc_address, settings.osc_port, add))
    if settings.lsl_stream:
        inputs.append(LslMarkers(settings.lsl_stream, add, lsl_offset))
    return inputs
