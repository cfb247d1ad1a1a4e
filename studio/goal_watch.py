"""Whether and when the person reached the goal, judged from the fused estimate alone."""

from __future__ import annotations

import math

from fusion.affect import Affect
from studio.goal_plan import ANCHOR_CONFIDENCE, Goal, Point

REACHED_RADIUS = 0.2  # plane units: the estimate counts as at the goal this close to its point
HOLD_S = 10.0  # seconds the estimate must stay that close for the goal to count as reached


class GoalWatch:
    """Time from setting a goal to the estimate settling at its point (steady has no point, so no time)."""

    def __init__(self) -> None:
        self.since = 0.0
        self.point: Point | None = None
        self.reached_at: float | None = None
        self._inside_from: float | None = None

    def restart(self, t: float, goal: Goal, point: Point) -> None:
        """A goal was set at session time ``t`` (seconds); iso is judged at its target point."""
        self.since = t
        self.point = None if goal is Goal.STEADY else point
        self.reached_at = None
        self._inside_from = None

    def add(self, t: float, estimate: Affect) -> None:
        """One tick's estimate at session time ``t`` (seconds)."""
        if self.point is None or self.reached_at is not None or estimate.confidence < ANCHOR_CONFIDENCE:
            return
        if math.dist((estimate.valence, estimate.arousal), self.point) > REACHED_RADIUS:
            self._inside_from = None
            return
        if self._inside_from is None:
            self._inside_from = t
        if t - self._inside_from >= HOLD_S:
            self.reached_at = self._inside_from

    @property
    def time_to_goal(self) -> float | None:
        """Seconds from the goal being set to the estimate arriving at it for good, or None."""
        return None if self.reached_at is None else self.reached_at - self.since
