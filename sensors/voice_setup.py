"""Choosing the voice input: the ``[voice]`` settings, the ``--voice SOURCE`` option, and the source they make."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from sensors.microphone import DeviceError, MicrophoneFeed, check_device_index
from sensors.person import Person, resting
from sensors.voice import ScriptedVoice, VoiceSource
from sensors.voice_expression import PERSON_RATE, PersonVoice, neutral_voice
from sensors.wav_input import MAX_RATE, MIN_RATE, WavFeed, read_wav
from studio.kernel.errors import UsageError

MIN_BLOCK, MAX_BLOCK = 64, 8192  # samples per capture block


@dataclass(frozen=True)
class VoiceConfig:
    """``device``: PortAudio input index (-1: the default input); ``rate``: Hz; ``block``: samples per
    callback; ``file``: a WAV file played in real time instead of the microphone (from ``--voice PATH``)."""

    device: int = -1
    rate: int = 16000
    block: int = 512
    file: str = ""

    def validated(self) -> VoiceConfig:
        """ValueError naming the setting when one is out of range."""
        if not MIN_RATE <= self.rate <= MAX_RATE:
            raise ValueError(f"voice.rate = {self.rate} Hz must be {MIN_RATE} to {MAX_RATE} Hz")
        if not MIN_BLOCK <= self.block <= MAX_BLOCK:
            raise ValueError(f"voice.block = {self.block} samples must be {MIN_BLOCK} to {MAX_BLOCK}")
        if self.device < -1:
            raise ValueError(f"voice.device = {self.device} must be an input index, or -1 for the default input")
        return self


def with_voice_option(config: VoiceConfig, source: str) -> VoiceConfig:
    """Apply ``--voice SOURCE``: an input device index (checked now) or a WAV file (read and checked now)."""
    if source.strip().lstrip("-").isdigit():
        index = int(source)
        try:
            check_device_index(index)
        except DeviceError as exc:
            raise UsageError(f"--voice {source}: {exc}") from None
        return replace(config, device=index, file="")
    read_wav(Path(source))
    return replace(config, file=source)


def make_voice(
    config: VoiceConfig, clock: Callable[[], float], demo: bool, person: Person = resting, noise: float = 0.0
) -> VoiceSource:
    """The voice channel: the WAV file when one is given, else in demo mode the voice of ``person`` (with its own
    ``noise``), else the microphone (which shows as down, retrying, while there is none)."""
    if config.file:
        path = Path(config.file)
        return VoiceSource(WavFeed(read_wav(path), path.name))
    if demo:
        return ScriptedVoice(contour=PersonVoice(person, noise).contour, neutral=neutral_voice(), rate=PERSON_RATE)
    device = None if config.device < 0 else config.device
    return VoiceSource(MicrophoneFeed(device, config.rate, config.block, clock))
