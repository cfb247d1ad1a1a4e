"""What every sensing channel provides: streams on the session clock, a step function and a status."""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass
from enum import StrEnum

from fusion.affect import AFFECT_FIELDS, Affect
from studio.kernel.streams import Stream, StreamHub, StreamSpec
from studio.kernel.worker import Worker


class State(StrEnum):
    OK = "ok"
    DEGRADED = "degraded"
    DOWN = "down"


@dataclass(frozen=True)
class ChannelStatus:
    """A channel's health as the operator sees it: state, a short reason, and the backend in use."""

    state: State
    detail: str
    backend: str


CHANNELS = ("face", "voice", "text", "body")  # the sensing channels, in display order
AFFECT_SECONDS = 600.0  # how much per-channel affect each stream keeps in memory


def affect_spec(channel: str) -> StreamSpec:
    """A channel's affect estimates: valence and arousal in [-1, 1], confidence in [0, 1]."""
    return StreamSpec(f"affect.{channel}", AFFECT_FIELDS, "", AFFECT_SECONDS)


class Source(ABC):
    """One channel's acquisition and analysis.

    ``open`` makes the channel's streams; ``step(now)`` acquires or generates everything up to session
    time ``now`` (seconds) and writes it, stamped, into the streams. A worker calls ``step`` every
    ``period`` seconds in the app; tests call it by hand. ``close`` releases devices.
    """

    channel: str = ""
    backend: str = ""
    period: float = 0.05

    def __init__(self) -> None:
        self._status = ChannelStatus(State.DOWN, "not started", self.backend)
        self._status_lock = threading.Lock()
        self.affect: Stream | None = None

    def specs(self) -> tuple[StreamSpec, ...]:
        """Every stream this source produces, declared when the session is built (before ``open``)."""
        return (affect_spec(self.channel),)

    def open(self, hub: StreamHub) -> None:
        self.affect = hub.open(affect_spec(self.channel), 1.0 / self.period)

    @abstractmethod
    def step(self, now: float) -> None: ...

    def workers(self) -> tuple[Worker, ...]:
        """Threads of this source's own besides its periodic ``step`` (capture, analysis), started and stopped
        by the studio; tests call their steps by hand instead."""
        return ()

    def close(self) -> None:
        self.set_status(State.DOWN, "stopped")

    def calibrate(self, seconds: float) -> None:
        """Collect a neutral resting profile over the next ``seconds`` of input; once complete, estimates are
        relative to it. Channels without a personal baseline (text) ignore this."""
        return None

    def baseline(self) -> dict[str, float] | None:
        """The resting profile in use (JSON-serialisable, to store per client), or None."""
        return None

    def load_baseline(self, values: dict[str, float]) -> None:
        """Reuse a stored resting profile instead of calibrating. Channels without a baseline ignore this."""
        return None

    def forget_baseline(self) -> None:
        """Drop the resting profile in use and learn one again from the coming input, as after opening (the next
        client's session). Channels without a baseline ignore this."""
        return None

    @property
    def status(self) -> ChannelStatus:
        with self._status_lock:
            return self._status

    def set_status(self, state: State, detail: str) -> None:
        with self._status_lock:
            self._status = ChannelStatus(state, detail, self.backend)

    def emit(self, t: float, affect: Affect) -> None:
        """Write one affect estimate stamped ``t`` (session seconds)."""
        assert self.affect is not None, "open() the source before stepping it"
        self.affect.append(t, affect.as_row())


class FrameClock:
    """Frame times for a generator running at a fixed period: frame k is stamped start + k x period (seconds).

    Counting frames instead of adding periods keeps the timestamps free of drift over long sessions.
    """

    def __init__(self, period: float) -> None:
        self.period = period
        self._start: float | None = None
        self._frames = 0

    def due(self, now: float) -> list[float]:
        """The stamps of every frame not yet produced whose time is at or before ``now``."""
        if self._start is None:
            self._start = now
        times = []
        while (t := self._start + self._frames * self.period) <= now:
            times.append(t)
            self._frames += 1
        return times
