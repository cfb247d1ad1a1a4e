"""The closed loop: the adaptive policy finds what moves this person, says why in words, notices a person the
music does not move, and starts the next visit from what it learned. Real loop and policy, virtual listeners."""

import itertools
import math
import statistics

import numpy as np
import pytest

from studio.adaptive import SAFE_POINT, NonResponse
from studio.goal_plan import Goal
from studio.levers import LEVERS, working_levers
from studio.listener import load_listener
from studio.policy import Bounds, PolicyKind, music_for_point
from tests.closed_loop_support import close_the_loop, listener

CALM = (0.3, -0.6)


def test_the_paradoxical_listeners_levers_are_found_in_one_session_and_the_goal_reached():
    """Slower tempo agitates this person: the fixed policy slows down and never calms them."""
    loop, person = close_the_loop(listener("paradoxical"), Goal.CALM, 1200)
    tempo = next(e for e in loop.response.effects() if e.lever == "tempo")
    assert tempo.mean[1] < -tempo.sd[1]  # faster tempo lowers their arousal (most listeners': +1.2 per range)
    reasons = [c.reason for c in loop.control_log.last(len(loop.control_log)) if c.who == "policy"]
    assert any("so far (" in r and "moves," in r for r in reasons)  # once it knows: by how much, on what, how sure
    assert loop.goal_watch.time_to_goal is not None and loop.following() is True
    assert math.dist(person.state, CALM) < 0.2
    fixed, stuck = close_the_loop(listener("paradoxical"), Goal.CALM, 1200, PolicyKind.FIXED)
    assert fixed.goal_watch.time_to_goal is None and math.dist(stuck.state, CALM) > 0.5


def test_every_policy_move_says_in_words_what_it_does_and_what_the_studio_knows():
    loop, _ = close_the_loop(listener("typical"), Goal.CALM, 300)
    reasons = [c.reason for c in loop.control_log.last(len(loop.control_log)) if c.who == "policy"]
    heads = {r.split(":")[0] for r in reasons}
    assert {"tempo down", "density down"} <= heads
    assert any("lowers arousal for most listeners (not yet known for this person)" in r for r in reasons)
    assert all("goal calm" in r and "estimate v" in r for r in reasons)
    assert "towards (+0.30, -0.60)" in loop.trying or loop.trying.startswith("holding")


def test_a_non_responder_is_named_within_five_minutes_and_a_calm_safe_setting_holds():
    bounds = Bounds()
    loop, _ = close_the_loop(listener("non-responder"), Goal.CALM, 480, bounds=bounds)
    said = [c for c in loop.control_log.last(len(loop.control_log)) if c.param == "person"]
    assert said and said[0].new == "not following" and said[0].t <= 300
    assert "exploring stops and a calm, safe setting holds" in said[0].reason
    assert loop.following() is False and loop.not_following
    safe = music_for_point(SAFE_POINT, bounds, loop.params)
    assert (loop.params.tempo, loop.params.density) == pytest.approx((safe.tempo, safe.density), abs=0.01)
    late = [c for c in loop.control_log.last(len(loop.control_log)) if c.t > said[0].t + 120 and c.who == "policy"]
    assert late == []  # nothing is explored any more
    assert loop.trying.startswith("holding a calm, safe setting")


def test_a_responsive_person_is_never_called_a_non_responder():
    for name in ("typical", "slow", "tempo-responder"):
        loop, _ = close_the_loop(listener(name), Goal.CALM, 900)
        assert not [c for c in loop.control_log.last(len(loop.control_log)) if c.param == "person"], name
        assert loop.following() is True


def test_the_next_visit_starts_from_what_the_first_one_learned_and_gets_there_sooner():
    first, _ = close_the_loop(listener("paradoxical"), Goal.CALM, 1200)
    assert working_levers(first.response)
    second, _ = close_the_loop(listener("paradoxical"), Goal.CALM, 1200, model=first.response.next_visit(), seed=1)
    assert first.goal_watch.time_to_goal is not None and second.goal_watch.time_to_goal is not None
    assert second.goal_watch.time_to_goal <= 0.75 * first.goal_watch.time_to_goal
    assert second.response.sessions == 1


def test_the_adaptive_policy_keeps_to_the_bounds_and_rates_with_a_real_listener():
    bounds = Bounds(tempo_min=64, tempo_max=84, volume_ceiling=-12, max_change_per_min=0.2,
                    allowed_modes=("major", "dorian"), allowed_layers=frozenset({"pad", "bass", "melody"}))  # fmt: skip
    loop, _ = close_the_loop(listener("typical"), Goal.ENERGISE, 600, bounds=bounds)
    music = loop.music.last(600)
    tempo, volume = music.column(0), music.column(5)
    assert tempo.min() >= 64 and tempo.max() <= 84 and volume.max() <= -12
    log = [c for c in loop.control_log.last(len(loop.control_log)) if c.who == "policy"]
    modes = [c for c in log if c.param == "mode"]
    assert all(c.new in bounds.allowed_modes for c in modes)
    assert all(b.t - a.t >= bounds.discrete_interval() for a, b in itertools.pairwise(modes))


def watch_a_person(path) -> NonResponse:
    """A NonResponse fed every 5 s for six minutes: music that swings tempo and density (enough to move most
    listeners) and an estimate at ``path(t)`` with a still person's wander."""
    watch = NonResponse()
    rng = np.random.default_rng(7)
    for step in range(72):
        t = 5.0 * step
        swing = 0.3 * math.sin(t / 40.0)
        levers = np.zeros(len(LEVERS))
        levers[:2] = swing
        watch.add(t, np.asarray(path(t)) + rng.normal(0, 0.05, 2), levers)
    return watch


