"""Replaying a channel's affect track: (t, valence, arousal, confidence) rows, for scenarios and review."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from fusion.affect import Affect
from sensors.base import CHANNELS, Source, State
from studio.kernel.streams import StreamHub


class Cue:
    """Rows handed out in time order: ``due(now)`` returns the rows stamped at or before ``now`` (seconds)
    that were not handed out before."""

    def __init__(self, t: NDArray[np.float64], values: NDArray[np.float64]) -> None:
        self.t = t
        self.values = values
        self.next = 0

    def due(self, now: float) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        end = int(np.searchsorted(self.t, now, side="right"))
        start, self.next = self.next, max(self.next, end)
        return self.t[start : self.next], self.values[start : self.next]

    @property
    def finished(self) -> bool:
        return self.next >= len(self.t)


class AffectReplay(Source):
    """Emits a recorded or scripted affect track on the session clock: each row when its time comes.

    ``track`` has one row per estimate: t (seconds from the start of the replay), valence, arousal,
    confidence. The status says when the track has ended; the channel then falls silent and goes stale.
    """

    backend = "replay"

    def __init__(self, channel: str, track: NDArray[np.float64] | list[tuple[float, float, float, float]]) -> None:
        if channel not in CHANNELS:
            raise ValueError(f"unknown channel {channel!r}; the channels are {', '.join(CHANNELS)}")
        rows = np.asarray(track, dtype=float)
        if rows.size == 0:
            rows = rows.reshape(0, 4)
        if rows.ndim != 2 or rows.shape[1] != 4:
            raise ValueError(f"an affect track needs rows of (t, valence, arousal, confidence), got shape {rows.shape}")
        if not np.all(np.isfinite(rows)) or np.any(np.diff(rows[:, 0]) < 0):
            raise ValueError("an affect track needs finite values and times in order")
        self.channel = channel
        super().__init__()
        self._cue = Cue(rows[:, 0], rows[:, 1:])
        self._start: float | None = None

    def open(self, hub: StreamHub) -> None:
        super().open(hub)
        self.set_status(State.OK, f"replaying {len(self._cue.t)} estimates")

    def step(self, now: float) -> None:
        if self._start is None:
            self._start = now
        times, rows = self._cue.due(now - self._start)
        for t, (valence, arousal, confidence) in zip(times, rows, strict=True):
            self.emit(self._start + t, Affect.make(valence, arousal, confidence))
        if self._cue.finished and self.status.state is State.OK:
            self.set_status(State.DOWN, "replay ended")


def constant_track(
    valence: float, arousal: float, confidence: float, seconds: float, rate_hz: float, start: float = 0.0
) -> NDArray[np.float64]:
    """A track holding one estimate from ``start`` for ``seconds`` at ``rate_hz`` estimates per second."""
    t = start + np.arange(int(seconds * rate_hz)) / rate_hz
    return np.column_stack([t, np.full_like(t, valence), np.full_like(t, arousal), np.full_like(t, confidence)])
