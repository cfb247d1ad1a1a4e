"""The response model: it learns a known linear response with a lag, knows how sure it is, and survives storage."""

import itertools

import numpy as np
import pytest

from fusion.response import LAGS_S, STEP_S, ResponseModel, box_least_squares
from studio.levers import new_model

LEVERS = ("tempo", "density", "brightness")
TRUE_EFFECT = np.array([[0.0, 0.4, -0.2], [1.5, 0.6, 0.0]])  # (valence, arousal) x levers
TRUE_REST = np.array([0.1, -0.1])


def fresh(sd: float = 1.0) -> ResponseModel:
    return ResponseModel(LEVERS, np.zeros((2, 3)), np.full(3, sd))


def simulate(model: ResponseModel, minutes: float, lag: float, noise: float, seed: int) -> None:
    """A person with TRUE_EFFECT and a first-order ``lag`` (s), music changing every 20 s at random, the
    estimate read at 20 Hz with ``noise`` (sd) that wanders like a real estimate's."""
    rng = np.random.default_rng(seed)
    state = np.array([0.5, 0.5])
    offset = np.zeros(2)
    levers = np.zeros(3)
    for i in range(int(minutes * 60 * 20)):
        t = i / 20
        if i % 400 == 0:
            levers = rng.uniform(-0.3, 0.3, 3)
        settle = TRUE_REST + TRUE_EFFECT @ levers
        state += (settle - state) * (1 - np.exp(-0.05 / lag))
        offset = 0.98 * offset + rng.normal(0, noise * np.sqrt(1 - 0.98**2), 2)
        model.observe(t, levers, tuple(state + offset))


def test_it_learns_each_levers_effect_and_the_lag_with_its_uncertainty():
    model = fresh()
    simulate(model, 40, lag=20.0, noise=0.03, seed=1)
    assert model.lag_s == 20.0
    effects = {e.lever: e for e in model.effects()}
    for i, lever in enumerate(LEVERS):
        for axis in (0, 1):
            mean, sd = effects[lever].mean[axis], effects[lever].sd[axis]
            assert sd < 0.2
            assert abs(mean - TRUE_EFFECT[axis, i]) < max(3 * sd, 0.1)
    assert model.settles_at(np.zeros(3)) == pytest.approx(TRUE_REST, abs=0.1)
    assert model.observations == pytest.approx(40 * 60 / STEP_S, abs=2)


def test_more_data_makes_it_surer():
    short, long = fresh(), fresh()
    simulate(short, 5, lag=15.0, noise=0.05, seed=2)
    simulate(long, 30, lag=15.0, noise=0.05, seed=2)
    tempo = {m: next(e for e in m.effects() if e.lever == "tempo").sd[1] for m in (short, long)}
    assert tempo[long] < 0.6 * tempo[short]


def test_the_spread_rows_give_the_variance_of_the_settling_point_and_it_shrinks_where_the_music_played():
    """Music held around tempo -0.3 teaches where that setting settles the person; a setting never heard (tempo
    +0.5) stays unsure."""
    model = fresh()
    rng = np.random.default_rng(3)
    for i in range(20 * 60 * 5):
        model.observe(i / 20, np.array([-0.3 + 0.05 * np.sin(i / 400), 0.0, 0.0]), tuple(rng.normal(0.2, 0.05, 2)))
    rows = model.spread_rows()
    cov = model.best.coef_cov()
    for levers in (np.array([-0.3, 0.0, 0.0]), np.array([0.5, 0.2, -0.1])):
        phi = np.concatenate([[1.0], levers])
        assert np.sum((rows @ phi) ** 2) == pytest.approx(sum(phi @ cov[axis] @ phi for axis in (0, 1)))
    heard, unheard = (float(np.sum((rows @ np.array([1.0, x, 0.0, 0.0])) ** 2)) for x in (-0.3, 0.5))
    assert heard < 0.1 * unheard


def test_unsure_estimates_break_the_chain_instead_of_teaching_it():
    model = fresh()
    for i in range(2400):
        model.observe(i / 20, np.zeros(3), None)
    assert model.observations == 0
    assert model.effects()[0].sd == (1.0, 1.0)  # still the prior


