"""Fusing per-channel affect into one estimate: confidence-, freshness- and operator-weighted mean, with a
confidence that reflects coverage and agreement, and a disagreement indicator naming the conflict."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from fusion.affect import Affect, clip01


@dataclass(frozen=True)
class ChannelReading:
    """A channel's newest affect, the session time (seconds) it was measured at, and whether the outlier
    test rejected it; ``note`` is the channel's own word on its state (for example "no face in view")."""

    t: float
    affect: Affect
    outlier: bool = False
    note: str = ""


@dataclass(frozen=True)
class Contribution:
    """How much one channel counts in the fused estimate, and why it counts less than it could."""

    channel: str
    share: float  # this channel's part of the total weight, 0..1
    weight: float  # confidence x freshness x operator weight
    reason: str  # "" when the channel counts fully


@dataclass(frozen=True)
class Fused:
    """The fused estimate, each channel's part in it, how well the channels agree (0..1), and the strongest
    conflict between two channels in words ("" when they agree)."""

    affect: Affect
    contributions: tuple[Contribution, ...]
    agreement: float = 1.0
    conflict: str = ""

    @property
    def disagreement(self) -> float:
        return 1.0 - self.agreement


# How much each channel says about each axis (valence, arousal), on top of its weight: typed words carry
# sentiment but little about arousal (VADER reads only how emotional the wording is), and prosody carries arousal
# but only a weak valence (its estimator caps it at +-0.3). Channels not named say as much about both.
AXIS_TRUST: dict[str, tuple[float, float]] = {"text": (1.0, 0.25), "voice": (0.4, 1.0)}
AGREEMENT_SCALE = 1.0  # weighted spread of the channels on the plane at which agreement reaches 0
CONFLICT_AT = 0.7  # distance on the plane between two counted channels that is reported as a conflict
COUNTED_SHARE = 0.1  # a channel with less of the total weight is not part of a conflict


def freshness(age: float, stale_after: float) -> float:
    """1 for a reading up to half of ``stale_after`` seconds old, then falling linearly to 0 at ``stale_after``."""
    if stale_after <= 0:
        raise ValueError(f"stale_after must be positive seconds, got {stale_after}")
    half = stale_after / 2.0
    return clip01(1.0 - max(0.0, age - half) / half)


def reading_weight(reading: ChannelReading | None, age: float, stale_after: float, w_op: float) -> tuple[float, str]:
    """A channel's weight (confidence x freshness x operator weight) and why it counts less than fully."""
    if reading is None:
        return 0.0, "no data"
    if w_op <= 0:
        return 0.0, "weight set to 0"
    fresh = freshness(age, stale_after)
    if fresh <= 0:
        return 0.0, f"stale ({age:.1f} s old)"
    if reading.outlier:
        return 0.0, "outlier rejected"
    confidence = reading.affect.confidence
    if confidence <= 0:
        return 0.0, reading.note or "no signal"
    weight = confidence * fresh * w_op
    if fresh < 1:
        return weight, f"ageing ({age:.1f} s old)"
    if confidence < 0.5:
        return weight, f"low confidence ({reading.note})" if reading.note else "low confidence"
    return weight, ""


def describe_point(valence: float, arousal: float) -> str:
    """A point on the plane in words: "positive valence, high arousal"."""
    v = "positive" if valence > 0.15 else "negative" if valence < -0.15 else "neutral"
    a = "high" if arousal > 0.15 else "low" if arousal < -0.15 else "medium"
    return f"{v} valence, {a} arousal"


def strongest_conflict(points: Mapping[str, tuple[float, float]]) -> str:
    """The two channels furthest apart on the plane, in words, if they are at least CONFLICT_AT apart."""
    best = ("", "", 0.0)
    names = sorted(points)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            distance = math.dist(points[a], points[b])
            if distance > best[2]:
                best = (a, b, distance)
    a, b, distance = best
    if distance < CONFLICT_AT:
        return ""
    return f"{a} says {describe_point(*points[a])}; {b} says {describe_point(*points[b])}"


def axis_mean(counted: Sequence[tuple[str, float, Affect]], axis: int) -> float:
    """The weighted mean of one axis (0 valence, 1 arousal), each channel's weight scaled by its AXIS_TRUST."""
    weights = [w * AXIS_TRUST.get(c, (1.0, 1.0))[axis] for c, w, _ in counted]
    values = [a.valence if axis == 0 else a.arousal for _, _, a in counted]
    total = sum(weights)
    return sum(w * x for w, x in zip(weights, values, strict=True)) / total if total > 0 else 0.0


