"""Affect from MediaPipe face blendshapes (scores 0..1, names as MediaPipe gives them), with an honest confidence.

Pure numbers: blendshape scores and face geometry in, valence/arousal/confidence and the reasons out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from fusion.affect import Affect, clip01, real_number

# MediaPipe Face Landmarker's 52 blendshapes, in its order ("_neutral" carries no expression and no weight).
FACE_BLENDSHAPES: tuple[str, ...] = (
    "_neutral",
    "browDownLeft",
    "browDownRight",
    "browInnerUp",
    "browOuterUpLeft",
    "browOuterUpRight",
    "cheekPuff",
    "cheekSquintLeft",
    "cheekSquintRight",
    "eyeBlinkLeft",
    "eyeBlinkRight",
    "eyeLookDownLeft",
    "eyeLookDownRight",
    "eyeLookInLeft",
    "eyeLookInRight",
    "eyeLookOutLeft",
    "eyeLookOutRight",
    "eyeLookUpLeft",
    "eyeLookUpRight",
    "eyeSquintLeft",
    "eyeSquintRight",
    "eyeWideLeft",
    "eyeWideRight",
    "jawForward",
    "jawLeft",
    "jawOpen",
    "jawRight",
    "mouthClose",
    "mouthDimpleLeft",
    "mouthDimpleRight",
    "mouthFrownLeft",
    "mouthFrownRight",
    "mouthFunnel",
    "mouthLeft",
    "mouthLowerDownLeft",
    "mouthLowerDownRight",
    "mouthPressLeft",
    "mouthPressRight",
    "mouthPucker",
    "mouthRight",
    "mouthRollLower",
    "mouthRollUpper",
    "mouthShrugLower",
    "mouthShrugUpper",
    "mouthSmileLeft",
    "mouthSmileRight",
    "mouthStretchLeft",
    "mouthStretchRight",
    "mouthUpperUpLeft",
    "mouthUpperUpRight",
    "noseSneerLeft",
    "noseSneerRight",
)

# A cue measured on the landmarks rather than scored by the blendshape model: how far the lip corners sit
# above the centre of the lips, in inter-ocular distances, along the face's own up axis (a tilted head does
# not change it). It is the geometric definition of lip-corner pulling (FACS AU12, up) and lip-corner
# depression (AU15, down), and it catches closed-mouth smiles whose blendshape scores stay near 0.
CORNER_LIFT = "mouthCornerLift"
FACE_FEATURES: tuple[str, ...] = (*FACE_BLENDSHAPES, CORNER_LIFT)
# Resting values assumed until the person's own are known (means over the 14 neutral faces of the London set,
# rounded): lip corners rest slightly below the lips' centre, the lids are a little lowered, the chin a little
# raised and the inner brows a little up; other blendshape scores rest at 0.
TYPICAL_REST: dict[str, float] = {CORNER_LIFT: -0.015, "eyeBlink": 0.1, "mouthShrugLower": 0.2, "browInnerUp": 0.05}

# Linear cues: each feature's push on valence and arousal per unit of its change from rest (Left/Right pairs
# are averaged first). Smiles and cheek raise push valence up; brow lowering, lip-corner depression and frowns
# push it down. Eye widening, brow raise and jaw opening push arousal up; eye closure pushes it down.
VALENCE_WEIGHTS: dict[str, float] = {
    "mouthSmile": 1.6,
    "cheekSquint": 0.6,
    "browDown": -0.9,
    "mouthFrown": -1.4,
    "mouthPress": -0.4,
    "noseSneer": -0.8,
    CORNER_LIFT: 8.0,  # a broad smile lifts the corners by about 0.06 inter-ocular distances
}
AROUSAL_WEIGHTS: dict[str, float] = {
    "eyeWide": 1.4,
    "browInnerUp": 0.6,
    "browOuterUp": 0.6,
    "jawOpen": 1.0,
    "eyeBlink": -0.8,
}
JOY_CUES = ("mouthSmile", "cheekSquint", CORNER_LIFT)  # the linear cues whose sum is the smile's push

# Distress cues from FACS, counted only when the action is stronger than at rest (a muscle contracts or it
# does not): chin raise (AU17), lip stretch (AU20), lips rolled in to hold back tears (AU28) and the grief
# brow (AU1+4): the inner brow raised beyond the outer brow (raised together, AU1+2, they are surprise).
GRIEF_BROW = "griefBrow"
EYES_SHUT_MOUTH_OPEN = "eyesShutMouthOpen"  # eye closure with jaw opening (geometric mean): sobbing or laughing
DISTRESS_WEIGHTS: dict[str, tuple[float, float]] = {  # push on (valence, arousal) per unit above rest
    "mouthShrugLower": (-1.0, 0.0),
    "mouthStretch": (-1.0, 0.5),
    "mouthRollLower": (-0.4, 0.0),
    GRIEF_BROW: (-1.0, 0.0),
}
# A distress cue counts from this far above rest (score units): about twice the frame-to-frame standard deviation
# of the chin raise on a still face (0.013 over single_face.mp4's neutral frames). Below it the difference is the
# scores' jitter, not a muscle at work: counted, it read person 005's closed-lip smile in the London set (a chin
# raise of 0.03 above the same person's neutral face) as less pleasant than that neutral face.
ACTION_FLOOR = 0.025
# The cues of distress proper (not the smile's withdrawn push): what the time course holds between two sobs.
DISTRESS_CUES = frozenset({"browDown", "mouthFrown", "mouthPress", "noseSneer", *DISTRESS_WEIGHTS})
# What says that a smile is not joy, per unit above rest: a smile with a grief brow, a raised chin or lip
# corners pulled down is a grimace (crying) or a masking smile, so its push is withdrawn. (Lip stretch is left
# out: MediaPipe scores it in broad smiles too.)
MASKING_WEIGHTS: dict[str, float] = {GRIEF_BROW: 1.0, "mouthShrugLower": 1.0, "mouthFrown": 1.4}
MASK_HALF = 0.2  # masking evidence at which half of the smile's push is withdrawn (it grows as a square)
# Eyes squeezed shut with the mouth open belong to laughing and to sobbing alike: with a smile they make the
# expression ambiguous (confidence drops) without moving valence.
CONTRADICTING_WEIGHTS: dict[str, float] = {**MASKING_WEIGHTS, EYES_SHUT_MOUTH_OPEN: 1.0}
CONFLICT_RANGE = (0.15, 0.6)  # the lesser of smile push and contradicting evidence: no conflict, full conflict
MIXED_DROP = 0.6  # share of the confidence lost at full conflict
CUE_WORDS: dict[str, str] = {
    GRIEF_BROW: "grief brow",
    "mouthShrugLower": "chin raised",
    "mouthFrown": "lip corners down",
    "mouthStretch": "lips stretched",
    EYES_SHUT_MOUTH_OPEN: "eyes squeezed shut, mouth open",
}


def paired(scores: Mapping[str, float], base: str) -> float:
    """Mean of ``baseLeft`` and ``baseRight`` when present, else ``base`` itself (0 when absent)."""
    left, right = scores.get(base + "Left"), scores.get(base + "Right")
    if left is not None and right is not None:
        return (left + right) / 2.0
    return scores.get(base, 0.0)


def ramp(x: float, low: float, high: float) -> float:
    """0 at or below ``low``, 1 at or above ``high``, linear between."""
    return clip01((x - low) / (high - low))


@dataclass(frozen=True)
class Driver:
    """One cue's part in an estimate: how far it is from the resting face and its pushes."""

    name: str  # MediaPipe name without Left/Right, or a combined cue in words
    delta: float  # the cue minus its resting value (0..1 units for blendshape scores)
    valence: float  # push on valence before the tanh squashing
    arousal: float  # push on arousal before the tanh squashing

    @property
    def weight(self) -> float:
        return abs(self.valence) + abs(self.arousal)


