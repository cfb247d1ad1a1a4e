"""The one way a test waits for something that runs by itself (a real process, device, network or thread): poll a
condition until it holds, up to a deadline. Tests that need it are marked ``slow``; every other test steps the
studio by hand (tests/stepped.py) and never waits for time to pass."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from sensors.base import Source
from studio.kernel.clock import SessionClock


def qt_pause(seconds: float) -> None:
    """A pause that keeps Qt's event loop running (timers, queued signals, repaints)."""
    from PySide6.QtTest import QTest

    QTest.qWait(round(seconds * 1000))


def wait_until(
    condition: Callable[[], object],
    seconds: float,
    why: str | Callable[[], object] = "",
    *,
    every: float = 0.05,
    between: Callable[[], object] | None = None,
    pause: Callable[[float], None] = time.sleep,
) -> None:
    """Poll ``condition`` every ``every`` seconds until it holds; fail the test once ``seconds`` have passed.

    ``why`` says what did not happen (a callable is asked at the moment of failing, for the state then);
    ``between`` runs before each pause (a source stepped as its worker would step it); ``pause`` is
    ``qt_pause`` where Qt must keep running meanwhile.
    """
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            reason = why() if callable(why) else why
            pytest.fail(f"not within {seconds:g} s" + (f": {reason}" if reason else ""))
        if between is not None:
            between()
        pause(every)


def step_live(source: Source, clock: SessionClock, condition: Callable[[], object], seconds: float) -> None:
    """Step ``source`` on the session clock every period, as its worker does in the studio, until ``condition``
    holds (within ``seconds``); a failure shows the channel's status."""
    step = lambda: source.step(clock.now())  # noqa: E731
    wait_until(condition, seconds, lambda: source.status, every=source.period, between=step)


def recorded(database: Path, sql: str) -> Any:
    """The first value ``sql`` finds in a session database that another process is writing; None while the file or
    its tables are not there yet."""
    if not database.exists():
        return None
    try:
        with closing(sqlite3.connect(database, timeout=1)) as db:
            row = db.execute(sql).fetchone()
    except sqlite3.OperationalError:  # the schema is still being written
        return None
    return None if row is None else row[0]
