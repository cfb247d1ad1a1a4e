"""The control policy: (fused affect, the operator's goal, the operator's bounds) -> music parameters."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from enum import StrEnum

from fusion.affect import Affect, clip01
from studio.events import ControlChange
from studio.music.params import MODES, NUMERIC, MusicParams


class Goal(StrEnum):
    CALM = "calm"  # lower arousal
    ENERGISE = "energise"  # raise arousal
    UPLIFT = "uplift"  # raise valence
    STEADY = "steady"  # follow and hold the current state


class ControlMode(StrEnum):
    AUTO = "auto"  # the policy changes the music
    MANUAL = "manual"  # only the operator's sliders change it


@dataclass(frozen=True)
class Bounds:
    """The operator's limits: the policy never leaves them and never moves faster than allowed."""

    tempo_min: float = 60.0  # BPM
    tempo_max: float = 96.0  # BPM
    volume_ceiling: float = -12.0  # dBFS
    max_change_per_min: float = 0.3  # share of each parameter's range per minute

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
        return self

    def clamp(self, params: MusicParams) -> MusicParams:
        """Pull tempo and volume inside these bounds."""
        return replace(
            params,
            tempo=min(self.tempo_max, max(self.tempo_min, params.tempo)),
            volume=min(self.volume_ceiling, params.volume),
        )


# Where each goal leads the person on the (valence, arousal) plane; STEADY holds wherever they are.
GOAL_POINTS: dict[Goal, tuple[float, float]] = {
    Goal.CALM: (0.3, -0.6),
    Goal.ENERGISE: (0.3, 0.6),
    Goal.UPLIFT: (0.7, 0.1),
}


def goal_point(goal: Goal, current: tuple[float, float]) -> tuple[float, float]:
    """The (valence, arousal) point the goal aims at, given the person's current point."""
    return GOAL_POINTS.get(goal, current)


# Where each goal leads the music's energy (0 = calmest, 1 = most energetic) relative to the person's
# current arousal, and where it rests when the estimate carries no confidence.
LEAD = {Goal.CALM: -0.3, Goal.ENERGISE: 0.3, Goal.UPLIFT: 0.05, Goal.STEADY: 0.0}
VALENCE_CONFIDENCE = 0.3  # below this, the estimate's valence does not choose the mode
REST_ENERGY = {Goal.CALM: 0.25, Goal.ENERGISE: 0.7, Goal.UPLIFT: 0.55, Goal.STEADY: 0.45}


def target_params(affect: Affect, goal: Goal, bounds: Bounds, current: MusicParams) -> tuple[MusicParams, str]:
    """The music the goal asks for now, and the rule behind it in words.

    The music first matches the person's arousal (iso principle) and then leans towards the goal:
    energy = confidence x (match + lead) + (1 - confidence) x rest energy.
    """
    match = 0.5 + 0.5 * affect.arousal
    energy = clip01(affect.confidence * clip01(match + LEAD[goal]) + (1 - affect.confidence) * REST_ENERGY[goal])
    low_valence = affect.confidence >= VALENCE_CONFIDENCE and affect.valence < -0.2
    if goal is Goal.UPLIFT or (goal is not Goal.STEADY and not low_valence):
        mode = "major"
    elif goal is Goal.STEADY:
        mode = current.mode
    else:
        mode = "dorian"
    brightness = 0.15 + 0.55 * energy + (0.15 if goal is Goal.UPLIFT else 0.0)
    target = bounds.clamp(
        replace(
            current,
            tempo=bounds.tempo_min + energy * (bounds.tempo_max - bounds.tempo_min),
            brightness=brightness,
            density=0.2 + 0.7 * energy,
            volume=bounds.volume_ceiling - 8.0 + 5.0 * energy,
            mode=mode,
        )
    )
    rule = (
        f"goal {goal.value}: arousal {affect.arousal:+.2f}, valence {affect.valence:+.2f} "
        f"(confidence {affect.confidence:.2f}) -> energy {energy:.2f}"
    )
    return target, rule


STEERED = ("tempo", "brightness", "density", "volume")
DEADBAND = 0.005  # share of a range below which a change is not worth making


def step_towards(
    current: MusicParams, target: MusicParams, bounds: Bounds, dt: float
) -> tuple[MusicParams, list[tuple[str, float | str, float | str]]]:
    """Move ``current`` towards ``target`` by at most the bounds' rate over ``dt`` seconds.

    Returns the new params (inside the bounds) and the (param, old, new) changes made.
    """
    changes: list[tuple[str, float | str, float | str]] = []
    updates: dict[str, float | str] = {}
    for name in STEERED:
        rng = NUMERIC[name]
        span = rng.high - rng.low
        limit = bounds.max_change_per_min * span * dt / 60.0
        old = current.numeric(name)
        delta = max(-limit, min(limit, target.numeric(name) - old))
        if abs(delta) >= DEADBAND * span:
            updates[name] = old + delta
    if target.mode != current.mode and target.mode in MODES:
        updates["mode"] = target.mode
    moved = bounds.clamp(replace(current, **updates))  # type: ignore[arg-type]
    for name in (*STEERED, "mode"):
        old_v, new_v = getattr(current, name), getattr(moved, name)
        if old_v != new_v:
            changes.append((name, old_v, new_v))
    return moved, changes


def describe(value: float | str) -> str:
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def decide(
    t: float, affect: Affect, goal: Goal, bounds: Bounds, current: MusicParams, dt: float
) -> tuple[MusicParams, list[ControlChange]]:
    """One policy decision at session time ``t``: the new params and a logged change for each move."""
    target, rule = target_params(affect, goal, bounds, current)
    new, moves = step_towards(current, target, bounds, dt)
    log = [ControlChange(t, name, describe(old), describe(val), "policy", rule) for name, old, val in moves]
    return new, log
