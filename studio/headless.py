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
    config: Config, demo: bool, duration: float, out_dir: Path, stream: TextIO = sys.stdout
) -> dict[str, Any]:
    """Run for ``duration`` seconds (or until SIGINT/SIGTERM), recording into ``out_dir/session.sqlite``.

    Prints a JSON line when recording starts and a one-line JSON summary at the end, and returns the summary.
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
        print(
            json.dumps({"event": "recording", "session_id": studio.recorder.session_id, "database": str(studio.store)}),
            file=stream,
            flush=True,
        )
        stop.wait(duration)
    finally:
        interrupted = stop.is_set()
        rows = studio.stop("interrupted" if interrupted else "completed")
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    assert studio.recorder is not None
    summary: dict[str, Any] = {
        "event": "summary",
        "session_id": studio.recorder.session_id,
        "database": str(studio.store),
        "duration_s": round(time.monotonic() - wall0, 3),
        "ticks": studio.loop.ticks,
        "rows": rows,
        "audio_backend": studio.engine.backend.detail,
        "channels": {ch: {"state": s.state.value, "detail": s.detail} for ch, s in studio.statuses().items()},
        "status": "interrupted" if interrupted else "completed",
    }
    print(json.dumps(summary), file=stream, flush=True)
    return summary
