"""The control policies: goals as points on the plane, the iso principle paced by the person, bounds and rate
limits, for the fixed policy and the adaptive one alike."""

import itertools
import math
import random
from dataclasses import replace

import numpy as np
import pytest

from fusion.affect import Affect
from studio.adaptive import AdaptivePolicy, Reach, Verdict, beyond, describe_move
from studio.goal_plan import DRIFT_RADIUS, FOLLOW_RADIUS, Goal, GoalPlan, checked_point
from studio.music.params import LAYERS, MODES, NUMERIC, MusicParams
from studio.policy import Bounds, FixedPolicy, music_for_point

AROUSED = Affect(valence=-0.2, arousal=0.9, confidence=0.9)


def fixed(goal: Goal) -> FixedPolicy:
    policy = FixedPolicy()
    policy.set_goal(goal)
    return policy


def run(policy, affect, params, bounds, seconds, tick=0.05, t0=0.0):
    """Step the policy like the loop does in auto mode; returns the params after each tick and the log."""
    history, log = [], []
    for i in range(int(seconds / tick)):
        t = t0 + i * tick
        new, changes, reason = policy.propose(t, affect, params, bounds, horizon=2.0)
        if changes:
            policy.moved(t, changes)
            log.append((t, changes, reason))
        params = new
        history.append((t, params))
    return history, log


def test_calm_goal_with_high_arousal_lowers_tempo_stepwise_and_stops_at_the_bound():
    bounds = Bounds(tempo_min=60, tempo_max=80, volume_ceiling=-12, max_change_per_min=0.3)
    history, log = run(fixed(Goal.CALM), AROUSED, MusicParams(tempo=80.0, density=0.9), bounds, 240)
    tempos = [p.tempo for _, p in history]
    assert all(bounds.tempo_min <= x <= bounds.tempo_max for x in tempos)
    assert all(p.volume <= bounds.volume_ceiling for _, p in history)
    assert all(b <= a for a, b in itertools.pairwise(tempos))  # falls, never backs up
    assert tempos[-1] == 60.0  # stops at the bound
    assert history[-1][1].density == pytest.approx(0.15, abs=0.01)
    assert len({t for t, _, _ in log}) > 10  # stepwise, not one jump


def assert_rate_limited(log, bounds, horizon=2.0):
    """Between consecutive changes of a parameter, it moves at most the bounds' rate (a change after a pause
    claims at most ``horizon`` seconds)."""
    last: dict[str, float] = {}
    for t, changes, _ in log:
        for name, old, new in changes:
            if name in NUMERIC:
                span = NUMERIC[name].high - NUMERIC[name].low
                elapsed = min(horizon, t - last.get(name, t - horizon))
                assert abs(new - old) <= bounds.max_change_per_min * span * elapsed / 60.0 + 1e-9
            last[name] = t


def test_rate_limit_between_consecutive_changes_holds_for_every_parameter():
    bounds = Bounds(tempo_min=40, tempo_max=160, max_change_per_min=0.5)
    policy = fixed(Goal.ENERGISE)
    _, log = run(policy, Affect(0, -1, 1), MusicParams(tempo=40.0, density=0.0, brightness=0.0), bounds, 120)
    assert_rate_limited(log, bounds)


def test_mode_and_layers_change_at_most_once_per_discrete_interval():
    bounds = Bounds(max_change_per_min=0.6)
    policy = fixed(Goal.UPLIFT)
    _, log = run(policy, AROUSED, MusicParams(mode="minor", layers=frozenset({"pad"})), bounds, 300)
    mode_times = [t for t, changes, _ in log for name, _, _ in changes if name == "mode"]
    assert mode_times, "uplift should move the mode out of minor"
    assert all(b - a >= bounds.discrete_interval() for a, b in itertools.pairwise(mode_times))


def test_energise_raises_energy_and_calm_lowers_it():
    bounds = Bounds()
    calm = music_for_point((0.3, -0.6), bounds, MusicParams())
    energise = music_for_point((0.3, 0.6), bounds, MusicParams())
    assert (calm.tempo, energise.tempo) == (bounds.tempo_min, bounds.tempo_max)
    assert calm.brightness < energise.brightness and calm.density < energise.density
    assert "melody" in energise.layers and "melody" not in calm.layers


def test_valence_chooses_the_mode_within_the_allowed_ones():
    assert music_for_point((0.5, 0.0), Bounds(), MusicParams()).mode == "major"
    assert music_for_point((-0.8, 0.0), Bounds(), MusicParams()).mode == "minor"
    only_bright = Bounds(allowed_modes=("major", "lydian"))
    assert music_for_point((-0.8, 0.0), only_bright, MusicParams()).mode == "major"  # nearest allowed


def test_steady_holds_when_the_estimate_is_unsure():
    policy = fixed(Goal.STEADY)
    params = MusicParams(tempo=70.0)
    new, changes, reason = policy.propose(10.0, Affect(0.9, 0.9, 0.05), params, Bounds(), 2.0)
    assert changes == [] and new == params and "hold" in reason


