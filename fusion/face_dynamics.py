"""The face's expression over time: one frame cannot flip the estimate, distress sets in at once but fades
slowly (the lull between two sobs is not recovery), and the rhythm of the jaw tells sobbing (0.5-2 Hz) from
laughing (3-7 Hz, about 4.4 laugh syllables a second).

A small stateful filter, pure numbers: per-frame estimates (fusion.face) and the jaw opening in, the filtered
estimate with its reasons out. Times are in seconds, frequencies in Hz.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np

from fusion.face import DISTRESS_CUES, Driver, FaceEstimate, combine, ramp

STEADY_FRAMES = 3  # the filtered estimate is the middle one (medoid) of the newest frames
STEADY_SECONDS = 1.0  # frames older than this take no part in it (after a gap the new frame counts alone)
RHYTHM_SECONDS = 4.0  # how much of the jaw's movement the rhythm is measured on
RHYTHM_EVERY = 0.1  # seconds between two measurements of the rhythm (it changes slowly over a 4 s window)
RHYTHM_MIN = (2.0, 16)  # seconds and frames needed before a rhythm is looked for
RHYTHM_HZ = np.arange(0.5, 7.01, 0.125)  # frequencies tried
SOB_HZ = (0.5, 2.0)
LAUGH_HZ = (3.0, 7.0)
SWING = (0.05, 0.2)  # standard deviation of the jaw opening (score units): no rhythm at the first, full at the second
PERIODIC = (0.4, 0.8)  # share of the jaw's variance one sinusoid explains: no rhythm at the first, full at the second
EXPRESSIVE = 0.2  # mean valence push (before tanh) of the window beyond which the face shows joy or distress
SOB_PUSH = (-0.8, 0.4)  # (valence, arousal) push of a clear sobbing rhythm
LAUGH_PUSH = (0.3, 0.3)  # (valence, arousal) push of a clear laughing rhythm
RESOLVED = 0.5  # share of the conflict a clear rhythm that agrees with the face resolves
DISTRESS_OFFSET = 1.0  # seconds: time constant at which held distress fades once the face relaxes
HELD_LEAST = 0.05  # held distress (valence push) worth a driver of its own


@dataclass(frozen=True)
class Rhythm:
    """The jaw's strongest oscillation over the window: ``hz`` and ``strength`` (0..1: swing x periodicity)."""

    hz: float
    strength: float


def jaw_rhythm(t: np.ndarray, jaw: np.ndarray) -> Rhythm | None:
    """The strongest oscillation of ``jaw`` (scores) sampled at times ``t`` (seconds, increasing, any spacing),
    among RHYTHM_HZ below the frame rate's Nyquist limit; None with too short a stretch."""
    span = float(t[-1] - t[0]) if len(t) else 0.0
    if span < RHYTHM_MIN[0] or len(t) < RHYTHM_MIN[1]:
        return None
    x = jaw - jaw.mean()
    energy = float(x @ x)
    if energy < 1e-12 * len(x):  # a still jaw (rounding leaves a trace of variance)
        return None
    nyquist = 0.45 * (len(t) - 1) / span
    hz = RHYTHM_HZ[nyquist > RHYTHM_HZ]
    if not len(hz):
        return None
    phase = 2.0 * np.pi * np.outer(hz, t - t[0])
    share = 2.0 * ((np.cos(phase) @ x) ** 2 + (np.sin(phase) @ x) ** 2) / (len(x) * energy)
    best = int(np.argmax(share))
    swing = math.sqrt(energy / len(x))
    return Rhythm(float(hz[best]), ramp(swing, *SWING) * ramp(float(share[best]), *PERIODIC))


def medoid(frames: list[FaceEstimate]) -> FaceEstimate:
    """The frame whose (valence, arousal) pushes lie closest to the others': a lone odd frame is never chosen.
    With two frames the older one (a change counts once the next frame confirms it)."""
    if len(frames) <= 2:
        return frames[0]
    points = [(f.valence_push, f.arousal_push) for f in frames]

    def spread(i: int) -> float:
        return sum(math.dist(points[i], p) for p in points)

    return frames[min(reversed(range(len(frames))), key=spread)]


