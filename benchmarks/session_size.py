"""Session size, memory growth and export times for a 60-minute headless demo session.

Records a real headless demo session for ``--minutes`` (default 12) while sampling the process's resident
memory, then makes a 60-minute database by repeating the recorded rows at later session times (the same
rates and row sizes), and times ``affect-studio export`` to every format on it. Prints JSON.

Memory: the live streams keep up to 600 s in ring buffers whose pages fill during the first ten minutes, so
the growth that matters (minute 5 to 60) is extrapolated from the slope after 630 s; runs shorter than
about 12 minutes measure it from the first minute and say ``ring_buffers_still_filling``.

Run: .venv/bin/python -m benchmarks.session_size [--minutes 12]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

TARGET_MIN = 60.0
BUFFERS_FULL = 630.0  # seconds: every in-memory ring buffer (at most 600 s of history) is full by then
FORMATS = ("csv", "parquet", "edf", "report")


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def record(store: Path, seconds: float) -> tuple[list[tuple[float, float]], int]:
    """A headless demo run of ``seconds``; returns (seconds since start, RSS MB) samples and the session id."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "studio", "run", "--demo", "--headless", "--audio", "silent", "--consent", "research",
         "--duration", str(seconds), "--store", str(store)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    first = json.loads(proc.stdout.readline())
    start = time.monotonic()
    memory = []
    while proc.poll() is None:
        try:
            memory.append((time.monotonic() - start, rss_mb(proc.pid)))
        except OSError:
            break
        time.sleep(1.0)
    proc.communicate()
    return memory, int(first["session_id"])


def stretch(store: Path, sid: int, span: float, target: float) -> None:
    """Repeat the session's rows at t + k*span until it covers ``target`` seconds."""
    db = sqlite3.connect(store)
    copies = int(np.ceil(target / span)) - 1
    for table in ("channel_affect", "fused_affect", "music_params", "markers", "control_log", "features",
                  "operator_actions"):  # fmt: skip
        cols = [r[1] for r in db.execute(f"PRAGMA table_info({table})")]
        select = ", ".join("t + ?" if c == "t" else c for c in cols)
        for k in range(1, copies + 1):
            db.execute(
                f"INSERT INTO {table} SELECT {select} FROM {table} WHERE session_id = ? AND t < ?",
                (k * span, sid, span),
            )
    query = "SELECT stream, t0, n, t, vals, dtype FROM samples WHERE session_id = ? AND t0 < ?"
    rows = db.execute(query, (sid, span)).fetchall()
    for k in range(1, copies + 1):
        db.executemany(
            "INSERT INTO samples VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(sid, s, t0 + k * span, n, (np.frombuffer(t) + k * span).tobytes(), v, d) for s, t0, n, t, v, d in rows],
        )
    db.execute("UPDATE sessions SET last_t = ? WHERE id = ?", (span * (copies + 1), sid))
    db.commit()
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=12.0, help="length of the real recording")
    args = parser.parse_args()
    seconds = args.minutes * 60
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "studio.sqlite"
        memory, sid = record(store, seconds)
        recorded_mb = sum(p.stat().st_size for p in Path(tmp).glob("studio.sqlite*")) / 1e6
        t = np.array([m[0] for m in memory])
        rss = np.array([m[1] for m in memory])
        filled = t[-1] > BUFFERS_FULL + 60  # long enough to see the growth once the buffers stop growing
        steady = t >= (BUFFERS_FULL if filled else 60.0)
        slope = float(np.polyfit(t[steady], rss[steady], 1)[0]) * 60 if steady.sum() > 10 else float("nan")
        rss_at_5 = float(rss[-1] + slope * (5 - t[-1] / 60))
        growth_5_to_60 = slope * 55
        big = Path(tmp) / "sixty.sqlite"
        shutil.copy(store, big)
        stretch(big, sid, seconds, TARGET_MIN * 60)
        exports = {}
        for fmt in FORMATS:
            t0 = time.monotonic()
            done = subprocess.run(
                [sys.executable, "-m", "studio", "export", str(sid), "--format", fmt, "--out", str(Path(tmp) / fmt),
                 "--store", str(big)],
                capture_output=True, text=True,
            )  # fmt: skip
            assert done.returncode == 0, done.stderr
            exports[fmt] = round(time.monotonic() - t0, 2)
        print(
            json.dumps(
                {
                    "recorded_minutes": args.minutes,
                    "recorded_db_mb": round(recorded_mb, 2),
                    "db_mb_60_min_extrapolated": round(recorded_mb * TARGET_MIN / args.minutes, 1),
                    "db_mb_60_min_stretched_file": round(big.stat().st_size / 1e6, 1),
                    "rss_mb_first_minute": round(float(rss[t < 60].max()), 1),
                    "rss_mb_end": round(float(rss[-1]), 1),
                    "rss_growth_mb_per_min": round(slope, 3),
                    "rss_growth_measured_after_s": BUFFERS_FULL if filled else 60.0,
                    "ring_buffers_still_filling": not filled,
                    "rss_growth_pct_min5_to_min60_extrapolated": round(100 * growth_5_to_60 / rss_at_5, 2),
                    "export_seconds_60_min": exports,
                    "load_average": os.getloadavg(),
                }
            )
        )


if __name__ == "__main__":
    main()
