"""Replaying a channel's affect track: (t, valence, arousal, confidence) rows, for scenarios and review."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from fusion.affect import Affect
from sensors.base import CHANNELS, Source, State
from studio.streams import StreamHub


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
        self.rows = rows
        self._next = 0
        self._start: float | None = None

    def open(self, hub: StreamHub) -> None:
        super().open(hub)
        self.set_status(State.OK, f"replaying {len(self.rows)} estimates")

    def step(self, now: float) -> None:
        if self._start is None:
            self._start = now
        while self._next < len(self.rows) and self._start + self.rows[self._next, 0] <= now:
            t, valence, arousal, confidence = self.rows[self._next]
            self.emit(self._start + t, Affect.make(valence, arousal, confidence))
            self._next += 1
        if self._next == len(self.rows) and self.status.state is State.OK:
            self.set_status(State.DOWN, "replay ended")


def constant_track(
    valence: float, arousal: float, confidence: float, seconds: float, rate_hz: float, start: float = 0.0
) -> NDArray[np.float64]:
    """A track holding one estimate from ``start`` for ``seconds`` at ``rate_hz`` estimates per second."""
    t = start + np.arange(int(seconds * rate_hz)) / rate_hz
    return np.column_stack([t, np.full_like(t, valence), np.full_like(t, arousal), np.full_like(t, confidence)])
