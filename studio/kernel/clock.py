"""The session clock: one time base, in seconds, for every sample the studio records."""

from __future__ import annotations

import time
from collections.abc import Callable


class SessionClock:
    """Monotonic seconds since the session started.

    Every sample is stamped with ``now()`` when it is acquired. Devices that carry their own wall-clock
    timestamps (BrainFlow boards) are mapped onto this clock with ``from_unix``.
    """

    def __init__(self, source: Callable[[], float] = time.monotonic) -> None:
        self._source = source
        self._t0 = source()
        self._unix_at_t0 = time.time()

    def now(self) -> float:
        """Seconds since the session started."""
        return self._source() - self._t0

    def restart(self) -> None:
        """Make now the session's zero (when the session starts, after whatever preparing it took)."""
        self._t0 = self._source()
        self._unix_at_t0 = time.time()

    def from_unix(self, unix_seconds: float) -> float:
        """Map a wall-clock (Unix, seconds) timestamp onto the session clock."""
        return unix_seconds - self._unix_at_t0

    @property
    def unix_start(self) -> float:
        """Wall-clock time (Unix seconds) at which the session clock read zero."""
        return self._unix_at_t0


class ManualClock(SessionClock):
    """A clock that only moves when told to: for tests and offline replays."""

    def __init__(self, start: float = 0.0) -> None:
        self._now = start
        super().__init__(source=lambda: self._now)
        self._t0 = 0.0

    def restart(self) -> None:
        """A manual clock's zero is its caller's: restarting changes nothing."""

    def advance(self, seconds: float) -> float:
        """Move the clock forward by ``seconds`` and return the new time."""
        if seconds < 0:
            raise ValueError(f"a clock cannot go back ({seconds} s)")
        self._now += seconds
        return self._now

    def set(self, t: float) -> None:
        """Jump to session time ``t`` (seconds); it may not go back."""
        self.advance(t - self._now)
