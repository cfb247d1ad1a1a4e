"""The fastest any policy could take a virtual listener to a goal inside the operator's bounds and rates: the
ceiling the closed-loop benchmark's speed ratios are read against.

Both runs here see the listener's true state (no channels, no estimate) and move the music under the same
rate limits as the studio (``Bounds.max_change_per_min`` of each range per minute, one mode and one layer
change per ``Bounds.discrete_interval()``), on 1 s steps:

- the fixed policy is the studio's own ``FixedPolicy``;
- the oracle knows the listener exactly and re-plans every REPLAN_S seconds: it tries every numeric target at
  each lever's low end, high end or where it is (3^5), with every allowed mode and the current layers or one
  layer more or less, simulates each for a horizon of a few lags, and heads for the one that brings the person
  to the goal soonest (or, when none does within the horizon, nearest to it).

Time to goal is judged as the studio judges it (within REACHED_RADIUS for HOLD_S seconds), on the true state.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import replace

import numpy as np

from fusion.affect import Affect
from studio.adaptive import steered_box
from studio.goal_plan import Goal, GoalPlan, Point
from studio.goal_watch import HOLD_S, REACHED_RADIUS, GoalWatch
from studio.levers import NUMERIC_LEVERS, lever_vector, with_numeric
from studio.listener import Listener, ListenerSpec
from studio.music.params import MusicParams
from studio.policy import Bounds, FixedPolicy

STEP_S = 1.0  # seconds per simulation step
REPLAN_S = 5.0  # seconds between two plans of the oracle


def time_to_goal(spec: ListenerSpec, goal: Goal, bounds: Bounds, policy: str, seconds: float) -> float | None:
    """Seconds until the listener's true state settles at ``goal``'s point under ``policy`` ("fixed" or
    "oracle"), starting from the studio's opening music; None if not within ``seconds``."""
    plan = GoalPlan()
    plan.set_goal(goal)
    listener, watch = Listener(spec), GoalWatch()
    watch.restart(0.0, goal, plan.point)
    fixed = FixedPolicy(plan=plan)  # its rate limiter (RateLimited) moves the oracle's music too
    music = bounds.clamp(MusicParams())
    target = music
    for step in range(int(seconds / STEP_S) + 1):
        t = step * STEP_S
        state = listener.advance(t, music)
        seen = Affect(state[0], state[1], 1.0)
        watch.add(t, seen)
        if watch.reached_at is not None:
            return watch.reached_at
        if policy == "fixed":
            music, changes, _ = fixed.propose(t, seen, music, bounds, STEP_S)
        else:
            if step % round(REPLAN_S / STEP_S) == 0:
                target = oracle_target(spec, state, plan.point, music, bounds, t, fixed.last_move)
            music, changes = fixed.step_towards(t, target, music, bounds, STEP_S)
        fixed.moved(t, changes)
    return None


def oracle_target(
    spec: ListenerSpec,
    state: Point,
    goal: Point,
    music: MusicParams,
    bounds: Bounds,
    t: float,
    last_move: dict[str, float],
) -> MusicParams:
    """The music setting to head for now: the candidate whose simulated path settles at the goal soonest."""
    low, high = steered_box(bounds)
    now = lever_vector(music)[: len(NUMERIC_LEVERS)]
    targets = np.array(list(itertools.product(*zip(low, now, high, strict=True))))  # (3^5, levers), lever units
    effect = np.array([spec.response.get(n, (0.0, 0.0)) for n in NUMERIC_LEVERS])  # (levers, 2)
    free = {name: t - last_move.get(name, -math.inf) >= bounds.discrete_interval() for name in ("mode", "layers")}
    modes = bounds.allowed_modes if free["mode"] else (music.mode,)
    layer_sets = [music.layers]
    if free["layers"]:
        layer_sets += [music.layers ^ {name} for name in sorted(bounds.allowed_layers) if music.layers ^ {name}]
    rate = bounds.max_change_per_min * STEP_S / 60.0
    share = 1.0 - math.exp(-STEP_S / spec.lag_s)
    steps = int(max(120.0, 3.0 * spec.lag_s) / STEP_S)
    best: tuple[float, MusicParams] | None = None
    for mode, layers in itertools.product(modes, layer_sets):
        fixed_part = np.array(spec.rest) + np.array(spec.modes.get(mode, (0.0, 0.0)))
        for name, shift in spec.response.items():
            if name not in NUMERIC_LEVERS:
                fixed_part = fixed_part + np.array(shift) * (float(name in layers) - 0.5)
        levers = np.tile(now, (len(targets), 1))
        person = np.tile(np.array(state), (len(targets), 1))
        inside_for = np.zeros(len(targets))
        arrives = np.full(len(targets), float(steps))  # the step a stay of HOLD_S seconds begins (steps: never)
        gap = np.zeros(len(targets))
        for step in range(steps):
            levers += np.clip(targets - levers, -rate, rate)
            settle = np.clip(fixed_part + levers @ effect, -1.0, 1.0)
            person += share * (settle - person)
            gap = np.linalg.norm(person - np.array(goal), axis=1)
            inside_for = np.where(gap <= REACHED_RADIUS, inside_for + 1, 0)
            held = inside_for * STEP_S >= HOLD_S
            arrives = np.where(held & (arrives == steps), step + 1 - inside_for, arrives)
        cost = arrives + gap  # the earliest arrival; without one, the nearest at the horizon
        index = int(np.argmin(cost))
        if best is None or cost[index] < best[0]:
            best = (float(cost[index]), with_numeric(replace(music, mode=mode, layers=layers), targets[index]))
    assert best is not None
    return best[1]