@dataclass(frozen=True)
class FaceEstimate:
    """The face's affect with its reasons: ``drivers`` (strongest first) add up to valence and arousal before
    tanh; ``conflict`` (0..1) is how much the cues contradict each other, ``note`` says what lowered the
    confidence or what the time course showed ('mixed expression: smile with grief brow'; '' when nothing)
    and ``quality`` is the image-quality confidence before the conflict lowered it."""

    affect: Affect
    drivers: tuple[Driver, ...]
    conflict: float
    note: str
    quality: float

    @property
    def valence_push(self) -> float:
        return sum(d.valence for d in self.drivers)

    @property
    def arousal_push(self) -> float:
        return sum(d.arousal for d in self.drivers)

    def delta(self, name: str) -> float:
        """The cue ``name``'s distance from rest in this estimate (0 when it is not among the drivers)."""
        return next((d.delta for d in self.drivers if d.name == name), 0.0)


def combine(drivers: Sequence[Driver], conflict: float, note: str, quality: float) -> FaceEstimate:
    """The estimate ``drivers`` add up to (each sum squashed into [-1, 1] by tanh), its confidence the
    image ``quality`` lowered by the ``conflict``."""
    ordered = tuple(sorted(drivers, key=lambda d: d.weight, reverse=True))
    valence = math.tanh(sum(d.valence for d in ordered))
    arousal = math.tanh(sum(d.arousal for d in ordered))
    affect = Affect.make(valence, arousal, quality * (1.0 - MIXED_DROP * clip01(conflict)))
    return FaceEstimate(affect, ordered, clip01(conflict), note, quality)


