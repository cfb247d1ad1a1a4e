"""Chord progressions as phrases: a Markov walk over harmonic functions that ends in a cadence.

Tonic (T), subdominant (S) and dominant (D) chords are each mode's own diatonic chords (degrees from 0). A phrase
is planned at its start: it opens on the tonic (or on a pivot chord after a change of mode or key), walks
T -> S -> D -> T with a bias that grows restless with tension, and closes with a cadence: authentic and plagal
cadences come home, a half cadence stops on the dominant, a deceptive one turns aside. Lengths are in steps
(theory.STEPS_PER_BAR per bar).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from studio.music.theory import STEPS_PER_BAR, Chord, common_tones, scale_classes

FUNCTIONS: dict[str, dict[str, tuple[int, ...]]] = {
    "major": {"T": (0, 5, 2), "S": (3, 1), "D": (4, 6)},
    "minor": {"T": (0, 2), "S": (3, 5, 1), "D": (6, 4)},
    "dorian": {"T": (0, 2), "S": (3, 1, 5), "D": (6, 4)},
    "lydian": {"T": (0, 2, 5), "S": (1, 3), "D": (4, 6)},
}

# (penultimate, final) degrees of each cadence, per mode: the modal cadences use the mode's own colour chord
# (dorian's major IV, lydian's major II, the minor's subtonic VII).
CADENCES: dict[str, dict[str, tuple[tuple[int, int], ...]]] = {
    "major": {"authentic": ((4, 0),), "half": ((3, 4), (1, 4)), "plagal": ((3, 0),), "deceptive": ((4, 5),)},
    "minor": {"authentic": ((6, 0), (4, 0)), "half": ((3, 4), (5, 6)), "plagal": ((3, 0),), "deceptive": ((6, 5),)},
    "dorian": {"authentic": ((6, 0), (4, 0)), "half": ((1, 4), (0, 3)), "plagal": ((3, 0),), "deceptive": ((4, 2),)},
    "lydian": {"authentic": ((1, 0), (4, 0)), "half": ((0, 4), (5, 1)), "plagal": ((6, 0),), "deceptive": ((4, 5),)},
}
HOME_CADENCES = ("authentic", "plagal")

# Probability of the next function after each, at tension 0 and at tension 1 (linearly in between).
_CALM = {
    "T": {"T": 0.3, "S": 0.5, "D": 0.2},
    "S": {"T": 0.35, "S": 0.15, "D": 0.5},
    "D": {"T": 0.75, "S": 0.1, "D": 0.15},
}
_RESTLESS = {
    "T": {"T": 0.05, "S": 0.45, "D": 0.5},
    "S": {"T": 0.1, "S": 0.3, "D": 0.6},
    "D": {"T": 0.35, "S": 0.35, "D": 0.3},
}


@dataclass(frozen=True)
class PlannedChord:
    """A chord of a phrase: starts `start` steps into the phrase and lasts `steps` steps."""

    chord: Chord
    start: int
    steps: int


@dataclass(frozen=True)
class Phrase:
    """A planned phrase of `bars` bars: its chords in order and the cadence it ends with."""

    chords: tuple[PlannedChord, ...]
    bars: int
    cadence: str

    def chords_in_bar(self, bar: int) -> list[PlannedChord]:
        """The chords that start in bar `bar` (0-based) of the phrase."""
        return [c for c in self.chords if bar * STEPS_PER_BAR <= c.start < (bar + 1) * STEPS_PER_BAR]

    def chord_at(self, step: int) -> Chord:
        """The chord sounding `step` steps into the phrase."""
        return next(c.chord for c in reversed(self.chords) if c.start <= step)

    def degrees(self) -> list[int]:
        return [c.chord.degree for c in self.chords]


def function_of(mode: str, degree: int) -> str:
    """The harmonic function (T, S or D) a degree has in `mode`."""
    return next(name for name, degrees in FUNCTIONS[mode].items() if degree in degrees)


def _chord_weight(chord: Chord, tension: float) -> float:
    """How likely a chord is picked within its function: the tonic less so, diminished chords more so, as
    tension rises."""
    if chord.diminished:
        return 0.05 + 0.9 * tension**2
    if chord.degree == 0:
        return 1.6 - tension
    return 1.0


def _next_degree(rng: random.Random, mode: str, key: int, current: int, tension: float, avoid: int) -> int:
    """One step of the walk over functions, then a chord of that function other than `current` and `avoid`
    (any other chord when the function offers only unlikely ones)."""
    here = function_of(mode, current)
    weights = {f: (1 - tension) * _CALM[here][f] + tension * _RESTLESS[here][f] for f in ("T", "S", "D")}
    function = rng.choices(list(weights), list(weights.values()))[0]
    options = [d for d in FUNCTIONS[mode][function] if d not in (current, avoid)]
    if sum(_chord_weight(Chord(d, mode, key), tension) for d in options) < 0.5:
        options = [d for d in range(7) if d not in (current, avoid)]
    return rng.choices(options, [_chord_weight(Chord(d, mode, key), tension) for d in options])[0]


def pivot_degree(previous: Chord, mode: str, key: int) -> int:
    """The chord of the new mode and key to enter by: the one sharing most tones with `previous`, a common
    chord of both keys where there is one, else the nearest to the new tonic."""
    old_scale = scale_classes(previous.mode, previous.key)

    def score(degree: int) -> tuple[int, int, int]:
        candidate = Chord(degree, mode, key)
        shared = common_tones(previous, candidate)
        in_both = int(set(candidate.classes()) <= old_scale)
        return shared, in_both, -min(degree, 7 - degree)

    return max((d for d in range(7) if not Chord(d, mode, key).diminished), key=score)


def plan_phrase(
    rng: random.Random,
    mode: str,
    key: int,
    bars: int,
    bars_per_chord: float,
    cadence: str,
    tension: float,
    opening: Sequence[int] = (),
) -> Phrase:
    """Plan `bars` bars in `mode` on the tonic MIDI `key`, one chord per `bars_per_chord` bars (0.5, 1 or 2),
    ending with `cadence` (a key of CADENCES). `opening` are degrees to start with (a pivot chord, or the
    first half of an earlier phrase this one answers); otherwise the phrase opens on the tonic."""
    count = max(3, round(bars / bars_per_chord))
    penultimate, final = rng.choice(CADENCES[mode][cadence])
    degrees = list(opening[: count - 2]) or [0]
    while len(degrees) < count - 2:
        last = len(degrees) == count - 3
        degrees.append(_next_degree(rng, mode, key, degrees[-1], tension, avoid=penultimate if last else -1))
    degrees += [penultimate, final]
    total = bars * STEPS_PER_BAR
    starts = [round(i * total / count) for i in range(count + 1)]
    chords = tuple(
        PlannedChord(Chord(d, mode, key), start, end - start)
        for d, start, end in zip(degrees, starts, starts[1:], strict=False)
    )
    return Phrase(chords, bars, cadence)
