"""The fusion and control loop: read each channel's newest affect, fuse, decide, steer the music."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from fusion.affect import AFFECT_FIELDS, Affect
from fusion.fuse import ChannelReading, Contribution, Fused, Smoother, fuse
from sensors.base import affect_stream_name
from studio.events import ControlChange, EventLog
from studio.music.params import MODES, NUMERIC, MusicParams, clamp_params
from studio.policy import Bounds, ControlMode, Goal, decide, describe
from studio.streams import Stream, StreamHub

MUSIC_FIELDS = (*NUMERIC, "mode")  # mode is stored as its index in MODES
LOOP_SECONDS = 600.0  # fused affect and music parameters kept in memory


class MusicSink(Protocol):
    def apply(self, params: MusicParams) -> None: ...


@dataclass(frozen=True)
class LoopConfig:
    """Fixed settings of the loop: rate (Hz), smoothing time constant and decision interval (seconds)."""

    rate_hz: float = 20.0
    smoothing_tau: float = 2.0
    decision_interval: float = 2.0
    stale_after: Mapping[str, float] | None = None
    weights: Mapping[str, float] | None = None


def music_row(params: MusicParams) -> list[float]:
    return [params.numeric(name) for name in NUMERIC] + [float(MODES.index(params.mode))]


class FusionLoop:
    """One tick per call of ``step(now)``: fusion, then (every decision interval) the control policy.

    Operator settings (goal, bounds, mode, manual values) may be changed from any thread; bad values are
    refused with ValueError and the previous settings stay in force.
    """

    def __init__(
        self,
        hub: StreamHub,
        channels: Sequence[str],
        config: LoopConfig,
        sink: MusicSink | None = None,
        goal: Goal = Goal.CALM,
        bounds: Bounds | None = None,
        mode: ControlMode = ControlMode.AUTO,
        params: MusicParams | None = None,
    ) -> None:
        self.channels = tuple(channels)
        self.config = config
        self.sink = sink
        self._inputs: dict[str, Stream] = {
            ch: hub.add(affect_stream_name(ch), AFFECT_FIELDS, int(LOOP_SECONDS * config.rate_hz)) for ch in channels
        }
        capacity = int(LOOP_SECONDS * config.rate_hz)
        self.fused = hub.add("affect.fused", AFFECT_FIELDS, capacity)
        self.shares = hub.add("fusion.shares", self.channels, capacity)
        self.music = hub.add("music.params", MUSIC_FIELDS, capacity)
        self.control_log: EventLog[ControlChange] = EventLog()
        self._smoother = Smoother(config.smoothing_tau)
        self._lock = threading.Lock()
        self._goal = goal
        self._bounds = (bounds or Bounds()).validated()
        self._mode = mode
        self._params = self._bounds.clamp(params or MusicParams())
        self._last_decision: float | None = None
        self._applied: MusicParams | None = None
        self.last: Fused = Fused(Affect(0.0, 0.0, 0.0), ())
        self.ticks = 0

    # --- operator settings -------------------------------------------------------------------------------
    @property
    def goal(self) -> Goal:
        return self._goal

    @property
    def bounds(self) -> Bounds:
        return self._bounds

    @property
    def mode(self) -> ControlMode:
        return self._mode

    @property
    def params(self) -> MusicParams:
        return self._params

    def set_goal(self, goal: Goal | str, t: float) -> None:
        new = Goal(goal)
        with self._lock:
            self._log_operator(t, "goal", self._goal.value, new.value)
            self._goal = new

    def set_mode(self, mode: ControlMode | str, t: float) -> None:
        new = ControlMode(mode)
        with self._lock:
            self._log_operator(t, "control mode", self._mode.value, new.value)
            self._mode = new

    def set_bounds(self, bounds: Bounds, t: float) -> None:
        """Replace the bounds (ValueError if invalid); the music is pulled inside them at once."""
        bounds.validated()
        with self._lock:
            self._bounds = bounds
            self._set_params(t, bounds.clamp(self._params), "operator", "bounds changed")

    def set_manual(self, t: float, **values: Any) -> list[str]:
        """Set music parameters by hand (clamped into range and bounds); returns any clamping notes."""
        with self._lock:
            wanted, notes = clamp_params(replace(self._params, **values))
            self._set_params(t, self._bounds.clamp(wanted), "operator", "set by hand")
        return notes

    def _log_operator(self, t: float, what: str, old: str, new: str) -> None:
        if old != new:
            self.control_log.append(ControlChange(t, what, old, new, "operator", "operator setting"))

    def _set_params(self, t: float, new: MusicParams, who: str, reason: str) -> None:
        for name in (*NUMERIC, "mode", "layers"):
            old_v, new_v = getattr(self._params, name), getattr(new, name)
            if old_v != new_v:
                if name == "layers":
                    old_s, new_s = ",".join(sorted(old_v)), ",".join(sorted(new_v))
                else:
                    old_s, new_s = describe(old_v), describe(new_v)
                self.control_log.append(ControlChange(t, name, old_s, new_s, who, reason))
        self._params = new

    # --- the tick ---------------------------------------------------------------------------------------
    def readings(self) -> dict[str, ChannelReading | None]:
        out: dict[str, ChannelReading | None] = {}
        for ch, stream in self._inputs.items():
            row = stream.latest()
            out[ch] = None if row is None else ChannelReading(row[0], Affect(*(float(v) for v in row[1])))
        return out

    def step(self, now: float) -> Fused:
        """Fuse the channels at session time ``now`` (seconds), and steer the music when a decision is due."""
        fused = fuse(self.readings(), now, self.config.stale_after or {}, self.config.weights or {})
        smoothed = self._smoother.update(now, fused.affect)
        self.fused.append(now, smoothed.as_row())
        shares = {c.channel: c.share for c in fused.contributions}
        self.shares.append(now, [shares.get(ch, 0.0) for ch in self.channels])
        with self._lock:
            due = self._last_decision is None or now - self._last_decision >= self.config.decision_interval
            if self._mode is ControlMode.AUTO and due:
                dt = self.config.decision_interval if self._last_decision is None else now - self._last_decision
                new, changes = decide(now, smoothed, self._goal, self._bounds, self._params, dt)
                for change in changes:
                    self.control_log.append(change)
                self._params = new
            if due:
                self._last_decision = now
            params = self._params
        if params != self._applied and self.sink is not None:
            self.sink.apply(params)
        self._applied = params
        self.music.append(now, music_row(params))
        self.last = Fused(smoothed, fused.contributions)
        self.ticks += 1
        return self.last


def contribution_text(c: Contribution) -> str:
    """One line for the operator: a channel's share and, when it counts less, why."""
    text = f"{c.channel}: {100 * c.share:.0f}%"
    return f"{text} ({c.reason})" if c.reason else text
