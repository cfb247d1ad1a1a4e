"""The demo person's body: EEG, PPG and EDA synthesised on the session clock from their (valence, arousal).

The board carries the 16 EEG channels of BrainFlow's synthetic board (same names and 250 Hz), a PPG and an EDA
channel. Each EEG channel is a background of pink-ish noise plus theta (6 Hz), alpha (10 Hz) and beta (20 Hz)
rhythms with slowly wandering phases; arousal raises the beta rhythm (the engagement index), the heart rate and
the skin conductance with its responses; valence shifts frontal alpha from one side to the other (alpha
asymmetry). How far each moves is set from the person's own resting profile, measured once through the body
channel's real pipeline, so that ``fusion.body_affect`` reads back about the state that was shown. Samples are
made for whatever stretch of session time has passed, so the board runs at any speed of the session clock.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from fusion.body_affect import AROUSAL_PARTS, EDA_RELATIVE_FLOOR, SCALE, VALENCE_FLOOR, Baseline
from sensors.body_backend import FloatArray, SourceDefaults
from sensors.body_pipeline import EDA_WINDOW, BodyPipeline, ChannelLayout
from sensors.body_settings import BodySettings
from sensors.person import Expression, Person, resting
from studio.kernel.clock import SessionClock
from studio.kernel.streams import StreamHub

FS = 250.0
EEG_NAMES = ("Fz", "C3", "Cz", "C4", "Pz", "PO7", "Oz", "PO8", "F5", "F7", "F3", "F1", "F2", "F4", "F6", "F8")
RIGHT = frozenset({"C4", "PO8", "F2", "F4", "F6", "F8"})
LEFT = frozenset({"C3", "PO7", "F1", "F3", "F5", "F7"})
POSTERIOR = frozenset({"Pz", "PO7", "Oz", "PO8"})
THETA_UV, ALPHA_UV, BETA_UV = 6.0, 10.0, 3.0  # resting rhythm amplitudes, µV
BACKGROUND_UV = 1.5  # white noise driving the pink-ish background (about 5 µV rms after its low-pass), µV
WAXING, WAXING_HZ = 0.3, 0.12  # alpha waxes and wanes by this share, this often (Hz)
REST_HR_BPM = 70.0
REST_EDA_US = 5.0
REST_SCR_PER_MIN = 3.0
# The pulse wave: a systolic peak, then a smaller diastolic (reflected) wave a fixed time later, whatever the rate;
# placed at a fixed share of the beat instead, it drifted 0.29 s away at 63 bpm and was counted as a beat of its own.
SYSTOLIC_S, SYSTOLIC_SD_S = 0.17, 0.043  # s after the beat starts, and its width (sd), s
DIASTOLIC_DELAY_S, DIASTOLIC_SD_S, DIASTOLIC_SHARE = 0.26, 0.06, 0.3  # s after the systolic peak, width s, height
SCR_US = 0.15  # amplitude of one skin-conductance response, µS
NEUTRAL_SECONDS = 40.0  # how long the resting profile is measured, once every feature's window is full
TONIC_SECONDS = 5.0  # time constant with which the tonic skin conductance follows the state
SCR_DECAY_SECONDS = 3.0


def _drive(x: float) -> float:
    """The z-score the body estimate needs (sum of weighted z over weights, before tanh) to read ``x``."""
    return SCALE * math.atanh(max(-0.95, min(0.95, x)))


class Physiology:
    """How a state shows in the body's features, from the resting profile (feature means and spreads)."""

    def __init__(self, rest: dict[str, float] | None) -> None:
        values = rest or {}

        def spread(name: str, floor: float) -> float:
            return max(values.get(f"{name}_std", 0.0), floor)

        self.engagement = spread("log_engagement", AROUSAL_PARTS["log_engagement"][1])
        self.heart = spread("heart_rate_bpm", AROUSAL_PARTS["heart_rate_bpm"][1])
        self.eda = spread("eda_tonic", EDA_RELATIVE_FLOOR * REST_EDA_US)
        self.responses = spread("eda_responses_per_min", AROUSAL_PARTS["eda_responses_per_min"][1])
        self.asymmetry = spread("asymmetry", VALENCE_FLOOR)

    def targets(self, valence: float, arousal: float) -> dict[str, float]:
        """Changes from rest that read as (valence, arousal): every arousal part moved by the same z-score."""
        z = _drive(arousal)
        return {
            "log_engagement": z * self.engagement,
            "heart_rate_bpm": REST_HR_BPM + z * self.heart,
            "eda_tonic": REST_EDA_US + z * self.eda,
            "eda_per_min": max(0.5, REST_SCR_PER_MIN + z * self.responses),
            "asymmetry": _drive(valence) * self.asymmetry,
        }