def cue_deltas(scores: Mapping[str, float], baseline: Mapping[str, float] | None = None) -> dict[str, float]:
    """Every cue the estimate uses minus its resting value (the person's ``baseline``, else TYPICAL_REST).
    A feature missing from ``scores`` counts as resting (the scripted face has no corner lift)."""
    rest = {**TYPICAL_REST, **(baseline or {})}
    names = dict.fromkeys([*VALENCE_WEIGHTS, *AROUSAL_WEIGHTS, *DISTRESS_WEIGHTS, *MASKING_WEIGHTS])
    deltas = {
        name: paired(scores, name) - paired(rest, name) if name in scores or name + "Left" in scores else 0.0
        for name in names
        if name not in (GRIEF_BROW, EYES_SHUT_MOUTH_OPEN)
    }
    deltas[GRIEF_BROW] = max(0.0, deltas["browInnerUp"] - max(0.0, deltas["browOuterUp"]))
    deltas[EYES_SHUT_MOUTH_OPEN] = math.sqrt(max(0.0, deltas["eyeBlink"]) * max(0.0, deltas["jawOpen"]))
    return deltas


def estimate(
    scores: Mapping[str, float], baseline: Mapping[str, float] | None = None, face_confidence: float = 1.0
) -> FaceEstimate:
    """One frame's estimate from blendshape scores relative to the person's resting ``baseline``.

    Linear cues add up; distress cues count beyond ACTION_FLOOR above rest; a smile together with cues that
    contradict joy has its push withdrawn (one more driver, 'smile masked by ...'), and contradicting cues lower
    the confidence.
    """
    deltas = cue_deltas(scores, baseline)
    drivers = [
        Driver(
            name,
            deltas[name],
            VALENCE_WEIGHTS.get(name, 0.0) * deltas[name],
            AROUSAL_WEIGHTS.get(name, 0.0) * deltas[name],
        )
        for name in dict.fromkeys([*VALENCE_WEIGHTS, *AROUSAL_WEIGHTS])
    ]
    for name, (w_valence, w_arousal) in DISTRESS_WEIGHTS.items():
        above = max(0.0, deltas[name] - ACTION_FLOOR)
        drivers.append(Driver(name, above, w_valence * above, w_arousal * above))
    joy = max(0.0, sum(VALENCE_WEIGHTS[name] * deltas[name] for name in JOY_CUES))
    against = {name: weight * max(0.0, deltas[name]) for name, weight in CONTRADICTING_WEIGHTS.items()}
    masking = sum(against[name] for name in MASKING_WEIGHTS)
    strongest = max(against, key=lambda name: against[name])
    if joy > 0 and masking > 0:
        withdrawn = joy * masking**2 / (masking**2 + MASK_HALF**2)
        main = max(MASKING_WEIGHTS, key=lambda name: against[name])
        drivers.append(Driver(f"smile masked by {CUE_WORDS[main]}", masking, -withdrawn, 0.0))
    conflict = ramp(min(joy, sum(against.values())), *CONFLICT_RANGE)
    note = f"mixed expression: smile with {CUE_WORDS[strongest]}" if conflict > 0 else ""
    return combine(drivers, conflict, note, face_confidence)


