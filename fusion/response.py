"""How one person's valence and arousal answer the music: a Bayesian linear response model that knows its
own uncertainty, for a fixed set of music levers.

The person's true state s = (valence, arousal) is taken to follow the music with a first-order lag tau
(seconds), and the fused estimate z to read it with noise:

    ds/dt = (e(x) - s) / tau,    e(x) = c + B phi(x),    z = s + noise

where phi(x) is the lever vector of the music x (each numeric lever on 0..1 of its range minus 0.5, each mode or
layer 1 while it plays) and e(x) is where the person settles while the music holds at x. Sampled every STEP_S
seconds with the music's mean lever vector over each step,

    s[k+1] = a s[k] + (1 - a) (c + B phi[k]) + drift,    a = exp(-STEP_S / tau).

For each candidate lag this is a linear-Gaussian state-space model in (s, c, B), so a Kalman filter gives the
exact Gaussian posterior over the person's state and the coefficients together, one filter per axis. Filtering
the state, rather than taking the noisy estimate for it, matters: the estimate's own quick wandering would
otherwise look like a fast person (every lag came out as 5 s through the whole studio) and inflate the effects
of levers moved together. The lags are weighed by how well each predicted the estimate one step ahead (their
log evidence), and the best one speaks for the model. Everything is plain numpy: vectors in, numbers out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

STEP_S = 5.0  # seconds between two observations of the estimate
LAGS_S = (5.0, 10.0, 20.0, 40.0, 80.0)  # candidate response lags (first-order time constants), seconds
# Prior log evidence of each lag: the middle ones are the most common in listening studies, so an extreme lag
# must predict the estimate markedly better (by a likelihood ratio of e^LAG_PRIOR) before it is believed.
LAG_PRIOR = (0.0, 2.0, 3.0, 2.0, 0.0)
NOISE_START = 0.05  # sd of the estimate around the person's state, before any is measured
NOISE_FLOOR = 0.02  # the noise is never taken to be smaller than this
NOISE_MEMORY = 0.05  # weight of each new squared innovation in the running noise variance
DRIFT_SD = 0.03  # sd of the person's own drift in one step, beyond what the music explains (plane units)
STATE_SD = 1.0  # sd of the person's state before the first estimate of a session is seen
MOVED = 0.02  # a lever whose mean over a step differs this much from the step before counts as moved
CARRY_OVER = 0.5  # a stored model's certainty kept into the next visit (its precision is scaled by this)
VERSION = 2


@dataclass(frozen=True)
class Effect:
    """What one lever does to the person per unit of its lever value: mean and sd, for valence and arousal."""

    lever: str
    mean: tuple[float, float]
    sd: tuple[float, float]
    moves: int  # how many observation steps this lever moved in


class LagModel:
    """The Kalman filter over the person's state, the intercept and the lever effects for one candidate lag
    ``tau`` (seconds), one filter per axis.

    ``mean`` (1 + coefficients, 2) holds the state first, then the intercept and the levers, one column per
    axis; ``cov`` (2, 1 + coefficients, 1 + coefficients) their covariance, one matrix per axis.
    """

    def __init__(self, tau: float, coef_mean: FloatArray, coef_cov: FloatArray, log_evidence: float = 0.0) -> None:
        self.tau = tau
        self.a = math.exp(-STEP_S / tau)
        width = coef_mean.shape[0] + 1
        self.mean = np.zeros((width, 2))
        self.mean[1:] = coef_mean
        self.cov = np.zeros((2, width, width))
        self.cov[:, 1:, 1:] = coef_cov
        self.cov[:, 0, 0] = STATE_SD**2
        self.log_evidence = log_evidence

    def coef_mean(self) -> FloatArray:
        """Posterior mean coefficients, shape (1 + levers, 2): the intercept row, then the levers."""
        return np.asarray(self.mean[1:], dtype=np.float64)

    def coef_cov(self) -> FloatArray:
        """Posterior covariance of each axis's coefficients, shape (2, 1 + levers, 1 + levers)."""
        return np.asarray(self.cov[:, 1:, 1:], dtype=np.float64)

    def predict(self, phi: FloatArray) -> None:
        """Carry the state one step on under the music ``phi`` (lever vector with the intercept's 1 first)."""
        transition = np.eye(self.mean.shape[0])
        transition[0, 0] = self.a
        transition[0, 1:] = (1.0 - self.a) * phi
        self.mean = transition @ self.mean
        self.cov = transition @ self.cov @ transition.T
        self.cov[:, 0, 0] += DRIFT_SD**2

    def update(self, estimate: FloatArray, noise: float) -> tuple[float, float]:
        """Learn from the estimate (valence, arousal) read now; returns (squared innovation, its predicted part
        from the state's uncertainty), each summed over both axes."""
        squared, predicted = 0.0, 0.0
        for axis in (0, 1):
            cov = self.cov[axis]
            state_var = float(cov[0, 0])
            spread = state_var + noise**2
            error = float(estimate[axis] - self.mean[0, axis])
            gain = cov[:, 0] / spread
            self.mean[:, axis] += gain * error
            self.cov[axis] = cov - np.outer(gain, cov[0, :])
            self.log_evidence += -0.5 * (error**2 / spread + math.log(2.0 * math.pi * spread))
            squared += error**2
            predicted += state_var
        return squared, predicted


