"""The pyo synthesis graph shared by the live engine and offline rendering.

A phasor clock ticks eighth-note steps; at each bar start the Composer (composer.py) writes the bar, and at each
step the notes due are handed to the layers' instruments (voices.py): the pad's sustained voices glide to their
new pitches, the bass, pulse and melody strike theirs. Each layer plays one of its instruments at a time (which
one changes with the sections); the mix goes through the master chain (master.py).

Every continuous parameter glides over the transition time (tempo, volume in dB, brightness, space, layer gains,
the pad's seventh and ninth following tension); harmony, density and patterns change at bar starts, mode and key
at phrase boundaries. A change reaches the output within the buffer computed after it, plus the limiter's 5 ms
lookahead, and then glides.

pyo pitfalls this file and voices.py avoid: Metro with a signal as its time, and dividing by a pyo signal, each
keep the server alive for good (pyo allows 256 per process); FM now and then outputs NaN; SineLoop reads outside
its table; MoogLP turns unstable above about sr / 10; Osc reads past its table when its phase exceeds 1 (what
lies there decides: NaN, silence or noise, depending on the process); Adsr.play(delay=) silences a sounding
envelope while it waits; objects that are garbage-collected stop, even inside a sum, so the patch keeps every
object, and renders and the engine collect a patch's reference cycles right after its server's shutdown.
"""

from __future__ import annotations

import math
import threading
from typing import Any

import pyo

from studio.music.composer import Bar, Composer, Note, Setting, StepEvent, StepListener
from studio.music.instruments import CATALOGUE
from studio.music.master import FADE_IN_SECONDS, LIMIT_DBFS, LOOKAHEAD_SECONDS, Master
from studio.music.params import LAYERS, MAX_PALETTE, MusicParams, clamp_params
from studio.music.theory import STEPS_PER_BAR, STEPS_PER_BEAT
from studio.music.voices import NatureBed, PadVoices, StruckVoices, Voices, nature_bed, total

__all__ = ["FADE_IN_SECONDS", "LIMIT_DBFS", "LOOKAHEAD_SECONDS", "Patch", "StepListener"]

MAX_FADE_OUT_SECONDS = 2.0
DEFAULT_TRANSITION_SECONDS = 3.0
MIN_TRANSITION_SECONDS = 0.5
MAX_TRANSITION_SECONDS = 30.0
SILENCE_DBFS = -120.0
ENDING_FADE_SECONDS = 4.0

_WRAPS_AT_ONCE = 0.999999  # clock phasor start: it wraps, and so ticks, on the first sample
_POLYPHONY = {"bass": 2, "pulse": 3, "melody": 3}
_PAD_VOICES = 6
_LAYER_LEVEL = {"pad": 0.1, "bass": 0.5, "pulse": 0.32, "melody": 0.45, "nature": 0.5}
_CUTOFF_FACTOR = {"pad": 1.0, "bass": 2.0, "pulse": 2.0, "melody": 3.0}
_CUTOFF_LOW_HZ = 220.0  # brightness 0: the pad's low-pass sits at A3
_CUTOFF_HIGH_HZ = 9956.0  # brightness 1: 5.5 octaves higher (capped at a quarter of the sample rate)
# pyo builds new objects on the server booted (or set) last: hold this while booting a server and building on it,
# so a live engine and an offline render on different threads never mix their graphs. Reentrant: the Patch takes
# it again for instruments built later, on the audio thread.
BUILD_LOCK = threading.RLock()
_IDLE_SECONDS = 1.0  # an instrument silent this long after its last note died away is switched off


def amplitude_to_dbfs(amplitude: float) -> float:
    """Linear peak amplitude to dBFS, floored at SILENCE_DBFS."""
    return 20.0 * math.log10(amplitude) if amplitude > 10.0 ** (SILENCE_DBFS / 20.0) else SILENCE_DBFS


def check_transition(seconds: float) -> float:
    """Return a valid transition time (s) or raise ValueError saying the accepted range."""
    if not MIN_TRANSITION_SECONDS <= seconds <= MAX_TRANSITION_SECONDS:
        raise ValueError(
            f"transition {seconds:g} s is outside {MIN_TRANSITION_SECONDS:g}..{MAX_TRANSITION_SECONDS:g} s"
        )
    return seconds


