"""The body channel's processing, the same for every source: raw samples in, streams of features out.

Raw signals go, as the source delivered them, to ``body.eeg`` (µV), ``body.ppg``, ``body.ecg``, ``body.eda``,
``body.accel``, ``body.gyro`` and ``body.temperature`` (every column of each kind the source has, all recorded
as samples), and samples the source lost to ``body.gaps``; every FEATURE_HOP seconds a
FEATURE_WINDOW-second EEG window (detrended, notched, band-passed) gives ``body.band_power`` (µV², mean over
usable channels), ``body.band_relative``, ``body.quality`` (a Quality code per EEG channel), ``body.spectrum``
(mean PSD in µV²/Hz per 1 Hz bin) and ``body.features`` (FEATURE_FIELDS), stamped at the window's end.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from fusion.body_affect import BodyFeatures
from fusion.cardiac import beat_times, heart_rate_bpm, rmssd_ms
from fusion.eda import eda_features
from fusion.eeg import (
    BAND_NAMES,
    alpha_asymmetry,
    band_powers_from_psd,
    engagement,
    rate_problem,
    relative,
    resolve_pairs,
    welch_psd,
)
from fusion.filters import bandpass, fill_gaps
from fusion.quality import channel_quality, usable
from fusion.signal_checks import CHECK_FIELDS, CHECK_UNITS, signal_checks
from sensors.body_settings import BodySettings
from sensors.mind_models import MindModels, model_features
from studio.kernel.streams import Record, Stream, StreamHub, StreamSpec

FloatArray = NDArray[np.float64]

RAW_SECONDS = 30.0  # raw signal kept in memory for the traces and feature windows
FEATURE_WINDOW = 2.0  # s of EEG per feature window
FEATURE_HOP = 0.25  # s between feature windows
PHYSIO_EVERY = 4  # heart rate and EDA change slowly: they are recomputed every 4th window (once a second)
HEART_WINDOW = 10.0  # s of PPG/ECG per heart-rate estimate
EDA_WINDOW = 20.0  # s of EDA per tonic level and response rate
MIN_FILL = 0.8  # share of a window's expected samples needed to compute its features
FEATURE_SECONDS = 600.0  # ten minutes of feature rows in memory
SPECTRUM_MAX_HZ = 60.0
FEATURE_FIELDS = (
    "log_engagement",
    "asymmetry",
    "heart_rate_bpm",
    "rmssd_ms",
    "eda_tonic",
    "eda_responses_per_min",
    "mindfulness",
    "restfulness",
)
PHYSIO_KINDS = ("ppg", "ecg", "eda")
# Every raw kind besides EEG, with its unit (PPG in the device's own units, accelerometer in g).
RAW_UNITS = {"ppg": "", "ecg": "µV", "eda": "µS", "accel": "g", "gyro": "deg/s", "temperature": "°C"}

# The body streams; the raw ones are named by the source's montage when it opens.
EEG = StreamSpec("body.eeg", (), "µV", RAW_SECONDS, Record.SAMPLES)
RAW = {kind: StreamSpec(f"body.{kind}", (), unit, RAW_SECONDS, Record.SAMPLES) for kind, unit in RAW_UNITS.items()}
GAPS = StreamSpec("body.gaps", ("lost_samples",), "samples", FEATURE_SECONDS, Record.FEATURES)
BAND_POWER = StreamSpec("body.band_power", BAND_NAMES, "µV²", FEATURE_SECONDS, Record.FEATURES)
BAND_RELATIVE = StreamSpec("body.band_relative", BAND_NAMES, "", FEATURE_SECONDS, Record.FEATURES)
FEATURES = StreamSpec(
    "body.features", FEATURE_FIELDS, ("", "", "bpm", "ms", "µS", "1/min", "", ""), FEATURE_SECONDS, Record.FEATURES
)
QUALITY = StreamSpec("body.quality", (), "", FEATURE_SECONDS)  # a Quality code per EEG channel
SPECTRUM = StreamSpec("body.spectrum", (), "µV²/Hz", FEATURE_SECONDS)  # one field per 1 Hz bin
# Signal checks once a second: "<channel> <check>" for each EEG channel and each of CHECK_FIELDS.
CHECKS = StreamSpec("body.checks", (), "", FEATURE_SECONDS, Record.FEATURES)
BODY_STREAMS = (EEG, *RAW.values(), GAPS, BAND_POWER, BAND_RELATIVE, FEATURES, QUALITY, SPECTRUM, CHECKS)


def filter_eeg(raw: FloatArray, fs: float, settings: BodySettings) -> FloatArray:
    """EEG rows (channels x samples, µV, lost samples NaN) at ``fs`` Hz with gaps filled, notched and
    band-passed as every feature window is (the band's top kept below Nyquist)."""
    filled, _ = fill_gaps(raw)
    high = min(settings.band_high_hz, 0.49 * fs)
    return bandpass(filled, fs, settings.band_low_hz, high, settings.notch_hz)


@dataclass(frozen=True)
class ChannelLayout:
    """What a source delivers: ``fs`` Hz, and per column a name and a kind (eeg, a kind of RAW_UNITS, other)."""

    fs: float
    names: tuple[str, ...]
    kinds: tuple[str, ...]

    def columns(self, kind: str) -> list[int]:
        return [i for i, k in enumerate(self.kinds) if k == kind]


@dataclass(frozen=True)
class WindowResult:
    """One feature window: its end (session s), features for the estimate, quality codes, a status line."""

    t: float
    features: BodyFeatures
    quality: NDArray[np.int64]
    problem: str


class BodyPipeline:
    """Owns the body streams for one channel layout and computes every feature window as samples arrive."""

    def __init__(self, hub: StreamHub, layout: ChannelLayout, settings: BodySettings) -> None:
        self.layout = layout
        self.settings = settings
        fs = layout.fs
        self.eeg_cols = layout.columns("eeg")
        self.eeg_names = tuple(layout.names[i] for i in self.eeg_cols)
        self.eeg_problem = rate_problem(fs) if self.eeg_cols else ""  # EEG too slow for any feature window
        self.raw_cols = {k: layout.columns(k) for k in RAW_UNITS if layout.columns(k)}
        self.eeg: Stream | None = hub.open(EEG, fs, self.eeg_names) if self.eeg_cols else None
        self.raw = {k: hub.open(RAW[k], fs, tuple(layout.names[c] for c in cols)) for k, cols in self.raw_cols.items()}
        self.physio = {k: self.raw[k] for k in PHYSIO_KINDS if k in self.raw}  # features use each one's first column
        hop_rate = 1.0 / FEATURE_HOP
        self.gaps = hub.open(GAPS, hop_rate)
        self.band_power = hub.open(BAND_POWER, hop_rate)
        self.band_relative = hub.open(BAND_RELATIVE, hop_rate)
        self.features = hub.open(FEATURES, hop_rate)
        self.quality: Stream | None = None
        self.spectrum: Stream | None = None
        self.checks: Stream | None = None
        self._lost: list[tuple[float, int]] = []  # recent losses (session s, samples) for the packet-loss check
        self._bins = np.zeros(0, dtype=np.int64)
        if self.eeg_cols:
            self.quality = hub.open(QUALITY, hop_rate, self.eeg_names)
            freqs = np.fft.rfftfreq(max(8, round(fs)), 1.0 / fs)
            self._bins = np.flatnonzero((freqs > 0) & (freqs <= min(SPECTRUM_MAX_HZ, fs / 2)))
            self.spectrum = hub.open(SPECTRUM, hop_rate, tuple(f"{f:g}" for f in freqs[self._bins]))
            names = [f"{ch} {check}" for ch in self.eeg_names for check in CHECK_FIELDS]
            self.checks = hub.open(CHECKS, hop_rate / PHYSIO_EVERY, names, CHECK_UNITS * len(self.eeg_names))
        self.pairs = resolve_pairs(self.eeg_names, settings.asymmetry_pairs)
        self.models = MindModels.acquire() if self.eeg_cols else None
        self._newest: float | None = None
        self._next_end: float | None = None
        self._windows = 0
        self._physio: dict[str, float] = {}

    def ingest(self, t: FloatArray, data: FloatArray) -> int:
        """Write samples (``t`` session s, ``data`` samples x layout columns) to the raw streams; returns how many
        values were NaN or infinite (kept as gaps in the traces; bridged or flagged in the features)."""
        if t.size == 0:
            return 0
        if self.eeg is not None:
            self.eeg.extend(t, data[:, self.eeg_cols])
        for kind, cols in self.raw_cols.items():
            self.raw[kind].extend(t, data[:, cols])
        self._newest = float(t[-1])
        if self._next_end is None or self._next_end < self._newest - FEATURE_WINDOW:
            self._next_end = float(t[0]) + FEATURE_WINDOW if self._next_end is None else self._newest
        return int(np.count_nonzero(~np.isfinite(data)))

    def lost(self, gaps: list[tuple[float, int]]) -> None:
        """Note samples the source lost: (session time of the first lost sample in s, how many)."""
        for t, count in gaps:
            self.gaps.append(t, [float(count)])
            self._lost.append((t, count))

    def process(self) -> list[WindowResult]:
        """Every feature window whose end has been reached by the samples so far."""
        results = []
        while self._newest is not None and self._next_end is not None and self._next_end <= self._newest:
            results.append(self._window(self._next_end))
            self._next_end += FEATURE_HOP
        return results

    def _window(self, t_end: float) -> WindowResult:
        fs = self.layout.fs
        values = dict.fromkeys(FEATURE_FIELDS, math.nan)
        quality = np.zeros(0, dtype=np.int64)
        problem = ""
        eeg_quality = 1.0
        if self.eeg is not None and self.eeg_problem:
            problem = f"{self.eeg_problem}; no EEG features"
            eeg_quality = 0.0
        elif self.eeg is not None:
            window = self.eeg.last(FEATURE_WINDOW, t_end)
            if len(window) >= MIN_FILL * FEATURE_WINDOW * fs:
                quality, eeg_quality = self._eeg_features(t_end, window.values.T, values)
            else:
                problem = f"too few EEG samples in the last {FEATURE_WINDOW:g} s"
                eeg_quality = 0.0
        if self._windows % PHYSIO_EVERY == 0:
            self._physio = self._physio_features(t_end)
        self._windows += 1
        values.update(self._physio)
        self.features.append(t_end, [values[f] for f in FEATURE_FIELDS])
        features = BodyFeatures(
            log_engagement=values["log_engagement"],
            asymmetry=values["asymmetry"],
            heart_rate_bpm=values["heart_rate_bpm"],
            eda_tonic=values["eda_tonic"],
            eda_responses_per_min=values["eda_responses_per_min"],
            eeg_quality=eeg_quality,
        )
        return WindowResult(t_end, features, quality, problem)

    def _eeg_features(self, t_end: float, raw: FloatArray, values: dict[str, float]) -> tuple[NDArray[np.int64], float]:
        s, fs = self.settings, self.layout.fs
        filtered = filter_eeg(raw, fs, s)
        quality = channel_quality(raw, filtered, fs, s.notch_hz, s.quality)
        ok = usable(quality)
        if self._windows % PHYSIO_EVERY == 0:
            self._check(t_end, raw, filtered)
        freqs, psd = welch_psd(filtered, fs)
        powers = band_powers_from_psd(freqs, psd)
        width = len(BAND_NAMES)
        self.band_power.append(t_end, powers[ok].mean(axis=0) if ok.any() else np.full(width, np.nan))
        self.band_relative.append(t_end, relative(powers)[ok].mean(axis=0) if ok.any() else np.full(width, np.nan))
        assert self.quality is not None and self.spectrum is not None
        self.quality.append(t_end, quality.astype(np.float64))
        if psd.shape[1] > self._bins.max(initial=0):
            self.spectrum.append(
                t_end, psd[ok][:, self._bins].mean(axis=0) if ok.any() else np.full(self._bins.size, np.nan)
            )
        ratio = engagement(powers, ok)
        values["log_engagement"] = math.log(ratio) if ratio > 0 else math.nan
        values["asymmetry"] = alpha_asymmetry(powers, self.pairs, ok)
        if self.models is not None and ok.any():
            values.update(self.models.predict(model_features(freqs, psd[ok])))
        return quality, float(ok.mean())

    def _check(self, t_end: float, raw: FloatArray, filtered: FloatArray) -> None:
        """The signal checks of the window ending at ``t_end`` (s), with the samples lost within it."""
        start = t_end - FEATURE_WINDOW
        self._lost = [(t, n) for t, n in self._lost if t > start]
        lost = sum(n for t, n in self._lost if t <= t_end)
        checks = signal_checks(raw, filtered, self.layout.fs, self.settings.notch_hz, lost, self.settings.quality)
        assert self.checks is not None
        self.checks.append(t_end, checks.ravel())

    def _physio_features(self, t_end: float) -> dict[str, float]:
        fs = self.layout.fs
        values: dict[str, float] = {}
        heart_kind = "ecg" if "ecg" in self.physio else "ppg" if "ppg" in self.physio else None
        if heart_kind is not None:
            trace = self.physio[heart_kind].last(HEART_WINDOW, t_end).values[:, 0]
            if trace.size >= MIN_FILL * HEART_WINDOW * fs:
                beats = beat_times(trace, fs, heart_kind)
                values["heart_rate_bpm"] = heart_rate_bpm(beats, HEART_WINDOW)
                values["rmssd_ms"] = rmssd_ms(beats)
        if "eda" in self.physio:
            trace = self.physio["eda"].last(EDA_WINDOW, t_end).values[:, 0]
            if trace.size >= fs * 5:
                eda = eda_features(trace, fs)
                values["eda_tonic"] = eda.tonic
                values["eda_responses_per_min"] = eda.per_minute
        return values

    def close(self) -> None:
        if self.models is not None:
            self.models.release()
            self.models = None
