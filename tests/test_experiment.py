"""Which lever to try on its own when the person is stuck: expected improvement under the posterior."""

import math

import numpy as np
import pytest

from fusion.experiment import expected_improvement, gain, trials

LOW, HIGH = np.array([-0.33, -0.5, -0.5]), np.array([-0.03, 0.5, 0.5])


def test_expected_improvement_is_the_mean_of_the_gains_positive_part():
    rng = np.random.default_rng(0)
    for mean, sd in ((0.0, 0.3), (-0.2, 0.1), (0.1, 0.05)):
        draws = rng.normal(mean, sd, 400_000)
        assert expected_improvement(mean, sd) == pytest.approx(np.maximum(draws, 0).mean(), abs=2e-3)
    assert expected_improvement(0.2, 0.0) == 0.2 and expected_improvement(-0.2, 0.0) == 0.0


def test_an_overshoot_on_one_axis_is_no_gain_on_the_other():
    """Moving the settling point by (0.6, 0.3) towards an aim 0.3 away in arousal only brings nothing closer."""
    mean, sd = gain(np.array([0.6, 0.3]), np.array([0.0, 0.04]), 1.0, np.array([0.0, 0.3]))
    assert mean == pytest.approx(0.3 - math.hypot(0.6, 0.0))
    assert sd == pytest.approx(0.2)


def test_the_unknown_lever_held_at_a_bound_is_tried_before_the_known_ones():
    """Tempo sits at its fastest and most listeners' tempo raises arousal, but this person's is unknown; the other
    levers' effects are known well. Raising arousal is the way to the aim."""
    means = np.array([[0.0, 1.2], [0.0, 0.6], [0.2, 0.3]])
    variances = np.array([[1.4, 1.4], [0.01, 0.01], [0.01, 0.01]])
    start = np.array([-0.03, 0.5, 0.5])
    found = trials(means, variances, start, LOW, HIGH, np.array([0.0, 0.5]), 0.3)
    assert (found[0].index, found[0].end) == (0, pytest.approx(-0.33))
    assert found[0].z < 0  # the mean expects the move to hurt: it is tried for what the model does not know
    assert all(t.end in (pytest.approx(-0.33), pytest.approx(0.2)) for t in found if t.index in (0, 1))
    assert found[0].gain > 10 * max(t.gain for t in found if t.index != 0)


def test_a_move_the_mean_already_favours_is_left_to_the_plan_and_no_room_means_no_trial():
    means = np.array([[0.0, 1.0], [0.0, 0.0], [0.0, 0.0]])
    variances = np.full((3, 2), 1e-6)
    found = trials(means, variances, np.array([-0.33, 0.5, 0.5]), LOW, HIGH, np.array([0.0, 0.5]), 0.3)
    assert max(t.gain for t in found) < 1e-3  # tempo up would help, but that is exploitation, not a trial
    assert trials(means, variances, LOW, LOW, LOW + 0.01, np.array([0.0, 0.5]), 0.3) == []
    assert trials(means, variances, np.zeros(3), LOW, HIGH, np.zeros(2), 0.3) == []
