"""The instruments the engine can play, as data: timbre, envelope, which layers may use them, General MIDI program.

No audio code here (voices.py builds them in pyo), so presets, parameters and MIDI can use the catalogue.
Times are seconds, levels linear (0-1) unless a name says dB, pitches in semitones.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Partial:
    """An extra oscillator per voice, at `ratio` times the note frequency (inharmonic ratios allowed), with
    `level` of the voice's peak, dying away over `decay` seconds: a hammer, a tine, a bar's or a bell's overtone."""

    ratio: float
    level: float
    decay: float


@dataclass(frozen=True)
class Instrument:
    """One instrument.

    `harmonics`: amplitudes of harmonics 1, 2, 3, ... of the voice's wavetable. `attack`, `decay` (s) and
    `sustain` (0-1 of the peak) shape each note, `release` (s) ends it. `sustained` instruments hold their
    notes and glide between them (pads); the others strike each note. `detune` (semitones) adds a second,
    detuned oscillator per voice, spread left and right. `vibrato` is a depth in semitones at 5 Hz.
    `formants` (Hz) colour the instrument through band-pass filters (a vowel); `breath` mixes in filtered
    noise that follows the notes. `trim` (dB) evens out the loudness of instruments at the same velocity.
    `program` is the General MIDI program (0-127) a DAW should load for it.
    """

    name: str
    label: str
    layers: frozenset[str]
    program: int
    harmonics: tuple[float, ...]
    attack: float
    decay: float
    sustain: float
    release: float
    sustained: bool = False
    detune: float = 0.0
    vibrato: float = 0.0
    formants: tuple[float, ...] = ()
    breath: float = 0.0
    strike: Partial | None = None
    pan: float = 0.5
    trim: float = 0.0


def _saw(count: int, slope: float) -> tuple[float, ...]:
    """Harmonic amplitudes k ** -slope for k = 1..count: 1 is a sawtooth, higher is darker."""
    return tuple(k**-slope for k in range(1, count + 1))


_PAD = frozenset({"pad"})
_STRUCK = frozenset({"pulse", "melody"})

CATALOGUE: dict[str, Instrument] = {
    i.name: i
    for i in (
        Instrument("strings", "strings pad", _PAD, 48, _saw(24, 0.75), 1.2, 0.5, 1.0, 1.5, True, detune=0.07),
        Instrument(
            "choir", "soft choir", _PAD, 52, _saw(20, 1.0), 1.5, 0.5, 1.0, 1.8, True,
            detune=0.05, vibrato=0.06, formants=(650.0, 1080.0, 2650.0), trim=4.0,
        ),
        Instrument(
            "warm-pad", "warm pad", _PAD, 89, (1.0, 0.45, 0.22, 0.12, 0.06), 2.0, 0.5, 1.0, 2.0, True, detune=0.1
        ),
        Instrument(
            "piano", "warm piano", _STRUCK, 0, (1.0, 0.45, 0.3, 0.12, 0.08, 0.04), 0.004, 2.2, 0.0, 0.5,
            strike=Partial(4.0, 0.12, 0.08), pan=0.45,
        ),
        Instrument(
            "electric-piano", "electric piano", _STRUCK, 4, (1.0, 0.18, 0.05), 0.006, 2.0, 0.15, 0.4,
            strike=Partial(7.0, 0.22, 0.25), pan=0.55,
        ),
        Instrument("harp", "harp", _STRUCK, 46, (1.0, 0.35, 0.16, 0.08, 0.04), 0.003, 2.6, 0.0, 0.8, pan=0.35),
        Instrument("guitar", "nylon guitar", _STRUCK, 24, _saw(8, 1.3), 0.004, 1.6, 0.0, 0.3, pan=0.6),
        Instrument(
            "flute", "low flute", frozenset({"melody"}), 73, (1.0, 0.22, 0.07), 0.09, 0.3, 0.8, 0.25,
            vibrato=0.12, breath=0.05, pan=0.42, trim=-1.0,
        ),
        Instrument(
            "marimba", "marimba", _STRUCK, 12, (1.0,), 0.003, 0.9, 0.0, 0.3,
            strike=Partial(4.0, 0.35, 0.12), pan=0.58,
        ),
        Instrument(
            "kalimba", "kalimba", _STRUCK, 108, (1.0, 0.0, 0.05), 0.002, 1.2, 0.0, 0.4,
            strike=Partial(5.4, 0.25, 0.08), pan=0.4,
        ),
        Instrument(
            "bells", "bells", _STRUCK, 14, (1.0, 0.4, 0.16), 0.005, 3.0, 0.0, 1.0,
            strike=Partial(2.76, 0.3, 1.5), pan=0.38, trim=-1.0,
        ),
        Instrument("vibraphone", "vibraphone", _STRUCK, 11, (1.0, 0.0, 0.0, 0.08), 0.004, 2.5, 0.0, 0.8, vibrato=0.0),
        Instrument("soft-pluck", "soft pluck", _STRUCK, 45, tuple(1.0 / k if k % 2 else 0.0 for k in range(1, 16)),
                   0.003, 0.6, 0.0, 0.2, pan=0.62),
        Instrument("soft-bass", "soft bass", frozenset({"bass"}), 32, (1.0, 0.55, 0.3, 0.12), 0.02, 1.5, 0.6, 0.12),
        Instrument(
            "pluck-bass", "plucked bass", frozenset({"bass"}), 33, (1.0, 0.6, 0.4, 0.22, 0.12, 0.06), 0.005, 1.2, 0.2,
            0.2,
        ),
    )
}  # fmt: skip

NATURE_BEDS = ("none", "rain", "stream", "wind")

# What each layer plays unless a preset or the operator says otherwise.
DEFAULT_INSTRUMENTS: dict[str, tuple[str, ...]] = {
    "pad": ("strings",),
    "bass": ("soft-bass",),
    "pulse": ("soft-pluck",),
    "melody": ("bells",),
}


def instruments_for(layer: str) -> list[str]:
    """Names of the instruments `layer` may play, in catalogue order."""
    return [name for name, instrument in CATALOGUE.items() if layer in instrument.layers]
