"""The face channel. Until the camera backend lands: scripted expression curves for demos and tests."""

from __future__ import annotations

import math

from fusion.face import affect_from_blendshapes
from sensors.base import FrameClock, Source, State
from studio.streams import Stream, StreamHub

SCRIPTED_SHAPES = (
    "mouthSmileLeft",
    "mouthSmileRight",
    "browDownLeft",
    "browDownRight",
    "mouthFrownLeft",
    "mouthFrownRight",
    "eyeWideLeft",
    "eyeWideRight",
    "jawOpen",
    "eyeBlinkLeft",
    "eyeBlinkRight",
)


def scripted_expression(t: float, cycle: float = 48.0) -> dict[str, float] | None:
    """Blendshape scores at ``t`` seconds of a looping script: neutral, smile, surprise, frown, neutral.

    Returns None during a short 'looked away' gap near the end of each ``cycle`` (seconds), so demos show
    the channel losing and regaining the face.
    """
    phase = (t % cycle) / cycle
    if 0.93 <= phase < 0.98:
        return None

    def bump(centre: float, width: float) -> float:
        return math.exp(-(((phase - centre) / width) ** 2))

    smile = 0.8 * bump(0.25, 0.09)
    surprise = 0.7 * bump(0.5, 0.06)
    frown = 0.6 * bump(0.72, 0.08)
    blink = 1.0 if (t % 4.0) < 0.15 else 0.05
    return {
        "mouthSmileLeft": smile,
        "mouthSmileRight": smile * 0.95,
        "browDownLeft": frown * 0.8,
        "browDownRight": frown * 0.8,
        "mouthFrownLeft": frown,
        "mouthFrownRight": frown,
        "eyeWideLeft": surprise,
        "eyeWideRight": surprise,
        "jawOpen": 0.6 * surprise,
        "eyeBlinkLeft": blink,
        "eyeBlinkRight": blink,
    }


class ScriptedFace(Source):
    """Synthetic face: blendshape scores from ``scripted_expression`` at 15 frames per second."""

    channel = "face"
    backend = "synthetic"
    period = 1.0 / 15.0

    def __init__(self, note: str = "") -> None:
        """``note``: anything the operator should know about the face channel, shown after its state."""
        super().__init__()
        self.detail = "scripted expressions" + (f"; {note}" if note else "")
        self.shapes: Stream | None = None
        self._frames = FrameClock(self.period)

    def open(self, hub: StreamHub) -> None:
        super().open(hub)
        self.shapes = hub.add("face.blendshapes", SCRIPTED_SHAPES, int(120 / self.period))
        self.set_status(State.OK, self.detail)

    def step(self, now: float) -> None:
        assert self.shapes is not None
        for t in self._frames.due(now):
            scores = scripted_expression(t)
            if scores is None:
                self.emit(t, affect_from_blendshapes({}, face_confidence=0.0))
                self.set_status(State.DEGRADED, "no face in view")
            else:
                self.shapes.append(t, [scores[name] for name in SCRIPTED_SHAPES])
                self.emit(t, affect_from_blendshapes(scores, face_confidence=0.85))
                self.set_status(State.OK, self.detail)
