"""Generative music on pyo: one synthesis graph (Patch) shared by the live engine and offline rendering.

The Patch plays a warm detuned pad, a soft bass pulse on every beat, an arpeggiated pulse on eighth notes
(density decides how many steps sound) and a sparse off-beat melody with echoes. Tempo, volume, brightness
and space glide; harmony (mode, tension, register) changes only at bar starts. The master chain is
mix -> reverb -> volume -> fade -> lookahead compressor -> hard clip at 0.88 (-1.1 dBFS) -> out.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from typing import Any

import pyo

from studio.music.backend import Backend, BackendUnavailable, jack_server, output_device
from studio.music.params import LAYERS, MODES, MusicParams, clamp_params, db_to_amp
from studio.quiet import native_stderr_silenced

FADE_IN_SECONDS = 3.0
MAX_FADE_OUT_SECONDS = 2.0
STOP_FADE_SECONDS = 0.1
TEMPO_GLIDE_SECONDS = 2.0
LEVEL_GLIDE_SECONDS = 1.5
LAYER_FADE_SECONDS = 1.5
PAD_GLIDE_SECONDS = 0.12
SILENCE_DBFS = -120.0
CLIP_AMPLITUDE = 0.88

STEPS_PER_BEAT = 2
BEATS_PER_BAR = 4
STEPS_PER_BAR = STEPS_PER_BEAT * BEATS_PER_BAR
HOME_TONIC = 50  # MIDI note of the home key (D3)

# pyo puts new objects on the most recently booted server: hold this while booting a server and building a
# Patch on it, so a live engine and an offline render started from different threads never mix their graphs.
BUILD_LOCK = threading.Lock()

SCALES: dict[str, tuple[int, ...]] = {
    "major": (0, 2, 4, 5, 7, 9, 11),
    "minor": (0, 2, 3, 5, 7, 8, 10),
    "dorian": (0, 2, 3, 5, 7, 9, 10),
    "lydian": (0, 2, 4, 6, 7, 9, 11),
}
# One chord per bar, as scale degrees counted from 0 (I vi IV V, i VI III VII, i IV i VII, I II V I).
PROGRESSIONS: dict[str, tuple[int, ...]] = {
    "major": (0, 5, 3, 4),
    "minor": (0, 5, 2, 6),
    "dorian": (0, 3, 0, 6),
    "lydian": (0, 1, 4, 0),
}

# Chord tones (0 root, 1 third, 2 fifth, 3 seventh, 4 ninth) of the three upper pad voices per tension level.
_UPPER_VOICES = {0: (1, 2, 0), 1: (1, 2, 3), 2: (1, 3, 4)}
_WRAPS_AT_ONCE = 0.999999  # clock phasor start: it wraps, and so ticks, on the first sample
_LAYER_LEVEL = {"pad": 0.15, "bass": 0.7, "pulse": 0.3, "melody": 0.3}


@dataclass(frozen=True)
class Harmony:
    """Everything that may change only at a bar start: mode, tension level (0-2) and transposition."""

    mode: str
    extensions: int
    transpose: int

    @classmethod
    def of(cls, params: MusicParams) -> Harmony:
        """Harmony of a parameter set: tension 1/3 adds sevenths, 2/3 adds ninths; register in semitones."""
        return cls(params.mode, min(2, int(params.tension * 3.0)), round(params.register))


@dataclass(frozen=True)
class Voicing:
    """MIDI notes of one bar: bass root, four pad voices, the arpeggio and the melody's choices."""

    bass: float
    pad: tuple[float, ...]
    arpeggio: tuple[float, ...]
    melody: tuple[float, ...]


def _place(offset: int, low: int) -> int:
    """Put a pitch (semitones) into the octave window [low, low + 12)."""
    return low + (offset - low) % 12