def test_a_person_who_followed_then_stopped_where_usual_music_cannot_take_them_is_not_a_non_responder():
    """The paradoxical listener under calm music moves 0.6 in the first minute, then stalls: the music that
    moves most listeners cannot take them further, which is for the model to learn (holding a calm setting
    would hold the very music that agitates them)."""
    moved = watch_a_person(lambda t: (-0.2 + 0.6 * min(t, 60.0) / 60.0, 0.5 - 0.25 * min(t, 60.0) / 60.0))
    assert moved.followed and not moved.flagged
    still = watch_a_person(lambda t: (-0.2, 0.6))
    assert not still.followed and still.flagged


def test_at_the_goal_the_music_holds_instead_of_chasing_the_estimates_wander():
    """Once the person is at the goal the chosen setting stays until they drift away: re-choosing every 5 s
    chased the estimate's noise, churned the music and taught the model its own corrections as effects."""
    loop, person = close_the_loop(listener("typical"), Goal.CALM, 600)
    reached = loop.goal_watch.reached_at
    assert reached is not None and reached < 120 and math.dist(person.state, CALM) < 0.2
    late = [c for c in loop.control_log.last(len(loop.control_log)) if c.who == "policy" and c.t > 300]
    assert len(late) <= 3, [(round(c.t), c.param, c.new) for c in late]  # the last five minutes


def test_a_stuck_person_gets_single_lever_trials_and_the_goal_is_reached_sooner():
    """Energise: faster tempo drops this person's arousal. Every lever moved at once could not tell which did it;
    trying one lever at a time gets there sooner (median over six sessions 258 s; without trials 345 s)."""
    times = []
    for seed in range(6):
        loop, _ = close_the_loop(listener("paradoxical"), Goal.ENERGISE, 600, seed=seed)
        tried = [c for c in loop.control_log.last(len(loop.control_log)) if "on its own" in c.reason]
        assert tried and all(c.reason.startswith(f"trying {c.param} ") for c in tried), seed
        assert all(len({c.param for c in tried if c.t == t}) == 1 for t in {c.t for c in tried})  # one at a time
        times.append(loop.goal_watch.time_to_goal or 600.0)
        tempo = next(e for e in loop.response.effects() if e.lever == "tempo")
        assert tempo.mean[1] < 0  # faster tempo lowers their arousal (most listeners': +1.2 per range)
    assert statistics.median(times) < 300


def test_a_goal_out_of_reach_is_said_and_the_nearest_setting_held():
    """Calm lies beyond what the bounds can do for this person (only loudness moves their arousal, and the loop
    keeps it within 12 dB): once nothing is left worth trying and no plausible person could be taken there, the
    studio says so and holds the nearest setting. Before, the music wandered all session (347-842 policy changes
    in the last five of fifteen minutes)."""
    for seed in range(2):
        loop, _ = close_the_loop(listener("mode-responder"), Goal.CALM, 1200, seed=seed)
        log = loop.control_log.last(len(loop.control_log))
        said = [c for c in log if c.param == "reach"]
        assert said and said[0].new == "out of reach" and said[0].t <= 900, seed
        assert said[-1].new == "out of reach" and "wider bounds may reach further" in said[-1].reason
        assert loop.trying.startswith("out of reach: inside the bounds the music is expected to bring this person")
        late = [c for c in log if c.who == "policy" and c.param != "reach" and c.t > 1080]
        assert late == [], (seed, len(late))  # held, once the rate limit has brought the music there
    for name in ("typical", "slow", "texture-responder", "tempo-responder"):
        loop, _ = close_the_loop(listener(name), Goal.CALM, 600)
        assert not [c for c in loop.control_log.last(len(loop.control_log)) if c.param == "reach"], name


QUICK_FIRST_VISIT = """\
[listener]
start = [0.476, 0.317]
rest = [-0.370, 0.093]
lag_s = 16.8
noise = 0.077
[listener.response]
tempo = [-0.625, 1.907]
density = [-0.420, 0.296]
brightness = [0.026, 0.566]
volume = [-0.203, 1.022]
tension = [-0.706, -0.222]
pad = [-0.030, -0.288]
bass = [0.002, -0.231]
pulse = [-0.273, 0.514]
melody = [0.087, 0.037]
[listener.modes]
minor = [-0.147, -0.126]
dorian = [-0.169, 0.128]
lydian = [0.185, -0.298]
"""


def test_a_second_visit_after_a_quick_first_one_does_not_lean_on_effects_seen_in_a_few_moves(tmp_path):
    """This drawn listener (random-04 of the benchmark's panel) is calm about 20 s into the first visit, steered by
    what most listeners do; the few moves on the way leave the learned effects with wide spreads. Steering the
    second visit by their means alone took 41-69 s over six seeds; counting their spread keeps it near the first."""
    path = tmp_path / "quick.toml"
    path.write_text(QUICK_FIRST_VISIT, encoding="utf-8")
    spec = load_listener(path)
    for seed in range(3):
        first, _ = close_the_loop(spec, Goal.CALM, 300, seed=seed)
        second, person = close_the_loop(spec, Goal.CALM, 300, model=first.response.next_visit(), seed=seed + 10)
        times = (first.goal_watch.time_to_goal, second.goal_watch.time_to_goal)
        assert times[0] is not None and times[1] is not None and times[1] <= 1.5 * times[0], (seed, times)
        assert math.dist(person.state, CALM) < 0.2
