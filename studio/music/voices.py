"""Instruments of the catalogue (instruments.py) built in pyo: struck voices that play notes, sustained pad voices
that glide, and the nature beds.

Every pyo object goes through `keep` (the patch holds them for its lifetime: pyo stops objects that are
garbage-collected). An instrument that has been silent for a while is switched off (its objects stopped, so they
cost nothing) and on again before its next note. Times in seconds, pitches MIDI, levels linear.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Any

import pyo

from studio.music.instruments import Instrument

Keep = Callable[[Any], Any]
PAD_GLIDE_SECONDS = 0.12
STEAL_SECONDS = 0.004  # a voice still sounding when it is taken for a new note fades out over this at least
SOUNDING = 1e-3  # an envelope above this (linear, before squaring) is still heard
_VIBRATO_HZ = 5.0
_SEMITONE = 2.0 ** (1.0 / 12.0) - 1.0  # a frequency ratio's excess for one semitone of vibrato depth
_NOISE_SECONDS = 12.0  # white noise is read from a table this long (pyo's Noise costs ten times as much)


def total(keep: Keep, signals: list[Any]) -> Any:
    """The sum of pyo signals of the same number of streams (one Mix: a chain of additions costs 15 % more)."""
    for signal in signals:
        keep(signal)
    return keep(pyo.Mix(signals, voices=len(signals[0])))


def midi_to_hz(pitch: float) -> float:
    """Frequency (Hz) of a MIDI pitch (A4 = 69 = 440 Hz)."""
    return float(440.0 * 2.0 ** ((pitch - 69.0) / 12.0))


def loudness(velocity: float) -> float:
    """Amplitude (0-1) of a velocity (0-1): about 30 dB of range, soft notes still heard."""
    return float(0.03 + 0.97 * velocity**1.7)


class Switchable:
    """Sound sources that can be switched off while silent: their pyo objects, on/off and a stereo output."""

    def __init__(self, keep: Keep) -> None:
        self._objects: list[Any] = []
        self._keep = keep
        self.active = True
        self.busy_until = 0.0  # server time (s) when the last note has died away
        self.output: Any = None  # stereo

    def _n(self, node: Any) -> Any:
        """Keep a pyo object for the patch's lifetime and switch it (tables have nothing to switch) with the rest."""
        if isinstance(node, pyo.PyoObject):
            self._objects.append(node)
        return self._keep(node)

    def own(self, node: Any) -> Any:
        """Keep `node` (a pyo object that only this source feeds, such as its output at a level) and switch it
        with the rest."""
        return self._n(node)

    def set_active(self, active: bool) -> None:
        """Stop (no cost, silent) or restart the objects."""
        if active != self.active:
            for node in self._objects:
                node.play() if active else node.stop()
            self.active = active


class Voices(Switchable):
    """What both kinds of instrument share: the spec, their pyo objects, on/off and a stereo output."""

    def __init__(self, keep: Keep, spec: Instrument) -> None:
        super().__init__(keep)
        self.spec = spec

    def _colour(self, source: Any, cutoff: Any) -> Any:
        """The instrument's mono sum through its brightness low-pass and formants; returns a mono signal."""
        filtered = self._n(pyo.Biquad(source, freq=cutoff, q=0.7))
        if not self.spec.formants:
            return filtered
        bands = [
            self._n(pyo.Biquad(filtered, freq=freq, q=5.0, type=2, mul=level))
            for freq, level in zip(self.spec.formants, (1.6, 1.0, 0.5), strict=False)
        ]
        return total(self._n, bands)


