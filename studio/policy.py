"""The control policy: (fused affect, the operator's goal, the operator's bounds) -> music parameters.

The operator picks a goal, then bounds, then a mode. Every goal is a point on the valence-arousal plane the
music aims at: calm, energise and uplift head for their point at the bounded rate; steady follows the
person; the iso principle first matches the person's current state, then leads step by step to the target.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from enum import StrEnum

from fusion.affect import Affect, clip01
from studio.music.params import LAYERS, MODES, NUMERIC, MusicParams

Point = tuple[float, float]  # (valence, arousal), each in [-1, 1]


class Goal(StrEnum):
    CALM = "calm"  # lower arousal
    ENERGISE = "energise"  # raise arousal
    UPLIFT = "uplift"  # raise valence
    STEADY = "steady"  # follow and hold the person's current state
    ISO = "iso"  # match the current state, then lead step by step to the target point


class ControlMode(StrEnum):
    AUTO = "auto"  # the policy changes the music
    SUGGEST = "suggest"  # the policy proposes; the operator accepts or dismisses each proposal
    MANUAL = "manual"  # only the operator's sliders change it
    FREEZE = "freeze"  # nothing changes the music (fading out stays possible)


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


GOAL_POINTS: dict[Goal, Point] = {
    Goal.CALM: (0.3, -0.6),
    Goal.ENERGISE: (0.3, 0.6),
    Goal.UPLIFT: (0.7, 0.1),
    Goal.ISO: (0.3, -0.6),
}


def checked_point(point: Point) -> Point:
    """``point`` if it lies on the plane, else ValueError saying so."""
    v, a = point
    if not all(math.isfinite(x) and -1.0 <= x <= 1.0 for x in (v, a)):
        raise ValueError(f"goal point ({v:g}, {a:g}) is outside the valence-arousal plane [-1, 1] x [-1, 1]")
    return (float(v), float(a))


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
ANCHOR_CONFIDENCE = 0.2  # the estimate must be this confident before steady or iso act on it
ISO_MATCH_SECONDS = 30.0  # iso: how long the music stays matched to the person before leading
ISO_LEAD_PER_MIN = 0.2  # iso: how far the waypoint moves towards the target per minute (plane units)


def iso_waypoint(anchor: Point, target: Point, elapsed: float, match_seconds: float, lead_per_min: float) -> Point:
    """Where the iso principle has got to ``elapsed`` seconds after matching the person at ``anchor``."""
    distance = math.dist(anchor, target)
    if distance == 0:
        return target
    travelled = max(0.0, elapsed - match_seconds) * lead_per_min / 60.0
    if travelled >= distance:
        return target
    share = travelled / distance
    return (anchor[0] + share * (target[0] - anchor[0]), anchor[1] + share * (target[1] - anchor[1]))


Change = tuple[str, object, object]  # (param, old value, new value)


def describe(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, frozenset):
        return ",".join(sorted(value))
    if isinstance(value, tuple):
        return ",".join(map(str, value))
    return str(value)


def fmt_point(point: Point) -> str:
    return f"({point[0]:+.2f}, {point[1]:+.2f})"


@dataclass
class Policy:
    """The goal and the state of the plan towards it; ``propose`` is called on every loop tick.

    Numeric parameters move at most ``max_change_per_min`` of their range per minute (measured between
    consecutive changes, each change claiming at most ``horizon`` seconds); mode and layers change at most
    once per ``Bounds.discrete_interval()``.
    """

    goal: Goal = Goal.CALM
    point: Point = GOAL_POINTS[Goal.CALM]
    iso_match_seconds: float = ISO_MATCH_SECONDS
    iso_lead_per_min: float = ISO_LEAD_PER_MIN
    anchor: Point | None = None
    anchor_t: float = 0.0
    last_move: dict[str, float] = field(default_factory=dict)

    def set_goal(self, goal: Goal, point: Point | None = None) -> None:
        """Choose a goal and (optionally) its point; the iso plan starts again from the person's state."""
        self.point = checked_point(point) if point is not None else GOAL_POINTS.get(goal, self.point)
        self.goal = goal
        self.anchor = None

    def aim(self, t: float, affect: Affect) -> tuple[Point | None, str]:
        """The point the music should express now (None: hold), and the rule that chose it in words."""
        person = (affect.valence, affect.arousal)
        confident = affect.confidence >= ANCHOR_CONFIDENCE
        if self.goal is Goal.STEADY:
            return (person, "steady: follow the person") if confident else (None, "steady: hold, estimate unsure")
        if self.goal is not Goal.ISO:
            return self.point, f"{self.goal.value}: head for {fmt_point(self.point)}"
        if self.anchor is None:
            if not confident:
                return None, "iso: wait for a confident estimate to match"
            self.anchor, self.anchor_t = person, t
        elapsed = t - self.anchor_t
        waypoint = iso_waypoint(self.anchor, self.point, elapsed, self.iso_match_seconds, self.iso_lead_per_min)
        phase = "match" if elapsed < self.iso_match_seconds else "lead"
        return waypoint, f"iso {phase}: {fmt_point(self.anchor)} -> {fmt_point(self.point)} at {fmt_point(waypoint)}"

    def propose(
        self, t: float, affect: Affect, current: MusicParams, bounds: Bounds, horizon: float
    ) -> tuple[MusicParams, list[Change], str]:
        """The next rate-limited move at session time ``t`` (seconds): new params, the changes and the reason."""
        aim, rule = self.aim(t, affect)
        reason = (
            f"estimate v{affect.valence:+.2f} a{affect.arousal:+.2f} (confidence {affect.confidence:.2f}); "
            f"goal {self.goal.value}; rule {rule}"
        )
        target = bounds.clamp(current) if aim is None else music_for_point(aim, bounds, current)
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
        return moved, [c for c in changes if c[1] != c[2]], reason

    def last_change(self) -> float:
        """Session time (seconds) of the newest change to any parameter, -inf before the first."""
        return max(self.last_move.values(), default=-math.inf)

    def moved(self, t: float, changes: list[Change]) -> None:
        """Record that ``changes`` reached the music at ``t``, restarting their rate-limit clocks."""
        for name, _, _ in changes:
            self.last_move[name] = t
