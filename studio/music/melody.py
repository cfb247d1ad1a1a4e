"""A melody that phrases: motifs stated, repeated and varied over a phrase's chords, ending on a stable tone.

A phrase is cut into units of UNIT_BARS bars. The first unit states a motif (a rhythm and a contour of scale
steps); the next ones repeat it over new chords, vary it (contour turned upside down, a note split or two
merged) or break it into fragments; the last unit closes: its final note lands on a strong beat on a stable tone
(the tonic after a cadence home) and a rest of at least a beat follows. Motion is mostly stepwise; a leap turns
back by step. Steps are eighth notes; times in seconds.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, replace

from studio.music.harmony import HOME_CADENCES
from studio.music.theory import STEPS_PER_BAR, STEPS_PER_BEAT, Chord, degree_offset

UNIT_BARS = 2
UNIT_STEPS = UNIT_BARS * STEPS_PER_BAR
MAX_HUMANISE_SECONDS = 0.012


@dataclass(frozen=True)
class Motif:
    """A rhythm, as (onset step, length in steps) within a unit, and the scale steps between its notes."""

    rhythm: tuple[tuple[int, int], ...]
    contour: tuple[int, ...]


@dataclass(frozen=True)
class MelodyNote:
    """A melody note `step` steps into its unit: MIDI pitch, velocity 0-1, length in steps, humanised delay (s)."""

    step: int
    pitch: int
    velocity: float
    steps: int
    delay: float


def _lengths(density: float) -> tuple[list[int], list[float]]:
    """Note lengths (steps) to draw from, and their weights: long notes when sparse, eighths when busy."""
    lengths = [1, 2, 3, 4, 6, 8]
    weights = [0.1 + density, 0.5 + 1.2 * density, 0.4 + 0.4 * density, 0.9, 0.9 - 0.8 * density, 0.8 - 0.8 * density]
    return lengths, weights


def new_rhythm(rng: random.Random, density: float, end: int) -> tuple[tuple[int, int], ...]:
    """Onsets and lengths (steps) filling a unit up to step `end`, starting on or just after the downbeat."""
    lengths, weights = _lengths(density)
    step = rng.choice((0, 0, 1, 2, 3))
    notes: list[tuple[int, int]] = []
    while step < end - 1:
        length = min(rng.choices(lengths, weights)[0], end - step)
        notes.append((step, length))
        gap = rng.random() < 0.15 + 0.2 * (1.0 - density)
        step += length + (1 if gap else 0)
    return tuple(notes) or ((0, min(4, end)),)


def new_contour(rng: random.Random, count: int, tension: float) -> tuple[int, ...]:
    """`count - 1` scale steps: mostly seconds, some thirds, an occasional leap that the next step answers
    by a step the other way; rising in the first half and falling in the second, as an arch."""
    steps: list[int] = []
    for index in range(count - 1):
        rising = rng.random() < (0.7 if index < (count - 1) / 2 else 0.3)
        sign = 1 if rising else -1
        if steps and abs(steps[-1]) >= 3:
            steps.append(-int(math.copysign(1, steps[-1])))
            continue
        size = rng.choices((1, 2, 3, 4), (0.62, 0.24, 0.09 + 0.05 * tension, 0.05 + 0.05 * tension))[0]
        steps.append(sign * size)
    return tuple(steps)


def new_motif(rng: random.Random, density: float, tension: float) -> Motif:
    """A fresh motif for a unit that ends with a breath (a rest of at least a beat)."""
    rhythm = new_rhythm(rng, density, UNIT_STEPS - STEPS_PER_BEAT - rng.choice((0, 2, 4)))
    return Motif(rhythm, new_contour(rng, len(rhythm), tension))


def vary(rng: random.Random, motif: Motif, density: float) -> Motif:
    """A variation: the same rhythm with the contour inverted, a long note split, two short ones merged, or the
    motif as it was (it will sound over other chords)."""
    kind = rng.choice(("repeat", "invert", "split", "merge"))
    rhythm = list(motif.rhythm)
    contour = list(motif.contour)
    if kind == "invert":
        contour = [-s for s in contour]
    elif kind == "split":
        index = max(range(len(rhythm)), key=lambda i: rhythm[i][1])
        onset, length = rhythm[index]
        if length >= 2:
            half = length // 2
            rhythm[index : index + 1] = [(onset, half), (onset + half, length - half)]
            contour.insert(index, rng.choice((-1, 1)))
    elif kind == "merge" and len(rhythm) > 2:
        index = min(range(len(rhythm) - 1), key=lambda i: rhythm[i][1] + rhythm[i + 1][1])
        (onset, first), (_, second) = rhythm[index], rhythm[index + 1]
        rhythm[index : index + 2] = [(onset, first + second)]
        del contour[min(index, len(contour) - 1)]
    return replace(motif, rhythm=tuple(rhythm), contour=tuple(contour[: max(0, len(rhythm) - 1)]))


def fragment(motif: Motif) -> Motif:
    """The motif's first half, stated twice in the unit (a sequence of its head)."""
    head = [n for n in motif.rhythm if n[0] < UNIT_STEPS // 2 - 1] or list(motif.rhythm[:1])
    shift = STEPS_PER_BAR
    rhythm = [(o, min(length, shift - o)) for o, length in head]
    rhythm += [(o + shift, min(length, shift - STEPS_PER_BEAT - o)) for o, length in head if o < shift - STEPS_PER_BEAT]
    steps = list(motif.contour[: len(head) - 1])
    contour = [*steps, 1, *steps][: len(rhythm) - 1]
    return Motif(tuple(rhythm), tuple(contour))


LEAP_SEMITONES = 5  # a fourth or wider is a leap, which the next note answers by a step the other way


@dataclass
class MelodyState:
    """Where the melody is: its last pitch (MIDI), its range [low, high] and, when its last move was a leap,
    that leap in semitones (0 otherwise)."""

    last: int
    low: int
    high: int
    leap: int = 0


def _chord_degrees(chord: Chord) -> set[int]:
    """Scale degrees (0-6) of a chord's triad."""
    return {(chord.degree + 2 * k) % 7 for k in range(3)}


def _to_degree(mode: str, key: int, pitch: int) -> int:
    """The scale degree (counted from `key`, any octave) nearest below or at `pitch`."""
    degree = 7 * ((pitch - key) // 12)
    while degree_offset(mode, degree + 1) + key <= pitch:
        degree += 1
    return degree


def realise(
    rng: random.Random,
    motif: Motif,
    chord_at: Callable[[int], Chord],
    state: MelodyState,
    *,
    tension: float,
    arch: Callable[[int], float],
    ending: str = "",
) -> list[MelodyNote]:
    """Sound a motif in a unit over the chords `chord_at(step)` gives, from near the melody's last pitch.

    Notes on strong beats become chord tones (appoggiaturas are allowed more often as tension rises); a note that
    would leave the range turns back. `arch(step)` is the phrase's dynamic curve (0-1) at a step of the unit.
    With `ending` (a cadence name) the last note lands on the downbeat of the unit's second bar or later, on the
    tonic after a cadence home, else on a tone of the final chord, and a rest follows.
    """
    first = chord_at(motif.rhythm[0][0])
    mode, key = first.mode, first.key
    degree = _to_degree(mode, key, state.last)
    degree += min((d - degree % 7 for d in _chord_degrees(first)), key=abs, default=0)
    rhythm = list(motif.rhythm)
    if ending:
        rhythm = [n for n in rhythm if n[0] < STEPS_PER_BAR + STEPS_PER_BEAT] or rhythm[:1]
        land = max(STEPS_PER_BAR, rhythm[-1][0] + 2)
        land += land % STEPS_PER_BEAT
        rhythm[-1] = (rhythm[-1][0], min(rhythm[-1][1], land - rhythm[-1][0]))
        rhythm.append((land, UNIT_STEPS - STEPS_PER_BEAT - land))
    notes: list[MelodyNote] = []
    for index, (onset, length) in enumerate(rhythm):
        chord = chord_at(onset)
        closing = bool(ending) and index == len(rhythm) - 1
        before = degree
        if state.leap and not closing:  # a leap is answered by a step back
            degree = _to_degree(mode, key, state.last) + (-1 if state.leap > 0 else 1)
        else:
            if index > 0:
                degree += motif.contour[index - 1] if index - 1 < len(motif.contour) else rng.choice((-1, 1))
            if closing:
                targets = {0} if ending in HOME_CADENCES else _chord_degrees(chord)
                up = min((t - degree) % 7 for t in targets)
                down = min((degree - t) % 7 for t in targets)
                degree += up if up <= down else -down
            elif (
                onset % (2 * STEPS_PER_BEAT) == 0
                and degree % 7 not in _chord_degrees(chord)
                and rng.random() > 0.55 * tension
            ):
                degree += min((d - degree % 7 for d in _chord_degrees(chord)), key=abs)
        pitch = key + degree_offset(mode, degree)
        if (pitch > state.high or pitch < state.low) and index > 0:
            degree = 2 * before - degree  # at the edge of the range the line turns back rather than jump an octave
            pitch = key + degree_offset(mode, degree)
        while pitch > state.high or pitch < state.low:
            degree += -7 if pitch > state.high else 7
            pitch = key + degree_offset(mode, degree)
        accent = 0.08 if onset % (2 * STEPS_PER_BEAT) == 0 else 0.0
        velocity = 0.42 + 0.3 * arch(onset) + accent + rng.uniform(-0.05, 0.05)
        if closing:
            velocity -= 0.1
        notes.append(
            MelodyNote(onset, pitch, min(0.95, max(0.2, velocity)), length, rng.uniform(0, MAX_HUMANISE_SECONDS))
        )
        interval = pitch - state.last
        state.leap = interval if abs(interval) >= LEAP_SEMITONES else 0
        state.last = pitch
    return notes
