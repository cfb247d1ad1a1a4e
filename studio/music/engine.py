"""The live music engine: the Patch (patch.py) on the chosen backend, steered from any thread.

On a device or JACK the backend's audio thread computes the music; on the silent backend a pacing worker (the
kernel's PeriodicWorker) does, at real-time rate, so the rest of the studio behaves the same with no sound card.
"""

from __future__ import annotations

import gc
import time
from typing import Any

import pyo

from studio.kernel.quiet import native_stderr_silenced
from studio.kernel.worker import PeriodicWorker
from studio.music.backend import Backend, BackendUnavailable, jack_server, output_device, pa_default_output
from studio.music.params import MusicParams, clamp_params
from studio.music.patch import (
    BUILD_LOCK,
    DEFAULT_TRANSITION_SECONDS,
    ENDING_FADE_SECONDS,
    FADE_IN_SECONDS,
    LIMIT_DBFS,
    MAX_FADE_OUT_SECONDS,
    SILENCE_DBFS,
    Patch,
    StepListener,
    amplitude_to_dbfs,
)

STOP_FADE_SECONDS = 0.1
RANDOM_SEED = 1


class Pacing:
    """One step of the silent backend's pacing worker: computes every pyo buffer due by now (one per
    ``buffersize / sr`` seconds of wall time) and returns the seconds until the next one is due. After a
    stall of over 0.25 s it starts afresh instead of catching up."""

    def __init__(self, server: Any, sr: int, buffersize: int) -> None:
        self._server = server
        self._period = buffersize / sr
        self._due: float | None = None

    def step(self) -> float:
        now = time.monotonic()
        if self._due is None or now - self._due > 0.25:
            self._due = now
        while self._due <= now:
            self._server.process()
            self._due += self._period
        return max(0.0, self._due - time.monotonic())


def new_server(audio: str, sr: int, buffersize: int) -> Any:
    """A stereo, output-only pyo server with MIDI off and only errors printed (not booted); its random
    objects (the nature beds' wandering filters) start from a fixed seed, so renders are reproducible."""
    server = pyo.Server(
        sr=sr, nchnls=2, buffersize=buffersize, duplex=0, audio=audio, jackname="affect-studio", verbosity=1
    )
    server.deactivateMidi()
    server.setGlobalSeed(RANDOM_SEED)
    return server


class MusicEngine:
    """Live music on the chosen backend; ``apply`` is cheap and may be called at 20 Hz from any thread.

    On the silent backend a pacing worker computes audio at real-time rate; with ``paced=False`` nothing
    runs by itself and the caller steps the audio with ``process()`` (tests). On JACK the JACK server's
    sample rate replaces `sr` (Hz). `transition` (s) is the glide time of every continuous parameter,
    `seed` picks the melody, and `listener` (for example MIDI out) hears every step the music plays.
    """

    def __init__(
        self,
        backend: Backend,
        sr: int = 44100,
        buffersize: int = 256,
        *,
        paced: bool = True,
        transition: float = DEFAULT_TRANSITION_SECONDS,
        seed: int = 0,
        listener: StepListener | None = None,
    ) -> None:
        self.backend = backend
        self._paced = paced
        self._sr = sr
        self._buffersize = buffersize
        self._transition = transition
        self._seed = seed
        self._listener = listener
        self._params = MusicParams()
        self._ceiling = LIMIT_DBFS
        self._server: Any = None
        self._patch: Patch | None = None
        self._meter: Any = None
        self._ended = False  # the music closed with a cadence (finish) and waits to start afresh
        self._pacer: PeriodicWorker | None = None

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
            if output_device(str(self.backend.device) if self.backend.device is not None else "") is None:
                raise BackendUnavailable("the audio output device is gone; reconnect it or use --audio silent")
            server = new_server("portaudio", self._sr, self._buffersize)
            server.setOutputDevice(self.backend.device if self.backend.device is not None else pa_default_output())
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
                patch = Patch(
                    server,
                    self._params,
                    seed=self._seed,
                    transition=self._transition,
                    ceiling=self._ceiling,
                    listener=self._listener,
                )
                meter = pyo.Port(patch.master.peak, risetime=0.001, falltime=0.1)
            except BaseException:
                server.shutdown()
                raise
        server.start()
        self._meter = meter
        self._server, self._patch = server, patch
        self._ended = False
        if self.backend.kind == "silent" and self._paced:
            pacing = Pacing(server, int(server.getSamplingRate()), self._buffersize)
            self._pacer = PeriodicWorker("music-pacer", self.buffer_seconds, pacing.step)
            self._pacer.start()

    def apply(self, params: MusicParams) -> None:
        """Set new musical targets (see Patch.apply); remembered for start() if not running yet."""
        self._params, _ = clamp_params(params)
        if self._patch is not None:
            self._patch.apply(params)

    def set_ceiling(self, dbfs: float) -> None:
        """The operator's volume ceiling (dBFS): no output peak exceeds it (nor -1 dBFS), within 50 ms."""
        self._ceiling = min(dbfs, LIMIT_DBFS)
        if self._patch is not None:
            self._patch.set_ceiling(self._ceiling)

    @property
    def buffer_seconds(self) -> float:
        """Length of one audio buffer (s): a change reaches the audio within this, plus its glide."""
        rate = self._server.getSamplingRate() if self._server is not None else self._sr
        return self._buffersize / float(rate)

    def fade_out(self, seconds: float = 1.5) -> None:
        """Fade everything to silence within `seconds` (at most 2 s)."""
        if self._patch is not None:
            self._patch.fade_to(0.0, min(max(seconds, 0.01), MAX_FADE_OUT_SECONDS))

    def fade_in(self, seconds: float = FADE_IN_SECONDS) -> None:
        """Fade back up to full level over `seconds`; music that ended (finish) starts afresh, fading in."""
        if self._patch is not None and self._ended:
            self.stop()
            self.start()
        elif self._patch is not None:
            self._patch.fade_to(1.0, max(seconds, 0.01))

    def finish(self, fade_seconds: float = ENDING_FADE_SECONDS) -> float:
        """End the music as a musician would: a cadence at the next bar, then the tonic, fading to silence over
        `fade_seconds`. Returns the seconds until silence at the present tempo (call stop() after them)."""
        if self._patch is None:
            return 0.0
        self._patch.close(fade_seconds)
        self._ended = True
        bar_seconds = 240.0 / self._params.tempo
        return 2.0 * bar_seconds + fade_seconds

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
            self._pacer.stop(timeout=2.0)
            self._pacer = None
        self._server.stop()
        self._meter = None
        self._server.shutdown()
        self._patch = None
        gc.collect()  # the patch's reference cycles, freed now rather than during another server's life
        self._server = None
