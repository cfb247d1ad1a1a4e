"""The fusion and control loop: read each channel's newest affect, fuse, decide, steer the music."""

from __future__ import annotations

import itertools
import math
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import numpy as np

from fusion.affect import AFFECT_FIELDS, Affect
from fusion.fuse import ChannelReading, Contribution, Fused, Smoother, checked_weights, fuse
from fusion.outliers import HISTORY, is_outlier
from fusion.response import ResponseModel
from sensors.base import affect_spec
from studio.adaptive import AdaptivePolicy
from studio.goal_plan import ANCHOR_CONFIDENCE, ISO_LEAD_PER_MIN, ISO_MATCH_SECONDS, Goal, GoalPlan, Point, fmt_point
from studio.goal_watch import GoalWatch
from studio.kernel.events import ControlChange, Emitter, EventLog
from studio.kernel.streams import Record, Stream, StreamHub, StreamSpec
from studio.levers import lever_vector, new_model, working_levers
from studio.music.params import LAYERS, MODES, NUMERIC, MusicParams, clamp_params
from studio.policy import Bounds, Change, ControlMode, FixedPolicy, PolicyKind, describe

LAYER_FIELDS = tuple(f"layer_{name}" for name in LAYERS)  # 1 while the layer plays, else 0
MUSIC_FIELDS = (*NUMERIC, "mode", *LAYER_FIELDS)  # mode is stored as its index in MODES
LOOP_SECONDS = 600.0  # fused affect and music parameters kept in memory
FUSED = StreamSpec("affect.fused", AFFECT_FIELDS, "", LOOP_SECONDS)  # smoothed, at the loop rate
SHARES = StreamSpec("fusion.shares", (), "", LOOP_SECONDS, Record.FEATURES)  # each channel's share, 0..1
AGREEMENT = StreamSpec("fusion.agreement", ("agreement",), "", LOOP_SECONDS, Record.FEATURES)  # 0..1
MUSIC = StreamSpec(
    "music.params", MUSIC_FIELDS, (*(r.unit for r in NUMERIC.values()), "index", *("" for _ in LAYERS)), LOOP_SECONDS
)
AUTO_HORIZON = 2.0  # seconds of allowed change one automatic move may claim after a pause


class MusicSink(Protocol):
    """What the loop steers: musical targets, and the operator's hard output ceiling (dBFS)."""

    def apply(self, params: MusicParams) -> None: ...

    def set_ceiling(self, dbfs: float) -> None: ...


@dataclass(frozen=True)
class LoopConfig:
    """Fixed settings of the loop: rate (Hz), smoothing time constant and suggestion interval (seconds),
    per-channel staleness (seconds) and operator weights, the iso principle's pace, and the policy."""

    rate_hz: float = 20.0
    smoothing_tau: float = 2.0
    suggest_interval: float = 20.0
    stale_after: Mapping[str, float] | None = None
    weights: Mapping[str, float] | None = None
    iso_match_seconds: float = ISO_MATCH_SECONDS
    iso_lead_per_min: float = ISO_LEAD_PER_MIN
    policy: PolicyKind = PolicyKind.ADAPTIVE
    seed: int = 0  # the adaptive policy's exploration draws


@dataclass(frozen=True)
class Suggestion:
    """A change the policy proposes in suggest mode, waiting for the operator."""

    id: int
    t: float
    changes: tuple[Change, ...]
    reason: str

    def summary(self) -> str:
        moves = ", ".join(f"{name} {describe(old)} -> {describe(new)}" for name, old, new in self.changes)
        return f"{moves} ({self.reason})"


class ParamRanges:
    """The lowest and highest value of every numeric music parameter over a run, and the modes and layer
    sets it used."""

    def __init__(self) -> None:
        self.low: dict[str, float] = {}
        self.high: dict[str, float] = {}
        self.modes: set[str] = set()
        self.layer_sets: set[str] = set()

    def add(self, params: MusicParams) -> None:
        for name in NUMERIC:
            value = params.numeric(name)
            self.low[name] = min(value, self.low.get(name, value))
            self.high[name] = max(value, self.high.get(name, value))
        self.modes.add(params.mode)
        self.layer_sets.add(describe(params.layers))

    def summary(self) -> dict[str, object]:
        out: dict[str, object] = {
            name: {"min": round(self.low[name], 3), "max": round(self.high[name], 3)} for name in self.low
        }
        out["mode"] = {"values": sorted(self.modes)}
        out["layers"] = {"values": sorted(self.layer_sets)}
        return out


