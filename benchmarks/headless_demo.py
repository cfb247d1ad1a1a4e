"""Headless demo: CPU use (share of one core) and fusion-tick duration (p50/p99), as wall time (which includes
waiting for the GIL while the channels' threads compute) and as the loop thread's own CPU time.

Run: .venv/bin/python -m benchmarks.headless_demo [--seconds 30]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from studio.app import Studio
from studio.config import load_config


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=30.0, help="how long to run the demo")
    parser.add_argument("--audio", default="silent", help="audio backend (silent keeps the figure comparable)")
    args = parser.parse_args()

    config = replace(load_config(), audio_backend=args.audio)
    with tempfile.TemporaryDirectory() as tmp:
        studio = Studio(config, demo=True, store=Path(tmp) / "session.sqlite")
        ticks: list[float] = []
        cpu_ticks: list[float] = []
        step = studio.step

        def timed_step(now: float) -> None:
            t0, c0 = time.perf_counter(), time.thread_time()
            step(now)
            ticks.append(time.perf_counter() - t0)
            cpu_ticks.append(time.thread_time() - c0)

        studio.step = timed_step  # type: ignore[method-assign]
        studio.start()
        time.sleep(3.0)  # let every channel settle before measuring
        cpu0, wall0 = os.times(), time.monotonic()
        time.sleep(args.seconds)
        cpu1, wall1 = os.times(), time.monotonic()
        rows = studio.stop()
    cpu = (cpu1.user - cpu0.user + cpu1.system - cpu0.system) / (wall1 - wall0)
    ms = np.array(ticks) * 1000.0
    cpu_ms = np.array(cpu_ticks) * 1000.0
    print(
        json.dumps(
            {
                "benchmark": "headless_demo",
                "seconds": args.seconds,
                "audio_backend": studio.engine.backend.detail,
                "cpu_share_of_one_core": round(cpu, 3),
                "fusion_ticks": len(ticks),
                "fusion_tick_ms_p50": round(float(np.percentile(ms, 50)), 3),
                "fusion_tick_ms_p99": round(float(np.percentile(ms, 99)), 3),
                "fusion_tick_cpu_ms_p50": round(float(np.percentile(cpu_ms, 50)), 3),
                "fusion_tick_cpu_ms_p99": round(float(np.percentile(cpu_ms, 99)), 3),
                "rows": rows,
            }
        )
    )


if __name__ == "__main__":
    main()
