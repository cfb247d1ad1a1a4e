"""Which audio output the music engine uses: a PortAudio device, a running JACK server, or silence.

Probing never starts a JACK server and never boots pyo: PortAudio is asked through pyo's device queries
(with the ALSA chatter on fd 2 silenced) and JACK through libjack with ``JackNoStartServer``.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from dataclasses import dataclass
from pathlib import Path

from studio.kernel.errors import StudioError
from studio.kernel.quiet import native_stderr_silenced

PREFERENCES = ("auto", "device", "jack", "silent")

_JACK_NO_START_SERVER = 0x01
_JACK_PORT_IS_INPUT = 0x1
_JACK_PORT_IS_PHYSICAL = 0x4
_CLIENT_NAME = b"affect-studio-probe"


class BackendUnavailable(StudioError):
    """The audio output the user asked for is not there."""


@dataclass(frozen=True)
class Backend:
    """The chosen audio output: ``kind`` is "device", "jack" or "silent"; ``detail`` is text for the UI;
    ``device`` is the PortAudio output device index (None: the default device)."""

    kind: str
    detail: str
    device: int | None = None


def output_devices() -> list[tuple[int, str]]:
    """PortAudio's output devices as (index, name); empty when there is no sound card."""
    import pyo

    with native_stderr_silenced():
        if pyo.pa_count_devices() <= 0:
            return []
        names, indexes = pyo.pa_get_output_devices()
    return [(int(i), str(name)) for name, i in zip(names, indexes, strict=True)]


def pa_default_output() -> int:
    """Index of PortAudio's default output device (negative when there is none)."""
    import pyo

    with native_stderr_silenced():
        return int(pyo.pa_get_default_output()) if pyo.pa_count_devices() > 0 else -1


def output_device(wanted: str = "") -> tuple[int, str] | None:
    """The output device named `wanted` (its index, or part of its name, any case), or the default device
    when `wanted` is empty; None when there is no such device."""
    devices = output_devices()
    if not wanted:
        index = pa_default_output()
        return next(((i, name) for i, name in devices if i == index), None) if index >= 0 else None
    for i, name in devices:
        if wanted == str(i) or wanted.lower() in name.lower():
            return i, name
    return None


def _libjack_candidates() -> list[str]:
    """Paths or sonames of libjack to try: the system's first, then the one bundled with pyo's wheel."""
    found: list[str] = []
    system = ctypes.util.find_library("jack")
    if system:
        found.append(system)
    for entry in sys.path:
        found.extend(str(p) for p in sorted(Path(entry).glob("pyo.libs/libjack-*.so*")))
    return found


def _load_libjack() -> ctypes.CDLL | None:
    """Load libjack and declare the few functions used here; None when no libjack can be loaded."""
    for candidate in _libjack_candidates():
        try:
            lib = ctypes.CDLL(candidate)
        except OSError:
            continue
        lib.jack_client_open.restype = ctypes.c_void_p
        lib.jack_client_open.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(ctypes.c_int)]
        lib.jack_client_close.argtypes = [ctypes.c_void_p]
        lib.jack_get_sample_rate.restype = ctypes.c_uint32
        lib.jack_get_sample_rate.argtypes = [ctypes.c_void_p]
        lib.jack_get_ports.restype = ctypes.POINTER(ctypes.c_char_p)
        lib.jack_get_ports.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong]
        lib.jack_free.argtypes = [ctypes.c_void_p]
        return lib
    return None


@dataclass(frozen=True)
class JackInfo:
    """What a running JACK server offers: its sample rate (Hz) and its physical playback ports."""

    sample_rate: int
    playback_ports: tuple[str, ...]


def jack_server() -> JackInfo | None:
    """Ask a running JACK server for its sample rate and playback ports; None when no server runs."""
    lib = _load_libjack()
    if lib is None:
        return None
    status = ctypes.c_int(0)
    with native_stderr_silenced():
        client = lib.jack_client_open(_CLIENT_NAME, _JACK_NO_START_SERVER, ctypes.byref(status))
    if not client:
        return None
    try:
        rate = int(lib.jack_get_sample_rate(client))
        ports = lib.jack_get_ports(client, None, None, _JACK_PORT_IS_INPUT | _JACK_PORT_IS_PHYSICAL)
        names: list[str] = []
        if ports:
            index = 0
            while ports[index]:
                names.append(ports[index].decode())
                index += 1
            lib.jack_free(ctypes.cast(ports, ctypes.c_void_p))
    finally:
        lib.jack_client_close(client)
    return JackInfo(rate, tuple(names))


def choose_backend(preference: str = "auto", device: str = "") -> Backend:
    """Pick the audio output: "auto" tries a device, then JACK, then silence; others insist on one kind.
    `device` names the output device (index or part of its name); empty means the system's default."""
    if preference not in PREFERENCES:
        raise ValueError(f"unknown audio backend {preference!r}; choose one of {', '.join(PREFERENCES)}")
    if preference == "silent":
        return Backend("silent", "silent: chosen by the operator")
    if preference in ("auto", "device"):
        found = output_device(device)
        if found is not None:
            return Backend("device", f"audio device: {found[1]}", found[0] if device else None)
        if preference == "device" and device:
            names = ", ".join(f"{i}: {name}" for i, name in output_devices()) or "none"
            raise BackendUnavailable(f"no audio output device matches {device!r}; devices here: {names}")
        if preference == "device":
            raise BackendUnavailable(
                "no audio output device found; connect one, start a JACK server (jackd -d dummy), or use --audio silent"
            )
    missing = f"audio device {device!r} not found" if device else "no audio device"
    jack = jack_server()
    if jack is not None:
        return Backend("jack", f"JACK server ({jack.sample_rate} Hz)" + (f"; {missing}" if device else ""))
    if preference == "jack":
        raise BackendUnavailable(
            "no JACK server is running; start one (e.g. jackd -d dummy) or use --audio auto or --audio silent"
        )
    return Backend("silent", f"silent: {missing} and no JACK server found")
