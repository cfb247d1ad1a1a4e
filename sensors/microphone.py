"""PyAudio microphone capture: the callback only copies into a ring; faults become health with retry.

No input device, a device that disappears mid-session (no data for ``STALL_S``), a rate the device refuses,
and lost samples (PortAudio input overflow, or the analysis falling behind the ring) each show as the feed's
health; the feed retries opening every ``RETRY_S`` seconds and never raises out of ``read``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pyaudio

from sensors.audio_feed import AudioBlock, FeedHealth, int16_to_float
from sensors.base import State
from sensors.sample_ring import SampleRing
from studio.kernel.quiet import native_stderr_silenced

log = logging.getLogger(__name__)

RING_S = 5.0  # seconds of audio the ring holds for the worker
STALL_S = 2.0  # no data for this long from a stream that was delivering: the device is gone
STARTUP_S = 5.0  # no data for this long after opening: the device does not deliver (sound servers can be slow)
RETRY_S = 2.0  # seconds between attempts to (re)open the device
DEGRADED_HOLD_S = 3.0  # how long a loss of samples stays visible in the health


@dataclass(frozen=True)
class InputDevice:
    index: int
    name: str
    channels: int
    default_rate: float


class DeviceError(Exception):
    """A capture device that cannot be used; the message says which and why."""


def input_devices() -> list[InputDevice]:
    """PortAudio's input devices now (a fresh PortAudio instance, so newly plugged devices appear)."""
    with native_stderr_silenced():
        pa = pyaudio.PyAudio()
        try:
            return [d for i in range(pa.get_device_count()) if (d := _device(pa.get_device_info_by_index(i)))]
        finally:
            pa.terminate()


def _device(info: dict[str, Any]) -> InputDevice | None:
    channels = int(info.get("maxInputChannels", 0))
    if channels <= 0:
        return None
    return InputDevice(int(info["index"]), str(info.get("name", "")), channels, float(info["defaultSampleRate"]))


def describe_devices(devices: list[InputDevice]) -> str:
    return "; ".join(f"{d.index}: {d.name}" for d in devices) or "none"


def check_device_index(index: int) -> InputDevice:
    """The input device with PortAudio index ``index``; DeviceError listing the inputs when there is none."""
    devices = input_devices()
    for d in devices:
        if d.index == index:
            return d
    raise DeviceError(f"no input device with index {index}; input devices: {describe_devices(devices)}")


