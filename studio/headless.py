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


def run_headless(
    config: Config,
    demo: bool,
    duration: float,
    out_dir: Path,
    stream: TextIO = sys.stdout,
    calibrate: float | None = None,
) -> dict[str, Any]:
    """Run for ``duration`` seconds (or until SIGINT/SIGTERM), recording into ``out_dir/session.sqlite``,
    beginning with a resting calibration of ``calibrate`` seconds when given.

    Prints a JSON line when recording starts and a one-line JSON summary at the end, and returns the summary.
    The summary counts the control-log entries and gives each music parameter's range over the run.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    studio = Studio(config, demo=demo, store=out_dir / "session.sqlite")
    stop = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    wall0 = time.monotonic()
    studio.start()
    rows: dict[str, int] = {}
    try:
        assert studio.recorder is not None
        if calibrate is not None:
            studio.calibrate(calibrate)
        print(
            json.dumps({"event": "recording", "session_id": studio.recorder.session_id, "database": str(studio.store)}),
            file=stream,
            flush=True,
        )
        stop.wait(duration)
    finally:
        interrupted = stop.is_set()
        statuses = studio.statuses()  # as the channels were at the end, before stopping closes them
        rows = studio.stop("interrupted" if interrupted else "completed")
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
        "baselines": studio.baselines,
        "audio_backend": studio.engine.backend.detail,
        "channels": {ch: {"state": s.state.value, "detail": s.detail} for ch, s in statuses.items()},
        "status": "interrupted" if interrupted else "completed",
    }
    print(json.dumps(summary), file=stream, flush=True)
    return summary