def fuse(
    readings: Mapping[str, ChannelReading | None],
    now: float,
    stale_after: Mapping[str, float],
    weights: Mapping[str, float],
) -> Fused:
    """Weighted mean of the channels' valence and arousal at session time ``now`` (seconds).

    Each channel's weight is its confidence x freshness (age against ``stale_after``, seconds) x the
    operator's weight (and, per axis, its AXIS_TRUST); rejected outliers weigh 0. The fused confidence is the
    weighted mean confidence x sqrt(coverage) x (0.5 + 0.5 x agreement): coverage is how much of the possible
    weight is present, so one
    weak channel alone never yields a confident estimate, and channels that contradict each other halve it
    at most. Agreement falls linearly with the weighted spread of the channels around the fused point.
    """
    rows: list[tuple[str, float, Affect | None, str]] = []
    for channel, reading in readings.items():
        age = now - reading.t if reading is not None else 0.0
        w, reason = reading_weight(reading, age, stale_after.get(channel, 2.0), weights.get(channel, 1.0))
        rows.append((channel, w, reading.affect if reading is not None else None, reason))

    total = sum(w for _, w, _, _ in rows)
    possible = sum(max(0.0, weights.get(c, 1.0)) for c, _, _, _ in rows)
    if total <= 0 or possible <= 0:
        contributions = tuple(Contribution(c, 0.0, 0.0, r or "no signal") for c, _, _, r in rows)
        return Fused(Affect(0.0, 0.0, 0.0), contributions)

    counted = [(c, w, a) for c, w, a, _ in rows if a is not None and w > 0]
    valence, arousal = (axis_mean(counted, axis) for axis in (0, 1))
    mean_conf = sum(w * a.confidence for _, w, a in counted) / total
    spread = math.sqrt(
        sum(w * math.dist((a.valence, a.arousal), (valence, arousal)) ** 2 for _, w, a in counted) / total
    )
    agreement = clip01(1.0 - spread / AGREEMENT_SCALE)
    coverage = total / possible
    confidence = mean_conf * math.sqrt(clip01(coverage)) * (0.5 + 0.5 * agreement)
    contributions = tuple(Contribution(c, w / total, w, r) for c, w, _, r in rows)
    conflict = strongest_conflict({c: (a.valence, a.arousal) for c, w, a in counted if w / total >= COUNTED_SHARE})
    return Fused(Affect.make(valence, arousal, confidence), contributions, agreement, conflict)


FULL_CONFIDENCE = 0.1  # a fused confidence at or above which smoothing runs at its full rate


class Smoother:
    """First-order exponential smoothing with a time constant ``tau`` (seconds), for irregular steps."""

    def __init__(self, tau: float) -> None:
        if tau < 0:
            raise ValueError(f"time constant must be >= 0 s, got {tau}")
        self.tau = tau
        self._t: float | None = None
        self._v = 0.0
        self._a = 0.0
        self._c = 0.0

    def update(self, t: float, affect: Affect) -> Affect:
        """Feed the estimate at session time ``t`` (seconds); returns the smoothed estimate."""
        if self._t is None or self.tau == 0:
            self._v, self._a, self._c = affect.valence, affect.arousal, affect.confidence
        else:
            dt = max(0.0, t - self._t)
            k = 1.0 - math.exp(-dt / self.tau)
            # An estimate with (almost) no confidence does not drag the state; above FULL_CONFIDENCE it moves
            # the state at the full rate, so the time constant holds.
            k_move = k * min(1.0, affect.confidence / FULL_CONFIDENCE)
            self._v += k_move * (affect.valence - self._v)
            self._a += k_move * (affect.arousal - self._a)
            self._c += k * (affect.confidence - self._c)
        self._t = t
        return Affect.make(self._v, self._a, self._c)


def checked_weights(weights: Mapping[str, float], channels: Sequence[str]) -> dict[str, float]:
    """Every channel's operator weight (1 where none is given), or ValueError naming the bad one: each must
    be a finite number >= 0 for a known channel, and at least one must be above 0."""
    unknown = set(weights) - set(channels)
    if unknown:
        raise ValueError(f"unknown channel(s) {', '.join(sorted(unknown))}; the channels are {', '.join(channels)}")
    for channel, w in weights.items():
        if not math.isfinite(w) or w < 0:
            raise ValueError(f"weight of {channel} is {w:g}; a weight must be a number of 0 or more")
    complete = {c: float(weights.get(c, 1.0)) for c in channels}
    if not any(w > 0 for w in complete.values()):
        raise ValueError("every channel weight is 0; give at least one channel a weight above 0")
    return complete