def explain(scores: Mapping[str, float], baseline: Mapping[str, float] | None = None) -> list[Driver]:
    """Every cue's push on valence and arousal, strongest first."""
    return list(estimate(scores, baseline).drivers)


def affect_from_blendshapes(
    scores: Mapping[str, float], baseline: Mapping[str, float] | None = None, face_confidence: float = 1.0
) -> Affect:
    """Valence, arousal and confidence of one frame's blendshape scores relative to the resting ``baseline``."""
    return estimate(scores, baseline, face_confidence).affect


def describe(drivers: Sequence[Driver], count: int = 3, least: float = 0.02) -> str:
    """The ``count`` strongest drivers in words, e.g. 'mouthSmile +0.52 V; jawOpen +0.20 A'."""
    parts = []
    for d in drivers[:count]:
        if d.weight < least:
            break
        axis = [f"{d.valence:+.2f} V"] if d.valence else []
        axis += [f"{d.arousal:+.2f} A"] if d.arousal else []
        parts.append(f"{d.name} {' '.join(axis)}")
    return "; ".join(parts) or "nothing above the resting face"


# --- neutral baseline ------------------------------------------------------------------------------------


def mean_scores(frames: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """Per-blendshape mean over ``frames`` (the resting profile); empty when there are none."""
    if not frames:
        return {}
    names = sorted({name for frame in frames for name in frame})
    return {name: float(np.mean([frame.get(name, 0.0) for frame in frames])) for name in names}


def checked_baseline(values: Mapping[str, object]) -> dict[str, float]:
    """A stored resting profile made safe to use: blendshape scores in [0, 1], the corner lift in [-1, 1].

    Raises ValueError naming the first bad entry (an unknown name or a value out of its range)."""
    known = set(FACE_FEATURES)
    out: dict[str, float] = {}
    for name, value in values.items():
        if name not in known:
            raise ValueError(f"face baseline has an unknown feature {name!r}")
        low = -1.0 if name == CORNER_LIFT else 0.0
        if not real_number(value) or not low <= value <= 1.0:
            raise ValueError(f"face baseline {name} = {value!r} is not a number between {low:g} and 1")
        out[name] = float(value)
    return out


class BaselineCollector:
    """Gathers blendshape scores over a stretch of session time and turns them into a resting profile."""

    def __init__(self, seconds: float) -> None:
        if not seconds > 0:
            raise ValueError(f"calibration needs a positive duration in seconds, got {seconds!r}")
        self.seconds = seconds
        self.start: float | None = None
        self.frames: list[Mapping[str, float]] = []

    def add(self, t: float, scores: Mapping[str, float] | None) -> bool:
        """Take one frame at session time ``t`` (scores None: no face); True once the duration is over."""
        if self.start is None:
            self.start = t
        if scores is not None:
            self.frames.append(scores)
        return t - self.start >= self.seconds

    def remaining(self, t: float) -> float:
        """Seconds left at session time ``t``."""
        return self.seconds if self.start is None else max(0.0, self.seconds - (t - self.start))

    def result(self) -> dict[str, float]:
        return mean_scores(self.frames)
