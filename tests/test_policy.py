import itertools
from dataclasses import replace

import pytest

from fusion.affect import Affect
from studio.music.params import NUMERIC, MusicParams
from studio.policy import Bounds, Goal, decide, step_towards, target_params

AROUSED = Affect(valence=-0.2, arousal=0.9, confidence=0.9)


def test_calm_goal_with_high_arousal_lowers_tempo_stepwise_and_stops_at_the_bound():
    bounds = Bounds(tempo_min=60, tempo_max=80, volume_ceiling=-12, max_change_per_min=0.3)
    params = MusicParams(tempo=80.0, density=0.9)
    tempos = []
    for i in range(120):  # two-second decisions over four minutes
        params, _ = decide(i * 2.0, AROUSED, Goal.CALM, bounds, params, dt=2.0)
        tempos.append(params.tempo)
        assert bounds.tempo_min <= params.tempo <= bounds.tempo_max
        assert params.volume <= bounds.volume_ceiling
    steps = [a - b for a, b in itertools.pairwise(tempos)]
    span = NUMERIC["tempo"].high - NUMERIC["tempo"].low
    assert max(steps) <= 0.3 * span * 2.0 / 60.0 + 1e-9  # never faster than allowed
    assert min(steps) >= 0  # never back up while the person stays aroused
    target = target_params(AROUSED, Goal.CALM, bounds, params)[0].tempo
    assert tempos[-1] == pytest.approx(target, abs=0.005 * span)  # settles within the dead band


def test_calm_goal_stops_at_the_tempo_floor():
    bounds = Bounds(tempo_min=66, tempo_max=80)
    params = MusicParams(tempo=80.0)
    for i in range(100):
        params, _ = decide(i * 2.0, Affect(0.0, -0.9, 1.0), Goal.CALM, bounds, params, dt=2.0)
    assert params.tempo == 66.0


def test_energise_raises_energy_and_calm_lowers_it():
    bounds = Bounds()
    person = Affect(0.0, 0.0, 1.0)
    calm, _ = target_params(person, Goal.CALM, bounds, MusicParams())
    energise, _ = target_params(person, Goal.ENERGISE, bounds, MusicParams())
    assert calm.tempo < energise.tempo
    assert calm.brightness < energise.brightness


def test_no_confidence_rests_at_the_goal_default():
    bounds = Bounds()
    a, _ = target_params(Affect(0.9, 0.9, 0.0), Goal.CALM, bounds, MusicParams())
    b, _ = target_params(Affect(-0.9, -0.9, 0.0), Goal.CALM, bounds, MusicParams())
    assert a == b


def test_every_change_is_logged_with_its_reason():
    _params, log = decide(5.0, AROUSED, Goal.CALM, Bounds(), MusicParams(tempo=96.0), dt=2.0)
    assert {c.param for c in log} >= {"tempo"}
    entry = next(c for c in log if c.param == "tempo")
    assert entry.who == "policy" and "goal calm" in entry.reason and float(entry.new) < float(entry.old)
    assert entry.t == 5.0


def test_step_towards_keeps_inside_new_bounds_at_once():
    bounds = Bounds(tempo_min=60, tempo_max=70)
    moved, changes = step_towards(MusicParams(tempo=90.0), MusicParams(tempo=90.0), bounds, dt=2.0)
    assert moved.tempo == 70.0
    assert ("tempo", 90.0, 70.0) in changes


@pytest.mark.parametrize(
    ("bounds", "message"),
    [
        (Bounds(tempo_min=90, tempo_max=60), "minimum above the maximum"),
        (Bounds(tempo_min=10), "outside"),
        (Bounds(volume_ceiling=6.0), "volume ceiling"),
        (Bounds(max_change_per_min=0.0), "max change"),
        (Bounds(max_change_per_min=float("nan")), "max change"),
    ],
)
def test_bad_bounds_are_refused(bounds, message):
    with pytest.raises(ValueError, match=message):
        bounds.validated()


def test_clamp_keeps_volume_under_ceiling():
    assert Bounds(volume_ceiling=-20).clamp(replace(MusicParams(), volume=-3.0)).volume == -20.0
