"""The voice channel: any audio feed (microphone, WAV file, scripted voice) through one prosody analysis.

``VoiceSource.step`` drains the feed on the channel's worker, analyses the samples into 10 ms prosody frames
(``voice.prosody``), and ten times a second summarises the last ``WINDOW_S`` seconds into features
(``voice.features``) and an affect estimate relative to the speaker's baseline. Raw audio is only held in
memory for the analysis; it is never written anywhere.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from fusion.affect import NO_AFFECT
from fusion.framing import FRAME_HOP
from fusion.pitch import PitchSettings
from fusion.prosody_features import ProsodySummary, semitones, summarize
from fusion.prosody_frames import DBFS_OFFSET, REFERENCE_POWER, ProsodyAnalyzer, ProsodyFrames
from fusion.voice import BaselineCollector, VoiceBaseline, voice_affect
from sensors.audio_feed import AudioBlock, AudioFeed, FeedHealth
from sensors.base import Source, State
from studio.kernel.streams import Record, Stream, StreamHub, StreamSpec

FloatArray = NDArray[np.float64]

PROSODY_FIELDS = ("f0_hz", "intensity_db", "voiced", "activity")
FEATURE_FIELDS = (
    "pitch_st",  # median F0 of the window above the baseline, semitones
    "pitch_range_st",  # F0 range (10th-90th percentile) of the window, semitones
    "intensity_db",  # mean intensity of the window's speech, dB
    "loudness_db",  # that intensity above the baseline, dB
    "rate_syll_per_s",  # syllable nuclei per second of speech
    "jitter",  # frame-level jitter proxy (relative period change)
    "shimmer_db",  # frame-level shimmer proxy (dB)
    "voiced_fraction",  # share of the window that is voiced
)
WINDOW_S = 3.0  # seconds of frames each feature update summarises
FEATURE_PERIOD = 0.1  # seconds between feature updates
AUTO_CALIBRATION_SPEECH_S = 5.0  # without an operator calibration: the first seconds of speech
PROSODY_MEMORY_S = 120.0
PROSODY = StreamSpec(
    "voice.prosody", PROSODY_FIELDS, ("Hz", "dB", "", ""), PROSODY_MEMORY_S, Record.FEATURES
)  # every 10 ms frame: F0 (0 when unvoiced), intensity, voiced 0/1, activity (0 silence, 1 speech, 2 other)
FEATURES = StreamSpec(
    "voice.features",
    FEATURE_FIELDS,
    ("st", "st", "dB", "dB", "1/s", "", "dB", ""),
    PROSODY_MEMORY_S,
    Record.FEATURES,
)


class VoiceSource(Source):
    """The voice channel over ``feed``. Analysis runs in ``step``, on the channel's worker."""

    channel = "voice"
    period = 0.02  # a short period keeps speech onset to feature update well under 150 ms

    def __init__(self, feed: AudioFeed, pitch: PitchSettings | None = None) -> None:
        self.backend = feed.backend
        super().__init__()
        self.feed = feed
        self.pitch_settings = pitch
        self.prosody: Stream | None = None
        self.features: Stream | None = None
        self._started = False
        self._analyzer: ProsodyAnalyzer | None = None
        self._anchor = 0.0  # session time of the first sample the current analyser got
        self._recent: deque[tuple[float, ProsodyFrames]] = deque()  # (session time of first frame, frames)
        self._next_update: float | None = None
        self._last_update_t = -math.inf  # session time of the newest frame at the last feature update
        self._lock = threading.Lock()  # calibration requests come from other threads
        self._baseline: VoiceBaseline | None = None
        self._collector: BaselineCollector | None = BaselineCollector(speech_s=AUTO_CALIBRATION_SPEECH_S)
        self._calibration_detail = ""

    # --- Source --------------------------------------------------------------------------------------------
    def specs(self) -> tuple[StreamSpec, ...]:
        return (*super().specs(), PROSODY, FEATURES)

    def open(self, hub: StreamHub) -> None:
        super().open(hub)
        self.prosody = hub.open(PROSODY, 1.0 / FRAME_HOP)
        self.features = hub.open(FEATURES, 1.0 / FEATURE_PERIOD)
        self.set_status(State.DEGRADED, "starting")

    def step(self, now: float) -> None:
        if not self._started:
            self.feed.start(now)
            self._started = True
        block = self.feed.read(now)
        if block is not None:
            self._analyse(block)
        if self._next_update is None:
            self._next_update = now
        if now >= self._next_update:
            self._update(now)
            self._next_update = max(self._next_update + FEATURE_PERIOD, now - FEATURE_PERIOD)

    def close(self) -> None:
        self.feed.stop()
        super().close()

    # --- calibration ---------------------------------------------------------------------------------------
    def calibrate(self, seconds: float) -> None:
        if not seconds > 0:
            raise ValueError(f"calibration needs a duration above 0 seconds, got {seconds}")
        with self._lock:
            self._collector = BaselineCollector(input_s=seconds)

    def baseline(self) -> dict[str, float] | None:
        with self._lock:
            return None if self._baseline is None else self._baseline.as_dict()

    def load_baseline(self, values: dict[str, float]) -> None:
        baseline = VoiceBaseline.from_dict(values)
        with self._lock:
            self._baseline = baseline
            self._collector = None

    def forget_baseline(self) -> None:
        with self._lock:
            self._baseline = None
            self._collector = BaselineCollector(speech_s=AUTO_CALIBRATION_SPEECH_S)

    # --- analysis ------------------------------------------------------------------------------------------
    def _analyse(self, block: AudioBlock) -> None:
        if self._analyzer is None or block.restart or self._analyzer.rate != block.rate:
            if self._analyzer is not None:
                self._record(self._analyzer.finish())
            self._analyzer = ProsodyAnalyzer(block.rate, self.pitch_settings)
            self._anchor = block.t_first
        frames = self._analyzer.push(block.samples)
        if block.end:
            frames = ProsodyFrames.concat([frames, self._analyzer.finish()])
            self._analyzer = None
        self._record(frames)

    def _record(self, frames: ProsodyFrames) -> None:
        if not len(frames):
            return
        assert self.prosody is not None
        t = self._anchor + frames.t
        rows = np.column_stack([frames.f0_hz, frames.intensity_db, frames.voiced, frames.activity])
        self.prosody.extend(t, rows.astype(np.float64))
        self._recent.append((float(t[0]), frames))
        while self._recent and self._recent[0][0] < t[-1] - WINDOW_S - 1.0:
            self._recent.popleft()
        with self._lock:
            if self._collector is not None:
                self._collector.add(frames)

    def _window(self) -> tuple[float, ProsodyFrames] | None:
        """The session time of the newest frame and the frames of the last WINDOW_S seconds."""
        if not self._recent:
            return None
        start, last = self._recent[-1]
        newest = start + (len(last) - 1) * FRAME_HOP
        parts = [f for t0, f in self._recent if t0 + len(f) * FRAME_HOP > newest - WINDOW_S]
        frames = ProsodyFrames.concat(parts)
        keep = frames.index >= frames.index[-1] - round(WINDOW_S / FRAME_HOP) + 1
        return newest, ProsodyFrames(
            frames.index[keep], frames.f0_hz[keep], frames.intensity_db[keep], frames.activity[keep],
            frames.floor_db[keep],
        )  # fmt: skip

    def _update(self, now: float) -> None:
        assert self.features is not None
        health = self.feed.health
        window = self._window()
        if window is None or (health.state is State.DOWN):
            self.emit(now, NO_AFFECT)
            self.set_status(health.state if health.state is not State.OK else State.DEGRADED, health.detail)
            return
        t, frames = window
        if t <= self._last_update_t:  # nothing new (a file that ended): no speech to go on
            self.emit(now, NO_AFFECT)
            self.set_status(health.state, health.detail)
            return
        self._last_update_t = t
        summary = summarize(frames)
        baseline, trust = self._calibration_step()
        affect = voice_affect(summary, baseline, trust)
        self.features.append(t, feature_row(summary, baseline))
        self.emit(t, affect)
        self.set_status(*self._state(health, summary))

    def _calibration_step(self) -> tuple[VoiceBaseline | None, float]:
        """The baseline to use now and how much to trust it (0..1), advancing any calibration in progress."""
        with self._lock:
            collector, settled = self._collector, self._baseline
        if collector is None:
            self._calibration_detail = ""
            return settled, 1.0
        collected = summarize(collector.frames())
        progress = collector.progress(collected)
        provisional = VoiceBaseline.from_summary(collected)
        if progress >= 1.0 and provisional is not None:
            with self._lock:
                if self._collector is collector:
                    self._baseline, self._collector = provisional, None
            self._calibration_detail = ""
            return provisional, 1.0
        self._calibration_detail = f"calibrating {100 * progress:.0f}%"
        if settled is not None:
            return settled, 1.0
        return provisional, 0.5 + 0.5 * progress

    def _state(self, health: FeedHealth, summary: ProsodySummary) -> tuple[State, str]:
        if health.state is not State.OK:
            return health.state, health.detail
        detail = health.detail + (f"; {self._calibration_detail}" if self._calibration_detail else "")
        if summary.voiced_fraction == 0:
            return State.DEGRADED, f"silence; {detail}"
        return State.OK, detail


