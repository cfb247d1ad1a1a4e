"""The demo person's voice: a prosody contour that shows a (valence, arousal) state, for the scripted voice.

Phrases of PHRASE_S seconds with pauses between them. Arousal raises loudness, pitch and speaking rate
together; valence widens the pitch range (the voice estimator reads valence only weakly, and only from the
range, so it can show at most about +0.2 and -0.07). The amounts invert the voice estimator's own weights
(``fusion.voice``), so the estimator reads back about the state that was shown, relative to the person's
neutral voice, which is measured once through the same analysis as a microphone's.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from numpy.typing import NDArray

from fusion.voice import VoiceBaseline
from sensors.person import Expression, Person, resting
from sensors.voice import FloatArray, ScriptedVoice
from studio.kernel.streams import StreamHub

BASE_F0_HZ = 190.0
BASE_DB = 60.0
BASE_SWING_ST = 1.5  # amplitude of the resting pitch movement, semitones
MIN_SWING_ST = 0.2  # the flattest the pitch movement gets
SYLLABLES_HZ = 4.0  # resting syllable rate
PHRASE_S = 3.0
PAUSE_S = 1.5
VOICE_VALENCE_REACH = 0.2  # the most valence the voice shows (its estimator tops out near 0.3)
LOUDNESS_PER_UNIT = 5.0  # dB per unit of arousal drive
PITCH_PER_UNIT = 2.5  # semitones per unit of arousal drive
LOG_RATE_PER_UNIT = 0.375  # ln(rate ratio) per unit of arousal drive
RANGE_PER_SWING = 1.9  # the 10th-90th percentile range of a sine swing is about 1.9 x its amplitude
PERSON_RATE = 8000  # Hz: telephone-band speech carries all the prosody, at half the analysis cost of 16 kHz
NEUTRAL_WARM_UP_S = 4.0  # the analysis settles its noise floor first
NEUTRAL_SECONDS = 13.5  # three phrases with their pauses


def prosody_for(valence: float, arousal: float) -> tuple[float, float, float, float]:
    """(pitch shift st, range widening st, loudness dB, rate ratio) that fusion.voice reads as this state."""
    wanted = 10.0 * math.atanh(max(-VOICE_VALENCE_REACH, min(VOICE_VALENCE_REACH, valence)) / 0.3)
    widening = max(wanted, -RANGE_PER_SWING * (BASE_SWING_ST - MIN_SWING_ST))  # a range cannot shrink below 0
    drive = math.atanh(max(-0.95, min(0.95, arousal))) - 0.08 * widening
    return PITCH_PER_UNIT * drive, widening, LOUDNESS_PER_UNIT * drive, math.exp(LOG_RATE_PER_UNIT * drive)


class PersonVoice:
    """The voice of ``person`` with its own noise (sd ``noise``): ``contour`` gives F0 (Hz), intensity (dB)
    and voicing at session times, in increasing order, block by block."""

    def __init__(self, person: Person, noise: float, seed: int = 13) -> None:
        self.expression = Expression(person, noise, seed)
        self._syllable_phase = 0.0
        self._swing_phase = 0.0
        self._t: float | None = None

    def contour(self, t: FloatArray) -> tuple[FloatArray, FloatArray, NDArray[np.bool_]]:
        pitch, widening, loudness, rate = prosody_for(*self.expression.at(float(t[0])))
        start = t[0] if self._t is None else self._t
        dt = np.diff(np.concatenate([[start], t]))
        syllable_phase = self._syllable_phase + 2 * np.pi * SYLLABLES_HZ * rate * np.cumsum(dt)
        swing_phase = self._swing_phase + 2 * np.pi * 0.7 * np.cumsum(dt)
        self._syllable_phase = float(syllable_phase[-1] % (2 * np.pi))
        self._swing_phase = float(swing_phase[-1] % (2 * np.pi))
        self._t = float(t[-1])
        in_phrase = (t % (PHRASE_S + PAUSE_S)) < PHRASE_S
        syllable = 0.5 + 0.5 * np.sin(syllable_phase)
        voiced = in_phrase & (syllable > 0.25)
        swing = BASE_SWING_ST + widening / RANGE_PER_SWING
        f0 = BASE_F0_HZ * 2 ** ((pitch + max(MIN_SWING_ST, swing) * np.sin(swing_phase)) / 12)
        intensity = np.where(in_phrase, BASE_DB + loudness + 6.0 * syllable, 30.0)
        return f0, intensity, voiced


@functools.cache
def neutral_voice() -> VoiceBaseline:
    """The demo person's neutral voice as the voice channel measures it: a calibration of the resting voice,
    without noise, through the same stream analysis as a microphone's (measured once per process)."""
    voice = ScriptedVoice(contour=PersonVoice(resting, 0.0).contour, rate=PERSON_RATE)
    voice.open(StreamHub())
    t = 0.0
    for end, calibrate in ((NEUTRAL_WARM_UP_S, False), (NEUTRAL_WARM_UP_S + NEUTRAL_SECONDS + 0.5, True)):
        if calibrate:
            voice.calibrate(NEUTRAL_SECONDS)
        while t < end:
            t += voice.period
            voice.step(t)
    values = voice.baseline()
    assert values is not None, "the resting voice has voiced speech"
    return VoiceBaseline.from_dict(values)
