"""Running a session with no window: for labs, CI and scripted studies."""

from __future__ import annotations

import json
import math
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any, TextIO

from studio.app import Studio
from studio.config import Config
from studio.kernel.clock import ManualClock, SessionClock
from studio.levers import response_summary
from studio.listener import ListenerSpec
from studio.session import SessionOptions

POLL = 0.1  # seconds between looks at the clock, the marker schedule and the recorder


def run_headless(
    config: Config,
    demo: bool,
    duration: float,
    store: Path,
    stream: TextIO = sys.stdout,
    options: SessionOptions | None = None,
    calibrate: float | None = None,
    speed: float = 1.0,
    listener: ListenerSpec | None = None,
) -> dict[str, Any]:
    """Run for ``duration`` session seconds (or until SIGINT, SIGTERM or SIGHUP, a remote ``stop``, or until recording
    fails; a signal or a remote stop ends the session cleanly, as completed, as closing the window does), recording into
    ``store``, beginning with a resting calibration of ``calibrate`` seconds when given. At a ``speed`` other
    than 1 the session runs on a simulated clock, ``speed`` session seconds per wall second (0: as fast as the
    machine can), with the audio silent; the demo's virtual ``listener`` is the typical one unless given.

    Prints a JSON line when recording starts and a one-line JSON summary at the end, and returns the summary.
    Markers in ``options.markers`` are set at their session times. The summary counts the control-log entries,
    gives each music parameter's range over the run, says whether the person followed the music and how long the
    goal took (``loop``), and, with a listener, its true state (``listener``).
    """
    realtime = speed == 1.0
    clock = SessionClock() if realtime else ManualClock()
    studio = Studio(config, demo=demo, store=store, options=options, clock=clock, listener=listener, realtime=realtime)
    stop = threading.Event()
    ended_by: list[str] = []  # what ended the run before its duration: a signal's name or "remote stop"

    def stop_for(reason: str) -> None:
        ended_by.append(reason)
        stop.set()

    studio.remote_target.on_stop = lambda: stop_for("remote stop")

    def on_signal(signum: int, _frame: object) -> None:
        stop_for(signal.Signals(signum).name)

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    wall0 = time.monotonic()
    studio.start(run_workers=realtime)
    rows: dict[str, int] = {}
    try:
        assert studio.recorder is not None and studio.database is not None
        first: dict[str, Any] = {
            "event": "recording",
            "session_id": studio.recorder.session_id,
            "database": str(studio.store),
        }
        if studio.remote is not None:
            first["remote"] = studio.remote.detail
        if studio.database.interrupted:
            first["interrupted_sessions"] = studio.database.interrupted
        if studio.database.notice:
            first["notice"] = studio.database.notice
            print(studio.database.notice, file=sys.stderr, flush=True)
        for notice in studio.notices:
            print(notice, file=sys.stderr, flush=True)
        if calibrate is not None:
            studio.calibrate(calibrate)
        print(json.dumps(first), file=stream, flush=True)
        if realtime:
            wait_and_mark(studio, stop, duration)
        else:
            assert isinstance(clock, ManualClock)
            simulate(studio, clock, stop, duration, speed)
    finally:
        signalled = bool(ended_by) and ended_by[0] != "remote stop"
        if realtime and not signalled and studio.engine.backend.kind != "silent":
            stop.wait(studio.engine.finish())  # heard music ends with a cadence (a signal asks for a quick end)
        statuses = studio.statuses()  # as the channels were at the end, before stopping closes them
        baselines = studio.baselines
        following = studio.loop.following()
        reached = studio.loop.goal_watch.time_to_goal
        time_to_goal = None if reached is None else round(reached, 2)
        failed = bool(studio.recording_problem)
        rows = studio.stop("completed")
        if studio.recording_problem:
            print(studio.recording_problem, file=sys.stderr, flush=True)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    assert studio.recorder is not None
    log = studio.control_log.last(len(studio.control_log))
    summary: dict[str, Any] = {
        "event": "summary",
        "session_id": studio.recorder.session_id,
        "database": str(studio.store),
        "duration_s": round(time.monotonic() - wall0, 3),
        "ticks": studio.loop.ticks,
        "rows": rows,
        "control_log_entries": len(log),
        "control_log_by": {who: sum(1 for c in log if c.who == who) for who in sorted({c.who for c in log})},
        "music": studio.loop.ranges.summary(),
        "baselines": sorted(baselines),
        "policy": studio.loop.policy_kind.value,
        "speed": speed,
        "session_s": round(studio.clock.now(), 3),
        "loop": {"following": following, "time_to_goal_s": time_to_goal},
        "response": response_summary(studio.loop.response),
        "audio_backend": studio.engine.backend.detail,
        "channels": {ch: {"state": s.state.value, "detail": s.detail} for ch, s in statuses.items()},
        "status": "completed",
        "ended_by": ended_by[0] if ended_by else "recording failed" if failed else "duration",
    }
    if studio.listener is not None:
        summary["listener"] = studio.listener.summary()
    if studio.notices:
        summary["notices"] = list(studio.notices)
    if studio.marker_inputs or studio.input_problems:
        summary["marker_inputs"] = studio.marker_input_summary()
    if studio.remote is not None:
        summary["remote"] = studio.remote.summary()
    if studio.recording_problem:
        summary["status"] = "stopped"
        summary["problem"] = studio.recording_problem
    print(json.dumps(summary), file=stream, flush=True)
    return summary


def mark_due(studio: Studio, pending: list[tuple[float, str]], now: float) -> None:
    """Set the scheduled markers (session seconds, label) due by ``now``, removing them from ``pending``."""
    while pending and pending[0][0] <= now:
        studio.add_marker(pending.pop(0)[1], source="command line")


def wait_and_mark(studio: Studio, stop: threading.Event, duration: float) -> None:
    """Wait ``duration`` seconds (or for ``stop``), setting scheduled markers on time; a recording
    that stopped early (disk full) ends the run."""
    pending = sorted(studio.options.markers)
    deadline = time.monotonic() + duration
    while not stop.is_set():
        mark_due(studio, pending, studio.clock.now())
        left = deadline - time.monotonic()
        if left <= 0 or studio.recording_problem:
            return
        stop.wait(min(POLL, left))


def simulate(studio: Studio, clock: ManualClock, stop: threading.Event, duration: float, speed: float) -> None:
    """Drive a studio started without workers on a simulated clock: one loop tick after another up to
    ``duration`` session seconds, ``speed`` session seconds per wall second (0: no waiting at all)."""
    pending = sorted(studio.options.markers)
    tick = 1.0 / studio.config.loop.rate_hz
    wall0 = time.monotonic()
    steps = math.ceil(duration / tick - 1e-9)
    for i in range(1, steps + 1):
        if stop.is_set() or studio.recording_problem:
            return
        now = min(duration, i * tick)
        clock.set(now)
        mark_due(studio, pending, now)
        studio.advance(now)
        if speed > 0:
            ahead = now / speed - (time.monotonic() - wall0)
            if ahead > 0:
                stop.wait(ahead)
