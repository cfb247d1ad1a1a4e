"""The console's speed in demo mode with every channel active: the plots' frame rate (target 60 fps), the Qt
event loop's stall at p99 (target at most 20 ms) and the whole process's CPU (target at most 1.2 cores; the Lab,
with all 16 EEG channels drawn, at most 0.6), measured in each workspace next to the EEG channels it draws
(``eeg_channels_drawn``), with the time each frame's drawing takes and the machine's load.

Measured once the minute-long plots are full (after ``--fill`` seconds of demo), where they cost the most.

Run: .venv/bin/python -m benchmarks.console_speed [--seconds 10] [--workspace lab] [--fill 62]
(off screen unless a display is set; ``xvfb-run -a`` measures with a real X server)
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

if not os.environ.get("DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYO_GUI_WX", "0")

PROBE_MS = 5  # the stall probe: a timer this often; a stall is how much later than due it fires
WARM_UP_S = 2.0  # seconds in a workspace before measuring it
FILL_S = 62.0  # the affect plots show a minute: they draw the most once it has passed
TARGETS = {"fps": 60.0, "stall_ms_p99": 20.0, "cpu_cores": 1.2, "lab_cpu_cores": 0.6, "lab_eeg_channels_drawn": 16}


def percentile(values: list[float], q: float) -> float:
    return round(float(np.percentile(np.array(values), q)), 2) if values else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0, help="how long to measure each workspace")
    parser.add_argument(
        "--fill",
        type=float,
        default=FILL_S,
        help="seconds of demo before the first measurement (default: until the minute-long plots are full)",
    )
    parser.add_argument(
        "--workspace", action="append", choices=("session", "lab", "presentation"), help="default: all three"
    )
    args = parser.parse_args()

    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from studio.app import Studio
    from studio.config import load_config
    from ui.console_settings import ConsoleSettings
    from ui.fit_check import on_show
    from ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        studio = Studio(replace(load_config(), audio_backend="silent"), demo=True, store=Path(tmp) / "s.sqlite")
        studio.start()
        window = MainWindow(studio, ConsoleSettings(Path(tmp) / "console.ini"))
        window.resize(1500, 940)
        window.show()
        draw_ms: list[float] = []
        stalls: list[float] = []
        draw = window.draw_frame

        def timed_draw() -> None:
            t0 = time.perf_counter()
            draw()
            draw_ms.append((time.perf_counter() - t0) * 1000.0)

        window.timer.timeout.disconnect()
        window.timer.timeout.connect(timed_draw)
        last = [time.perf_counter()]

        def probe() -> None:
            now = time.perf_counter()
            stalls.append(max(0.0, (now - last[0]) * 1000.0 - PROBE_MS))
            last[0] = now

        prober = QTimer()
        prober.setTimerType(Qt.TimerType.PreciseTimer)
        prober.setInterval(PROBE_MS)
        prober.timeout.connect(probe)
        prober.start()
        QTest.qWait(int(args.fill * 1000))
        for name in args.workspace or ["session", "lab", "presentation"]:
            window.workspaces.switch(name)
            QTest.qWait(int(WARM_UP_S * 1000))
            draw_ms.clear()
            stalls.clear()
            frames, t0, cpu0 = window.frames, time.monotonic(), time.process_time()
            QTest.qWait(int(args.seconds * 1000))
            wall = time.monotonic() - t0
            results.append(
                {
                    "workspace": name,
                    "eeg_channels_drawn": window.eeg.drawn if on_show(window.eeg) else 0,
                    "fps": round((window.frames - frames) / wall, 1),
                    "stall_ms_p99": percentile(stalls, 99),
                    "stall_ms_max": round(max(stalls, default=0.0), 1),
                    "cpu_cores": round((time.process_time() - cpu0) / wall, 3),
                    "frame_draw_ms_p50": percentile(draw_ms, 50),
                    "frame_draw_ms_p99": percentile(draw_ms, 99),
                }
            )
        prober.stop()
        window.close()
        studio.stop()
    app.processEvents()
    print(
        json.dumps(
            {
                "benchmark": "console_speed",
                "seconds_each": args.seconds,
                "demo_seconds_before": args.fill,
                "platform": os.environ.get("QT_QPA_PLATFORM", "xcb"),
                "load_average_1min": round(os.getloadavg()[0], 2),
                "cores": os.cpu_count(),
                "targets": TARGETS,
                "workspaces": results,
            }
        )
    )


if __name__ == "__main__":
    main()
