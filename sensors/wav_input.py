"""WAV files as voice input: read and checked (one clear line per problem), and played in real time.

Any PCM WAV (8, 16, 24 or 32 bit) is accepted; several channels are averaged to mono and a sample rate
outside 8-48 kHz is resampled to 16 kHz, each said in ``WavAudio.notes``.
"""

from __future__ import annotations

import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from sensors.audio_feed import AudioBlock, FeedHealth
from sensors.base import State
from studio.kernel.errors import StudioError

FloatArray = NDArray[np.float64]

MIN_RATE = 8000  # Hz: below this the pitch range of voices is not captured
MAX_RATE = 48000  # Hz: above this the file is resampled (analysis cost grows with the rate)
RESAMPLE_RATE = 16000


class WavError(StudioError, ValueError):
    """A WAV file that cannot be analysed; the message names the file and the problem."""


@dataclass(frozen=True)
class WavAudio:
    samples: FloatArray  # mono, [-1, 1]
    rate: int  # Hz
    notes: tuple[str, ...]  # conversions made (downmix, resampling), one line each

    @property
    def duration_s(self) -> float:
        return self.samples.size / self.rate


def read_wav(path: Path) -> WavAudio:
    """Read ``path`` as mono float samples; WavError for a missing, empty, truncated or non-WAV file."""
    if not path.exists():
        raise WavError(f"{path}: no such file")
    if path.is_dir():
        raise WavError(f"{path} is a folder, not a WAV file")
    if path.stat().st_size == 0:
        raise WavError(f"{path} is empty")
    try:
        with wave.open(str(path), "rb") as w:
            channels, width, rate, promised = w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes()
            data = w.readframes(promised)
    except EOFError:
        raise WavError(f"{path} is truncated: its WAV header is incomplete") from None
    except wave.Error as exc:
        raise WavError(f"{path} is not a PCM WAV file ({exc})") from None
    except OSError as exc:
        raise WavError(f"{path} cannot be read: {exc.strerror or exc}") from None
    if channels < 1 or width not in (1, 2, 3, 4) or rate <= 0:
        raise WavError(f"{path}: unsupported WAV format ({channels} channels, {8 * width}-bit, {rate} Hz)")
    frame_bytes = channels * width
    got = len(data) // frame_bytes
    if got < promised:
        raise WavError(
            f"{path} is truncated: its header promises {promised / rate:.2f} s, only {got / rate:.2f} s are there"
        )
    if got == 0:
        raise WavError(f"{path} holds no audio (0 samples)")
    if rate < MIN_RATE:
        raise WavError(f"{path}: sample rate {rate} Hz is too low for voice analysis; use {MIN_RATE} Hz or more")
    samples = pcm_to_float(data[: got * frame_bytes], width).reshape(-1, channels)
    notes = []
    mono = samples.mean(axis=1)
    if channels > 1:
        notes.append(f"{path}: {channels} channels mixed down to mono")
    if rate > MAX_RATE:
        mono = resample(mono, rate, RESAMPLE_RATE)
        notes.append(f"{path}: resampled from {rate} Hz to {RESAMPLE_RATE} Hz")
        rate = RESAMPLE_RATE
    return WavAudio(mono, rate, tuple(notes))


def pcm_to_float(data: bytes, width: int) -> FloatArray:
    """Little-endian PCM bytes (8-bit unsigned, 16/24/32-bit signed) as floats in [-1, 1]."""
    if width == 1:
        return (np.frombuffer(data, dtype=np.uint8).astype(np.float64) - 128.0) / 128.0
    if width == 3:
        b = np.frombuffer(data, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        ints = (b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)) << 8 >> 8
        return ints.astype(np.float64) / float(1 << 23)
    dtype = "<i2" if width == 2 else "<i4"
    return np.frombuffer(data, dtype=dtype).astype(np.float64) / float(1 << (8 * width - 1))


def resample(x: FloatArray, rate: int, new_rate: int) -> FloatArray:
    """Band-limited resampling of a whole signal through its spectrum."""
    n = x.size
    m = max(1, round(n * new_rate / rate))
    spectrum = np.fft.rfft(x)[: m // 2 + 1]
    return np.fft.irfft(spectrum, m) * (m / n)


class WavFeed:
    """Plays a WAV file into the analysis in real time from the moment the session starts it."""

    def __init__(self, audio: WavAudio, name: str) -> None:
        self.audio = audio
        self.name = name
        self.backend = "wav file"
        self.health = FeedHealth(State.DOWN, "not started")
        self._t0: float | None = None
        self._pos = 0

    def start(self, now: float) -> None:
        self._t0 = now
        self.health = FeedHealth(State.OK, f"playing {self.name} ({self.audio.duration_s:.1f} s)")

    def read(self, now: float) -> AudioBlock | None:
        if self._t0 is None or self._pos >= self.audio.samples.size:
            return None
        upto = min(self.audio.samples.size, int((now - self._t0) * self.audio.rate))
        if upto <= self._pos:
            return None
        block = AudioBlock(
            self.audio.samples[self._pos : upto],
            float(self.audio.rate),
            self._t0 + self._pos / self.audio.rate,
            restart=self._pos == 0,
            end=upto == self.audio.samples.size,
        )
        self._pos = upto
        if block.end:
            self.health = FeedHealth(State.DEGRADED, f"{self.name} has ended")
        return block

    def stop(self) -> None:
        self.health = FeedHealth(State.DOWN, "stopped")