class StruckVoices(Voices):
    """A pool of `polyphony` voices; each note takes the voice that fell silent first.

    `cutoff` is the brightness low-pass (Hz signal), `vibrato` a shared LFO (a factor around 1).
    """

    def __init__(self, keep: Keep, spec: Instrument, polyphony: int, cutoff: Any) -> None:
        super().__init__(keep, spec)
        n = self._n
        table = keep(pyo.HarmTable(list(spec.harmonics)))
        sine = keep(pyo.HarmTable([1.0]))
        # Each voice's pitch and envelope are breakpoint lines that hold their last value: pyo's Adsr.play(delay=)
        # zeroes a sounding envelope while it waits (a click, then a jump back), so a note's humanised delay is a
        # first segment instead, which also fades a voice still sounding before it takes its new pitch. They are
        # kept but never stopped with the instrument: play() would strike them.
        self._freqs = [keep(pyo.Linseg([(0.0, 220.0), (0.001, 220.0)], initToFirstVal=True)) for _ in range(polyphony)]
        self._envelopes = [keep(pyo.Linseg([(0.0, 0.0), (0.001, 0.0)])) for _ in range(polyphony)]
        self._ends = [0.0] * polyphony
        vibrato = n(pyo.Sine(_VIBRATO_HZ, mul=spec.vibrato * _SEMITONE, add=1.0)) if spec.vibrato else None
        sources = []
        self._strikes: list[Any] = []
        for freq, envelope in zip(self._freqs, self._envelopes, strict=True):
            shaped = n(envelope * envelope)  # squared: a curved, natural decay
            sources.append(n(pyo.Osc(table, freq=freq if vibrato is None else n(freq * vibrato), mul=shaped)))
            if spec.strike is not None:
                strike = keep(pyo.Linseg([(0.0, 0.0), (0.001, 0.0)], mul=spec.strike.level))
                self._strikes.append(strike)
                sources.append(n(pyo.Osc(sine, freq=n(freq * spec.strike.ratio), mul=strike)))
        summed = total(n, sources)
        if spec.breath:
            hiss = noise(n, 1, spec.breath)
            summed = n(summed + n(pyo.Biquad(hiss, freq=1800.0, q=1.2, type=2, mul=total(n, self._envelopes))))
        self.output = n(pyo.Pan(self._colour(summed, cutoff), outs=2, pan=spec.pan, spread=0.3))

    def play(self, now: float, pitch: float, velocity: float, seconds: float, delay: float) -> None:
        """Strike `pitch` at `velocity` (0-1), `delay` seconds from now. An instrument that dies away by itself
        (no sustain: harp, marimba, bells) rings for its whole decay; the others hold for `seconds` and release
        (a note shorter than its decay releases from where its decay got to). A voice still sounding fades out
        over at least STEAL_SECONDS before the note starts."""
        voice = min(range(len(self._ends)), key=self._ends.__getitem__)
        spec = self.spec
        envelope, hz = self._envelopes[voice], self._freqs[voice]
        current = float(envelope.get())
        start = max(delay, STEAL_SECONDS) if current > SOUNDING else delay
        peak = math.sqrt(loudness(velocity))  # the envelope is squared
        top = start + spec.attack
        if spec.sustain > 0.0:
            length = max(seconds, spec.attack + 0.01)
            decayed = min(spec.decay, length - spec.attack)
            held = peak * (1.0 - (1.0 - spec.sustain) * decayed / spec.decay)
            points = [(top + decayed, held), (start + length, held), (start + length + spec.release, 0.0)]
            self._ends[voice] = now + start + length + spec.release
        else:
            points = [(top + spec.decay, 0.0)]
            self._ends[voice] = now + top + spec.decay
        self.busy_until = max(self.busy_until, self._ends[voice])
        old = float(hz.get())
        hz.list = [(0.0, old), (start, old), (start, midi_to_hz(pitch))]
        hz.play()
        envelope.list = [(0.0, current), (start, 0.0), (top, peak), *points]
        envelope.play()
        if self._strikes and spec.strike is not None:
            strike = self._strikes[voice]
            level = float(strike.get()) / spec.strike.level
            partial = [(start + 0.002, loudness(velocity)), (start + 0.002 + spec.strike.decay, 0.0)]
            strike.list = [(0.0, level), (start, 0.0), *partial]
            strike.play()


