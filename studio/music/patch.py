"""The pyo synthesis graph shared by the live engine and offline rendering.

Layers: a warm detuned pad, a soft bass on every beat, a plucked pulse on eighth notes (density decides how
many sound) and a sparse bell melody with echoes. The Composer (theory.py) decides each bar's notes at the bar
start and writes them into step tables, which the oscillators read sample-accurately.

Every continuous parameter glides over the transition time (tempo, volume in dB, brightness, density, space,
layer gains), so its slew rate is at most its range divided by that time; harmony (mode, tension, register)
and the pulse pattern change only at bar starts. A change reaches the output within the buffer computed
after it, plus the limiter's 5 ms lookahead, and then glides. Master chain: mix -> reverb -> volume -> fade -> limiter
(lookahead compressor, then a hard clip) scaled to the ceiling (at most -1 dBFS) -> out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Protocol

import pyo

from studio.music.params import LAYERS, MusicParams, clamp_params, db_to_amp
from studio.music.theory import REST, STEPS_PER_BAR, STEPS_PER_BEAT, Bar, Composer, Harmony

FADE_IN_SECONDS = 3.0
MAX_FADE_OUT_SECONDS = 2.0
DEFAULT_TRANSITION_SECONDS = 3.0
MIN_TRANSITION_SECONDS = 0.5
MAX_TRANSITION_SECONDS = 30.0
PAD_GLIDE_SECONDS = 0.12
CEILING_GLIDE_SECONDS = 0.05
LIMIT_DBFS = -1.0  # no output peak ever exceeds this
SILENCE_DBFS = -120.0
CLIP_SHARE = 0.98  # the hard clip sits this far (linear) below the ceiling: -0.18 dB
LOOKAHEAD_SECONDS = 0.005  # the limiter delays the output this much, to catch peaks before they pass

_WRAPS_AT_ONCE = 0.999999  # clock phasor start: it wraps, and so ticks, on the first sample
_LAYER_LEVEL = {"pad": 0.12, "bass": 0.63, "pulse": 0.63, "melody": 0.53}  # volume 0 dB peaks near 0 dBFS
_PAD_HARMONICS = 24
_PULSE_HARMONICS = 15
_CUTOFF_LOW_HZ = 220.0  # brightness 0: the pad's low-pass sits at A3
_CUTOFF_HIGH_HZ = 9956.0  # brightness 1: 5.5 octaves higher (capped at a quarter of the sample rate)


class StepListener(Protocol):
    """Hears every eighth-note step as it starts (audio thread): the bar, the step in it and the layers on."""

    def on_step(self, t: float, bar: Bar, step: int, layers: frozenset[str], step_seconds: float) -> None:
        """`t`: seconds since the patch started (to within one buffer); `step` 0-7 in `bar`; `step_seconds`
        the current length of a step (s)."""


def _top_hz(sr: float) -> float:
    """The pad's low-pass cutoff (Hz) at brightness 1 for the sample rate `sr` (Hz); brightness b sets it
    exponentially between 220 Hz and this: 220 * (top / 220) ** b."""
    return min(_CUTOFF_HIGH_HZ, 0.25 * sr)


def amplitude_to_dbfs(amplitude: float) -> float:
    """Linear peak amplitude to dBFS, floored at SILENCE_DBFS."""
    return 20.0 * math.log10(amplitude) if amplitude > 10.0 ** (SILENCE_DBFS / 20.0) else SILENCE_DBFS


def held(line: Sequence[float], last: float) -> list[float]:
    """A step line with each rest holding the pitch before it (so a ringing note keeps its pitch)."""
    out = []
    for pitch in line:
        last = pitch if pitch != REST else last
        out.append(last)
    return out


def gates(line: Sequence[float]) -> list[float]:
    """1.0 where a step line sounds a note, 0.0 where it rests."""
    return [0.0 if pitch == REST else 1.0 for pitch in line]


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
    call from a control thread while the server runs. `seed` makes the melody reproducible; `transition` (s)
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
        self._pending = Harmony.of(p)
        self._listener = listener
        self._server = server
        self._silenced = False
        self._ceiling_db = min(ceiling, LIMIT_DBFS)
        self._nodes: list[Any] = []
        self._build_clock(p)
        self._bar = self._composer.next_bar(self._pending, p.density)
        self._step = 0
        self._build_layers(p)
        self._build_master(p)
        self.apply(p)
        self.fade_to(1.0, FADE_IN_SECONDS)

    def _n(self, node: Any) -> Any:
        """Keep a reference to a pyo object for the patch's lifetime (pyo stops objects that are collected,
        even when an arithmetic result still uses them) and return it."""
        self._nodes.append(node)
        return node

    def _glide(self, value: float | list[float], seconds: float | None = None) -> Any:
        """A signal starting at `value` that glides to each new value over `seconds` (default: transition)."""
        return self._n(pyo.SigTo(value, time=self.transition if seconds is None else seconds, init=value))

    def _build_clock(self, p: MusicParams) -> None:
        """Eighth-note steps, beat and bar triggers, the step tables and the bar-start callback (created
        before the layers, so notes written at a bar start reach the oscillators in the same buffer)."""
        n = self._n
        # pyo's Metro never releases a signal given as its time, which keeps its server alive for good (pyo
        # allows 256 servers per process; every render boots one), and dividing by a pyo signal leaks the same
        # way. So the clock is a phasor at the step rate, triggering where it wraps, and note lengths come
        # from a separately gliding beat length.
        self._tempo = self._glide(p.tempo)
        self._beat_seconds = self._glide(60.0 / p.tempo)
        self._density = self._glide(p.density)
        falling = n(pyo.Phasor(freq=n(self._tempo * (STEPS_PER_BEAT / 60.0)), phase=_WRAPS_AT_ONCE, mul=-1, add=1))
        self._step_trig = n(pyo.Thresh(falling, threshold=0.5, dir=0))
        self._step_in_bar = n(pyo.Counter(self._step_trig, min=0, max=STEPS_PER_BAR))
        step_in_beat = n(pyo.Counter(self._step_trig, min=0, max=STEPS_PER_BEAT))
        self._beat = n(pyo.Select(step_in_beat, 0))
        self._tables = {name: n(pyo.DataTable(size=STEPS_PER_BAR)) for name in ("pulse", "pulse_on", "mel", "mel_on")}
        n(pyo.TrigFunc(self._step_trig, self._on_step))

    def _table(self, name: str) -> Any:
        """The current step's value of a step table, as a signal."""
        return self._n(pyo.TableIndex(self._tables[name], self._step_in_bar))

    def _beats(self, beats: float) -> Any:
        """A signal worth `beats` beats in seconds at the current (gliding) tempo."""
        return self._n(self._beat_seconds * beats)

    def _envelope(self, trigger: Any, attack: int, exp: float, beats: float) -> Any:
        """Attack-decay envelope (attack in 1/8192 of its length) lasting `beats` beats per trigger."""
        table = self._n(pyo.ExpTable([(0, 0.0), (attack, 1.0), (8191, 0.0)], exp=exp))
        return self._n(pyo.TrigEnv(trigger, table, dur=self._beats(beats)))

    def _level(self, layer: str, *factors: Any) -> Any:
        """Amplitude signal of a layer: its gliding gain times its mix level times `factors`."""
        level = self._n(self._gain[layer] * _LAYER_LEVEL[layer])
        for factor in factors:
            level = self._n(level * factor)
        return level

    def _build_layers(self, p: MusicParams) -> None:
        """Pad, bass, pulse and melody; each stereo and scaled by its own gliding gain."""
        n = self._n
        bar = self._bar
        self._gain = {name: self._glide(1.0 if name in p.layers else 0.0) for name in LAYERS}
        self._brightness = self._glide(p.brightness)
        octaves = math.log2(_top_hz(self._server.getSamplingRate()) / _CUTOFF_LOW_HZ)
        low_midi = 69.0 + 12.0 * math.log2(_CUTOFF_LOW_HZ / 440.0)
        cutoff = n(pyo.MToF(n(self._brightness * (12.0 * octaves) + low_midi)))

        saw = n(pyo.HarmTable([k**-0.75 for k in range(1, _PAD_HARMONICS + 1)]))  # brighter than a saw
        pad_notes = [note for note in bar.pad for _ in range(2)]
        self._pad_notes = self._glide(pad_notes, PAD_GLIDE_SECONDS)
        detuned = n(self._pad_notes + [-0.07, 0.07] * len(bar.pad))
        voices = n(pyo.Osc(saw, freq=n(pyo.MToF(detuned)), phase=[k / 8.0 for k in range(8)]))
        breathing = n(pyo.Sine(freq=0.07, mul=0.12, add=0.88))
        # A 24 dB/octave biquad low-pass: pyo's MoogLP turns unstable (NaN, then silence) above about sr / 10.
        pad = n(pyo.Biquadx(n(voices.mix(2)), freq=cutoff, q=0.8, stages=2, mul=self._level("pad", breathing)))

        self._bass_note = n(pyo.Sig(bar.bass))
        bass_env = self._envelope(self._beat, 100, 3.0, 0.8)
        # A sine plus a quiet octave: pyo's SineLoop would add the same warmth but can read outside its table.
        sub = n(pyo.Sine(freq=n(n(pyo.MToF(self._bass_note)) * [1.0, 2.0]), mul=[1.0, 0.18]))
        bass = n(pyo.Pan(n(sub.mix(1)), outs=2, pan=0.5, mul=self._level("bass", bass_env)))

        square = n(pyo.HarmTable([1.0 / k if k % 2 else 0.0 for k in range(1, _PULSE_HARMONICS + 1)]))
        pulse_trig = n(self._step_trig * self._table("pulse_on"))
        pluck_env = self._envelope(pulse_trig, 60, 4.0, 0.45)
        pluck = n(pyo.Osc(square, freq=n(pyo.MToF(self._table("pulse"))), mul=self._level("pulse", pluck_env)))
        pulse = n(pyo.Pan(n(pyo.ButLP(pluck, freq=n(cutoff * 1.5))), outs=2, pan=0.62))

        melody_trig = n(self._step_trig * self._table("mel_on"))
        bell_env = self._envelope(melody_trig, 250, 2.5, 0.95)
        # Three harmonics, the upper two following brightness (pyo's FM now and then outputs NaN).
        bell_hz = n(n(pyo.MToF(self._table("mel"))) * [1.0, 2.0, 3.0])
        overtones = (1.0, n(self._brightness * 0.4 + 0.1), n(self._brightness * 0.16 + 0.04))
        partials = n(pyo.Sine(freq=bell_hz, mul=list(overtones)))
        bell = n(n(partials.mix(1)) * self._level("melody", bell_env))
        echo = n(pyo.Delay(bell, delay=self._beats(0.75), feedback=0.35, maxdelay=1.5, mul=0.45))
        melody = n(pyo.Pan(n(bell + echo), outs=2, pan=0.38))

        self._mix = n(n(n(pad + bass) + pulse) + melody)
        self._write_bar(bar)

    def _build_master(self, p: MusicParams) -> None:
        """Reverb, volume (gliding in dB), fade, the ceiling-scaled limiter and output, plus a peak follower."""
        n = self._n
        self._space = self._glide(p.space)
        self._volume_db = self._glide(min(p.volume, self._ceiling_db))
        self._fade = n(pyo.SigTo(0.0, time=FADE_IN_SECONDS, init=0.0))
        ceiling = db_to_amp(self._ceiling_db)
        self._ceiling = self._glide(ceiling, CEILING_GLIDE_SECONDS)
        self._inverse_ceiling = self._glide(1.0 / ceiling, CEILING_GLIDE_SECONDS)
        reverb = n(pyo.Freeverb(self._mix, size=n(self._space * 0.35 + 0.6), damp=0.6, bal=n(self._space * 0.5)))
        leveled = n(n(n(reverb * n(pyo.DBToA(self._volume_db))) * self._fade) * self._inverse_ceiling)
        limited = n(
            pyo.Compress(
                leveled, thresh=-4.0, ratio=50.0, risetime=0.0005, falltime=0.2, lookahead=LOOKAHEAD_SECONDS * 1000
            )
        )
        clipped = n(pyo.Clip(limited, min=-CLIP_SHARE, max=CLIP_SHARE))
        self._out = n(n(clipped * self._ceiling).out())
        self.peak = n(pyo.PeakAmp(self._out))

    def _write_bar(self, bar: Bar) -> None:
        """Put a bar's notes where the oscillators read them."""
        self._bass_note.value = bar.bass
        self._pad_notes.value = [note for note in bar.pad for _ in range(2)]
        self._tables["pulse"].replace(held(bar.pulse, bar.pad[1]))
        self._tables["pulse_on"].replace(gates(bar.pulse))
        self._tables["mel"].replace(held(bar.melody, max(bar.pad)))
        self._tables["mel_on"].replace(gates(bar.melody))

    def _on_step(self) -> None:
        """A step starts (audio thread): at a bar start take the pending harmony and compose the bar."""
        step = self._step % STEPS_PER_BAR
        if step == 0 and self._step > 0:
            self._bar = self._composer.next_bar(self._pending, float(self._density.get()))
            self._write_bar(self._bar)
        self._step += 1
        if self._listener is not None:
            beat = float(self._beat_seconds.get())
            t = self._server.getCurrentTimeInSamples() / self._server.getSamplingRate()
            layers = frozenset() if self._silenced else self._params.layers
            self._listener.on_step(t, self._bar, step, layers, beat / STEPS_PER_BEAT)

    def apply(self, params: MusicParams) -> None:
        """Set new targets: continuous values glide; harmony and the pulse pattern wait for the next bar."""
        p, _ = clamp_params(params)
        self._params = p
        self._tempo.value = p.tempo
        self._beat_seconds.value = 60.0 / p.tempo
        self._volume_db.value = min(p.volume, self._ceiling_db)
        self._brightness.value = p.brightness
        self._space.value = p.space
        for name, gain in self._gain.items():
            gain.value = 1.0 if name in p.layers else 0.0
        self._density.value = p.density
        self._pending = Harmony.of(p)

    def set_ceiling(self, dbfs: float) -> None:
        """Cap the output peak at `dbfs` (at most -1 dBFS); it takes hold within 50 ms."""
        self._ceiling_db = min(dbfs, LIMIT_DBFS)
        amplitude = db_to_amp(self._ceiling_db)
        self._ceiling.value = amplitude
        self._inverse_ceiling.value = 1.0 / amplitude
        self._volume_db.value = min(self._params.volume, self._ceiling_db)

    def fade_to(self, level: float, seconds: float) -> None:
        """Ramp the master fade (0..1, linear amplitude) to `level` over `seconds`; while fading to silence
        the listener hears no new notes."""
        self._silenced = level <= 0.0
        self._fade.time = seconds
        self._fade.value = level

    def peak_amplitude(self) -> float:
        """Peak absolute sample value of the last processed buffer, over both channels."""
        return max(float(v) for v in self.peak.get(all=True))
