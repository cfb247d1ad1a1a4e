"""Running a session with no window: for labs, CI and scripted studies."""

from __future__ import annotations

import json
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any, TextIO

from studio.app import Studio
from studio.config import Config
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
) -> dict[str, Any]:
    """Run for ``duration`` seconds (or until SIGINT/SIGTERM, or until recording fails), recording into ``store``,
    beginning with a resting calibration of ``calibrate`` seconds when given.

    Prints a JSON line when recording starts and a one-line JSON summary at the end, and returns the summary.
    Markers in ``options.markers`` are set at their session times. The summary counts the control-log entries
    and gives each music parameter's range over the run.
    """
    studio = Studio(config, demo=demo, store=store, options=options)
    stop = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    wall0 = time.monotonic()
    studio.start()
    rows: dict[str, int] = {}
    try:
        assert studio.recorder is not None and studio.database is not None
        first: dict[str, Any] = {
            "event": "recording",
            "session_id": studio.recorder.session_id,
            "database": str(studio.store),
        }
        if studio.database.interrupted:
            first["interrupted_sessions"] = studio.database.interrupted
        if studio.database.notice:
            first["notice"] = studio.database.notice
            print(studio.database.notice, file=sys.stderr, flush=True)
        if calibrate is not None:
            studio.calibrate(calibrate)
        print(json.dumps(first), file=stream, flush=True)
        wait_and_mark(studio, stop, duration)
    finally:
        interrupted = stop.is_set()
        statuses = studio.statuses()  # as the channels were at the end, before stopping closes them
        baselines = studio.baselines
        rows = studio.stop("interrupted" if interrupted else "completed")
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
        "audio_backend": studio.engine.backend.detail,
        "channels": {ch: {"state": s.state.value, "detail": s.detail} for ch, s in statuses.items()},
        "status": "interrupted" if interrupted else "completed",
    }
    if studio.marker_inputs or studio.input_problems:
        summary["marker_inputs"] = studio.marker_input_summary()
    if studio.recording_problem:
        summary["status"] = "stopped"
        summary["problem"] = studio.recording_problem
    print(json.dumps(summary), file=stream, flush=True)
    return summary


def wait_and_mark(studio: Studio, stop: threading.Event, duration: float) -> None:
    """Wait ``duration`` seconds (or for ``stop``), setting scheduled markers on time; a recording
    that stopped early (disk full) ends the run."""
    pending = sorted(studio.options.markers)
    deadline = time.monotonic() + duration
    while not stop.is_set():
        now = studio.clock.now()
        while pending and pending[0][0] <= now:
            studio.add_marker(pending.pop(0)[1], source="command line")
        left = deadline - time.monotonic()
        if left <= 0 or studio.recording_problem:
            return
        stop.wait(min(POLL, left))
