"""The voice channel. Until the microphone backend lands: scripted prosody for demos and tests."""

from __future__ import annotations

import math

import numpy as np

from fusion.voice import affect_from_prosody
from sensors.base import FrameClock, Source, State
from studio.streams import Stream, StreamHub

PROSODY_FIELDS = ("f0_hz", "intensity_db", "voiced")


def scripted_prosody(t: float) -> tuple[float, float, bool]:
    """F0 (Hz), intensity (dB) and voicing at ``t`` seconds of a looping script of phrases and pauses.

    Phrases last about 3 s with 1.5 s pauses; over a 60 s cycle the speaker grows more animated (higher,
    louder, wider pitch) and then settles again.
    """
    excitement = 0.5 - 0.5 * math.cos(2 * math.pi * t / 60.0)
    in_phrase = (t % 4.5) < 3.0
    syllable = 0.5 + 0.5 * math.sin(2 * math.pi * 4.0 * t)
    voiced = in_phrase and syllable > 0.25
    f0 = 190.0 * 2 ** ((4.0 * excitement + 2.0 * math.sin(2 * math.pi * 0.7 * t) * (0.5 + excitement)) / 12)
    intensity = (58.0 + 10.0 * excitement) * (1.0 if in_phrase else 0.0) + (30.0 if not in_phrase else 0.0)
    return (f0 if voiced else 0.0), intensity, voiced


class ScriptedVoice(Source):
    """Synthetic voice: prosody frames every 10 ms, summarised into affect 10 times a second."""

    channel = "voice"
    backend = "synthetic"
    period = 0.1
    frame = 0.01
    baseline_f0 = 190.0
    baseline_db = 60.0

    def __init__(self) -> None:
        super().__init__()
        self.prosody: Stream | None = None
        self._frames = FrameClock(self.frame)

    def open(self, hub: StreamHub) -> None:
        super().open(hub)
        self.prosody = hub.add("voice.prosody", PROSODY_FIELDS, int(120 / self.frame))
        self.set_status(State.OK, "scripted prosody")

    def step(self, now: float) -> None:
        assert self.prosody is not None
        times = self._frames.due(now)
        if not times:
            return
        rows = []
        for t in times:
            f0, db, voiced = scripted_prosody(t)
            rows.append((f0, db, 1.0 if voiced else 0.0))
        self.prosody.extend(np.array(times), np.array(rows))
        window = self.prosody.last(1.5, now)
        voiced_mask = window.values[:, 2] > 0.5
        voiced_fraction = float(voiced_mask.mean()) if len(window) else 0.0
        if voiced_fraction == 0:
            self.emit(now, affect_from_prosody(0, 0, 0, 1, 0))
            self.set_status(State.DEGRADED, "silence")
            return
        f0 = window.values[voiced_mask, 0]
        semitones = 12 * np.log2(f0 / self.baseline_f0)
        loud = window.values[voiced_mask, 1].mean() - self.baseline_db
        pitch_range = float(semitones.max() - semitones.min())
        affect = affect_from_prosody(float(semitones.mean()), pitch_range - 4.0, float(loud), 1.0, voiced_fraction)
        self.emit(now, affect)
        self.set_status(State.OK, "scripted prosody")
