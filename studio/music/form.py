"""Sections: every few minutes the texture, register, instrumentation and harmonic rhythm change.

A section never overrides the parameters: it chooses among the ways of playing them (how long chords last, how
the bass and the pulse figure, where the melody sits, which of a layer's instruments plays, how thick the texture
is within the density asked for). Consecutive sections differ in harmonic rhythm or phrase length, and in
patterns and register. Lengths in bars; tempo in BPM.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from studio.music.theory import BEATS_PER_BAR

SECTION_MINUTES = (2.0, 3.5)
BASS_PATTERNS = 3
PULSE_PATTERNS = 4


@dataclass(frozen=True)
class Section:
    """How a stretch of several minutes is played.

    `bars`: planned length (a multiple of `phrase_bars`, 4 or 8); `bars_per_chord`: harmonic rhythm (0.5, 1 or 2);
    `bass_pattern` and `pulse_pattern`: figure variants; `melody_shift`: semitones the melody's range moves;
    `pad_shift`: semitones the pad's voicing window moves; `melody_rest`: share of phrases the melody leaves out;
    `palette`: which of each layer's instruments plays (an index, wrapped); `thickness`: factor on the density
    (0.75-1.15) for pulse and melody.
    """

    index: int
    bars: int
    phrase_bars: int
    bars_per_chord: float
    bass_pattern: int
    pulse_pattern: int
    melody_shift: int
    pad_shift: int
    melody_rest: float
    palette: int
    thickness: float


def _harmonic_rhythms(tempo: float) -> list[tuple[int, float]]:
    """(phrase bars, bars per chord) that suit a tempo: slow music changes chord at most twice a bar, fast
    music at least every two bars."""
    choices = [(8, 1.0), (4, 1.0), (8, 2.0)]
    if tempo < 84:
        choices.append((4, 0.5))
    if tempo > 100:
        choices.remove((4, 1.0))
    return choices


def next_section(rng: random.Random, previous: Section | None, tempo: float) -> Section:
    """The section after `previous` (the first one when None) at `tempo`: each feature changes, drawn afresh
    but never the same harmonic rhythm twice in a row."""
    rhythms = _harmonic_rhythms(tempo)
    if previous is None:
        phrase_bars, bars_per_chord = (8, 1.0) if tempo < 100 else (8, 2.0)
    else:
        phrase_bars, bars_per_chord = rng.choice(
            [r for r in rhythms if r != (previous.phrase_bars, previous.bars_per_chord)]
        )
    minutes = rng.uniform(*SECTION_MINUTES)
    phrases = max(2, round(minutes * tempo / BEATS_PER_BAR / phrase_bars))
    index = 0 if previous is None else previous.index + 1

    def fresh(count: int, last: int | None) -> int:
        return rng.choice([k for k in range(count) if k != last])

    return Section(
        index=index,
        bars=phrases * phrase_bars,
        phrase_bars=phrase_bars,
        bars_per_chord=bars_per_chord,
        bass_pattern=fresh(BASS_PATTERNS, None if previous is None else previous.bass_pattern),
        pulse_pattern=fresh(PULSE_PATTERNS, None if previous is None else previous.pulse_pattern),
        melody_shift=0 if previous is None else rng.choice([s for s in (-3, 0, 2, 4) if s != previous.melody_shift]),
        pad_shift=0 if previous is None else rng.choice([s for s in (-3, 0, 3) if s != previous.pad_shift]),
        melody_rest=0.0 if previous is None else rng.choice((0.0, 0.15, 0.3)),
        palette=index,
        thickness=1.0 if previous is None else rng.choice((0.75, 0.9, 1.0, 1.15)),
    )
