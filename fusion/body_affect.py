"""The body channel's affect estimate: arousal from EDA, heart rate and EEG engagement, valence from frontal
alpha asymmetry, each relative to the person's own resting baseline, with a modest confidence."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from fusion.affect import NO_AFFECT, Affect, real_number

# Feature -> (weight in arousal, smallest spread used for its z-score). Engagement and asymmetry are natural
# logs of power ratios, heart rate is in bpm, the EDA level in its own units (µS for boards), responses per min.
AROUSAL_PARTS: dict[str, tuple[float, float]] = {
    "log_engagement": (1.0, 0.1),
    "heart_rate_bpm": (1.0, 3.0),
    "eda_tonic": (1.0, 0.0),
    "eda_responses_per_min": (0.5, 1.0),
}
VALENCE_PART = "asymmetry"
VALENCE_FLOOR = 0.1
FEATURES = (*AROUSAL_PARTS, VALENCE_PART)
EDA_RELATIVE_FLOOR = 0.05  # the EDA level's spread is at least 5% of its baseline level
MAX_CONFIDENCE = 0.45  # scalp EEG and peripheral physiology are weak, slow affect signals
CALIBRATING_SHARE = 0.3  # confidence is cut to this share until the baseline is complete
AUTO_BASELINE_SECONDS = 20.0  # without a calibration request, the first seconds of input are the baseline
SCALE = 1.5  # z-score that maps to tanh(1) ~ 0.76


@dataclass(frozen=True)
class BodyFeatures:
    """One window's features; NaN marks what this source does not have (no EDA sensor, no frontal pair, ...).
    ``eeg_quality`` is the share of usable EEG channels (1 when there is no EEG)."""

    log_engagement: float = math.nan
    asymmetry: float = math.nan
    heart_rate_bpm: float = math.nan
    eda_tonic: float = math.nan
    eda_responses_per_min: float = math.nan
    eeg_quality: float = 1.0

    def value(self, name: str) -> float:
        return float(getattr(self, name))


class Baseline:
    """A resting profile: mean and spread of each feature over a stretch of input (session seconds)."""

    def __init__(self) -> None:
        self._samples: dict[str, list[float]] = {name: [] for name in FEATURES}
        self.values: dict[str, float] = {}

    def add(self, features: BodyFeatures) -> None:
        for name in FEATURES:
            v = features.value(name)
            if math.isfinite(v):
                self._samples[name].append(v)
        self.values = {}
        for name, vs in self._samples.items():
            if vs:
                self.values[f"{name}_mean"] = float(np.mean(vs))
                self.values[f"{name}_std"] = float(np.std(vs))

    def z(self, name: str, value: float, floor: float) -> float:
        """How far ``value`` is from the resting mean, in resting spreads (NaN if either is unknown)."""
        mean = self.values.get(f"{name}_mean")
        if mean is None or not math.isfinite(value):
            return math.nan
        if name == "eda_tonic":
            floor = EDA_RELATIVE_FLOOR * abs(mean) + 1e-9
        return (value - mean) / max(self.values[f"{name}_std"], floor)

    @staticmethod
    def checked(values: dict[str, float]) -> dict[str, float]:
        """A stored profile, checked: known feature names, finite numbers, means with their spreads."""
        known = {f"{n}_{s}" for n in FEATURES for s in ("mean", "std")}
        out = {}
        for key, value in values.items():
            if key not in known:
                raise ValueError(f"unknown body baseline value {key!r}; known: {', '.join(sorted(known))}")
            if not real_number(value) or not math.isfinite(value):
                raise ValueError(f"body baseline value {key} = {value!r} must be a finite number")
            out[key] = float(value)
        for key in out:
            partner = key.replace("_mean", "_std") if key.endswith("_mean") else key.replace("_std", "_mean")
            if partner not in out:
                raise ValueError(f"body baseline value {key} comes without {partner}")
        return out


class BodyAffect:
    """Turns window features (stamped in seconds) into affect relative to a baseline, and keeps the calibration
    contract: ``calibrate(seconds)``, ``baseline()``, ``load_baseline(values)``."""

    def __init__(self, auto_seconds: float = AUTO_BASELINE_SECONDS) -> None:
        self._auto_seconds = auto_seconds
        self._collecting = Baseline()
        self._baseline: dict[str, float] | None = None
        self._seconds = auto_seconds
        self._start: float | None = None

    def forget(self) -> None:
        """Drop the resting profile and collect one again automatically, as when new."""
        self._baseline = None
        self.calibrate(self._auto_seconds)

    def calibrate(self, seconds: float) -> None:
        """Collect a new resting profile over the next ``seconds`` of windows; the old one stays in use meanwhile."""
        if not seconds > 0:
            raise ValueError(f"calibration needs a positive duration in seconds, got {seconds}")
        self._collecting = Baseline()
        self._seconds = seconds
        self._start = None

    @property
    def calibrating(self) -> bool:
        return self._seconds > 0

    def seconds_left(self, t: float) -> float:
        return max(0.0, self._seconds - (t - self._start)) if self._start is not None else self._seconds

    def baseline(self) -> dict[str, float] | None:
        return dict(self._baseline) if self._baseline is not None else None

    def load_baseline(self, values: dict[str, float]) -> None:
        """Use a stored profile from now on (ValueError if it is not one); any calibration under way stops."""
        self._baseline = Baseline.checked(values)
        self._seconds = 0.0

    def update(self, t: float, features: BodyFeatures) -> Affect:
        """The estimate for the window ending at ``t`` (s)."""
        if self.calibrating:
            if self._start is None:
                self._start = t
            self._collecting.add(features)
            if t - self._start >= self._seconds:
                self._baseline = dict(self._collecting.values)
                self._seconds = 0.0
        reference = Baseline()
        reference.values = self._baseline if self._baseline is not None else self._collecting.values
        weights = 0.0
        total = 0.0
        for name, (weight, floor) in AROUSAL_PARTS.items():
            z = reference.z(name, features.value(name), floor)
            if math.isfinite(z):
                total += weight * z
                weights += weight
        z_val = reference.z(VALENCE_PART, features.asymmetry, VALENCE_FLOOR)
        if weights == 0 and not math.isfinite(z_val):
            return NO_AFFECT
        arousal = math.tanh(total / weights / SCALE) if weights else 0.0
        valence = math.tanh(z_val / SCALE) if math.isfinite(z_val) else 0.0
        coverage = (weights / sum(w for w, _ in AROUSAL_PARTS.values()) + (1.0 if math.isfinite(z_val) else 0.0)) / 2
        confidence = MAX_CONFIDENCE * (0.5 + 0.5 * coverage) * features.eeg_quality
        if self._baseline is None:
            confidence *= CALIBRATING_SHARE
        return Affect.make(valence, arousal, confidence)