def feature_row(summary: ProsodySummary, baseline: VoiceBaseline | None) -> list[float]:
    """One ``voice.features`` row (NaN where a value is undefined: no voicing, or no baseline yet)."""
    pitch = math.nan
    loud = math.nan
    if baseline is not None:
        pitch = float(semitones(summary.f0_median_hz, baseline.f0_median_hz))
        loud = summary.intensity_mean_db - baseline.intensity_db
    return [
        pitch,
        summary.f0_range_st,
        summary.intensity_mean_db,
        loud,
        summary.rate_syll_per_s,
        summary.jitter,
        summary.shimmer_db,
        summary.voiced_fraction,
    ]


def level_dbfs(intensity_db: FloatArray) -> FloatArray:
    """Input level in dBFS (RMS re full scale) from intensities in dB, for the level meter."""
    return intensity_db - DBFS_OFFSET  # type: ignore[no-any-return]


# --- the scripted voice ------------------------------------------------------------------------------------
SCRIPT_RATE = 16000  # Hz
HARMONICS = 10


def scripted_contour(t: FloatArray) -> tuple[FloatArray, FloatArray, NDArray[np.bool_]]:
    """F0 (Hz), intensity (dB) and voicing at times ``t`` (seconds) of a looping script of phrases and
    pauses: phrases last 3 s with 1.5 s pauses, about four syllables a second; over a 60 s cycle the speaker
    grows more animated (higher, louder, wider pitch) and then settles again."""
    excitement = 0.5 - 0.5 * np.cos(2 * np.pi * t / 60.0)
    in_phrase = (t % 4.5) < 3.0
    syllable = 0.5 + 0.5 * np.sin(2 * np.pi * 4.0 * t)
    voiced = in_phrase & (syllable > 0.25)
    f0 = 190.0 * 2 ** ((4.0 * excitement + 2.0 * np.sin(2 * np.pi * 0.7 * t) * (0.5 + excitement)) / 12)
    intensity = np.where(in_phrase, 58.0 + 10.0 * excitement + 6.0 * syllable, 30.0)
    return f0, intensity, voiced


