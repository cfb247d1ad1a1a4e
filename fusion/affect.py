"""The affect value every channel and the fusion produce."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TypeGuard

AFFECT_FIELDS = ("valence", "arousal", "confidence")


def clip_unit(x: float) -> float:
    """Clip to [-1, 1]; NaN becomes 0."""
    if math.isnan(x):
        return 0.0
    return max(-1.0, min(1.0, x))


def clip01(x: float) -> float:
    """Clip to [0, 1]; NaN becomes 0."""
    if math.isnan(x):
        return 0.0
    return max(0.0, min(1.0, x))


def real_number(value: object) -> TypeGuard[int | float]:
    """Whether ``value`` is a real int or float (a bool is not a number here)."""
    return not isinstance(value, bool) and isinstance(value, int | float)


@dataclass(frozen=True)
class Affect:
    """Valence and arousal in [-1, 1] and a confidence in [0, 1] (0: no information)."""

    valence: float
    arousal: float
    confidence: float

    @staticmethod
    def make(valence: float, arousal: float, confidence: float) -> Affect:
        """Build an Affect with every value clipped into its range."""
        return Affect(clip_unit(valence), clip_unit(arousal), clip01(confidence))

    def as_row(self) -> tuple[float, float, float]:
        return (self.valence, self.arousal, self.confidence)


NO_AFFECT = Affect(0.0, 0.0, 0.0)
