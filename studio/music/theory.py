"""What the music plays, in pure Python: scales, progressions by tension, voicings and one bar's notes.

The pyo patch asks a Composer for each bar at the bar start, so every note is decided here, reproducibly
(a seeded random generator), and the same notes can go to MIDI. Pitches are MIDI note numbers; 0.0 is a rest.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from studio.music.params import MODES, MusicParams

STEPS_PER_BEAT = 2
BEATS_PER_BAR = 4
STEPS_PER_BAR = STEPS_PER_BEAT * BEATS_PER_BAR
HOME_TONIC = 50  # MIDI note of the home key (D3)
REST = 0.0

SCALES: dict[str, tuple[int, ...]] = {
    "major": (0, 2, 4, 5, 7, 9, 11),
    "minor": (0, 2, 3, 5, 7, 8, 10),
    "dorian": (0, 2, 3, 5, 7, 9, 10),
    "lydian": (0, 2, 4, 6, 7, 9, 11),
}

# Four-bar progressions as scale degrees from 0, one chord per bar, from the most consonant (tension level 0:
# tonic and its nearest neighbours, each mode's own colour) to the most restless (level 3: diminished chords,
# the supertonic and chords that avoid the tonic).
PROGRESSIONS: dict[str, tuple[tuple[int, ...], ...]] = {
    "major": ((0, 3, 0, 4), (0, 5, 3, 4), (0, 2, 5, 1), (5, 1, 6, 4)),
    "minor": ((0, 3, 0, 4), (0, 5, 2, 6), (0, 3, 6, 2), (0, 1, 4, 5)),
    "dorian": ((0, 3, 0, 3), (0, 3, 0, 6), (0, 1, 3, 6), (0, 5, 1, 3)),
    "lydian": ((0, 1, 0, 1), (0, 1, 4, 0), (0, 1, 5, 2), (0, 3, 1, 4)),
}
TENSION_LEVELS = 4

# Chord tones (indexes into the stacked thirds 0 root, 1 third, 2 fifth, 3 seventh, 4 ninth) of the three
# upper pad voices per tension level; level 3 also suspends the third (the fourth above the root).
_UPPER_VOICES = {0: (1, 2, 0), 1: (1, 2, 3), 2: (1, 3, 4), 3: (1, 3, 4)}
_MELODY_STEPS = (1, 3, 5, 7, 4, 6)  # off-beats first, then the weaker on-beats


@dataclass(frozen=True)
class Harmony:
    """Everything that changes only at a bar start: mode, tension level (0-3) and transposition (semitones)."""

    mode: str
    tension: int
    transpose: int

    @classmethod
    def of(cls, params: MusicParams) -> Harmony:
        """Harmony of a parameter set: tension 0-1 in four levels; register rounded to whole semitones."""
        if params.mode not in MODES:
            raise ValueError(f"unknown mode {params.mode!r}; choose one of {', '.join(MODES)}")
        level = min(TENSION_LEVELS - 1, int(params.tension * TENSION_LEVELS))
        return cls(params.mode, level, round(params.register))


@dataclass(frozen=True)
class Bar:
    """The notes of one bar: the bass root (every beat), four pad voices, and per eighth-note step the pulse
    and melody pitches (REST where silent)."""

    chord: tuple[int, ...]
    bass: float
    pad: tuple[float, ...]
    pulse: tuple[float, ...]
    melody: tuple[float, ...]


def place(pitch: int, low: int) -> int:
    """Put a pitch (MIDI) into the octave window [low, low + 12)."""
    return low + (pitch - low) % 12


def chord_offsets(mode: str, degree: int, extensions: int) -> list[int]:
    """Semitones above the tonic of the chord on a scale degree: triad plus `extensions` stacked thirds."""
    scale = SCALES[mode]
    steps = range(0, 5 + 2 * extensions, 2)
    return [scale[(degree + s) % 7] + 12 * ((degree + s) // 7) for s in steps]


def chord_for(harmony: Harmony, bar: int) -> list[int]:
    """Chord tones (semitones above the tonic, root first) of bar number `bar` of the repeating progression."""
    progression = PROGRESSIONS[harmony.mode][harmony.tension]
    tones = chord_offsets(harmony.mode, progression[bar % len(progression)], min(2, harmony.tension))
    if harmony.tension == 3:
        tones[1] = SCALES[harmony.mode][(progression[bar % len(progression)] + 3) % 7]  # sus4
    return tones


def euclidean(onsets: int, steps: int) -> list[float]:
    """Evenly spread `onsets` hits over `steps` steps (1.0 = sound, 0.0 = rest), first step sounding."""
    return [1.0 if (i * onsets) % steps < onsets else 0.0 for i in range(steps)]


class Composer:
    """Decides each bar's notes. The same seed and the same parameter history give the same music."""

    def __init__(self, seed: int = 0) -> None:
        self._random = random.Random(seed)
        self._melody_last = HOME_TONIC + 19
        self.bars = 0

    def next_bar(self, harmony: Harmony, density: float) -> Bar:
        """The next bar under `harmony`; `density` (0-1) sets how many pulse steps and melody notes sound."""
        tones = chord_for(harmony, self.bars)
        home = HOME_TONIC + harmony.transpose
        upper = sorted(place(home + tones[i], home + 6) for i in _UPPER_VOICES[harmony.tension])
        pad = (float(place(home + tones[0], home - 6)), *map(float, upper))
        arpeggio = sorted(place(home + t, home + 14) for t in tones)
        gates = euclidean(round(density * STEPS_PER_BAR), STEPS_PER_BAR)
        pulse: list[float] = []
        for step, gate in enumerate(gates):
            pulse.append(float(arpeggio[step % len(arpeggio)]) if gate else REST)
        self.bars += 1
        return Bar(
            tuple(tones),
            float(place(home + tones[0], home - 12)),
            pad,
            tuple(pulse),
            self._melody(home, tones, density),
        )

    def _melody(self, home: int, tones: list[int], density: float) -> tuple[float, ...]:
        """One to four melody notes on weak steps, moving to the nearest chord tones of the previous note."""
        count = 1 + round(3 * density * self._random.random())
        steps = sorted(self._random.sample(_MELODY_STEPS[: max(count, 4)], count))
        candidates = sorted({place(home + t, home + 19) + octave for t in tones for octave in (-12, 0)})
        line = [REST] * STEPS_PER_BAR
        for step in steps:
            near = sorted(candidates, key=lambda p: abs(p - self._melody_last))[:3]
            note = self._random.choice([p for p in near if p != self._melody_last] or near)
            line[step] = float(note)
            self._melody_last = note
        return tuple(line)