class Patch:
    """The synthesis graph, built on `server`, a booted pyo server (it becomes that server's output).

    Starts silent and fades in over FADE_IN_SECONDS. ``apply`` only sets targets, so it is cheap and safe to
    call from a control thread while the server runs. `seed` makes the music reproducible; `transition` (s)
    is the glide time of every continuous parameter; `ceiling` (dBFS, at most -1) caps the output peak.
    """

    def __init__(
        self,
        server: Any,
        params: MusicParams,
        *,
        seed: int = 0,
        transition: float = DEFAULT_TRANSITION_SECONDS,
        ceiling: float = LIMIT_DBFS,
        listener: StepListener | None = None,
    ) -> None:
        p, _ = clamp_params(params)
        self.transition = check_transition(transition)
        self._composer = Composer(seed)
        self._params = p
        self._listener = listener
        self._server = server
        self._sr = float(server.getSamplingRate())
        self._silenced = False
        self._ending_fade = 0.0
        self._ceiling_db = min(ceiling, LIMIT_DBFS)
        self._nodes: list[Any] = []
        self._steps = 0
        self.error: Exception | None = None  # the first failure of the step callback, for the caller to raise
        self._bar: Bar | None = None
        self._build_clock(p)
        self._build_layers(p)
        self._space = self._glide(p.space)
        self.master = Master(self._n, self.mix, self._volume_db, self._space, self._ceiling_db)
        self.apply(p)
        self.fade_to(1.0, FADE_IN_SECONDS)

    def _n(self, node: Any) -> Any:
        """Keep a reference to a pyo object for the patch's lifetime (pyo stops objects that are collected,
        even when an arithmetic result still uses them) and return it."""
        self._nodes.append(node)
        return node

    def _glide(self, value: float, seconds: float | None = None) -> Any:
        """A signal starting at `value` that glides to each new value over `seconds` (default: transition)."""
        return self._n(pyo.SigTo(value, time=self.transition if seconds is None else seconds, init=value))

    def _build_clock(self, p: MusicParams) -> None:
        """Eighth-note steps from a phasor at the step rate (triggering where it wraps) and the step callback.

        pyo's Metro never releases a signal given as its time, which keeps its server alive for good (every render
        boots one), so the clock is a phasor; note lengths come from a separately gliding beat length."""
        n = self._n
        self._tempo = self._glide(p.tempo)
        self._beat_seconds = self._glide(60.0 / p.tempo)
        falling = n(pyo.Phasor(freq=n(self._tempo * (STEPS_PER_BEAT / 60.0)), phase=_WRAPS_AT_ONCE, mul=-1, add=1))
        trigger = n(pyo.Thresh(falling, threshold=0.5, dir=0))
        n(pyo.TrigFunc(trigger, self._on_step))

    def _build_layers(self, p: MusicParams) -> None:
        """The layer gains, the brightness low-pass, a dynamic mixer and the instruments the parameters name."""
        n = self._n
        self._gain = {name: self._glide(1.0 if name in p.layers else 0.0) for name in LAYERS}
        self._brightness = self._glide(p.brightness)
        top = min(_CUTOFF_HIGH_HZ, 0.25 * self._sr)
        octaves = math.log2(top / _CUTOFF_LOW_HZ)
        low_midi = 69.0 + 12.0 * math.log2(_CUTOFF_LOW_HZ / 440.0)
        # A biquad low-pass per instrument: pyo's MoogLP turns unstable (NaN, then silence) above about sr / 10.
        cutoff = n(pyo.MToF(n(n(self._brightness * (12.0 * octaves)) + low_midi)))
        self._cutoffs = {
            layer: n(pyo.Clip(n(cutoff * factor), 20.0, 0.45 * self._sr)) for layer, factor in _CUTOFF_FACTOR.items()
        }
        self._volume_db = self._glide(min(p.volume, self._ceiling_db))
        # The instruments the parameters name are summed directly; one named later (a therapist's change) is
        # plugged into a stereo slot of its layer, so the mix never changes shape while it plays.
        self._outputs: list[Any] = []
        # Slots are stopped (they cost nothing and give silence) until something is plugged into them.
        self._slots = {
            layer: [n(pyo.Sig([0.0, 0.0]).stop()) for _ in range(MAX_PALETTE)] for layer in (*LAYERS, "nature")
        }
        self._plugged: dict[tuple[str, int], str] = {}
        self._stereo: dict[tuple[str, str], Any] = {}  # each built instrument's (or bed's) output at its level
        self._direct: set[tuple[str, str]] = set()  # those summed directly, never unplugged
        self._instruments: dict[tuple[str, str], Voices] = {}
        self._beds: dict[str, NatureBed] = {}
        self._bed_gain: dict[str, Any] = {}
        self._bed_kind = "none"
        self._playing = {layer: p.instruments.of(layer)[0] for layer in LAYERS}
        for layer in LAYERS:
            for name in p.instruments.of(layer):
                self._instrument(layer, name)
        self._bed(p.nature)
        self.mix = total(n, [*self._outputs, *(slot for slots in self._slots.values() for slot in slots)])

    def _plug(self, layer: str, name: str) -> None:
        """Add an instrument's (or a nature bed's) stereo output to the mix: while the patch is built, directly;
        later into a slot of its layer: an empty one, else one whose instrument is switched off, else the one
        whose instrument fell silent first."""
        key = (layer, name)
        if not hasattr(self, "mix"):
            self._outputs.append(self._stereo[key])
            self._direct.add(key)
            return

        def quiet(index: int) -> tuple[bool, bool, float]:
            held = self._plugged.get((layer, index))
            if held is None:
                return (False, False, 0.0)
            voices = self._beds[held] if layer == "nature" else self._instruments[(layer, held)]
            return (True, voices.active, voices.busy_until)

        index = min(range(MAX_PALETTE), key=quiet)
        self._slots[layer][index].value = self._stereo[key]
        self._slots[layer][index].play()
        self._plugged[(layer, index)] = name

    def _connected(self, layer: str, name: str) -> bool:
        return (layer, name) in self._direct or any(self._plugged.get((layer, i)) == name for i in range(MAX_PALETTE))

    def _instrument(self, layer: str, name: str) -> Voices:
        """The instrument `name` of `layer`, built on first use (its output joins the mix at the layer's gain)
        and plugged in again if another one took its slot."""
        key = (layer, name)
        if key not in self._instruments:
            with BUILD_LOCK:
                self._server.setServer()  # pyo builds on the server booted last, which may be another one
                spec = CATALOGUE[name]
                cutoff = self._cutoffs[layer]
                voices: Voices
                if layer == "pad":
                    pitches = [50, 54, 57, 62, 61, 64]
                    voices = PadVoices(self._n, spec, _PAD_VOICES, cutoff, pitches)
                else:
                    voices = StruckVoices(self._n, spec, _POLYPHONY[layer], cutoff)
                level = voices.own(self._gain[layer] * (_LAYER_LEVEL[layer] * 10.0 ** (spec.trim / 20.0)))
                self._stereo[key] = voices.own(voices.output * level)
                self._instruments[key] = voices
        if not self._connected(layer, name):
            self._plug(layer, name)
        return self._instruments[key]

    def _bed(self, kind: str) -> None:
        """Fade the nature bed `kind` in (built on first use, switched on again if it was off) and every other
        one out (switched off once silent)."""
        if kind != "none" and kind not in self._beds:
            with BUILD_LOCK:
                self._server.setServer()
                self._bed_gain[kind] = self._glide(0.0)
                self._beds[kind] = bed = nature_bed(self._n, kind)
                level = bed.own(self._bed_gain[kind] * _LAYER_LEVEL["nature"])
                self._stereo[("nature", kind)] = bed.own(bed.output * level)
        if kind != "none":
            self._beds[kind].set_active(True)
            self._beds[kind].busy_until = math.inf
            if not self._connected("nature", kind):
                self._plug("nature", kind)
        now = self._server.getCurrentTimeInSamples() / self._sr
        for name, gain in self._bed_gain.items():
            gain.value = 1.0 if name == kind else 0.0
            if name != kind and name == self._bed_kind:
                self._beds[name].busy_until = now + self.transition
        self._bed_kind = kind

    def _on_step(self) -> None:
        """The step callback: pyo prints an exception raised here and carries on (replaying the last bar), so the
        first one is also kept in ``error``."""
        try:
            self._step()
        except Exception as exc:
            if self.error is None:
                self.error = exc
            raise

    def _step(self) -> None:
        """A step starts (audio thread): at a bar start compose the bar; play the notes due now."""
        step = self._steps % STEPS_PER_BAR
        now = self._server.getCurrentTimeInSamples() / self._sr
        if step == 0:
            self._bar = self._composer.next_bar(Setting.of(self._params), self._params.tempo)
            if self._bar.final and self._ending_fade and not self._silenced:
                self.master.fade_to(0.0, self._ending_fade)  # the closing tonic still sounds (and goes to MIDI)
                self._ending_fade = 0.0
            for layer in LAYERS:
                palette = self._params.instruments.of(layer)
                self._playing[layer] = palette[self._bar.palette % len(palette)]
            self._switch_off_idle(now)
        if self._params.nature != self._bed_kind:
            self._bed(self._params.nature)
        assert self._bar is not None
        self._steps += 1
        step_seconds = float(self._beat_seconds.get()) / STEPS_PER_BEAT
        due = [note for note in self._bar.notes if note.step == step]
        # A layer that is off (and faded out) plays nothing, so its instrument falls idle and is switched off.
        heard = {layer for layer in LAYERS if layer in self._params.layers or float(self._gain[layer].get()) > 1e-4}
        for note in due:
            if note.layer in heard:
                self._play(note, now, step_seconds)
        if self._listener is not None:
            layers = frozenset() if self._silenced else self._params.layers
            self._listener.on_step(
                StepEvent(
                    now,
                    self._steps - 1,
                    60.0 / (2.0 * step_seconds),
                    tuple(n for n in due if n.layer in layers),
                    {layer: CATALOGUE[self._playing[layer]].program for layer in LAYERS},
                )
            )

    def _play(self, note: Note, now: float, step_seconds: float) -> None:
        """Hand one note to the instrument its layer plays now."""
        voices = self._instrument(note.layer, self._playing[note.layer])
        voices.set_active(True)
        seconds = note.steps * step_seconds
        if isinstance(voices, PadVoices):
            for other in self._instruments.values():
                if isinstance(other, PadVoices) and other is not voices:
                    other.silence()
            voices.move(now, note.voice, note.pitch, 2.0 * note.velocity, seconds)
        elif isinstance(voices, StruckVoices):
            voices.play(now, note.pitch, note.velocity, seconds, note.delay)

    def _switch_off_idle(self, now: float) -> None:
        """Stop instruments no layer plays whose last note has died away (they cost nothing while off)."""
        for (layer, name), voices in self._instruments.items():
            playing = self._playing[layer] == name and layer in self._params.layers
            if not playing and voices.active and now > voices.busy_until + _IDLE_SECONDS + self.transition:
                voices.set_active(False)
        for bed in self._beds.values():
            if bed.active and now > bed.busy_until + _IDLE_SECONDS:
                bed.set_active(False)

    def apply(self, params: MusicParams) -> None:
        """Set new targets: continuous values glide; harmony and patterns wait for the next bar, mode and key
        for the next phrase boundary; instruments change at the next note."""
        p, _ = clamp_params(params)
        self._params = p
        self._tempo.value = p.tempo
        self._beat_seconds.value = 60.0 / p.tempo
        self._volume_db.value = min(p.volume, self._ceiling_db)
        self._brightness.value = p.brightness
        self._space.value = p.space
        for name, gain in self._gain.items():
            gain.value = 1.0 if name in p.layers else 0.0

    def set_ceiling(self, dbfs: float) -> None:
        """Cap the output peak at `dbfs` (at most -1 dBFS); it takes hold within 50 ms."""
        self._ceiling_db = min(dbfs, LIMIT_DBFS)
        self.master.set_ceiling(self._ceiling_db)
        self._volume_db.value = min(self._params.volume, self._ceiling_db)

    def fade_to(self, level: float, seconds: float) -> None:
        """Ramp the master fade (0..1, linear amplitude) to `level` over `seconds`; while fading to silence
        the listener hears no new notes."""
        self._silenced = level <= 0.0
        self.master.fade_to(level, seconds)

    def close(self, fade_seconds: float = ENDING_FADE_SECONDS) -> None:
        """End musically: the next bar is a cadence, the one after it the tonic, over which the music fades to
        silence in `fade_seconds`."""
        self._ending_fade = fade_seconds
        self._composer.close()

    def peak_amplitude(self) -> float:
        """Peak absolute sample value of the last processed buffer, over both channels."""
        return self.master.peak_amplitude()