class ResponseModel:
    """One person's response to the music levers ``levers``, learned online with its uncertainty.

    Call ``observe`` on every control tick with the music's lever vector and the fused estimate; every STEP_S
    seconds that makes one observation. ``prior_mean`` (2 x levers) and ``prior_sd`` (2 x levers, or levers
    for both axes) say what is expected before anything is seen; the intercept's prior is centred on the
    plane's middle.
    """

    def __init__(
        self,
        levers: Sequence[str],
        prior_mean: FloatArray,
        prior_sd: FloatArray,
        intercept_sd: float = 0.6,
    ) -> None:
        self.levers = tuple(levers)
        width = 1 + len(self.levers)
        spreads = np.broadcast_to(prior_sd, (2, len(self.levers))) if prior_sd.ndim == 1 else prior_sd
        if prior_mean.shape != (2, len(self.levers)) or spreads.shape != (2, len(self.levers)):
            raise ValueError(f"the prior needs 2 x {len(self.levers)} means and as many spreads")
        mean = np.vstack([np.zeros((1, 2)), prior_mean.T])
        cov = np.stack([np.diag(np.concatenate([[intercept_sd], spreads[axis]]) ** 2) for axis in (0, 1)])
        self.lags = [LagModel(tau, mean, cov, prior) for tau, prior in zip(LAGS_S, LAG_PRIOR, strict=True)]
        self.noise = NOISE_START
        self.observations = 0
        self.sessions = 0
        self.moves = np.zeros(len(self.levers), dtype=np.int64)
        self._step_end: float | None = None
        self._phi_sum = np.zeros(width)
        self._phi_count = 0
        self._seen_last = False
        self._last_phi: FloatArray | None = None

    # --- learning ------------------------------------------------------------------------------------------
    def observe(self, t: float, levers: FloatArray, estimate: tuple[float, float] | None) -> bool:
        """Add the music's lever vector at session time ``t`` (seconds) and the estimate then (None when too
        unsure to use: the filters carry the person's state on without it, less sure of it). Returns True when
        a step was learned from."""
        if self._step_end is None:
            self._step_end = t + STEP_S
        self._phi_sum[0] += 1.0
        self._phi_sum[1:] += levers
        self._phi_count += 1
        if t < self._step_end:
            return False
        phi = self._phi_sum / self._phi_count
        self._phi_sum = np.zeros_like(self._phi_sum)
        self._phi_count = 0
        self._step_end = max(self._step_end + STEP_S, t)
        for lag in self.lags:
            lag.predict(phi)
        if estimate is not None:
            self._learn(np.asarray(estimate, dtype=np.float64))
        if self._last_phi is not None:
            self.moves += np.abs(phi[1:] - self._last_phi[1:]) > MOVED
        self._last_phi = phi
        learned, self._seen_last = self._seen_last and estimate is not None, estimate is not None
        return learned

    def _learn(self, estimate: FloatArray) -> None:
        best = self.best
        found = [lag.update(estimate, self.noise) for lag in self.lags]
        if self._seen_last:  # the state was followed up to the step before: the innovation measures the noise
            squared, predicted = found[self.lags.index(best)]
            residual = max(0.0, squared - predicted) / 2.0
            variance = (1.0 - NOISE_MEMORY) * self.noise**2 + NOISE_MEMORY * residual
            self.noise = max(NOISE_FLOOR, math.sqrt(variance))
            self.observations += 1

    # --- what it knows -------------------------------------------------------------------------------------
    @property
    def best(self) -> LagModel:
        """The lag model that has predicted the estimate best so far."""
        return max(self.lags, key=lambda lag: lag.log_evidence)

    @property
    def lag_s(self) -> float:
        """The response lag (seconds) the evidence favours."""
        return self.best.tau

    def coefficients(self) -> FloatArray:
        """Posterior mean (1 + levers, 2): the intercept row, then each lever's (valence, arousal) effect."""
        return self.best.coef_mean()

    def sample(self, rng: np.random.Generator, temper: float = 1.0) -> FloatArray:
        """A draw of the coefficients from the posterior (Thompson sampling), its spread scaled by ``temper``
        (1: the posterior itself; less explores more cautiously): shape (1 + levers, 2)."""
        best = self.best
        mean, cov = best.coef_mean(), best.coef_cov()
        draw = [np.linalg.cholesky(cov[axis]) @ rng.standard_normal(mean.shape[0]) for axis in (0, 1)]
        return mean + temper * np.stack(draw, axis=1)

    def effects(self) -> list[Effect]:
        """Every lever's effect per unit of its lever value, with its sd and how often it moved."""
        best = self.best
        mean = best.coef_mean()[1:]
        sd = np.sqrt(np.stack([np.diag(best.coef_cov()[axis])[1:] for axis in (0, 1)], axis=1))
        return [
            Effect(
                name,
                (float(mean[i, 0]), float(mean[i, 1])),
                (float(sd[i, 0]), float(sd[i, 1])),
                int(self.moves[i]),
            )
            for i, name in enumerate(self.levers)
        ]

    def spread_rows(self) -> FloatArray:
        """Rows R, shape (2 (1 + levers), 1 + levers), such that |R @ phi|^2 is the variance of where the model
        expects the person to settle under the lever vector phi (the intercept's 1 first), summed over both axes:
        how unsure the model is of that point."""
        cov = self.best.coef_cov()
        return np.vstack([np.linalg.cholesky(cov[axis]).T for axis in (0, 1)])

    def settles_at(self, levers: FloatArray, coefficients: FloatArray | None = None) -> FloatArray:
        """Where the person would settle (valence, arousal) if the music held at ``levers``."""
        coef = self.coefficients() if coefficients is None else coefficients
        return np.asarray(coef[0] + levers @ coef[1:], dtype=np.float64)

    # --- storage -------------------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, object]:
        """Everything learned about the coefficients, as plain JSON-ready values (the state is this session's)."""
        return {
            "version": VERSION,
            "levers": list(self.levers),
            "noise": self.noise,
            "observations": self.observations,
            "sessions": self.sessions,
            "moves": [int(m) for m in self.moves],
            "lags": [
                {
                    "tau": lag.tau,
                    "mean": lag.coef_mean().tolist(),
                    "cov": lag.coef_cov().tolist(),
                    "log_evidence": lag.log_evidence,
                }
                for lag in self.lags
            ],
        }

    def next_visit(self) -> ResponseModel:
        """This model as the start of the client's next visit: one more session, its certainty relaxed by
        CARRY_OVER (people change between visits), the lags' evidence kept in proportion."""
        model = ResponseModel.__new__(ResponseModel)
        model.__dict__.update(self.__dict__)
        model.lags = [
            LagModel(lag.tau, lag.coef_mean(), lag.coef_cov() / CARRY_OVER, lag.log_evidence * CARRY_OVER)
            for lag in self.lags
        ]
        model.sessions = self.sessions + 1
        model.moves = self.moves.copy()
        model._step_end = None
        model._phi_sum = np.zeros_like(self._phi_sum)
        model._phi_count = 0
        model._seen_last = False
        model._last_phi = None
        return model

    @staticmethod
    def from_dict(data: Mapping[str, object], levers: Sequence[str], fresh: ResponseModel) -> ResponseModel:
        """A stored model (this version, or version 1's precision form), checked against ``levers``; ``fresh``
        (a new model with the prior) supplies the rest. ValueError says what is wrong with the stored values."""
        version = data.get("version")
        if version not in (1, VERSION):
            raise ValueError(f"response model version {version!r}; this studio reads versions 1 and {VERSION}")
        if data.get("levers") != list(levers):
            raise ValueError("response model was learned for other music levers")
        width = 1 + len(levers)
        stored = data.get("lags")
        if not isinstance(stored, list) or [entry.get("tau") for entry in stored if isinstance(entry, dict)] != list(
            LAGS_S
        ):
            raise ValueError(f"response model lags must be {list(LAGS_S)} s")
        lags = []
        for entry in stored:
            if version == 1:
                precision = _matrix(entry.get("precision"), (width, width), "precision")
                weighted = _matrix(entry.get("weighted"), (width, 2), "weighted")
                _positive_definite(precision, "precision")
                mean = np.asarray(np.linalg.solve(precision, weighted), dtype=np.float64)
                cov = np.stack([np.linalg.inv(precision)] * 2)
            else:
                mean = _matrix(entry.get("mean"), (width, 2), "mean")
                cov = np.stack([_matrix(m, (width, width), "cov") for m in _pair(entry.get("cov"))])
                for axis in (0, 1):
                    _positive_definite(cov[axis], "cov")
            evidence = _number(entry.get("log_evidence"), "log_evidence")
            lags.append(LagModel(float(entry["tau"]), mean, cov, evidence))
        moves = data.get("moves")
        if not isinstance(moves, list) or len(moves) != len(levers) or not all(isinstance(m, int) for m in moves):
            raise ValueError(f"response model moves must be {len(levers)} whole numbers")
        model = fresh
        model.lags = lags
        model.noise = max(NOISE_FLOOR, _number(data.get("noise"), "noise"))
        model.observations = int(_number(data.get("observations"), "observations"))
        model.sessions = int(_number(data.get("sessions"), "sessions"))
        model.moves = np.asarray(moves, dtype=np.int64)
        return model