def music_row(params: MusicParams) -> list[float]:
    """A ``music.params`` row: the NUMERIC values, the mode's index in MODES, then 1 or 0 per layer."""
    layers = [float(name in params.layers) for name in LAYERS]
    return [params.numeric(name) for name in NUMERIC] + [float(MODES.index(params.mode)), *layers]


@dataclass(frozen=True)
class LoopEvents:
    """What the views of the loop's settings subscribe to; each fires after the change, with the new value."""

    goal: Emitter[tuple[Goal, Point]] = field(default_factory=Emitter)  # the goal and its point
    mode: Emitter[ControlMode] = field(default_factory=Emitter)
    bounds: Emitter[Bounds] = field(default_factory=Emitter)


class FusionLoop:
    """One tick per call of ``step(now)``: fusion, then the control policy in the operator's mode.

    Operator settings (goal, bounds, mode, weights, manual values, suggestions) may be changed from any
    thread; bad values are refused with ValueError and the previous settings stay in force.
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
        notes: Callable[[str], str] | None = None,
        goal_point: Point | None = None,
    ) -> None:
        """``notes(channel)`` gives a channel's own word on its state, to explain a low weight."""
        self.channels = tuple(channels)
        self.config = config
        self.sink = sink
        self.notes = notes
        rate = config.rate_hz
        self._inputs: dict[str, Stream] = {ch: hub.open(affect_spec(ch), rate) for ch in channels}
        self.fused = hub.open(FUSED, rate)
        self.shares = hub.open(SHARES, rate, self.channels)
        self.agreement = hub.open(AGREEMENT, rate)
        self.music = hub.open(MUSIC, rate)
        self.control_log: EventLog[ControlChange] = EventLog()
        self.events = LoopEvents()  # goal, mode and bounds changes, for the views that show them
        self._smoother = Smoother(config.smoothing_tau)
        self._lock = threading.Lock()
        self._weights = checked_weights(config.weights or {}, self.channels)
        self.response: ResponseModel = new_model()
        plan = GoalPlan(match_seconds=config.iso_match_seconds, lead_per_min=config.iso_lead_per_min)
        self._policy: AdaptivePolicy | FixedPolicy = (
            AdaptivePolicy(plan=plan, model=self.response, seed=config.seed)
            if config.policy is PolicyKind.ADAPTIVE
            else FixedPolicy(plan=plan)
        )
        self._policy.set_goal(goal, goal_point)
        self.goal_watch = GoalWatch()
        self.goal_watch.restart(0.0, self._policy.goal, self._policy.point)
        self._bounds = (bounds or Bounds()).validated()
        self._mode = mode
        self._params = self._bounds.clamp(params or MusicParams())
        if sink is not None:
            sink.set_ceiling(self._bounds.volume_ceiling)
        self._suggestions: list[Suggestion] = []
        self._suggestion_ids = itertools.count(1)
        self._last_suggestion = -math.inf
        self._hold_until = -np.inf
        self._applied: MusicParams | None = None
        self._judged: dict[str, tuple[float, bool]] = {}  # channel -> (time of its newest reading, outlier?)
        self.last: Fused = Fused(Affect(0.0, 0.0, 0.0), ())
        self.ticks = 0
        self.ranges = ParamRanges()

    # --- operator settings -------------------------------------------------------------------------------
    @property
    def goal(self) -> Goal:
        return self._policy.goal

    @property
    def goal_point(self) -> Point:
        return self._policy.point

    @property
    def bounds(self) -> Bounds:
        return self._bounds

    @property
    def policy_kind(self) -> PolicyKind:
        return self._policy.kind

    @property
    def trying(self) -> str:
        """One line: what the policy is trying now and why."""
        return self._policy.trying

    @property
    def not_following(self) -> bool:
        """True while the policy finds that the person does not follow the music (and holds a safe setting)."""
        return isinstance(self._policy, AdaptivePolicy) and self._policy.not_following

    def following(self) -> bool | None:
        """Whether the person follows the music, judged from the estimate: True once the goal was reached, a
        lever is known to move them or they moved with the music, False while the policy finds they do not,
        None until one is known."""
        if self.not_following:
            return False
        moved = isinstance(self._policy, AdaptivePolicy) and self._policy.watch.followed
        if self.goal_watch.reached_at is not None or working_levers(self.response) or moved:
            return True
        return None

    def use_response_model(self, model: ResponseModel) -> None:
        """Steer with (and go on learning) a stored response model, e.g. the client's from earlier visits."""
        with self._lock:
            self.response = model
            if isinstance(self._policy, AdaptivePolicy):
                self._policy.model = model

    @property
    def mode(self) -> ControlMode:
        return self._mode

    @property
    def params(self) -> MusicParams:
        return self._params

    @property
    def weights(self) -> dict[str, float]:
        return dict(self._weights)

    def set_goal(self, goal: Goal | str, t: float, point: Point | None = None) -> None:
        """Choose a goal (and for any goal, its point on the plane); ValueError if either is invalid."""
        new = Goal(goal)
        with self._lock:
            old = f"{self._policy.goal.value} {fmt_point(self._policy.point)}"
            self._policy.set_goal(new, point)
            self.goal_watch.restart(t, new, self._policy.point)
            self._log_operator(t, "goal", old, f"{new.value} {fmt_point(self._policy.point)}")
            chosen = (new, self._policy.point)
        self.events.goal.emit(chosen)

    def set_mode(self, mode: ControlMode | str, t: float) -> None:
        new = ControlMode(mode)
        with self._lock:
            self._log_operator(t, "control mode", self._mode.value, new.value)
            self._mode = new
            if new is not ControlMode.SUGGEST:
                self._suggestions.clear()
        self.events.mode.emit(new)

    def set_bounds(self, bounds: Bounds, t: float) -> None:
        """Replace the bounds (ValueError if invalid); the music is pulled inside them at once."""
        bounds.validated()
        with self._lock:
            for name in Bounds.__dataclass_fields__:
                old, new = getattr(self._bounds, name), getattr(bounds, name)
                self._log_operator(t, f"bound {name}", describe(old), describe(new))
            self._bounds = bounds
            if self.sink is not None:
                self.sink.set_ceiling(bounds.volume_ceiling)
            self._set_params(t, bounds.clamp(self._params), "operator", "bounds changed")
        self.events.bounds.emit(bounds)

    def set_weights(self, weights: Mapping[str, float], t: float) -> None:
        """Replace the operator's channel weights (ValueError if negative, not a number, or all 0)."""
        new = checked_weights({**self._weights, **weights}, self.channels)
        with self._lock:
            for channel in self.channels:
                old_w, new_w = self._weights[channel], new[channel]  # checked_weights gives every channel
                self._log_operator(t, f"weight {channel}", f"{old_w:g}", f"{new_w:g}")
            self._weights = new

    def set_manual(self, t: float, **values: Any) -> list[str]:
        """Set music parameters by hand (clamped into range and bounds); returns any clamping notes.

        Refused (ValueError) while the music is frozen."""
        with self._lock:
            if self._mode is ControlMode.FREEZE:
                raise ValueError("the music is frozen; switch to manual or auto to change it")
            wanted, notes = clamp_params(replace(self._params, **values))
            self._set_params(t, self._bounds.clamp(wanted), "operator", "set by hand")
        return notes

    def hold_policy(self, until: float) -> None:
        """Keep the policy from moving the music until session time ``until`` (seconds), e.g. during a
        baseline calibration; the operator can still change it."""
        with self._lock:
            self._hold_until = until

    # --- suggestions ------------------------------------------------------------------------------------
    def suggestions(self) -> list[Suggestion]:
        with self._lock:
            return list(self._suggestions)

    def accept(self, suggestion_id: int, t: float) -> None:
        """Apply a pending suggestion (inside the bounds in force now); ValueError if it is not pending."""
        with self._lock:
            suggestion = self._take(suggestion_id)
            values = {name: new for name, _, new in suggestion.changes}
            new = self._bounds.clamp(replace(self._params, **values))  # type: ignore[arg-type]
            self._set_params(t, new, "policy", f"accepted by operator: {suggestion.reason}")

    def dismiss(self, suggestion_id: int, t: float) -> None:
        """Drop a pending suggestion, logged as the operator's decision; ValueError if it is not pending."""
        with self._lock:
            suggestion = self._take(suggestion_id)
            self.control_log.append(
                ControlChange(t, "suggestion", "pending", "dismissed", "operator", suggestion.summary())
            )

    def _take(self, suggestion_id: int) -> Suggestion:
        for suggestion in self._suggestions:
            if suggestion.id == suggestion_id:
                self._suggestions.remove(suggestion)
                return suggestion
        raise ValueError(f"suggestion {suggestion_id} is not pending (already answered or replaced)")

    # --- logging ----------------------------------------------------------------------------------------
    def _log_operator(self, t: float, what: str, old: str, new: str) -> None:
        if old != new:
            self.control_log.append(ControlChange(t, what, old, new, "operator", "operator setting"))

    def _set_params(self, t: float, new: MusicParams, who: str, reason: str) -> None:
        changes = [
            (name, getattr(self._params, name), getattr(new, name))
            for name in (*NUMERIC, "mode", "layers")
            if getattr(self._params, name) != getattr(new, name)
        ]
        for name, old_v, new_v in changes:
            self.control_log.append(ControlChange(t, name, describe(old_v), describe(new_v), who, reason))
        self._policy.moved(t, changes)
        self._params = new

    # --- the tick ---------------------------------------------------------------------------------------
    def readings(self) -> dict[str, ChannelReading | None]:
        """Each channel's newest reading, judged against the channel's previous ones for outliers."""
        out: dict[str, ChannelReading | None] = {}
        for ch, stream in self._inputs.items():
            rows = stream.tail(HISTORY + 1)
            if len(rows) == 0:
                out[ch] = None
                continue
            newest, t = rows.values[-1], float(rows.t[-1])
            judged = self._judged.get(ch)
            if judged is not None and judged[0] == t:  # each reading is judged once, when it first arrives
                outlier = judged[1]
            else:
                history = rows.values[:-1]
                confident = history[history[:, 2] > 0]
                outlier = bool(newest[2] > 0 and is_outlier(confident[:, :2], newest[:2]))
                self._judged[ch] = (t, outlier)
            note = self.notes(ch) if self.notes is not None else ""
            out[ch] = ChannelReading(t, Affect(*(float(v) for v in newest)), outlier, note)
        return out

    def step(self, now: float) -> Fused:
        """Fuse the channels at session time ``now`` (seconds), and let the policy act in the operator's mode."""
        with self._lock:
            weights = dict(self._weights)
        fused = fuse(self.readings(), now, self.config.stale_after or {}, weights)
        smoothed = self._smoother.update(now, fused.affect)
        self.fused.append(now, smoothed.as_row())
        shares = {c.channel: c.share for c in fused.contributions}
        self.shares.append(now, [shares.get(ch, 0.0) for ch in self.channels])
        self.agreement.append(now, [fused.agreement])
        with self._lock:
            self._learn(now, smoothed)
            if now >= self._hold_until:
                self._act(now, smoothed)
            params = self._params
        if params != self._applied and self.sink is not None:
            self.sink.apply(params)
        if params is not self._applied:  # adding the setting already added changes no range
            self.ranges.add(params)
        self._applied = params
        self.music.append(now, music_row(params))
        self.last = replace(fused, affect=smoothed)
        self.ticks += 1
        return self.last

    def _learn(self, now: float, estimate: Affect) -> None:
        """Feed the response model and the policy's watch with this tick's music and estimate (every mode)."""
        seen = (estimate.valence, estimate.arousal) if estimate.confidence >= ANCHOR_CONFIDENCE else None
        self.response.observe(now, lever_vector(self._params), seen)
        self.goal_watch.add(now, estimate)
        if isinstance(self._policy, AdaptivePolicy):
            self._policy.observe(now, estimate, self._params)
            for v in self._policy.verdicts:
                self.control_log.append(ControlChange(v.t, v.param, v.old, v.new, "policy", v.words))
            self._policy.verdicts.clear()

    def _act(self, now: float, estimate: Affect) -> None:
        """The policy's move in the current mode; the caller holds the lock."""
        if self._mode is ControlMode.AUTO:
            new, changes, reason = self._policy.propose(now, estimate, self._params, self._bounds, AUTO_HORIZON)
            if changes:
                self._set_params(now, new, "policy", reason)
        elif self._mode is ControlMode.SUGGEST and not self._suggestions:
            # One suggestion per interval at most, once the music has rested that long: each then carries
            # the interval's worth of change, so accepting every one keeps to the rate limit.
            interval = self.config.suggest_interval
            last = max(self._last_suggestion, self._policy.last_change())
            if now - last < interval:
                return
            _, changes, reason = self._policy.propose(now, estimate, self._params, self._bounds, interval)
            if changes:
                self._suggestions.append(Suggestion(next(self._suggestion_ids), now, tuple(changes), reason))
                self._last_suggestion = now


def contribution_text(c: Contribution) -> str:
    """One line for the operator: a channel's share and, when it counts less, why."""
    text = f"{c.channel}: {100 * c.share:.0f}%"
    return f"{text} ({c.reason})" if c.reason else text
