"""Where the music should take the person now: the goal's point, the person themself (steady), or the iso
principle's waypoint, which leads only as fast as the person follows.

Iso first matches the person's state (for ``match_seconds``), then moves a waypoint towards the target at
``lead_per_min`` plane units per minute while the person stays within FOLLOW_RADIUS of it. When the person
falls behind, the lead waits; when they drift further than DRIFT_RADIUS away, the waypoint steps back towards
them at the same pace, and the rule says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum

from fusion.affect import Affect

Point = tuple[float, float]  # (valence, arousal), each in [-1, 1]


class Goal(StrEnum):
    CALM = "calm"  # lower arousal
    ENERGISE = "energise"  # raise arousal
    UPLIFT = "uplift"  # raise valence
    STEADY = "steady"  # follow and hold the person's current state
    ISO = "iso"  # match the current state, then lead step by step to the target point


GOAL_POINTS: dict[Goal, Point] = {
    Goal.CALM: (0.3, -0.6),
    Goal.ENERGISE: (0.3, 0.6),
    Goal.UPLIFT: (0.7, 0.1),
    Goal.ISO: (0.3, -0.6),
}
ANCHOR_CONFIDENCE = 0.2  # the estimate must be this confident before steady or iso act on it
ISO_MATCH_SECONDS = 30.0  # iso: how long the music stays matched to the person before leading
ISO_LEAD_PER_MIN = 0.2  # iso: how fast the waypoint moves towards the target (plane units per minute)
FOLLOW_RADIUS = 0.2  # iso: the person counts as following while this close to the waypoint (plane units)
DRIFT_RADIUS = 0.4  # iso: further than this from the waypoint, the waypoint steps back towards the person


def checked_point(point: Point) -> Point:
    """``point`` if it lies on the plane, else ValueError saying so."""
    v, a = point
    if not all(math.isfinite(x) and -1.0 <= x <= 1.0 for x in (v, a)):
        raise ValueError(f"goal point ({v:g}, {a:g}) is outside the valence-arousal plane [-1, 1] x [-1, 1]")
    return (float(v), float(a))


def fmt_point(point: Point) -> str:
    return f"({point[0]:+.2f}, {point[1]:+.2f})"


def towards(start: Point, end: Point, distance: float) -> Point:
    """The point ``distance`` plane units from ``start`` on the way to ``end`` (``end`` if that is nearer)."""
    gap = math.dist(start, end)
    if gap <= distance or gap == 0.0:
        return end
    share = distance / gap
    return (start[0] + share * (end[0] - start[0]), start[1] + share * (end[1] - start[1]))


@dataclass
class GoalPlan:
    """The operator's goal and the iso plan's progress; ``aim`` is asked on every control tick."""

    goal: Goal = Goal.CALM
    point: Point = GOAL_POINTS[Goal.CALM]
    match_seconds: float = ISO_MATCH_SECONDS
    lead_per_min: float = ISO_LEAD_PER_MIN
    anchor_t: float | None = None
    waypoint: Point | None = None
    leading: bool = False  # whether the iso waypoint moved on at the last ``aim``
    _last_t: float | None = field(default=None, repr=False)

    def set_goal(self, goal: Goal, point: Point | None = None) -> None:
        """Choose a goal and (optionally) its point; the iso plan starts again from the person's state."""
        self.point = checked_point(point) if point is not None else GOAL_POINTS.get(goal, self.point)
        self.goal = goal
        self.anchor_t = None
        self.waypoint = None
        self.leading = False
        self._last_t = None

    def aim(self, t: float, affect: Affect) -> tuple[Point | None, str]:
        """The point the music should take the person to now (None: hold), and the rule in words."""
        person = (affect.valence, affect.arousal)
        confident = affect.confidence >= ANCHOR_CONFIDENCE
        if self.goal is Goal.STEADY:
            return (person, "steady: hold the person where they are") if confident else (None, "steady: hold, unsure")
        if self.goal is not Goal.ISO:
            return self.point, f"{self.goal.value}: head for {fmt_point(self.point)}"
        if self.waypoint is None or self.anchor_t is None:
            if not confident:
                return None, "iso: wait for a confident estimate to match"
            self.waypoint, self.anchor_t, self._last_t = person, t, t
            return person, f"iso match: meet the person at {fmt_point(person)}"
        dt = max(0.0, t - (self._last_t if self._last_t is not None else t))
        self._last_t = t
        if t - self.anchor_t < self.match_seconds:
            return self.waypoint, f"iso match: stay with the person at {fmt_point(self.waypoint)}"
        step = self.lead_per_min * dt / 60.0
        gap = math.dist(person, self.waypoint)
        self.leading = confident and gap <= FOLLOW_RADIUS and self.waypoint != self.point
        if self.waypoint == self.point:
            rule = f"iso: target {fmt_point(self.point)} reached by the lead"
        elif not confident:
            rule = f"iso wait: the estimate is unsure; the waypoint stays at {fmt_point(self.waypoint)}"
        elif gap <= FOLLOW_RADIUS:
            self.waypoint = towards(self.waypoint, self.point, step)
            rule = f"iso lead: the person follows; waypoint {fmt_point(self.waypoint)} -> {fmt_point(self.point)}"
        elif gap > DRIFT_RADIUS:
            self.waypoint = towards(self.waypoint, person, step)
            rule = (
                f"iso step back: the person drifted {gap:.2f} from the waypoint; "
                f"stepping back to {fmt_point(self.waypoint)} to meet them"
            )
        else:
            rule = f"iso wait: the person is {gap:.2f} behind the waypoint {fmt_point(self.waypoint)}; the lead waits"
        return self.waypoint, rule

    def ahead(self, seconds: float) -> Point | None:
        """Where the iso waypoint will be after ``seconds`` more of leading, while it leads (else None)."""
        if not self.leading or self.waypoint is None:
            return None
        return towards(self.waypoint, self.point, self.lead_per_min * seconds / 60.0)