def test_iso_matches_first_then_leads_only_as_fast_as_the_person_follows():
    person, target = (-0.4, 0.8), (0.3, -0.6)
    plan = GoalPlan(match_seconds=30.0, lead_per_min=0.2)
    plan.set_goal(Goal.ISO, target)
    aim, rule = plan.aim(0.0, Affect(*person, 0.9))
    assert aim == person and rule.startswith("iso match")
    assert plan.aim(29.0, Affect(*person, 0.9))[0] == person  # still matching
    for t in range(30, 91):  # the person follows the waypoint exactly: the lead moves 0.2 per minute
        aim, rule = plan.aim(float(t), Affect(*(plan.waypoint or person), 0.9))
    assert math.dist(aim, person) == pytest.approx(0.2, abs=0.01) and rule.startswith("iso lead")
    behind = (aim[0] - 0.25 * (aim[0] - person[0]) / 0.2 * 1.2, aim[1] - 0.25 * (aim[1] - person[1]) / 0.2 * 1.2)
    assert FOLLOW_RADIUS < math.dist(behind, aim) < DRIFT_RADIUS
    waiting, rule = plan.aim(120.0, Affect(*behind, 0.9))
    assert waiting == aim and rule.startswith("iso wait")  # the person falls behind: the lead waits
    drifted = (-0.8, 1.0)  # the person drifts away, beyond where the music started
    assert math.dist(drifted, aim) > DRIFT_RADIUS
    rules = [plan.aim(float(t), Affect(*drifted, 0.9))[1] for t in range(121, 181)]
    assert any(r.startswith("iso step back") and "to meet them" in r for r in rules)
    assert math.dist(plan.waypoint, drifted) < math.dist(aim, drifted)  # the waypoint came back towards them
    for t in range(181, 1200):
        final, _ = plan.aim(float(t), Affect(*(plan.waypoint or person), 0.9))
    assert final == pytest.approx(target)  # a person who follows is led all the way


def test_while_iso_leads_the_adaptive_policy_meets_the_waypoint_where_it_will_be_after_the_persons_lag():
    plan = GoalPlan(match_seconds=30.0, lead_per_min=0.2)
    plan.set_goal(Goal.ISO, (0.3, -0.6))
    person = (-0.2, 0.6)
    plan.aim(0.0, Affect(*person, 0.9))
    assert plan.ahead(20.0) is None  # matching: nothing to anticipate
    aim, _ = plan.aim(60.0, Affect(*person, 0.9))
    assert aim is not None
    assert plan.leading and math.dist(plan.ahead(30.0), aim) == pytest.approx(0.1)  # 0.2 per minute, 30 s on
    plan.aim(61.0, Affect(*(aim[0] - 0.3, aim[1] + 0.3), 0.9))  # fallen behind: the lead waits, nothing ahead
    assert not plan.leading and plan.ahead(30.0) is None
    policy = AdaptivePolicy(plan=plan)
    policy.model.lags = [lag for lag in policy.model.lags if lag.tau == 20.0]
    at_waypoint = Affect(aim[0], aim[1], 0.9)
    plan.aim(62.0, at_waypoint)
    _, _, reason = policy.propose(63.0, at_waypoint, MusicParams(), Bounds(), 2.0)
    ahead = plan.ahead(20.0)
    assert ahead is not None and f"towards ({ahead[0]:+.2f}, {ahead[1]:+.2f})" in reason


def test_the_fixed_policy_matches_a_high_arousal_person_first_under_iso():
    person, target = (-0.4, 0.8), (0.3, -0.6)
    policy = FixedPolicy()
    policy.set_goal(Goal.ISO, target)
    bounds = Bounds(max_change_per_min=1.0)
    history, log = run(policy, Affect(*person, 0.9), MusicParams(tempo=70.0), bounds, 25)
    assert history[-1][1].tempo > 70.0  # matching a high-arousal person first raises the tempo
    assert "iso match" in log[0][2]


def test_every_change_carries_estimate_goal_and_rule():
    policy = fixed(Goal.CALM)
    _, changes, reason = policy.propose(5.0, AROUSED, MusicParams(tempo=96.0), Bounds(), 2.0)
    assert ("tempo" in {c[0] for c in changes}) and "goal calm" in reason
    assert "estimate v-0.20 a+0.90" in reason and "rule calm: head for" in reason


def test_new_bounds_pull_the_music_inside_at_once():
    bounds = Bounds(tempo_min=60, tempo_max=70, allowed_layers=frozenset({"pad", "bass"}))
    clamped = bounds.clamp(MusicParams(tempo=90.0, layers=frozenset({"pulse"})))
    assert clamped.tempo == 70.0 and clamped.layers == {"pad", "bass"}


