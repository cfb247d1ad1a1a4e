"""Markers from outside the studio: an LSL marker stream (by name) and OSC ``/marker "label"`` messages.

Anything unusable (an empty, over-long or non-finite label, an OSC message with another address or arguments,
an empty bundle, a datagram that is not OSC or is damaged) is ignored and counted, quietly: nothing is logged
per packet, and no packet stops the listener. ``summary()`` says what arrived, for the operator.
"""

from __future__ import annotations

import logging
import math
import socket
import threading
from collections.abc import Callable
from typing import Any

from studio.osc_packets import read_packet
from studio.session import MarkerSettings

log = logging.getLogger(__name__)
AddMarker = Callable[[str, str, float | None], None]  # (label, source, session time or None for now)
RESOLVE_WAIT = 1.0  # seconds per attempt to find the LSL marker stream


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


def offer(add: AddMarker, counter: InputCounter, label: object, source: str, t: float | None) -> None:
    """Take ``label`` as a marker if it is text or a finite number (an event code); otherwise count it as
    malformed."""
    if isinstance(label, bool) or not isinstance(label, str | int | float):
        counter.count(False)
        return
    if isinstance(label, float) and not math.isfinite(label):
        counter.count(False)
        return
    try:
        add(str(label), source, t)
    except ValueError:
        counter.count(False)
        return
    counter.count(True)


class OscMarkers:
    """Listens for OSC datagrams on a UDP port of one local address (127.0.0.1 unless the settings name another)
    and takes ``/marker "label"`` messages, alone or in bundles."""

    def __init__(self, address: str, port: int, add: AddMarker) -> None:
        self.counter = InputCounter(f"OSC :{port}")
        self._add = add
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            self._sock.bind((address, port))
        except OSError as exc:
            self._sock.close()
            raise OSError(f"cannot listen for OSC markers on {address} UDP port {port}: {exc.strerror}") from None
        self._sock.settimeout(0.2)
        self.counter.detail = f"listening on {address} UDP port {port}"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="osc-markers", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                data, _ = self._sock.recvfrom(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            self._take(data)

    def _take(self, data: bytes) -> None:
        """Handle one datagram: each ``/marker`` message with one label is offered, everything else counted."""
        messages = read_packet(data)
        if messages is None:
            self.counter.count(False)
            return
        for msg in messages:
            if msg is not None and msg.address == "/marker" and len(msg.args) == 1:
                offer(self._add, self.counter, msg.args[0], "osc", None)
            else:
                self.counter.count(False)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
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
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lsl-markers", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import pylsl

        inlet = None
        while inlet is None and not self._stop.is_set():
            found = pylsl.resolve_byprop("name", self._name, timeout=RESOLVE_WAIT)
            if found:
                inlet = pylsl.StreamInlet(found[0], processing_flags=pylsl.proc_clocksync)
        if inlet is None:
            return
        self.counter.detail = f"receiving from the LSL stream {self._name!r}"
        try:
            while not self._stop.is_set():
                try:
                    samples, stamps = inlet.pull_chunk(timeout=0.2)
                except pylsl.LostError:
                    self.counter.detail = f"the LSL stream {self._name!r} went away"
                    return
                for sample, stamp in zip(samples, stamps, strict=True):
                    value = sample[0] if sample else None
                    offer(self._add, self.counter, value, "lsl", stamp - self._offset)
        finally:
            inlet.close_stream()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=RESOLVE_WAIT + 2)


def start_marker_inputs(settings: MarkerSettings, add: AddMarker, lsl_offset: float) -> list[OscMarkers | LslMarkers]:
    """The inputs turned on in the settings (none by default); OSError if the OSC port is taken."""
    inputs: list[OscMarkers | LslMarkers] = []
    if settings.osc_port:
        inputs.append(OscMarkers(settings.osc_address, settings.osc_port, add))
    if settings.lsl_stream:
        inputs.append(LslMarkers(settings.lsl_stream, add, lsl_offset))
    return inputs