Contour = Callable[[FloatArray], tuple[FloatArray, FloatArray, NDArray[np.bool_]]]


def synthesize(
    f0: FloatArray, db: FloatArray, voiced: NDArray[np.bool_], phase: float, rng: np.random.Generator, rate: float
) -> tuple[FloatArray, float]:
    """Speech-like samples at ``rate`` Hz: a harmonic source at F0 (Hz) and intensity (dB) where voiced, breath
    noise 25 dB below everywhere; returns the samples and the source's phase at the end (radians)."""
    phases = phase + 2 * np.pi * np.cumsum(f0) / rate
    harmonics = np.arange(1, HARMONICS + 1)
    tone = (np.sin(phases[:, None] * harmonics) / harmonics).sum(axis=1)
    tone /= np.sqrt(0.5 * np.sum(1.0 / harmonics**2))  # unit RMS
    rms = np.sqrt(REFERENCE_POWER * 10 ** (db / 10))
    noise = rng.standard_normal(f0.size) * np.sqrt(REFERENCE_POWER * 10 ** ((db - 25.0) / 10))
    return np.where(voiced, rms * tone, 0.0) + noise, float(phases[-1] % (2 * np.pi))


class ScriptedFeed:
    """Synthesises a scripted voice as audio at ``rate`` Hz from ``contour`` (session seconds -> F0, intensity,
    voicing; by default the looping ``scripted_contour``), in real time from the first read, for the same
    analysis as a microphone."""

    def __init__(self, seed: int = 7, contour: Contour = scripted_contour, rate: int = SCRIPT_RATE) -> None:
        self.backend = "synthetic"
        self._contour = contour
        self._rate = rate
        self.health = FeedHealth(State.DOWN, "not started")
        self._rng = np.random.default_rng(seed)
        self._t0: float | None = None
        self._pos = 0
        self._phase = 0.0

    def start(self, now: float) -> None:
        self._t0 = now
        self.health = FeedHealth(State.OK, "scripted voice")

    def read(self, now: float) -> AudioBlock | None:
        if self._t0 is None:
            return None
        rate = self._rate
        upto = int((now - self._t0) * rate)
        n = upto - self._pos
        if n <= 0:
            return None
        t = self._t0 + (self._pos + np.arange(n)) / rate
        samples, self._phase = synthesize(*self._contour(t), self._phase, self._rng, rate)
        block = AudioBlock(samples, float(rate), self._t0 + self._pos / rate, restart=self._pos == 0)
        self._pos = upto
        return block

    def stop(self) -> None:
        self.health = FeedHealth(State.DOWN, "stopped")


class ScriptedVoice(VoiceSource):
    """A scripted voice for demos and tests, analysed like a microphone: ``contour`` and ``rate`` (Hz) as
    ScriptedFeed takes them.
    A voice that knows its speaker's ``neutral`` prosody starts with it as its baseline (the demo person's)."""

    def __init__(
        self, contour: Contour = scripted_contour, neutral: VoiceBaseline | None = None, rate: int = SCRIPT_RATE
    ) -> None:
        super().__init__(ScriptedFeed(contour=contour, rate=rate))
        self._neutral = neutral

    def open(self, hub: StreamHub) -> None:
        super().open(hub)
        if self._neutral is not None:
            self.load_baseline(self._neutral.as_dict())
