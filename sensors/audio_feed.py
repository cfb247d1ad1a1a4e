"""What every voice input hands the analysis: mono samples with the session time of the first one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from sensors.base import State

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class AudioBlock:
    """New mono samples in [-1, 1] at ``rate`` Hz. ``t_first`` is the session time (seconds) of the first
    sample; ``restart`` says the samples do not continue the previous block (device reopened, data lost);
    ``end`` says no samples follow (the end of a file)."""

    samples: FloatArray
    rate: float
    t_first: float
    restart: bool = False
    end: bool = False


@dataclass(frozen=True)
class FeedHealth:
    state: State
    detail: str


class AudioFeed(Protocol):
    """A source of audio: a microphone, a WAV file played in real time, or the scripted voice. ``health``
    is what the channel status shows while the feed has a problem (or is fine)."""

    backend: str
    health: FeedHealth

    def start(self, now: float) -> None: ...

    def read(self, now: float) -> AudioBlock | None:
        """Samples that arrived up to session time ``now`` (seconds), or None if none did."""
        ...

    def stop(self) -> None: ...


def int16_to_float(samples: NDArray[np.int16], channels: int = 1) -> FloatArray:
    """Interleaved int16 samples as mono floats in [-1, 1], averaging the channels."""
    x = samples.astype(np.float64) / 32768.0
    if channels > 1:
        x = x[: x.size - x.size % channels].reshape(-1, channels).mean(axis=1)
    return x
