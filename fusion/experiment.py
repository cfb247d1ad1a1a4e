"""Which single lever is worth trying when the person is stuck: the expected improvement of moving one numeric
lever to an end of its box, under the response model's posterior.

A person who is stuck sits about where the present music settles them. Moving lever i by ``step`` (lever units)
moves that settling point by B_i * step, where B_i (valence, arousal) is the lever's uncertain effect. The gain g
is how much closer to the aim that brings the person: its mean m is the change in distance under the mean
effect, its variance s^2 = step^2 * sum_axis u_axis^2 var_axis,i the spread along the unit direction u from the
person to the aim (the axes are learned apart).
Its expected improvement E[max(g, 0)] = s phi(m / s) + m Phi(m / s) weighs how likely the lever is to help
against how much it could (Jones et al. 1998, "Efficient global optimization"). A lever the model is sure of
has little to offer beyond its mean; a lever held at a bound whose effect is unknown, much. Moving one lever at
a time keeps the experiment clean: what the person does next is that lever's doing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Trial:
    """One lever moved to one end of its box: the lever's index among the numeric levers, the end (lever
    units), the expected improvement (plane units) and the z-score of the gain's mean (negative: the model's
    mean expects the move to hurt)."""

    index: int
    end: float
    gain: float
    z: float


def expected_improvement(mean: float, sd: float) -> float:
    """E[max(g, 0)] for g ~ N(mean, sd^2)."""
    if sd <= 0.0:
        return max(mean, 0.0)
    z = mean / sd
    pdf = math.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)
    cdf = 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))
    return sd * pdf + mean * cdf


def gain(effect_mean: FloatArray, effect_var: FloatArray, step: float, gap: FloatArray) -> tuple[float, float]:
    """Mean and sd of the gain (plane units) from moving a lever by ``step`` (lever units), given its effect's
    mean and variance on each axis (valence, arousal) and ``gap``, the aim minus the person. The mean is the
    change in distance to the aim that the mean effect predicts (a move that overshoots on one axis is not
    counted as a gain on the other); the sd is the spread along the way to the aim."""
    distance = float(np.linalg.norm(gap))
    if distance == 0.0:
        return 0.0, 0.0
    direction = np.asarray(gap, dtype=np.float64) / distance
    mean = distance - float(np.linalg.norm(gap - step * effect_mean))
    return mean, abs(step) * math.sqrt(float(direction**2 @ effect_var))


def trials(
    effect_mean: FloatArray,
    effect_var: FloatArray,
    start: FloatArray,
    low: FloatArray,
    high: FloatArray,
    gap: FloatArray,
    most: float,
) -> list[Trial]:
    """Every numeric lever moved from ``start`` towards each end of its box by at most ``most`` (lever units),
    best first.

    ``effect_mean`` and ``effect_var`` (levers, 2) are the numeric levers' posterior effects and variances on
    (valence, arousal); ``start``, ``low`` and ``high`` are lever values; ``gap`` is the aim minus the person
    (plane units). Moves shorter than a tenth of ``most`` are left out: there is nothing to try there."""
    found = []
    for i in range(len(start)):
        for end in (max(float(low[i]), start[i] - most), min(float(high[i]), start[i] + most)):
            step = float(end - start[i])
            mean, sd = gain(effect_mean[i], effect_var[i], step, gap)
            if abs(step) >= 0.1 * most and sd > 0:
                found.append(Trial(i, float(end), expected_improvement(min(mean, 0.0), sd), mean / sd))
    return sorted(found, key=lambda trial: -trial.gain)