class PadVoices(Voices):
    """Sustained voices that glide to their next pitch (PAD_GLIDE_SECONDS) and to their next level; with a
    detune, each voice is two oscillators spread left and right."""

    def __init__(self, keep: Keep, spec: Instrument, voices: int, cutoff: Any, pitches: list[int]) -> None:
        super().__init__(keep, spec)
        n = self._n
        table = keep(pyo.HarmTable(list(spec.harmonics)))
        self._hz = [n(pyo.SigTo(midi_to_hz(p), time=PAD_GLIDE_SECONDS, init=midi_to_hz(p))) for p in pitches[:voices]]
        self._levels = [n(pyo.SigTo(0.0, time=spec.attack, init=0.0)) for _ in range(voices)]
        ratios = [2.0 ** (-spec.detune / 12.0), 2.0 ** (spec.detune / 12.0)] if spec.detune else [1.0]
        vibrato = n(pyo.Sine(_VIBRATO_HZ * 0.8, mul=spec.vibrato * _SEMITONE, add=1.0)) if spec.vibrato else None
        sides = []
        for side, ratio in enumerate(ratios):
            oscillators = []
            detune = ratio if vibrato is None else n(vibrato * ratio)  # one factor per side for every voice
            for k, (hz, level) in enumerate(zip(self._hz, self._levels, strict=True)):
                freq = n(hz * detune)
                # The phase must lie in 0..1: pyo's Osc wraps phase + position only once, so a larger phase reads
                # past its table (whatever memory lies there: NaN, silence or noise, depending on the process).
                phase = (0.13 * k + 0.5 * side) % 1.0
                oscillators.append(n(pyo.Osc(table, freq=freq, phase=phase, mul=level)))
            sides.append(n(self._colour(total(n, oscillators), cutoff) * n(pyo.Sine(0.07, 0.25 * side, 0.12, 0.88))))
        self.output = n(pyo.Sig(sides if len(sides) == 2 else sides * 2))

    def move(self, now: float, voice: int, pitch: float, level: float, seconds: float) -> None:
        """Glide `voice` to `pitch` and to `level` (0-1; 0 silences it), sounding for at least `seconds`."""
        self._hz[voice].value = midi_to_hz(pitch)
        self._levels[voice].value = level
        self.busy_until = max(self.busy_until, now + seconds + self.spec.release)

    def silence(self) -> None:
        """Let every voice fade away (over the instrument's attack time)."""
        for level in self._levels:
            level.value = 0.0


def noise(keep: Keep, channels: int, level: float) -> Any:
    """White noise at `level` (linear), `channels` streams that do not correlate: a table of random samples read
    at slightly different rates, far cheaper than pyo's Noise."""
    rng = random.Random(len(_NOISE_SAMPLES))
    if not _NOISE_SAMPLES:
        _NOISE_SAMPLES.extend(rng.uniform(-1.0, 1.0) for _ in range(1 << 19))
    table = keep(pyo.DataTable(size=len(_NOISE_SAMPLES), init=_NOISE_SAMPLES))
    rates = [1.0 / _NOISE_SECONDS * (1.0 + 0.0137 * k) for k in range(channels)]
    return keep(pyo.Osc(table, freq=rates, phase=[0.37 * k for k in range(channels)], interp=1, mul=level))


_NOISE_SAMPLES: list[float] = []


class NatureBed(Switchable):
    """A stereo bed of filtered noise (`kind` in instruments.NATURE_BEDS, not "none"): rain patters (high,
    flickering), a stream bubbles (mid, wandering), wind swells (low, slow)."""

    def __init__(self, keep: Keep, kind: str) -> None:
        super().__init__(keep)
        n = self._n
        hiss = noise(n, 2, 1.0)
        if kind == "rain":
            patter = n(pyo.Randi(min=0.4, max=1.0, freq=[13.0, 17.0]))
            self.output = n(pyo.Biquad(hiss, freq=[3200.0, 3500.0], q=0.6, type=1, mul=n(patter * 0.05)))
        elif kind == "stream":
            centre = n(pyo.Randi(min=500.0, max=1400.0, freq=[3.1, 3.7]))
            self.output = n(pyo.Biquad(n(pyo.Biquad(hiss, freq=900.0, q=0.5)), freq=centre, q=3.0, type=2, mul=0.25))
        elif kind == "wind":
            centre = n(pyo.Randi(min=250.0, max=800.0, freq=[0.13, 0.17]))
            swell = n(pyo.Randi(min=0.2, max=1.0, freq=[0.1, 0.12]))
            self.output = n(pyo.Biquad(hiss, freq=centre, q=2.0, type=2, mul=n(swell * 0.3)))
        else:
            raise ValueError(f"unknown nature bed {kind!r}")


def nature_bed(keep: Keep, kind: str) -> NatureBed:
    """The nature bed `kind` (see NatureBed)."""
    return NatureBed(keep, kind)
