"""Decides every note, bar by bar, in pure Python: sections, phrases with cadences, voice-led pads, bass and pulse
figures and a phrasing melody. The pyo patch asks for each bar at its start and plays the notes; MIDI gets the same.

The same seed and the same parameter history give the same music. A change of mode or key waits for a phrase
boundary (at most four bars away) and enters through a pivot chord that shares tones with the chord before.
Pitches are MIDI note numbers, steps eighth notes, velocities 0-1, delays seconds.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from studio.music.form import Section, next_section
from studio.music.harmony import CADENCES, Phrase, PlannedChord, pivot_degree, plan_phrase
from studio.music.melody import UNIT_BARS, MelodyNote, MelodyState, Motif, fragment, new_motif, realise, vary
from studio.music.params import MODES, MusicParams
from studio.music.theory import HOME_TONIC, STEPS_PER_BAR, STEPS_PER_BEAT, Chord, degree_offset, lead_voices, place

PAD_VOICES = 6  # four voices on the triad (one doubles), then the seventh and the ninth
CORE_VOICES = 4
CHANGE_BOUNDARY_BARS = 4  # a pending change of mode or key waits for the next multiple of this in a phrase
MAX_PAD_MOVE = 5  # semitones: no pad voice glides further than a fourth
BASS_LOW = 38  # MIDI D2 (73 Hz): the bass stays above small speakers' roll-off


def _smoothstep(x: float) -> float:
    x = min(1.0, max(0.0, x))
    return x * x * (3.0 - 2.0 * x)


def extension_levels(tension: float) -> tuple[float, float]:
    """Level (0-1) of the pad's seventh and ninth at a tension (0-1): both rise continuously with it, the
    seventh from 0.05, the ninth from 0.4, so dissonance grows with tension and is greatest at 1."""
    return _smoothstep((tension - 0.05) / 0.5), _smoothstep((tension - 0.4) / 0.6)


@dataclass(frozen=True)
class Setting:
    """What the composer reads from the parameters at a bar start: mode, tonic (MIDI), tension and density."""

    mode: str
    key: int
    tension: float
    density: float

    @classmethod
    def of(cls, params: MusicParams) -> Setting:
        """The setting of a parameter set: register rounded to whole semitones moves the tonic."""
        if params.mode not in MODES:
            raise ValueError(f"unknown mode {params.mode!r}; choose one of {', '.join(MODES)}")
        return cls(params.mode, HOME_TONIC + round(params.register), params.tension, params.density)


@dataclass(frozen=True)
class Note:
    """A note starting on `step` (0-7) of its bar: layer, MIDI pitch, velocity 0-1, length in steps, a humanised
    delay (s), and for the pad the voice (0-5) that moves to it."""

    layer: str
    step: int
    pitch: int
    velocity: float
    steps: float
    delay: float = 0.0
    voice: int = -1


@dataclass(frozen=True)
class Bar:
    """One bar: the chords that start in it (step, chord), its notes, the section and palette it belongs to,
    whether a phrase ends with it, and whether it is the closing tonic of an ending."""

    index: int
    chords: tuple[tuple[int, Chord], ...]
    notes: tuple[Note, ...]
    section: int
    palette: int
    phrase_end: bool = False
    final: bool = False

    def layer(self, name: str) -> list[Note]:
        """The notes of one layer."""
        return [n for n in self.notes if n.layer == name]


@dataclass(frozen=True)
class StepEvent:
    """A step as it starts: `t` seconds since the music started (to within one audio buffer), `step` counted
    from 0, the `tempo` (BPM) then, the notes starting now in the layers that play, and each layer's General MIDI
    program."""

    t: float
    step: int
    tempo: float
    notes: tuple[Note, ...]
    programs: Mapping[str, int]


class StepListener(Protocol):
    """Hears every eighth-note step as it starts (on the audio thread, so it must be quick)."""

    def on_step(self, event: StepEvent) -> None: ...


def euclidean(onsets: int, steps: int) -> list[bool]:
    """Evenly spread `onsets` hits over `steps` steps, the first step sounding when any does."""
    return [(i * onsets) % steps < onsets for i in range(steps)]


class Composer:
    """Writes the music bar by bar; see the module docstring. `seed` makes it reproducible."""

    def __init__(self, seed: int = 0) -> None:
        self._rng = random.Random(seed)
        self.bars = 0
        self._section: Section | None = None
        self._section_bar = 0
        self._section_phrases = 0
        self._phrase: Phrase | None = None
        self._phrase_bar = 0
        self._answer: Phrase | None = None  # the antecedent the next phrase answers
        self._motif: Motif | None = None
        self._theme: Motif | None = None
        self._melody_rests = False
        self._melody_notes: list[MelodyNote] = []
        self._melody = MelodyState(HOME_TONIC + 14, HOME_TONIC + 5, HOME_TONIC + 26)
        self._pad = [HOME_TONIC - 3, HOME_TONIC + 2, HOME_TONIC + 7, HOME_TONIC + 12, HOME_TONIC + 11, HOME_TONIC + 16]
        self._chord: Chord | None = None
        self._closing = 0  # 0 playing, 1 asked to close, 2 cadence played, 3 closed

    @property
    def section(self) -> Section | None:
        return self._section

    def close(self) -> None:
        """End the music: the next bar is a cadence, the one after it the tonic, and no note follows."""
        if self._closing == 0:
            self._closing = 1

    def next_bar(self, setting: Setting, tempo: float) -> Bar:
        """The next bar under `setting` at `tempo` (BPM)."""
        bar = self._closing_bar() if self._closing else self._playing_bar(setting, tempo)
        self.bars += 1
        return bar

    # --- form -----------------------------------------------------------------------------------------
    def _playing_bar(self, setting: Setting, tempo: float) -> Bar:
        phrase = self._phrase
        changed = phrase is not None and (phrase.chords[0].chord.mode, phrase.chords[0].chord.key) != (
            setting.mode,
            setting.key,
        )
        at_boundary = self._phrase_bar % CHANGE_BOUNDARY_BARS == 0
        if phrase is None or self._phrase_bar >= phrase.bars or (changed and at_boundary):
            phrase = self._start_phrase(setting, tempo, cut=phrase is not None and self._phrase_bar < phrase.bars)
        assert self._section is not None
        section = self._section
        if self._phrase_bar % UNIT_BARS == 0:
            self._melody_notes = self._melody_unit(phrase, setting, section)
        bar_start = self._phrase_bar * STEPS_PER_BAR
        chords = phrase.chords_in_bar(self._phrase_bar)
        density = min(1.0, setting.density * section.thickness)
        notes = self._pad_notes(chords, bar_start, setting.tension, section)
        notes += self._bass_notes(phrase, bar_start, setting.density, section)
        notes += self._pulse_notes(phrase, bar_start, density, setting.tension, section)
        unit_offset = (self._phrase_bar % UNIT_BARS) * STEPS_PER_BAR
        notes += [
            Note("melody", n.step - unit_offset, n.pitch, n.velocity, n.steps, n.delay)
            for n in self._melody_notes
            if unit_offset <= n.step < unit_offset + STEPS_PER_BAR
        ]
        self._phrase_bar += 1
        self._section_bar += 1
        return Bar(
            self.bars,
            tuple((c.start - bar_start, c.chord) for c in chords),
            tuple(notes),
            section.index,
            section.palette,
            phrase_end=self._phrase_bar >= phrase.bars,
        )

    def _start_phrase(self, setting: Setting, tempo: float, cut: bool) -> Phrase:
        """Plan the next phrase (and a new section when this one is over)."""
        rng = self._rng
        if self._section is None or self._section_bar >= self._section.bars:
            self._section = next_section(rng, self._section, tempo)
            self._section_bar = 0
            self._section_phrases = 0
            self._answer = None
            self._theme = None
        section = self._section
        bars = CHANGE_BOUNDARY_BARS if cut else section.phrase_bars
        bars_per_chord = min(section.bars_per_chord, 1.0) if cut else section.bars_per_chord
        last_in_section = self._section_bar + bars >= section.bars
        answering = self._answer is not None and self._answer.bars == bars and not cut
        if answering or last_in_section:
            cadence = "plagal" if rng.random() < 0.25 * (1.0 - setting.tension) else "authentic"
        else:
            cadence = "deceptive" if rng.random() < 0.4 * setting.tension else "half"
        opening: list[int] = []
        previous = self._chord
        if previous is not None and (previous.mode, previous.key) != (setting.mode, setting.key):
            opening = [pivot_degree(previous, setting.mode, setting.key)]
        elif answering and self._answer is not None:
            opening = self._answer.degrees()[: len(self._answer.chords) // 2]
        phrase = plan_phrase(rng, setting.mode, setting.key, bars, bars_per_chord, cadence, setting.tension, opening)
        self._answer = None if answering or cadence in ("authentic", "plagal") else phrase
        if answering and self._motif is not None:
            self._motif = vary(rng, self._motif, setting.density)
        elif self._theme is not None and rng.random() < 0.5:
            self._motif = vary(rng, self._theme, setting.density)
        else:
            self._motif = new_motif(rng, setting.density * section.thickness, setting.tension)
        if self._theme is None:
            self._theme = self._motif
        self._melody_rests = self._section_phrases > 0 and rng.random() < section.melody_rest
        self._section_phrases += 1
        self._phrase = phrase
        self._phrase_bar = 0
        return phrase

    # --- layers ---------------------------------------------------------------------------------------
    def _pad_notes(self, chords: list[PlannedChord], bar_start: int, tension: float, section: Section) -> list[Note]:
        """Each chord starting in this bar, voice-led: four voices on the triad, the seventh and the ninth at
        the levels tension gives them; no voice moves more than a fourth."""
        notes: list[Note] = []
        seventh, ninth = extension_levels(tension)
        for planned in chords:
            chord = planned.chord
            root, third, fifth, sev, nin = chord.classes(5)
            low = chord.key - 5 + section.pad_shift
            core = lead_voices(self._pad[:CORE_VOICES], [root, third, fifth], low, low + 19, max_move=MAX_PAD_MOVE)
            upper = lead_voices(self._pad[CORE_VOICES:], [sev, nin], low + 7, low + 24, max_move=MAX_PAD_MOVE)
            if max(abs(a - b) for a, b in zip(upper, self._pad[CORE_VOICES:], strict=True)) > MAX_PAD_MOVE:
                upper = lead_voices(
                    self._pad[CORE_VOICES:], [sev], low + 7, low + 24, doubling=chord.classes(5), max_move=MAX_PAD_MOVE
                )
            self._pad = core + upper
            self._chord = chord
            step = planned.start - bar_start
            levels = [0.5] * CORE_VOICES + [0.5 * seventh, 0.5 * ninth]
            notes += [
                Note("pad", step, pitch, level, planned.steps, voice=v)
                for v, (pitch, level) in enumerate(zip(self._pad, levels, strict=True))
            ]
        return notes

    def _bass_notes(self, phrase: Phrase, bar_start: int, density: float, section: Section) -> list[Note]:
        """The bass figure: one note per chord when sparse (no beat at all at density 0), half notes, then
        half notes with a pickup to the next chord, then every beat."""
        rng = self._rng
        if density < 0.2:
            onsets = [c.start - bar_start for c in phrase.chords_in_bar(bar_start // STEPS_PER_BAR)]
        elif density < 0.45:
            onsets = [0, 4]
        elif density < 0.7:
            onsets = [0, 4, 7] if section.bass_pattern else [0, 3, 4]
        else:
            onsets = [0, 2, 4, 6]
        if not onsets:  # sparse, and no chord starts in this bar: the last one's bass note still sounds
            return []
        ends = [*onsets[1:], STEPS_PER_BAR]
        notes = []
        for index, (onset, end) in enumerate(zip(onsets, ends, strict=True)):
            chord = phrase.chord_at(bar_start + onset)
            root, _, fifth = chord.classes()
            pitch_class = fifth if section.bass_pattern == 1 and index % 2 == 1 else root
            if onset == 7 and bar_start + STEPS_PER_BAR < phrase.bars * STEPS_PER_BAR:
                following = phrase.chord_at(bar_start + STEPS_PER_BAR)
                pitch_class = (following.key + degree_offset(following.mode, following.degree - 1)) % 12
            length = (0.55 if density >= 0.7 else 0.9) * (end - onset)  # busy: each beat articulated
            if density < 0.2:
                length = 0.9 * next(c.steps for c in phrase.chords if c.start == bar_start + onset)
            velocity = (0.62 if onset == 0 else 0.5) + rng.uniform(-0.04, 0.04)
            notes.append(Note("bass", onset, place(pitch_class, BASS_LOW), velocity, length, rng.uniform(0, 0.004)))
        return notes

    def _pulse_notes(
        self, phrase: Phrase, bar_start: int, density: float, tension: float, section: Section
    ) -> list[Note]:
        """Broken chords on the eighth-note grid: `density` decides how many steps sound (none at 0), the
        section how the chord is broken (up, down, up and down, or low-high-middle-high)."""
        rng = self._rng
        gates = euclidean(round(density * STEPS_PER_BAR), STEPS_PER_BAR)
        notes = []
        for step, gate in enumerate(gates):
            if not gate:
                continue
            chord = phrase.chord_at(bar_start + step)
            tones = sorted(place(c, chord.key + 10) for c in chord.classes(4 if tension > 0.5 else 3))
            count = len(tones)
            order = {
                0: step % count,
                1: count - 1 - step % count,
                2: [0, 1, 2, 1][step % 4] % count,
                3: [0, count - 1, 1, count - 1][step % 4],
            }[section.pulse_pattern]
            accent = 0.68 if step == 0 else 0.56 if step % STEPS_PER_BEAT == 0 else 0.46
            notes.append(
                Note("pulse", step, tones[order], accent + rng.uniform(-0.05, 0.05), 2.0, rng.uniform(0, 0.01))
            )
        return notes

    def _melody_unit(self, phrase: Phrase, setting: Setting, section: Section) -> list[MelodyNote]:
        """The melody of the unit starting at this bar: the motif, then variations, fragments, and the close."""
        if self._melody_rests or self._motif is None:
            return []
        unit = self._phrase_bar // UNIT_BARS
        units = max(1, phrase.bars // UNIT_BARS)
        start = self._phrase_bar * STEPS_PER_BAR
        total = phrase.bars * STEPS_PER_BAR
        shift = section.melody_shift
        self._melody.low = setting.key + 5 + shift
        self._melody.high = setting.key + 26 + shift
        if unit == 0:
            motif = self._motif
        elif unit == units - 1:
            motif = vary(self._rng, self._motif, setting.density)
        elif unit == 2:
            motif = fragment(self._motif)
        else:
            motif = vary(self._rng, self._motif, setting.density)
        return realise(
            self._rng,
            motif,
            lambda step: phrase.chord_at(min(total - 1, start + step)),
            self._melody,
            tension=setting.tension,
            arch=lambda step: math.sin(math.pi * (start + step) / total),
            ending=phrase.cadence if unit == units - 1 else "",
        )

    # --- ending ---------------------------------------------------------------------------------------
    def _closing_bar(self) -> Bar:
        """The ending: a bar on the cadence's dominant, then the tonic with the melody home; then silence."""
        last = self._chord or Chord(0, "major", HOME_TONIC)
        section = self._section.index if self._section else 0
        palette = self._section.palette if self._section else 0
        if self._closing >= 3:
            return Bar(self.bars, (), (), section, palette, final=True)
        penultimate = CADENCES[last.mode]["authentic"][0][0]
        final = self._closing == 2
        chord = Chord(0 if final else penultimate, last.mode, last.key)
        planned = PlannedChord(chord, 0, STEPS_PER_BAR * (2 if final else 1))
        fake = Phrase((planned,), 1, "authentic")
        notes = self._pad_notes([planned], 0, 0.0, self._section or next_section(self._rng, None, 60.0))
        notes += [Note("bass", 0, place(chord.root, BASS_LOW), 0.55, planned.steps * 0.95)]
        target = chord.root if final else chord.classes()[self._rng.choice((1, 2))]
        pitch = min(
            (p for p in range(self._melody.low, self._melody.high + 1) if p % 12 == target),
            key=lambda p: abs(p - self._melody.last),
            default=self._melody.last,
        )
        self._melody.last = pitch
        notes.append(Note("melody", 0, pitch, 0.5 if final else 0.55, STEPS_PER_BAR * (2.0 if final else 0.75)))
        if not final:
            notes += self._pulse_notes(fake, 0, 0.5, 0.0, self._section or next_section(self._rng, None, 60.0))
        self._closing += 1
        return Bar(self.bars, ((0, chord),), tuple(notes), section, palette, phrase_end=True, final=final)
