"""The control policies: (fused affect, the operator's goal, the operator's bounds) -> music parameters.

The operator picks a goal, then bounds, then a mode. Both policies aim where the goal plan says (goal_plan.py)
and move the music at the bounded rate. The fixed policy plays the music a typical listener associates with that
point (``music_for_point``); the adaptive policy (adaptive.py) plays what this person's response model says
takes them there.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from enum import StrEnum

from fusion.affect import Affect, clip01
from studio.goal_plan import Goal, GoalPlan, Point, fmt_point
from studio.music.params import LAYERS, MODES, NUMERIC, MusicParams


class ControlMode(StrEnum):
    AUTO = "auto"  # the policy changes the music
    SUGGEST = "suggest"  # the policy proposes; the operator accepts or dismisses each proposal
    MANUAL = "manual"  # only the operator's sliders change it
    FREEZE = "freeze"  # nothing changes the music (fading out stays possible)


class PolicyKind(StrEnum):
    ADAPTIVE = "adaptive"  # learns what moves this person and plays that
    FIXED = "fixed"  # plays what moves a typical listener towards the aim, whatever this person does


# Modes from brightest to darkest: a mode the bounds forbid is replaced by its nearest allowed neighbour.
MODE_BRIGHTNESS = ("lydian", "major", "dorian", "minor")


@dataclass(frozen=True)
class Bounds:
    """The operator's limits: the policy never leaves them and never moves faster than allowed."""

    tempo_min: float = 60.0  # BPM
    tempo_max: float = 96.0  # BPM
    volume_ceiling: float = -6.0  # dBFS: with volume close to the output peak, a clinic level with headroom
    max_change_per_min: float = 0.3  # share of each parameter's range per minute
    allowed_modes: tuple[str, ...] = MODES
    allowed_layers: frozenset[str] = frozenset(LAYERS)

    def validated(self) -> Bounds:
        """Return self, or raise ValueError naming the bad value and what would be accepted."""
        tempo = NUMERIC["tempo"]
        for name, value in (("tempo_min", self.tempo_min), ("tempo_max", self.tempo_max)):
            if not (tempo.low <= value <= tempo.high):
                raise ValueError(f"{name}={value:g} BPM is outside {tempo.low:g}..{tempo.high:g} BPM")
        if self.tempo_min > self.tempo_max:
            raise ValueError(f"tempo bounds {self.tempo_min:g}:{self.tempo_max:g} have the minimum above the maximum")
        vol = NUMERIC["volume"]
        if not (vol.low <= self.volume_ceiling <= vol.high):
            raise ValueError(f"volume ceiling {self.volume_ceiling:g} dBFS is outside {vol.low:g}..{vol.high:g}")
        if not (0.0 < self.max_change_per_min <= 10.0) or math.isnan(self.max_change_per_min):
            raise ValueError(f"max change per minute {self.max_change_per_min:g} must be in (0, 10] of a range")
        if not self.allowed_modes or set(self.allowed_modes) - set(MODES):
            raise ValueError(f"allowed modes {','.join(self.allowed_modes) or '(none)'}: pick from {', '.join(MODES)}")
        if not self.allowed_layers or self.allowed_layers - set(LAYERS):
            names = ",".join(sorted(self.allowed_layers)) or "(none)"
            raise ValueError(f"allowed layers {names}: pick at least one of {', '.join(LAYERS)}")
        return self

    def nearest_mode(self, mode: str) -> str:
        """``mode`` if allowed, else the allowed mode closest to it in brightness."""
        if mode in self.allowed_modes:
            return mode
        index = MODE_BRIGHTNESS.index(mode)
        return min(self.allowed_modes, key=lambda m: abs(MODE_BRIGHTNESS.index(m) - index))

    def clamp(self, params: MusicParams) -> MusicParams:
        """Pull tempo, volume, mode and layers inside these bounds."""
        layers = params.layers & self.allowed_layers
        return replace(
            params,
            tempo=min(self.tempo_max, max(self.tempo_min, params.tempo)),
            volume=min(self.volume_ceiling, params.volume),
            mode=self.nearest_mode(params.mode),
            layers=layers or self.allowed_layers,
        )

    def limits(self, name: str) -> tuple[float, float]:
        """The lowest and highest value of a numeric parameter these bounds allow."""
        rng = NUMERIC[name]
        if name == "tempo":
            return self.tempo_min, self.tempo_max
        if name == "volume":
            return rng.low, self.volume_ceiling
        return rng.low, rng.high

    def discrete_interval(self) -> float:
        """Seconds between two changes of mode or layers: a switch counts as half of a range."""
        return 30.0 / self.max_change_per_min


