"""The demo person's face: blendshape scores that show a (valence, arousal) state, for the scripted face source.

A resting face with some tone (eyes a little open, brows and jaw a little up) so that calm can show as that tone
relaxing. Valence moves the smile (cheeks with it) or the frown (brows down, lips pressed); arousal widens the
eyes, lifts both brows together (surprise, never the grief brow) and opens the jaw, or relaxes them and lowers
the lids. How far each moves for a wanted state is read off the face estimator itself (``fusion.face``), so the
estimator reads back about the state that was shown. The person blinks and now and then looks away.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from fusion.face import estimate
from sensors.person import Expression, Person

NEUTRAL_FACE: dict[str, float] = {
    "eyeWideLeft": 0.2,
    "eyeWideRight": 0.2,
    "browInnerUp": 0.1,
    "browOuterUpLeft": 0.1,
    "browOuterUpRight": 0.1,
    "jawOpen": 0.08,
    "eyeBlinkLeft": 0.1,
    "eyeBlinkRight": 0.1,
    "mouthSmileLeft": 0.05,
    "mouthSmileRight": 0.05,
    "mouthFrownLeft": 0.05,
    "mouthFrownRight": 0.05,
    "browDownLeft": 0.05,
    "browDownRight": 0.05,
    "cheekSquintLeft": 0.05,
    "cheekSquintRight": 0.05,
    "mouthPressLeft": 0.02,
    "mouthPressRight": 0.02,
    "mouthShrugLower": 0.2,
}
# Change of each score per unit of expression intensity, for positive and for negative intensity.
VALENCE_UP = {"mouthSmile": 0.75, "cheekSquint": 0.3, "mouthFrown": -0.05, "browDown": -0.05}
VALENCE_DOWN = {"mouthFrown": 0.6, "browDown": 0.5, "mouthPress": 0.2, "mouthSmile": -0.05}
AROUSAL_UP = {"eyeWide": 0.6, "browOuterUp": 0.4, "browInnerUp": 0.4, "jawOpen": 0.3, "eyeBlink": -0.08}
AROUSAL_DOWN = {"eyeWide": -0.2, "browOuterUp": -0.1, "browInnerUp": -0.1, "jawOpen": -0.08, "eyeBlink": 0.75}
BLINK_EVERY_S = 4.0
BLINK_S = 0.15
BLINK_LIDS = 0.6  # how far the lids close in a blink (a score, 0..1)
LOOK_AWAY_EVERY_S = 120.0  # the person looks away for LOOK_AWAY_S once in this many seconds
LOOK_AWAY_S = 2.5


def face_for(valence_push: float, arousal_push: float) -> dict[str, float]:
    """Blendshape scores for expression intensities in [-1, 1] (0, 0: the resting face)."""
    scores = dict(NEUTRAL_FACE)
    for push, up, down in ((valence_push, VALENCE_UP, VALENCE_DOWN), (arousal_push, AROUSAL_UP, AROUSAL_DOWN)):
        for base, per_unit in (up if push >= 0 else down).items():
            for name in (base,) if base in ("browInnerUp", "jawOpen") else (base + "Left", base + "Right"):
                scores[name] = min(1.0, max(0.0, scores.get(name, 0.0) + per_unit * abs(push)))
    return scores


@functools.cache
def _readings() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Expression intensities and what the estimator reads from each on one axis (the other at rest)."""
    pushes = np.linspace(-1.0, 1.0, 81)
    valence = np.array([estimate(face_for(p, 0.0), NEUTRAL_FACE).affect.valence for p in pushes])
    arousal = np.array([estimate(face_for(0.0, p), NEUTRAL_FACE).affect.arousal for p in pushes])
    return pushes, np.maximum.accumulate(valence), np.maximum.accumulate(arousal)


def pushes_for(valence: float, arousal: float) -> tuple[float, float]:
    """The expression intensities the estimator reads as (valence, arousal), as near as this face can show."""
    pushes, read_valence, read_arousal = _readings()
    return float(np.interp(valence, read_valence, pushes)), float(np.interp(arousal, read_arousal, pushes))


class PersonFace:
    """The face of ``person``, with its own noise (sd ``noise``): ``scores(t)`` gives the blendshapes at session
    time ``t`` (None while the person looks away)."""

    neutral = NEUTRAL_FACE

    def __init__(self, person: Person, noise: float, seed: int = 11) -> None:
        self.expression = Expression(person, noise, seed)

    def scores(self, t: float) -> dict[str, float] | None:
        valence, arousal = self.expression.at(t)
        if t % LOOK_AWAY_EVERY_S >= LOOK_AWAY_EVERY_S - LOOK_AWAY_S:
            return None
        face = face_for(*pushes_for(valence, arousal))
        if math.fmod(t, BLINK_EVERY_S) < BLINK_S:
            for side in ("Left", "Right"):
                face["eyeBlink" + side] = max(face["eyeBlink" + side], BLINK_LIDS)
        return face