def test_a_stored_model_comes_back_identical_and_relaxes_for_the_next_visit():
    model = fresh()
    simulate(model, 10, lag=20.0, noise=0.03, seed=3)
    stored = model.to_dict()
    back = ResponseModel.from_dict(stored, LEVERS, fresh())
    assert back.coefficients() == pytest.approx(model.coefficients())
    assert back.lag_s == model.lag_s and back.observations == model.observations
    visit = back.next_visit()
    assert visit.sessions == model.sessions + 1
    assert visit.coefficients() == pytest.approx(model.coefficients())  # the same beliefs...
    for a, b in zip(visit.effects(), model.effects(), strict=True):
        assert a.sd[0] == pytest.approx(b.sd[0] * np.sqrt(2))  # ... held less firmly


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"version": 7}, "version 7"),
        ({"levers": ["tempo"]}, "other music levers"),
        ({"lags": []}, "lags must be"),
        ({"noise": float("nan")}, "noise"),
        ({"moves": [1, 2]}, "moves"),
    ],
)
def test_a_damaged_stored_model_is_refused_in_words(change, message):
    model = fresh()
    simulate(model, 2, lag=20.0, noise=0.03, seed=4)
    with pytest.raises(ValueError, match=message):
        ResponseModel.from_dict({**model.to_dict(), **change}, LEVERS, fresh())


def test_a_stored_covariance_that_is_not_positive_definite_is_refused():
    stored = fresh().to_dict()
    lags = stored["lags"]
    assert isinstance(lags, list) and len(lags) == len(LAGS_S)
    lags[0] = {**lags[0], "cov": [np.eye(4).tolist(), (-np.eye(4)).tolist()]}
    with pytest.raises(ValueError, match="cov is not positive definite"):
        ResponseModel.from_dict(stored, LEVERS, fresh())


def test_a_model_stored_by_the_first_version_is_read_with_the_same_beliefs():
    """Version 1 stored each lag's precision and precision @ mean; clients' models from then are kept."""
    mean = np.array([[0.1, -0.2], [0.3, 1.2], [0.0, 0.5], [-0.4, 0.1]])
    precision = np.diag([4.0, 2.0, 1.0, 8.0])
    lag = {"precision": precision.tolist(), "weighted": (precision @ mean).tolist(), "log_evidence": 3.0}
    lags: list[dict[str, object]] = [{"tau": tau, **lag} for tau in LAGS_S]
    stored = {**fresh().to_dict(), "version": 1, "lags": lags}
    back = ResponseModel.from_dict(stored, LEVERS, fresh())
    assert back.coefficients() == pytest.approx(mean)
    assert [sd for e in back.effects() for sd in e.sd] == pytest.approx(np.repeat([0.5**0.5, 1.0, 8**-0.5], 2))
    lags[2] = {**lags[2], "precision": (-precision).tolist()}
    with pytest.raises(ValueError, match="precision is not positive definite"):
        ResponseModel.from_dict(stored, LEVERS, fresh())


@pytest.mark.parametrize("lag", [20.0, 80.0])
def test_the_estimates_own_quick_wandering_is_not_taken_for_a_quicker_person(lag):
    """Music that moves once, read by an estimate whose error wanders over about 4 s like the demo channels':
    the filtered state keeps the lag right (taking the estimate for the state found 10 s and 20 s)."""
    model = fresh()
    rng = np.random.default_rng(6)
    keep = np.exp(-0.05 / 4.0)
    state, offset = np.array([0.0, 0.6]), np.zeros(2)
    for i in range(20 * 60 * 20):
        t = i / 20
        levers = np.full(3, -0.3) if t > 30 else np.zeros(3)
        state += (TRUE_REST + TRUE_EFFECT @ levers - state) * (1 - np.exp(-0.05 / lag))
        offset = keep * offset + rng.normal(0, 0.1 * np.sqrt(1 - keep**2), 2)
        model.observe(t, levers, tuple(state + offset))
    assert model.lag_s == lag


def test_box_least_squares_finds_the_constrained_optimum():
    rng = np.random.default_rng(5)
    matrix, target = rng.normal(size=(4, 3)), rng.normal(size=4)
    low, high = np.full(3, -0.2), np.full(3, 0.3)
    found = box_least_squares(matrix, target, low, high, np.zeros(3), sweeps=200)
    grid = np.linspace(-0.2, 0.3, 51)
    best = min(itertools.product(grid, grid, grid), key=lambda x: np.sum((matrix @ np.array(x) - target) ** 2))
    cost = np.sum((matrix @ found - target) ** 2)
    assert np.all(found >= low) and np.all(found <= high)
    assert cost <= np.sum((matrix @ np.array(best) - target) ** 2) + 1e-9


def test_the_prior_expects_people_to_differ_most_where_the_usual_effect_is_largest():
    """Tempo's usual arousal effect (+1.2 per range) is the one a person is most likely to stray from; a lever
    with a small usual effect keeps the floor's spread, on each axis apart."""
    effects = {e.lever: e for e in new_model().effects()}
    assert effects["tempo"].sd == pytest.approx((0.5, 1.2))
    assert effects["volume"].sd == pytest.approx((0.5, 0.8))
    assert effects["brightness"].sd == pytest.approx((0.5, 0.5))
    assert effects["mode minor"].sd == pytest.approx((0.3, 0.3))
