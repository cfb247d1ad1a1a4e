"""Each channel's health over a session: written whenever it changes, summed up for the report.

A session row says ok, degraded or down with the channel's own reason; the report turns the changes into time
spent in each state and the reasons behind the time not ok.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field

from sensors.base import ChannelStatus
from studio.store import Store, StoreError

STATES = ("ok", "degraded", "down")
StateRow = tuple[float, str, str, str]  # (session seconds, channel, state, detail)
_NUMBER = re.compile(r"\d+(\.\d+)?")


def reason_of(detail: str) -> str:
    """A reason without its changing numbers ("silence for 3.2 s" -> "silence for # s"), to add up its time."""
    return _NUMBER.sub("#", detail)


class ChannelWatch:
    """Writes a channel_states row for each channel whose state or reason changed since the last ``check``."""

    def __init__(self, store: Store, session_id: int, t0: float) -> None:
        """``t0``: the clock's time (s) at the session's start; rows are stamped in session seconds."""
        self._store = store
        self._session_id = session_id
        self._t0 = t0
        self._shown: dict[str, tuple[str, str]] = {}

    def check(self, now: float, statuses: Mapping[str, ChannelStatus]) -> None:
        """Compare the channels' health at clock time ``now`` (s) with the last rows written; write the changes. A
        failed write is left to the recorder to report (it fails the same way)."""
        rows: list[StateRow] = []
        for channel, status in statuses.items():
            ok = status.state.value == "ok"  # while ok, what it says changes nothing worth a row
            seen = (status.state.value, "" if ok else reason_of(status.detail))
            if self._shown.get(channel) != seen:
                rows.append((max(0.0, now - self._t0), channel, status.state.value, status.detail))
                self._shown[channel] = seen
        if rows:
            with suppress(StoreError):
                self._store.add_channel_states(self._session_id, rows)


@dataclass
class ChannelQuality:
    """One channel over a session: seconds in each state, the seconds behind each reason it was not ok, and the
    spans (start s, end s, state) to draw."""

    seconds: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STATES, 0.0))
    reasons: dict[tuple[str, str], float] = field(default_factory=dict)
    spans: list[tuple[float, float, str]] = field(default_factory=list)

    def share(self, state: str) -> float:
        """The share (0..1) of the session spent in ``state``."""
        total = sum(self.seconds.values())
        return self.seconds[state] / total if total > 0 else 0.0

    def worst_reasons(self, n: int = 2) -> list[tuple[str, str, float]]:
        """The ``n`` reasons that took the most time not ok: (state, reason as first said, seconds)."""
        ranked = sorted(self.reasons.items(), key=lambda item: -item[1])[:n]
        return [(state, detail, seconds) for (state, detail), seconds in ranked]


def channel_quality(rows: Sequence[StateRow], length: float) -> dict[str, ChannelQuality]:
    """Each channel's quality over a session of ``length`` seconds from its state changes (in time order); the
    state before a channel's first row counts as its first row's state."""
    by_channel: dict[str, list[StateRow]] = {}
    for row in rows:
        by_channel.setdefault(row[1], []).append(row)
    found: dict[str, ChannelQuality] = {}
    for channel, changes in by_channel.items():
        quality = found[channel] = ChannelQuality()
        first_words: dict[str, str] = {}
        for i, (t, _, state, detail) in enumerate(changes):
            start = 0.0 if i == 0 else min(t, length)
            end = min(length, changes[i + 1][0]) if i + 1 < len(changes) else length
            if end <= start:
                continue
            quality.seconds[state] += end - start
            quality.spans.append((start, end, state))
            if state != "ok":
                key = reason_of(detail)
                words = first_words.setdefault(key, detail)
                quality.reasons[(state, words)] = quality.reasons.get((state, words), 0.0) + end - start
    return found
