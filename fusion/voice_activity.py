"""Voice activity per 10 ms frame: speech, silence or noise, against an adaptive noise floor (dB)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np
from numpy.typing import NDArray

from fusion.framing import FRAME_HOP

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


class Activity(IntEnum):
    SILENCE = 0
    SPEECH = 1
    NOISE = 2  # louder than the floor but not voice (no voicing nearby): a door, a cough, a fan switched on


@dataclass(frozen=True)
class ActivitySettings:
    margin_db: float = 10.0  # a frame this far above the noise floor is active
    rise_db_per_s: float = 1.0  # how fast the floor creeps up when the room gets louder
    hangover_s: float = 0.2  # an active frame this close after a voiced one is still speech (consonants)


class VoiceActivity:
    """Tracks the noise floor (down at once, up slowly) and labels each frame, in order, frame by frame."""

    def __init__(self, settings: ActivitySettings | None = None) -> None:
        self.settings = settings or ActivitySettings()
        self.floor_db: float | None = None
        self._since_voiced = np.inf  # seconds since the last voiced frame

    def update(self, intensity_db: FloatArray, voiced: BoolArray) -> tuple[NDArray[np.int64], FloatArray]:
        """Labels (``Activity`` values) and the noise floor (dB) after each frame."""
        s = self.settings
        rise = s.rise_db_per_s * FRAME_HOP
        labels = np.zeros(intensity_db.size, dtype=np.int64)
        floors = np.zeros(intensity_db.size)
        for i, (level, is_voiced) in enumerate(zip(intensity_db.tolist(), voiced.tolist(), strict=True)):
            floor = level if self.floor_db is None else min(level, self.floor_db + rise)
            self.floor_db = floor
            self._since_voiced = 0.0 if is_voiced else self._since_voiced + FRAME_HOP
            if level < floor + s.margin_db:
                labels[i] = Activity.SILENCE
            elif is_voiced or self._since_voiced <= s.hangover_s:
                labels[i] = Activity.SPEECH
            else:
                labels[i] = Activity.NOISE
            floors[i] = floor
        return labels, floors
