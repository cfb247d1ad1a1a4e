"""Affect from MediaPipe face blendshapes (scores 0..1, names as MediaPipe gives them)."""

from __future__ import annotations

import math
from collections.abc import Mapping

from fusion.affect import Affect

# Each blendshape's push on valence and arousal per unit of score. Pairs (Left/Right) are averaged first.
VALENCE_WEIGHTS: dict[str, float] = {
    "mouthSmile": 1.6,
    "cheekSquint": 0.6,
    "browDown": -0.9,
    "mouthFrown": -1.4,
    "mouthPress": -0.4,
    "noseSneer": -0.8,
}
AROUSAL_WEIGHTS: dict[str, float] = {
    "eyeWide": 1.4,
    "browInnerUp": 0.6,
    "browOuterUp": 0.6,
    "jawOpen": 1.0,
    "eyeBlink": -0.8,
}


def paired(scores: Mapping[str, float], base: str) -> float:
    """Mean of ``baseLeft`` and ``baseRight`` when present, else ``base`` itself (0 when absent)."""
    left, right = scores.get(base + "Left"), scores.get(base + "Right")
    if left is not None and right is not None:
        return (left + right) / 2.0
    return scores.get(base, 0.0)


def affect_from_blendshapes(
    scores: Mapping[str, float], baseline: Mapping[str, float] | None = None, face_confidence: float = 1.0
) -> Affect:
    """Valence and arousal from blendshape scores minus the person's resting ``baseline`` scores."""

    def pushed(weights: Mapping[str, float]) -> float:
        total = 0.0
        for base, w in weights.items():
            total += w * (paired(scores, base) - (paired(baseline, base) if baseline else 0.0))
        return math.tanh(total)

    return Affect.make(pushed(VALENCE_WEIGHTS), pushed(AROUSAL_WEIGHTS), face_confidence)
