"""Fusing per-channel affect into one estimate: confidence-, freshness- and operator-weighted mean."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from fusion.affect import Affect, clip01


@dataclass(frozen=True)
class ChannelReading:
    """A channel's newest affect and the session time (seconds) it was measured at."""

    t: float
    affect: Affect


@dataclass(frozen=True)
class Contribution:
    """How much one channel counts in the fused estimate, and why it counts less than it could."""

    channel: str
    share: float  # this channel's part of the total weight, 0..1
    weight: float  # confidence x freshness x operator weight
    reason: str  # "" when the channel counts fully


@dataclass(frozen=True)
class Fused:
    affect: Affect
    contributions: tuple[Contribution, ...]


def freshness(age: float, stale_after: float) -> float:
    """1 for a reading up to half of ``stale_after`` seconds old, then falling linearly to 0 at ``stale_after``."""
    if stale_after <= 0:
        raise ValueError(f"stale_after must be positive seconds, got {stale_after}")
    half = stale_after / 2.0
    return clip01(1.0 - max(0.0, age - half) / half)


def fuse(
    readings: Mapping[str, ChannelReading | None],
    now: float,
    stale_after: Mapping[str, float],
    weights: Mapping[str, float],
) -> Fused:
    """Weighted mean of the channels' valence and arousal.

    Each channel's weight is its confidence x freshness (age against ``stale_after``, seconds) x the
    operator's weight. The fused confidence is the weighted mean confidence times coverage (how much of the
    possible weight is present), so one weak channel alone never yields a confident estimate.
    """
    rows: list[tuple[str, float, Affect | None, str]] = []
    for channel, reading in readings.items():
        w_op = weights.get(channel, 1.0)
        if reading is None:
            rows.append((channel, 0.0, None, "no data"))
            continue
        fresh = freshness(now - reading.t, stale_after.get(channel, 2.0))
        w = reading.affect.confidence * fresh * w_op
        if w_op <= 0:
            reason = "weight set to 0"
        elif fresh <= 0:
            reason = f"stale ({now - reading.t:.1f} s old)"
        elif reading.affect.confidence <= 0:
            reason = "no signal"
        elif fresh < 1:
            reason = f"ageing ({now - reading.t:.1f} s old)"
        elif reading.affect.confidence < 0.5:
            reason = "low confidence"
        else:
            reason = ""
        rows.append((channel, w, reading.affect, reason))

    total = sum(w for _, w, _, _ in rows)
    possible = sum(max(0.0, weights.get(c, 1.0)) for c, _, _, _ in rows)
    if total <= 0 or possible <= 0:
        contributions = tuple(Contribution(c, 0.0, 0.0, r or "no signal") for c, _, _, r in rows)
        return Fused(Affect(0.0, 0.0, 0.0), contributions)

    valence = sum(w * a.valence for _, w, a, _ in rows if a is not None) / total
    arousal = sum(w * a.arousal for _, w, a, _ in rows if a is not None) / total
    mean_conf = sum(w * a.confidence for _, w, a, _ in rows if a is not None) / total
    coverage = total / possible
    confidence = mean_conf * math.sqrt(clip01(coverage))
    contributions = tuple(Contribution(c, w / total, w, r) for c, w, _, r in rows)
    return Fused(Affect.make(valence, arousal, confidence), contributions)


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