def chord_offsets(mode: str, degree: int, extensions: int) -> list[int]:
    """Semitones above the tonic of the chord on a scale degree: triad plus `extensions` stacked thirds."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")
    scale = SCALES[mode]
    steps = range(0, 5 + 2 * extensions, 2)
    return [scale[(degree + s) % 7] + 12 * ((degree + s) // 7) for s in steps]


def voicing(harmony: Harmony, bar: int) -> Voicing:
    """Notes for bar number `bar` (the progression repeats) under the given harmony."""
    progression = PROGRESSIONS[harmony.mode]
    tones = chord_offsets(harmony.mode, progression[bar % len(progression)], harmony.extensions)
    home = HOME_TONIC + harmony.transpose
    root = tones[0]
    upper = [tones[i] for i in _UPPER_VOICES[harmony.extensions]]
    pad = (_place(home + root, home - 6), *sorted(_place(home + t, home + 6) for t in upper))
    arpeggio = tuple(sorted(_place(home + t, home + 14) for t in tones))
    melody = tuple(sorted(_place(home + t, home + 19) for t in tones))
    return Voicing(
        float(_place(home + root, home - 12)),
        tuple(map(float, pad)),
        tuple(map(float, arpeggio)),
        tuple(map(float, melody)),
    )


def euclidean(onsets: int, steps: int) -> list[float]:
    """Evenly spread `onsets` hits over `steps` steps (1.0 = sound, 0.0 = rest), first step sounding."""
    return [1.0 if (i * onsets) % steps < onsets else 0.0 for i in range(steps)]


def cutoff_hz(brightness: float) -> float:
    """Low-pass cutoff (Hz) for a brightness in 0..1: 220 Hz to about 10 kHz, exponentially."""
    return float(220.0 * 2.0 ** (brightness * 5.5))


def _sharpness(brightness: float) -> float:
    """Harmonic richness of the oscillators (pyo LFO `sharp`, 0..1) for a brightness in 0..1."""
    return 0.2 + 0.6 * brightness


def _room(space: float) -> float:
    """Reverb room size (Freeverb `size`, 0..1) for a space in 0..1."""
    return 0.6 + 0.35 * space


def _wet(space: float) -> float:
    """Reverb wet share (Freeverb `bal`, 0..1) for a space in 0..1."""
    return 0.5 * space


def amplitude_to_dbfs(amplitude: float) -> float:
    """Linear peak amplitude to dBFS, floored at SILENCE_DBFS."""
    return 20.0 * math.log10(amplitude) if amplitude > 10.0 ** (SILENCE_DBFS / 20.0) else SILENCE_DBFS


class Patch:
    """The synthesis graph; build it on a booted pyo server (it becomes that server's output).

    Starts silent and fades in over FADE_IN_SECONDS. ``apply`` only sets targets, so it is cheap and safe to
    call from a control thread while the server runs.
    """

    def __init__(self, params: MusicParams) -> None:
        p, _ = clamp_params(params)
        self._pending = Harmony.of(p)
        self._bar = 0
        self._density_onsets = -1
        self._nodes: list[Any] = []
        self._build_clock(p)
        self._build_layers(p)
        self._build_master(p)
        self.apply(p)
        self.fade_to(1.0, FADE_IN_SECONDS)

    def _n(self, node: Any) -> Any:
        """Keep a reference to a pyo object for the patch's lifetime (pyo stops objects that are collected,
        even when an arithmetic result still uses them) and return it."""
        self._nodes.append(node)
        return node

    def _build_clock(self, p: MusicParams) -> None:
        """Eighth-note metronome, beat and bar triggers, and the bar-start callback (created first, so
        harmony set at a bar start reaches the oscillators in the same buffer)."""
        n = self._n
        # pyo's Metro never releases a signal given as its time, which keeps its server alive for good (pyo
        # allows 256 servers per process; every render boots one), and dividing by a pyo signal leaks the same
        # way. So the clock is a phasor at the step rate, triggering where it wraps, and note lengths come
        # from a separately gliding beat length.
        self._tempo = n(pyo.SigTo(p.tempo, time=TEMPO_GLIDE_SECONDS, init=p.tempo))
        self._beat_seconds = n(pyo.SigTo(60.0 / p.tempo, time=TEMPO_GLIDE_SECONDS, init=60.0 / p.tempo))
        steps_per_second = n(self._tempo * (STEPS_PER_BEAT / 60.0))
        falling = n(pyo.Phasor(freq=steps_per_second, phase=_WRAPS_AT_ONCE, mul=-1.0, add=1.0))
        step = n(pyo.Thresh(falling, threshold=0.5, dir=0))
        step_in_bar = n(pyo.Counter(step, min=0, max=STEPS_PER_BAR))
        step_in_beat = n(pyo.Counter(step, min=0, max=STEPS_PER_BEAT))
        self._beat = n(pyo.Select(step_in_beat, 0))
        self._offbeat = n(pyo.Select(step_in_beat, 1))
        n(pyo.TrigFunc(n(pyo.Select(step_in_bar, 0)), self._on_bar))
        self._pattern = n(pyo.DataTable(size=STEPS_PER_BAR, init=euclidean(STEPS_PER_BAR, STEPS_PER_BAR)))
        self._pulse_trig = n(step * n(pyo.TableIndex(self._pattern, step_in_bar)))

    def _beats(self, beats: float) -> Any:
        """A signal worth `beats` beats in seconds at the current (gliding) tempo."""
        return self._n(self._beat_seconds * beats)

    def _envelope(self, trigger: Any, attack: int, exp: float, beats: float) -> Any:
        """Attack-decay envelope (attack in 1/8192 of its length) lasting `beats` beats per trigger."""
        table = self._n(pyo.ExpTable([(0, 0.0), (attack, 1.0), (8191, 0.0)], exp=exp))
        return self._n(pyo.TrigEnv(trigger, table, dur=self._beats(beats)))

    def _level(self, layer: str, *factors: Any) -> Any:
        """Amplitude signal of a layer: its fading gain times its mix level times `factors`."""
        level = self._n(self._gain[layer] * _LAYER_LEVEL[layer])
        for factor in factors:
            level = self._n(level * factor)
        return level

    def _build_layers(self, p: MusicParams) -> None:
        """Pad, bass, pulse and melody; each stereo and scaled by its own fading gain."""
        n = self._n
        first = voicing(self._pending, 0)
        self._gain = {name: n(pyo.SigTo(0.0, time=LAYER_FADE_SECONDS)) for name in LAYERS}
        self._cutoff = n(pyo.SigTo(cutoff_hz(p.brightness), time=LEVEL_GLIDE_SECONDS, init=cutoff_hz(p.brightness)))
        self._sharp = n(pyo.SigTo(_sharpness(p.brightness), time=LEVEL_GLIDE_SECONDS, init=_sharpness(p.brightness)))

        pad_notes = [note for note in first.pad for _ in range(2)]
        self._pad_notes = n(pyo.SigTo(pad_notes, time=PAD_GLIDE_SECONDS, init=pad_notes))
        detuned = n(self._pad_notes + [-0.07, 0.07] * len(first.pad))
        saws = n(pyo.LFO(freq=n(pyo.MToF(detuned)), sharp=self._sharp, type=0))
        breathing = n(pyo.Sine(freq=0.07, mul=0.12, add=0.88))
        pad = n(n(pyo.MoogLP(saws, freq=self._cutoff, res=0.15, mul=self._level("pad", breathing))).mix(2))

        self._bass_note = n(pyo.Sig(first.bass))
        bass_env = self._envelope(self._beat, 100, 3.0, 0.8)
        bass_hz = n(pyo.MToF(self._bass_note))
        # A sine plus a quiet octave: pyo's SineLoop would add the same warmth but can read outside its table.
        sub = n(pyo.Sine(freq=n(bass_hz * [1.0, 2.0]), mul=n(self._level("bass", bass_env) * [1.0, 0.18])))
        bass = n(pyo.Pan(n(sub.mix(1)), outs=2, pan=0.5))

        self._arpeggio = n(pyo.Iter(self._pulse_trig, choice=list(first.arpeggio), init=first.arpeggio[0]))
        pluck_env = self._envelope(self._pulse_trig, 60, 4.0, 0.45)
        pluck = n(
            pyo.LFO(
                freq=n(pyo.MToF(self._arpeggio)),
                sharp=n(self._sharp * 0.6),
                type=3,
                mul=self._level("pulse", pluck_env),
            )
        )
        pulse = n(pyo.Pan(n(pyo.ButLP(pluck, freq=n(self._cutoff * 1.5))), outs=2, pan=0.62))

        melody_trig = n(pyo.Percent(self._offbeat, percent=40.0))
        self._melody_notes = n(pyo.TrigChoice(melody_trig, choice=list(first.melody), init=first.melody[0]))
        bell_env = self._envelope(melody_trig, 250, 2.5, 0.95)
        # Three harmonics, the upper two following brightness (pyo's FM now and then outputs NaN).
        bell_hz = n(n(pyo.MToF(self._melody_notes)) * [1.0, 2.0, 3.0])
        weights = [
            self._level("melody", bell_env, overtone) for overtone in (1.0, n(self._sharp * 0.5), n(self._sharp * 0.2))
        ]
        partials = n(pyo.Sine(freq=bell_hz, mul=weights))
        bell = n(partials.mix(1))
        echo = n(pyo.Delay(bell, delay=self._beats(0.75), feedback=0.35, maxdelay=1.5, mul=0.45))
        melody = n(pyo.Pan(n(bell + echo), outs=2, pan=0.38))

        self._mix = n(n(n(pad + bass) + pulse) + melody)

    def _build_master(self, p: MusicParams) -> None:
        """Reverb, volume, fade, limiter and output, plus a peak follower on the final signal."""
        n = self._n
        self._room = n(pyo.SigTo(_room(p.space), time=LEVEL_GLIDE_SECONDS, init=_room(p.space)))
        self._wet = n(pyo.SigTo(_wet(p.space), time=LEVEL_GLIDE_SECONDS, init=_wet(p.space)))
        self._volume = n(pyo.SigTo(db_to_amp(p.volume), time=LEVEL_GLIDE_SECONDS, init=db_to_amp(p.volume)))
        self._fade = n(pyo.SigTo(0.0, time=FADE_IN_SECONDS, init=0.0))
        reverb = n(pyo.Freeverb(self._mix, size=self._room, damp=0.6, bal=self._wet))
        leveled = n(n(reverb * self._volume) * self._fade)
        limited = n(
            pyo.Compress(leveled, thresh=-6.0, ratio=50.0, risetime=0.0005, falltime=0.2, lookahead=10.0, knee=0.0)
        )
        self._out = n(pyo.Clip(limited, min=-CLIP_AMPLITUDE, max=CLIP_AMPLITUDE).out())
        self.peak = n(pyo.PeakAmp(self._out))

    def _on_bar(self) -> None:
        """Bar start (audio thread): take the pending harmony and set this bar's notes."""
        notes = voicing(self._pending, self._bar)
        self._bass_note.value = notes.bass
        self._pad_notes.value = [n for n in notes.pad for _ in range(2)]
        self._arpeggio.choice = list(notes.arpeggio)
        self._melody_notes.choice = list(notes.melody)
        self._bar += 1

    def apply(self, params: MusicParams) -> None:
        """Set new targets: levels, tempo and timbre glide; harmony waits for the next bar start."""
        p, _ = clamp_params(params)
        self._tempo.value = p.tempo
        self._beat_seconds.value = 60.0 / p.tempo
        self._volume.value = db_to_amp(p.volume)
        self._cutoff.value = cutoff_hz(p.brightness)
        self._sharp.value = _sharpness(p.brightness)
        self._room.value = _room(p.space)
        self._wet.value = _wet(p.space)
        for name, gain in self._gain.items():
            gain.value = 1.0 if name in p.layers else 0.0
        onsets = round(p.density * STEPS_PER_BAR)
        if onsets != self._density_onsets:
            self._pattern.replace(euclidean(onsets, STEPS_PER_BAR))
            self._density_onsets = onsets
        self._pending = Harmony.of(p)

    def fade_to(self, level: float, seconds: float) -> None:
        """Ramp the master fade (0..1, linear amplitude) to `level` over `seconds`."""
        self._fade.time = seconds
        self._fade.value = level

    def peak_amplitude(self) -> float:
        """Peak absolute sample value of the last processed buffer, over both channels."""
        return max(float(v) for v in self.peak.get(all=True))


