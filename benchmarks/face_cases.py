"""Blendshape frames of crying and laughing, built from FACS descriptions, for testing the face estimate where
no recording may be used (the crying clip of issue 20 is kept apart for evaluation).

Ranges are MediaPipe blendshape scores (0..1) and the lip-corner lift (inter-ocular distances). They follow
FACS: crying is the grief brow (AU1+4: browInnerUp with browDown), cheek raise and lid tightening (AU6+7:
eyeSquint), lip-corner pull that MediaPipe scores as a smile (the issue measured mouthSmile 0.4-0.9), lip
stretch (AU20), lip-corner depression (AU15: mouthFrown), chin raise (AU17: mouthShrugLower) and, in open
sobbing, eyes squeezed shut with the mouth open. Laughing is a smile with cheek raise, squinting or closed
eyes and an open jaw, without the grief brow, chin raise or lip-corner depression. MediaPipe scores
cheekSquint and noseSneer near 0 on real faces, so they stay at 0 here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from fusion.face import CORNER_LIFT

Ranges = Mapping[str, tuple[float, float]]

# Rest: the typical neutral face these frames are compared with (London set neutral means, rounded).
REST: dict[str, float] = {
    "eyeSquintLeft": 0.3,
    "eyeSquintRight": 0.3,
    "eyeBlinkLeft": 0.1,
    "eyeBlinkRight": 0.1,
    "mouthShrugLower": 0.2,
    "browInnerUp": 0.05,
    CORNER_LIFT: -0.015,
}

CRYING: dict[str, Ranges] = {
    # The grimace that reads as joy today: a smile-like lip pull with the inner brow raised and squinting.
    "grimace": {
        "mouthSmile": (0.4, 0.9),
        "browInnerUp": (0.3, 0.8),
        "browOuterUp": (0.0, 0.15),
        "browDown": (0.0, 0.3),
        "eyeSquint": (0.5, 0.9),
        "eyeBlink": (0.2, 0.7),
        "jawOpen": (0.1, 0.5),
        "mouthStretch": (0.05, 0.4),
        "mouthUpperUp": (0.2, 0.6),
        "mouthShrugLower": (0.1, 0.5),
        "mouthFrown": (0.0, 0.15),
        CORNER_LIFT: (0.0, 0.05),
    },
    # Open sobbing: eyes squeezed shut, mouth open and stretched, brows lowered and drawn up inside.
    "wail": {
        "mouthSmile": (0.2, 0.6),
        "eyeBlink": (0.7, 1.0),
        "eyeSquint": (0.6, 0.9),
        "jawOpen": (0.4, 0.8),
        "mouthStretch": (0.2, 0.6),
        "mouthLowerDown": (0.3, 0.6),
        "browDown": (0.2, 0.5),
        "browInnerUp": (0.2, 0.5),
        CORNER_LIFT: (-0.02, 0.03),
    },
    # Weeping while holding back: grief brow, chin raised, lip corners down, lips pressed and rolled in.
    "weeping": {
        "mouthSmile": (0.0, 0.2),
        "browInnerUp": (0.3, 0.7),
        "browDown": (0.05, 0.3),
        "mouthFrown": (0.1, 0.4),
        "mouthShrugLower": (0.4, 0.8),
        "mouthPress": (0.1, 0.4),
        "mouthRollLower": (0.1, 0.4),
        "eyeSquint": (0.3, 0.6),
        "eyeBlink": (0.1, 0.4),
        CORNER_LIFT: (-0.04, 0.0),
    },
}

LAUGHING: Ranges = {
    "mouthSmile": (0.6, 1.0),
    "eyeSquint": (0.4, 0.8),
    "eyeBlink": (0.2, 0.6),
    "jawOpen": (0.2, 0.7),
    "mouthUpperUp": (0.3, 0.8),
    "browDown": (0.0, 0.2),
    "browInnerUp": (0.0, 0.1),
    "browOuterUp": (0.0, 0.1),
    "mouthStretch": (0.0, 0.15),
    "mouthShrugLower": (0.0, 0.1),
    CORNER_LIFT: (0.03, 0.09),
}

PAIRED = {"browDown", "browOuterUp", "eyeSquint", "eyeBlink", "mouthSmile", "mouthStretch", "mouthFrown", "mouthPress"}
PAIRED |= {"mouthUpperUp", "mouthLowerDown"}


def scores_at(ranges: Ranges, level: Mapping[str, float]) -> dict[str, float]:
    """Blendshape scores with each cue at ``level[name]`` (0..1) of its range; paired cues get Left and Right."""
    out: dict[str, float] = {}
    for name, (low, high) in ranges.items():
        value = low + (high - low) * level[name]
        if name in PAIRED:
            out[name + "Left"] = out[name + "Right"] = value
        else:
            out[name] = value
    return out


def frames(ranges: Ranges, count: int, seed: int) -> list[dict[str, float]]:
    """``count`` frames with every cue drawn uniformly from its range (seeded: the same frames every run)."""
    rng = np.random.default_rng(seed)
    return [scores_at(ranges, {name: float(rng.uniform()) for name in ranges}) for _ in range(count)]


def rhythmic(ranges: Ranges, hz: float, seconds: float, fps: float, seed: int) -> list[tuple[float, dict[str, float]]]:
    """A sequence (t in seconds, scores) whose cues pulse together at ``hz`` around the middle of their ranges
    (the jaw swings over its whole range), with a little frame-to-frame noise: sobbing (0.5-2 Hz) or laughing
    (about 4-5 Hz)."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(int(seconds * fps)):
        t = i / fps
        swing = 0.5 + 0.5 * math.sin(2 * math.pi * hz * t)
        level = {name: float(np.clip(0.3 + 0.4 * swing + rng.normal(0, 0.05), 0, 1)) for name in ranges}
        if "jawOpen" in level:
            level["jawOpen"] = swing
        out.append((t, scores_at(ranges, level)))
    return out