@pytest.mark.parametrize("kind", [FixedPolicy, AdaptivePolicy])
def test_random_operation_never_leaves_the_bounds(kind):
    rng = random.Random(7)
    for _ in range(20):
        low = rng.uniform(40, 120)
        bounds = Bounds(
            tempo_min=low,
            tempo_max=rng.uniform(low, 160),
            volume_ceiling=rng.uniform(-40, 0),
            max_change_per_min=rng.uniform(0.05, 2),
            allowed_modes=tuple(rng.sample(MODES, rng.randint(1, 4))),
            allowed_layers=frozenset(rng.sample(LAYERS, rng.randint(1, 4))),
        ).validated()
        policy = kind()
        policy.set_goal(rng.choice(list(Goal)))
        params = bounds.clamp(MusicParams())
        log = []
        for i in range(400):
            affect = Affect.make(rng.uniform(-1, 1), rng.uniform(-1, 1), rng.random())
            params, changes, reason = policy.propose(i * 0.5, affect, params, bounds, 2.0)
            policy.moved(i * 0.5, changes)
            log.append((i * 0.5, changes, reason))
            assert bounds.tempo_min <= params.tempo <= bounds.tempo_max
            assert params.volume <= bounds.volume_ceiling
            assert params.mode in bounds.allowed_modes and params.layers <= bounds.allowed_layers
        assert_rate_limited(log, bounds)


@pytest.mark.parametrize(
    ("bounds", "message"),
    [
        (Bounds(tempo_min=90, tempo_max=60), "minimum above the maximum"),
        (Bounds(tempo_min=10), "outside"),
        (Bounds(volume_ceiling=6.0), "volume ceiling"),
        (Bounds(max_change_per_min=0.0), "max change"),
        (Bounds(max_change_per_min=float("nan")), "max change"),
        (Bounds(allowed_modes=()), "allowed modes"),
        (Bounds(allowed_modes=("phrygian",)), "allowed modes"),
        (Bounds(allowed_layers=frozenset()), "allowed layers"),
    ],
)
def test_bad_bounds_are_refused(bounds, message):
    with pytest.raises(ValueError, match=message):
        bounds.validated()


@pytest.mark.parametrize("point", [(1.5, 0.0), (0.0, -1.01), (float("nan"), 0.0)])
def test_goal_point_outside_the_plane_is_refused(point):
    with pytest.raises(ValueError, match="outside the valence-arousal plane"):
        checked_point(point)


def test_clamp_keeps_volume_under_ceiling():
    assert Bounds(volume_ceiling=-20).clamp(replace(MusicParams(), volume=-3.0)).volume == -20.0


def test_the_lead_beyond_the_aim_keeps_its_direction_and_stays_in_the_plane():
    """A slow listener's calm lead of three gaps, from (-0.2, 0.6) to the aim (0.3, -0.6): clipping each axis apart
    would aim at (1, -1), mostly more pleasant, and music that lifts valence but raises arousal would be played."""
    led = beyond((0.3, -0.6), 3.0 * np.array([0.5, -1.2]))
    assert np.max(np.abs(led)) == pytest.approx(1.0)
    push = led - (0.3, -0.6)
    assert push[0] * -1.2 - push[1] * 0.5 == pytest.approx(0.0, abs=1e-12)  # along the gap, not turned
    assert beyond((0.3, -0.6), np.array([0.1, -0.1])) == pytest.approx((0.4, -0.7))
    assert beyond((1.0, 0.0), np.array([0.5, 0.0])) == pytest.approx((1.0, 0.0))


def test_a_move_says_how_much_the_studio_knows_about_its_lever():
    """Before the studio has seen a lever move it says what most listeners do; once it has tried the lever for a
    while without learning which way it works, it says so instead of "not yet known"; once sure, by how much."""
    early = describe_move("tempo", -1.0, "tempo", 0.4, 0.9, 2, 1)
    assert early == "tempo down: slower tempo lowers arousal for most listeners (not yet known for this person)"
    tried = describe_move("tempo", -1.0, "tempo", 0.4, 0.9, 40, 1)
    assert tried == "tempo down: slower tempo lowers arousal for most listeners (still unclear after 40 moves)"
    known = describe_move("density", -1.0, "density", 0.6, 0.1, 12, 1)
    assert known == "density down: sparser music lowered arousal by 0.06 per tenth of the range so far (12 moves, sure)"


def test_leaving_out_of_reach_says_why_in_the_control_log():
    """A new aim ends the verdict as 'the aim moved'; a trial worth making for the same aim as 'within reach
    again' (a fresh model is unsure of every lever, so a trial is worth making at once)."""
    bounds = Bounds()
    music = bounds.clamp(MusicParams())
    moved = AdaptivePolicy()
    moved.reach = Reach((0.3, -0.6), (0.2, 0.3), music)
    moved._choose(0.0, (0.0, 0.0), (0.3, 0.6), music, bounds)
    assert moved.reach is None
    assert moved.verdicts == [
        Verdict(0.0, "reach", "out of reach", "within reach", "the aim moved to (+0.30, +0.60): exploring resumes")
    ]
    again = AdaptivePolicy()
    again.reach = Reach((0.3, -0.6), (0.2, 0.3), music)
    again._choose(0.0, (0.0, 0.0), (0.3, -0.6), music, bounds)
    assert again.verdicts == [
        Verdict(0.0, "reach", "out of reach", "within reach", "within reach again: exploring resumes")
    ]