class MicrophoneFeed:
    """Captures ``device`` (PortAudio index, or None for the default input) at ``rate`` Hz in blocks of
    ``block`` samples; ``clock`` gives session seconds for stamping blocks as they arrive; the ring holds
    ``ring_s`` seconds for the worker."""

    def __init__(
        self, device: int | None, rate: int, block: int, clock: Callable[[], float], ring_s: float = RING_S
    ) -> None:
        self.device = device
        self.rate = rate
        self.block = block
        self.clock = clock
        self.ring_s = ring_s
        self.backend = "microphone"
        self.health = FeedHealth(State.DOWN, "not started")
        self.name = ""
        self.opened_rate = rate
        self.channels = 1
        self.overflows = 0  # callbacks that reported lost input since the last read
        self._pa: Any = None
        self._stream: Any = None
        self._ring: SampleRing | None = None
        self._next_try = 0.0
        self._started_t = 0.0
        self._t_first: float | None = None  # session time of the next sample to read
        self._restart = True
        self._degraded_until = -1.0
        self._switch_to: tuple[int | None] | None = None  # a device asked for from another thread (the UI)

    # --- the device thread -------------------------------------------------------------------------------
    def _callback(self, data: bytes | None, frames: int, time_info: Any, flags: int) -> tuple[None, int]:
        if data:
            assert self._ring is not None
            self._ring.write(data, self.clock())
        if flags & pyaudio.paInputOverflow:
            self.overflows += 1
        return None, pyaudio.paContinue

    # --- the analysis worker -----------------------------------------------------------------------------
    def start(self, now: float) -> None:
        self._open(now)

    def use_device(self, device: int | None) -> None:
        """Switch to ``device`` (PortAudio index, None: the default input) at the next read; any thread."""
        self._switch_to = (device,)

    def read(self, now: float) -> AudioBlock | None:
        switch, self._switch_to = self._switch_to, None
        if switch is not None:
            self._close()
            self.device = switch[0]
            self._open(now)
        if self._stream is None:
            if now >= self._next_try:
                self._open(now)
            return None
        assert self._ring is not None
        raw, lost = self._ring.drain()
        overflows, self.overflows = self.overflows, 0
        last = self._ring.last_write_t
        if raw.size == 0:
            limit = STALL_S if last is not None else STARTUP_S
            if now - (last if last is not None else self._started_t) > limit:
                self._close()
                self._fail(now, f"no audio from {self.name} for {limit:g} s (unplugged?); retrying")
            return None
        if lost or overflows:
            self._restart = True
            self._degraded_until = now + DEGRADED_HOLD_S
            what = f"{lost / self.opened_rate / self.channels:.2f} s" if lost else "some input"
            self.health = FeedHealth(State.DEGRADED, f"input overflow: {what} lost on {self.name}")
        elif now >= self._degraded_until:
            self.health = FeedHealth(State.OK, self._ok_detail())
        samples = int16_to_float(raw, self.channels)
        assert last is not None
        end_t = last
        t_first = end_t - samples.size / self.opened_rate if self._restart or self._t_first is None else self._t_first
        self._t_first = t_first + samples.size / self.opened_rate
        block = AudioBlock(samples, float(self.opened_rate), t_first, restart=self._restart)
        self._restart = False
        return block

    def stop(self) -> None:
        self._close()
        self.health = FeedHealth(State.DOWN, "stopped")

    # --- opening and closing -----------------------------------------------------------------------------
    def _ok_detail(self) -> str:
        return f"{self.name} at {self.opened_rate} Hz" + (
            f" (asked {self.rate} Hz; the device refused it)" if self.opened_rate != self.rate else ""
        )

    def _fail(self, now: float, reason: str) -> None:
        self._next_try = now + RETRY_S
        self.health = FeedHealth(State.DOWN, reason)

    def _open(self, now: float) -> None:
        try:
            with native_stderr_silenced():
                self._pa = pyaudio.PyAudio()
                info = self._device_info()
                self.name = str(info.get("name", f"device {info['index']}"))
                self._open_stream(info)
        except DeviceError as exc:
            self._close()
            self._fail(now, f"{exc}; retrying every {RETRY_S:g} s")
            return
        except OSError as exc:
            self._close()
            self._fail(now, f"cannot open {self.name or 'the microphone'}: {exc}; retrying every {RETRY_S:g} s")
            return
        self._started_t = now
        self._restart = True
        self.health = FeedHealth(State.OK, self._ok_detail())

    def _device_info(self) -> dict[str, Any]:
        if self._pa.get_device_count() == 0:
            raise DeviceError("no audio input device found")
        if self.device is None:
            try:
                return dict(self._pa.get_default_input_device_info())
            except OSError:
                raise DeviceError("no default audio input device") from None
        try:
            info = dict(self._pa.get_device_info_by_index(self.device))
        except (OSError, ValueError):
            info = {}
        if int(info.get("maxInputChannels", 0)) <= 0:
            raise DeviceError(f"no input device with index {self.device}")
        return info

    def _open_stream(self, info: dict[str, Any]) -> None:
        rates = [self.rate] + ([int(info["defaultSampleRate"])] if int(info["defaultSampleRate"]) != self.rate else [])
        error: OSError | None = None
        for rate in rates:
            for channels in dict.fromkeys((1, min(2, int(info["maxInputChannels"])))):
                try:
                    self._ring = SampleRing(max(self.block, int(self.ring_s * rate)) * channels)
                    self._stream = self._pa.open(
                        format=pyaudio.paInt16,
                        channels=channels,
                        rate=rate,
                        input=True,
                        input_device_index=int(info["index"]),
                        frames_per_buffer=self.block,
                        stream_callback=self._callback,
                    )
                except (OSError, ValueError) as exc:
                    error = OSError(str(exc))
                    continue
                self.opened_rate, self.channels = rate, channels
                return
        raise error or OSError("the device refused every format tried")

    def _close(self) -> None:
        stream, self._stream = self._stream, None
        pa, self._pa = self._pa, None
        with native_stderr_silenced():
            if stream is not None:
                try:
                    stream.stop_stream()
                    stream.close()
                except OSError:
                    log.debug("closing the input stream failed", exc_info=True)
            if pa is not None:
                pa.terminate()