def _pair(value: object) -> list[object]:
    if not isinstance(value, list) or len(value) != 2:
        raise ValueError("response model cov must hold one matrix per axis (valence, arousal)")
    return value


def _positive_definite(matrix: FloatArray, name: str) -> None:
    try:
        np.linalg.cholesky(matrix)
    except np.linalg.LinAlgError:
        raise ValueError(f"response model {name} is not positive definite") from None


def _number(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"response model {name} = {value!r} must be a finite number")
    return float(value)


def _matrix(value: object, shape: tuple[int, int], name: str) -> FloatArray:
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"response model {name} is not a table of numbers") from None
    if array.shape != shape or not np.all(np.isfinite(array)):
        raise ValueError(f"response model {name} must be {shape[0]} x {shape[1]} finite numbers")
    return array


def box_least_squares(
    matrix: FloatArray, target: FloatArray, low: FloatArray, high: FloatArray, start: FloatArray, sweeps: int = 40
) -> FloatArray:
    """The x in the box [low, high] that minimises |matrix @ x - target|^2, by exact coordinate descent from
    ``start`` (a convex quadratic: each sweep can only lower it)."""
    x = np.clip(start, low, high).astype(np.float64)
    column_norms = np.sum(matrix**2, axis=0)
    residual = matrix @ x - target
    for _ in range(sweeps):
        moved = 0.0
        for j in range(x.size):
            if column_norms[j] <= 0.0:
                continue
            new = float(np.clip(x[j] - matrix[:, j] @ residual / column_norms[j], low[j], high[j]))
            if new != x[j]:
                residual += matrix[:, j] * (new - x[j])
                moved = max(moved, abs(new - x[j]))
                x[j] = new
        if moved < 1e-9:
            break
    return x