@dataclass(frozen=True)
class _Frame:
    t: float
    estimate: FaceEstimate
    jaw: float  # jaw opening minus rest (score units)
    push: float  # valence push before tanh


class FaceDynamics:
    """Filters a stream of per-frame face estimates of one person (feed frames with a face, in time order)."""

    def __init__(self) -> None:
        self._frames: deque[_Frame] = deque()
        self._held = 0.0  # the distress push held over from earlier frames (valence push, <= 0)
        self._rhythm: tuple[float, Rhythm | None] = (-math.inf, None)  # when it was measured, what was found

    def reset(self) -> None:
        """Forget the time course (a new recording, another person)."""
        self._frames.clear()
        self._held = 0.0
        self._rhythm = (-math.inf, None)

    def update(self, t: float, frame: FaceEstimate) -> FaceEstimate:
        """The filtered estimate at ``t`` (seconds) after this ``frame``."""
        if self._frames and t <= self._frames[-1].t:
            self.reset()  # time went backwards: another recording
        dt = t - self._frames[-1].t if self._frames else math.inf
        self._frames.append(_Frame(t, frame, frame.delta("jawOpen"), frame.valence_push))
        while t - self._frames[0].t > RHYTHM_SECONDS:
            self._frames.popleft()
        recent = [f.estimate for f in list(self._frames)[-STEADY_FRAMES:] if t - f.t <= STEADY_SECONDS]
        chosen = medoid(recent)
        drivers = list(chosen.drivers)
        conflict, notes = chosen.conflict, [chosen.note] if chosen.note else []

        distress = sum(min(0.0, d.valence) for d in drivers if d.name in DISTRESS_CUES)
        self._held = min(distress, distress + (self._held - distress) * math.exp(-dt / DISTRESS_OFFSET))
        if self._held < distress - HELD_LEAST:
            drivers.append(Driver("distress still fading", self._held - distress, self._held - distress, 0.0))

        if t - self._rhythm[0] >= RHYTHM_EVERY:
            times, jaw = np.array([f.t for f in self._frames]), np.array([f.jaw for f in self._frames])
            self._rhythm = (t, jaw_rhythm(times, jaw))
        rhythm = self._rhythm[1]
        if rhythm is not None and rhythm.strength > 0:
            push = sum(f.push for f in self._frames) / len(self._frames)
            contested = sum(f.estimate.conflict for f in self._frames) / len(self._frames) > 0.05
            found = self._reading(rhythm, push, contested)
            if found is not None:
                name, (w_valence, w_arousal), agrees = found
                s = rhythm.strength
                drivers.append(Driver(f"{name} rhythm {rhythm.hz:.1f} Hz", s, w_valence * s, w_arousal * s))
                notes.append(f"{name} rhythm ({rhythm.hz:.1f} Hz)")
                if agrees:
                    conflict *= 1.0 - RESOLVED * s
        return combine(drivers, conflict, "; ".join(notes), chosen.quality)

    @staticmethod
    def _reading(rhythm: Rhythm, push: float, contested: bool) -> tuple[str, tuple[float, float], bool] | None:
        """What a rhythm means on a face whose mean valence push is ``push``: sobbing at a slow rhythm where the
        face shows distress, or contradicting cues without clear joy; laughing at a fast one where it shows
        joy with contradicting cues (a fast rhythm alone is speech as often as laughter, a slow one chewing).
        Returns the name, its pushes and whether the face's own cues agree with it; None when the rhythm says
        nothing here."""
        if SOB_HZ[0] <= rhythm.hz <= SOB_HZ[1] and (push < -EXPRESSIVE or (contested and push < EXPRESSIVE)):
            return "sobbing", SOB_PUSH, push < 0
        if LAUGH_HZ[0] <= rhythm.hz <= LAUGH_HZ[1] and contested and push > EXPRESSIVE:
            return "laughing", LAUGH_PUSH, True
        return None