def music_for_point(point: Point, bounds: Bounds, current: MusicParams) -> MusicParams:
    """The music that fits a (valence, arousal) point, inside the bounds.

    Energy 0..1 follows arousal (arousal -0.6 or lower: the calmest music the bounds allow; 0.6 or higher:
    the most energetic); valence chooses the mode, brightness, tension and whether the melody plays.
    Register and space stay the operator's.
    """
    valence, arousal = point
    energy = clip01(0.5 + arousal / 1.2)
    if valence > 0.45 and energy > 0.6:
        mode = "lydian"
    elif valence > 0.15:
        mode = "major"
    elif valence < -0.5:
        mode = "minor"
    elif valence < -0.15:
        mode = "dorian"
    else:
        mode = current.mode
    layers = {"pad"}
    if energy >= 0.15:
        layers.add("bass")
    if energy >= 0.3:
        layers.add("pulse")
    if energy >= 0.55 and valence >= -0.2:
        layers.add("melody")
    return bounds.clamp(
        replace(
            current,
            tempo=bounds.tempo_min + energy * (bounds.tempo_max - bounds.tempo_min),
            brightness=clip01(0.15 + 0.5 * energy + 0.2 * max(0.0, valence)),
            density=0.15 + 0.7 * energy,
            tension=clip01(0.1 + 0.15 * (1.0 - valence) + 0.1 * energy),
            volume=bounds.volume_ceiling - 8.0 + 5.0 * energy,
            mode=mode,
            layers=frozenset(layers),
        )
    )


STEERED = ("tempo", "tension", "brightness", "density", "volume")
DISCRETE = ("mode", "layers")
DEADBAND = 0.005  # share of a range below which a change is not worth making (unless it reaches a bound)


Change = tuple[str, object, object]  # (param, old value, new value)


def describe(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, frozenset):
        return ",".join(sorted(value))
    if isinstance(value, tuple):
        return ",".join(map(str, value))
    return str(value)


@dataclass
class RateLimited:
    """What every policy shares: the goal plan, and moves limited to the operator's rates.

    Numeric parameters move at most ``max_change_per_min`` of their range per minute (measured between
    consecutive changes, each change claiming at most ``horizon`` seconds); mode and layers change at most
    once per ``Bounds.discrete_interval()``.
    """

    plan: GoalPlan = field(default_factory=GoalPlan)
    last_move: dict[str, float] = field(default_factory=dict)
    trying: str = ""  # one line for the operator: what the policy is trying now and why

    @property
    def goal(self) -> Goal:
        return self.plan.goal

    @property
    def point(self) -> Point:
        return self.plan.point

    def set_goal(self, goal: Goal, point: Point | None = None) -> None:
        self.plan.set_goal(goal, point)

    def step_towards(
        self, t: float, target: MusicParams, current: MusicParams, bounds: Bounds, horizon: float
    ) -> tuple[MusicParams, list[Change]]:
        """The rate-limited move from ``current`` towards ``target`` at session time ``t`` (seconds)."""
        updates: dict[str, object] = {}
        for name in STEERED:
            span = NUMERIC[name].high - NUMERIC[name].low
            elapsed = min(horizon, t - self.last_move.get(name, t - horizon))
            limit = bounds.max_change_per_min * span * elapsed / 60.0
            old, wanted = current.numeric(name), target.numeric(name)
            delta = max(-limit, min(limit, wanted - old))
            reaches_bound = old + delta == wanted and wanted in bounds.limits(name)
            if abs(delta) >= DEADBAND * span or (reaches_bound and delta != 0):
                updates[name] = old + delta
        for name in DISCRETE:
            since = t - self.last_move.get(name, -math.inf)
            if getattr(target, name) != getattr(current, name) and since >= bounds.discrete_interval():
                updates[name] = getattr(target, name)
        moved = bounds.clamp(replace(current, **updates))  # type: ignore[arg-type]
        changes = [(n, getattr(current, n), getattr(moved, n)) for n in (*STEERED, *DISCRETE)]
        return moved, [c for c in changes if c[1] != c[2]]

    def last_change(self) -> float:
        """Session time (seconds) of the newest change to any parameter, -inf before the first."""
        return max(self.last_move.values(), default=-math.inf)

    def moved(self, t: float, changes: list[Change]) -> None:
        """Record that ``changes`` reached the music at ``t``, restarting their rate-limit clocks."""
        for name, _, _ in changes:
            self.last_move[name] = t


def estimate_words(affect: Affect) -> str:
    return f"estimate v{affect.valence:+.2f} a{affect.arousal:+.2f} (confidence {affect.confidence:.2f})"


@dataclass
class FixedPolicy(RateLimited):
    """Plays the music a typical listener associates with the aim (``music_for_point``), whatever this person
    does: the studio's policy before it learned, kept as the baseline the adaptive policy is measured against."""

    kind: PolicyKind = PolicyKind.FIXED

    def propose(
        self, t: float, affect: Affect, current: MusicParams, bounds: Bounds, horizon: float
    ) -> tuple[MusicParams, list[Change], str]:
        """The next rate-limited move at session time ``t`` (seconds): new params, the changes and the reason."""
        aim, rule = self.plan.aim(t, affect)
        reason = f"{estimate_words(affect)}; goal {self.goal.value}; rule {rule}"
        target = bounds.clamp(current) if aim is None else music_for_point(aim, bounds, current)
        moved, changes = self.step_towards(t, target, current, bounds, horizon)
        self.trying = f"holding: {rule}" if aim is None else f"playing what suits {fmt_point(aim)} for most listeners"
        return moved, changes, reason
