"""Pitch material in pure Python: scales, diatonic chords, pitch placement and voice leading.

Pitches are MIDI note numbers; intervals and chord tones are semitones; degrees count scale steps from 0 (the
tonic). The step grid is eighth notes: STEPS_PER_BEAT steps per beat, BEATS_PER_BAR beats per bar.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

STEPS_PER_BEAT = 2
BEATS_PER_BAR = 4
STEPS_PER_BAR = STEPS_PER_BEAT * BEATS_PER_BAR
HOME_TONIC = 50  # MIDI note of the home key (D3)

SCALES: dict[str, tuple[int, ...]] = {
    "major": (0, 2, 4, 5, 7, 9, 11),
    "minor": (0, 2, 3, 5, 7, 8, 10),
    "dorian": (0, 2, 3, 5, 7, 9, 10),
    "lydian": (0, 2, 4, 6, 7, 9, 11),
}


def place(pitch: int, low: int) -> int:
    """Put a pitch (MIDI) into the octave window [low, low + 12)."""
    return low + (pitch - low) % 12


def degree_offset(mode: str, degree: int) -> int:
    """Semitones above the tonic of scale degree `degree` (any integer: 7 is the tonic an octave up)."""
    return SCALES[mode][degree % 7] + 12 * (degree // 7)


def nearest(pitch_class: int, target: float) -> int:
    """The pitch (MIDI) of `pitch_class` (0-11) nearest to `target`, the lower one on a tie."""
    below = int(target) - (int(target) - pitch_class) % 12
    return below if target - below <= below + 12 - target else below + 12


@dataclass(frozen=True)
class Chord:
    """A diatonic chord: root on `degree` of `mode` in the key whose tonic is MIDI `key`."""

    degree: int
    mode: str
    key: int

    def offsets(self, thirds: int = 3) -> list[int]:
        """Semitones above the key's tonic of the first `thirds` stacked thirds: root, third, fifth, seventh,
        ninth (3 is the triad)."""
        return [degree_offset(self.mode, self.degree + 2 * k) for k in range(thirds)]

    def classes(self, thirds: int = 3) -> list[int]:
        """Pitch classes (0-11, C = 0) of the first `thirds` chord tones, root first."""
        return [(self.key + offset) % 12 for offset in self.offsets(thirds)]

    @property
    def root(self) -> int:
        """Pitch class of the root."""
        return (self.key + degree_offset(self.mode, self.degree)) % 12

    @property
    def diminished(self) -> bool:
        """True when the fifth is diminished (a tritone above the root)."""
        tones = self.offsets()
        return (tones[2] - tones[0]) % 12 == 6


def scale_classes(mode: str, key: int) -> frozenset[int]:
    """The seven pitch classes of `mode` on the tonic `key` (MIDI)."""
    return frozenset((key + step) % 12 for step in SCALES[mode])


def common_tones(a: Chord, b: Chord) -> int:
    """How many triad tones two chords share."""
    return len(set(a.classes()) & set(b.classes()))


def lead_voices(
    previous: Sequence[int],
    classes: Sequence[int],
    low: int,
    high: int,
    *,
    doubling: Sequence[int] = (),
    max_move: int = 5,
) -> list[int]:
    """Move each voice to a pitch of `classes` so that every class sounds, each voice going up or down to its
    new tone: moves beyond `max_move` semitones are avoided first, then pitches outside [low, high] (so the
    voices drift back into their window), then the largest and the total movement are kept smallest.

    `previous` are the voices' pitches (MIDI, at least as many as `classes`); the voices beyond the classes double
    the nearest tone of `doubling` (default: of `classes`). Returns the new pitches in voice order.
    """
    extra = list(doubling) or list(classes)

    def candidates(klass: int, prev: int) -> list[int]:
        down = prev - (prev - klass) % 12
        return [down, down + 12] if down != prev else [prev]

    def cost(pitch: int, prev: int) -> tuple[bool, int, int]:
        return abs(pitch - prev) > max_move, max(0, low - pitch, pitch - high), abs(pitch - prev)

    best: tuple[tuple[int, int, int, int], list[int]] | None = None
    count = len(previous)
    for chosen in itertools.permutations(range(count), len(classes)):
        assignment = dict(zip(chosen, classes, strict=True))
        pitches = []
        for voice, prev in enumerate(previous):
            options = (
                candidates(assignment[voice], prev)
                if voice in assignment
                else [p for k in extra for p in candidates(k, prev)]
            )
            pitches.append(min(options, key=lambda p: cost(p, prev)))
        moves = [abs(p - q) for p, q in zip(pitches, previous, strict=True)]
        outside = sum(max(0, low - p, p - high) for p in pitches)
        key = (sum(m > max_move for m in moves), outside, max(moves), sum(moves))
        if best is None or key < best[0]:
            best = (key, pitches)
    assert best is not None
    return best[1]
