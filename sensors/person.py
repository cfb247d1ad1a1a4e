"""The demo person as the synthetic channels see it: a true (valence, arousal) over session time, which each
channel expresses through its own noise.

The studio passes a ``Person`` (session seconds -> true state) to the demo's sources; each source draws its own
``Expression``: the true state plus slowly wandering noise (an Ornstein-Uhlenbeck process with sd ``noise``
and a correlation time of a few seconds, so that it does not simply average out), clipped to the plane.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

Person = Callable[[float], tuple[float, float]]
NOISE_SECONDS = 4.0  # correlation time of a channel's noise


def resting(_t: float) -> tuple[float, float]:
    """A person at rest in the middle of the plane (sources built without a listener)."""
    return (0.0, 0.0)


class Expression:
    """What one channel shows of ``person``: the true state plus its own noise (sd ``noise``), at any times
    given in increasing order; ``seed`` makes the noise reproducible."""

    def __init__(self, person: Person, noise: float, seed: int) -> None:
        self.person = person
        self.noise = noise
        self._rng = np.random.default_rng(seed)
        self._offset = self._rng.standard_normal(2) * noise
        self._t: float | None = None

    def at(self, t: float) -> tuple[float, float]:
        """The expressed (valence, arousal) at session time ``t`` (seconds)."""
        if self._t is not None and t > self._t and self.noise > 0:
            keep = math.exp(-(t - self._t) / NOISE_SECONDS)
            fresh = self._rng.standard_normal(2) * self.noise * math.sqrt(1.0 - keep**2)
            self._offset = keep * self._offset + fresh
        self._t = t if self._t is None else max(t, self._t)
        v, a = self.person(t)
        return (
            max(-1.0, min(1.0, v + float(self._offset[0]))),
            max(-1.0, min(1.0, a + float(self._offset[1]))),
        )