class ListenerBoard(SourceDefaults):
    """A BodyBackend that synthesises ``person``'s body with its own noise (sd ``noise``) up to the clock's now."""

    kind = "synthetic"

    def __init__(self, clock: SessionClock, person: Person, noise: float, seed: int = 19) -> None:
        self.clock = clock
        self.label = "virtual listener's body (synthesised EEG, PPG, EDA)"
        self.expression = Expression(person, noise, seed)
        self.physiology = Physiology(None)
        self._rng = np.random.default_rng(seed)
        self._n = 0  # samples made so far
        self._start: float | None = None
        self._phases = self._rng.uniform(0, 2 * np.pi, (3, len(EEG_NAMES)))
        self._pink = np.zeros(len(EEG_NAMES))
        self._waxing = self._rng.uniform(0, 2 * np.pi, len(EEG_NAMES))
        self._beat_phase = 0.0
        self._eda_phase = 0.0
        self._scr = 0.0  # the current response's height above tonic, µS (decaying)
        self._tonic: float | None = None  # the tonic level now, µS (it follows its target smoothly)

    @property
    def layout(self) -> ChannelLayout:
        return ChannelLayout(FS, (*EEG_NAMES, "PPG", "EDA"), ("eeg",) * len(EEG_NAMES) + ("ppg", "eda"))

    def connect(self) -> ChannelLayout:
        self._start = self.clock.now()
        self._n = 0
        return self.layout

    def read(self) -> tuple[FloatArray, FloatArray]:
        assert self._start is not None, "connect() first"
        upto = int((self.clock.now() - self._start) * FS)
        count = upto - self._n
        if count <= 0:
            return np.zeros(0), np.zeros((0, len(EEG_NAMES) + 2))
        t = self._start + (self._n + np.arange(count)) / FS
        self._n = upto
        return t, self.samples(t, self.physiology.targets(*self.expression.at(float(t[-1]))))

    def disconnect(self) -> None:
        self._start = None

    def samples(self, t: FloatArray, target: dict[str, float]) -> FloatArray:
        """EEG (µV), PPG and EDA (µS) columns at times ``t`` (one step of FS) for the ``target`` features."""
        n = t.size
        rates = np.array([6.0, 10.0, 20.0])
        drift = self._rng.normal(0.0, 0.02, (3, len(EEG_NAMES)))
        steps = 2 * np.pi * rates[:, None] / FS + drift / FS
        phases = self._phases[:, :, None] + np.cumsum(np.repeat(steps[:, :, None], n, axis=2), axis=2)
        self._phases = phases[:, :, -1] % (2 * np.pi)
        side = np.array([1.0 if name in RIGHT else -1.0 if name in LEFT else 0.0 for name in EEG_NAMES])
        posterior = np.array([1.5 if name in POSTERIOR else 1.0 for name in EEG_NAMES])
        alpha = ALPHA_UV * posterior * np.exp(side * target["asymmetry"] / 4.0)
        beta = BETA_UV * math.exp(target["log_engagement"] / 2.0)
        waxing = 1.0 + WAXING * np.sin(2 * np.pi * WAXING_HZ * t[None, :] + self._waxing[:, None])  # alpha spindles
        eeg = THETA_UV * np.sin(phases[0]) + alpha[:, None] * waxing * np.sin(phases[1]) + beta * np.sin(phases[2])
        white = self._rng.normal(0.0, BACKGROUND_UV, (len(EEG_NAMES), n))
        pink = np.empty_like(white)
        state = self._pink
        for i in range(n):  # a one-pole low-pass of white noise: more power at low frequencies
            state = 0.95 * state + white[:, i]
            pink[:, i] = state
        self._pink = state
        eeg = eeg + pink
        beats = self._beat_phase + np.cumsum(np.full(n, target["heart_rate_bpm"] / 60.0 / FS))
        self._beat_phase = float(beats[-1] % 1.0)
        since_beat = (beats % 1.0) * 60.0 / target["heart_rate_bpm"]  # s
        ppg = np.exp(-(((since_beat - SYSTOLIC_S) / SYSTOLIC_SD_S) ** 2) / 2) + DIASTOLIC_SHARE * np.exp(
            -(((since_beat - SYSTOLIC_S - DIASTOLIC_DELAY_S) / DIASTOLIC_SD_S) ** 2) / 2
        )
        eda = np.empty(n)
        per_sample = target["eda_per_min"] / 60.0 / FS
        if self._tonic is None:
            self._tonic = target["eda_tonic"]
        follow = 1.0 / (TONIC_SECONDS * FS)
        decay = math.exp(-1.0 / (SCR_DECAY_SECONDS * FS))
        for i in range(n):  # the tonic level drifts smoothly; responses jump and decay over a few seconds
            self._tonic += (target["eda_tonic"] - self._tonic) * follow
            self._eda_phase += per_sample
            if self._eda_phase >= 1.0:
                self._eda_phase -= 1.0
                self._scr += SCR_US
            self._scr *= decay
            eda[i] = self._tonic + self._scr
        return np.column_stack([eeg.T, ppg, eda])

    def calibrate_to(self, settings: BodySettings) -> dict[str, float]:
        """Set how far the features move per state from the person's resting profile (as the body pipeline
        with ``settings`` measures it) and return that profile, a body baseline."""
        rest = resting_profile(settings)
        self.physiology = Physiology(rest)
        return rest


def resting_profile(settings: BodySettings) -> dict[str, float]:
    """The demo person's resting profile: a neutral, noiseless stretch of NEUTRAL_SECONDS through the body
    pipeline after its longest feature window (EDA_WINDOW) has filled, so that no window short of responses
    lowers the resting response rate (measured once per process and settings)."""
    return dict(_measured_rest(settings))


@functools.cache
def _measured_rest(settings: BodySettings) -> tuple[tuple[str, float], ...]:
    rest = ListenerBoard(SessionClock(), resting, 0.0, seed=23)
    pipeline = BodyPipeline(StreamHub(), rest.layout, settings)
    try:
        t = np.arange(round((EDA_WINDOW + NEUTRAL_SECONDS) * FS)) / FS
        block = round(FS)
        baseline = Baseline()
        for start in range(0, t.size, block):
            chunk = t[start : start + block]
            pipeline.ingest(chunk, rest.samples(chunk, rest.physiology.targets(0.0, 0.0)))
            for result in pipeline.process():
                if result.t >= EDA_WINDOW:
                    baseline.add(result.features)
    finally:
        pipeline.close()
    return tuple(baseline.values.items())