class _Pacer(threading.Thread):
    """Drives a pyo server in "manual" mode at real-time rate (one buffer per call to process())."""

    def __init__(self, server: Any, sr: int, buffersize: int) -> None:
        super().__init__(name="music-pacer", daemon=True)
        self._server = server
        self._period = buffersize / sr
        self._halt = threading.Event()

    def run(self) -> None:
        due = time.monotonic()
        while not self._halt.is_set():
            now = time.monotonic()
            if now - due > 0.25:
                due = now
            while due <= now:
                self._server.process()
                due += self._period
            self._halt.wait(max(0.0, due - time.monotonic()))

    def halt(self) -> None:
        """Stop pacing and wait for the thread to finish."""
        self._halt.set()
        self.join(timeout=2.0)


def new_server(audio: str, sr: int, buffersize: int) -> Any:
    """A stereo, output-only pyo server with MIDI off and only errors printed (not booted)."""
    server = pyo.Server(
        sr=sr, nchnls=2, buffersize=buffersize, duplex=0, audio=audio, jackname="affect-studio", verbosity=1
    )
    server.deactivateMidi()
    return server


class MusicEngine:
    """Live music on the chosen backend; ``apply`` is cheap and may be called at 20 Hz from any thread.

    On the silent backend a pacing thread computes audio at real-time rate; with ``paced=False`` nothing
    runs by itself and the caller steps the audio with ``process()`` (tests). On JACK the JACK server's
    sample rate replaces `sr` (Hz).
    """

    def __init__(self, backend: Backend, sr: int = 44100, buffersize: int = 256, *, paced: bool = True) -> None:
        self.backend = backend
        self._paced = paced
        self._sr = sr
        self._buffersize = buffersize
        self._params = MusicParams()
        self._server: Any = None
        self._patch: Patch | None = None
        self._meter: Any = None
        self._pacer: _Pacer | None = None

    @property
    def running(self) -> bool:
        """True between a successful start() and stop()."""
        return self._patch is not None

    def _make_server(self) -> Any:
        """Create the pyo server for the backend; raises BackendUnavailable if its output is gone."""
        kind = self.backend.kind
        if kind == "silent":
            return new_server("manual", self._sr, self._buffersize)
        if kind == "jack":
            jack = jack_server()
            if jack is None:
                raise BackendUnavailable("the JACK server is no longer running; start it again or use --audio silent")
            server = new_server("jack", jack.sample_rate, self._buffersize)
            server.setJackAuto(False, False)
            ports = jack.playback_ports
            if ports:
                server.setJackAutoConnectOutputPorts([[ports[0]], [ports[min(1, len(ports) - 1)]]])
            return server
        if kind == "device":
            if output_device() is None:
                raise BackendUnavailable("the audio output device is gone; reconnect it or use --audio silent")
            server = new_server("portaudio", self._sr, self._buffersize)
            server.setOutputDevice(int(pyo.pa_get_default_output()))
            return server
        raise ValueError(f"unknown backend kind {kind!r}; expected device, jack or silent")

    def start(self) -> None:
        """Boot the server, build the patch with the last applied parameters and fade in over 3 s."""
        if self._patch is not None:
            return
        with BUILD_LOCK:
            server = self._make_server()
            with native_stderr_silenced():
                server.boot()
            if not server.getIsBooted():
                raise BackendUnavailable(f"could not start audio on {self.backend.detail}; try --audio silent")
            try:
                server.setServer()
                patch = Patch(self._params)
                meter = pyo.Port(patch.peak, risetime=0.001, falltime=0.1)
            except BaseException:
                server.shutdown()
                raise
        server.start()
        self._meter = meter
        self._server, self._patch = server, patch
        if self.backend.kind == "silent" and self._paced:
            self._pacer = _Pacer(server, int(server.getSamplingRate()), self._buffersize)
            self._pacer.start()

    def apply(self, params: MusicParams) -> None:
        """Set new musical targets (see Patch.apply); remembered for start() if not running yet."""
        self._params, _ = clamp_params(params)
        if self._patch is not None:
            self._patch.apply(params)

    def fade_out(self, seconds: float = 1.5) -> None:
        """Fade everything to silence within `seconds` (at most 2 s)."""
        if self._patch is not None:
            self._patch.fade_to(0.0, min(max(seconds, 0.01), MAX_FADE_OUT_SECONDS))

    def fade_in(self, seconds: float = FADE_IN_SECONDS) -> None:
        """Fade back up to full level over `seconds`."""
        if self._patch is not None:
            self._patch.fade_to(1.0, max(seconds, 0.01))

    def peak_dbfs(self) -> float:
        """Output peak in dBFS, held with a 0.1 s release; SILENCE_DBFS when silent or stopped."""
        if self._meter is None:
            return SILENCE_DBFS
        return amplitude_to_dbfs(max(float(v) for v in self._meter.get(all=True)))

    def process(self, buffers: int = 1) -> None:
        """Compute `buffers` buffers of audio by hand (a started, unpaced engine on the silent backend)."""
        if self._server is None or self.backend.kind != "silent" or self._pacer is not None:
            raise RuntimeError("process() needs a started engine on the silent backend with paced=False")
        for _ in range(buffers):
            self._server.process()

    def stop(self) -> None:
        """Fade out quickly and shut the server down; safe to call twice or after a failed start()."""
        if self._server is None or self._patch is None:
            return
        self._patch.fade_to(0.0, STOP_FADE_SECONDS)
        time.sleep(STOP_FADE_SECONDS + 0.05)
        if self._pacer is not None:
            self._pacer.halt()
            self._pacer = None
        self._server.stop()
        self._patch = None
        self._meter = None
        self._server.shutdown()
        self._server = None
