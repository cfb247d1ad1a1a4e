"""GUI frame rate of the main window in demo mode (offscreen), with the time each frame's drawing takes.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python -m benchmarks.gui_fps [--seconds 15]
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

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=15.0, help="how long to measure")
    args = parser.parse_args()

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from studio.app import Studio
    from studio.config import load_config
    from ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        studio = Studio(replace(load_config(), audio_backend="silent"), demo=True, store=Path(tmp) / "s.sqlite")
        studio.start()
        window = MainWindow(studio)
        window.resize(1400, 900)
        window.show()
        draw_ms: list[float] = []
        draw = window.draw_frame

        def timed_draw() -> None:
            t0 = time.perf_counter()
            draw()
            draw_ms.append((time.perf_counter() - t0) * 1000.0)

        window.timer.timeout.disconnect()
        window.timer.timeout.connect(timed_draw)
        marks: dict[str, float] = {}

        def begin() -> None:
            marks["frames"], marks["t"], marks["cpu"] = window.frames, time.monotonic(), time.process_time()
            draw_ms.clear()

        def end() -> None:
            marks["fps"] = (window.frames - marks["frames"]) / (time.monotonic() - marks["t"])
            marks["cpu_share"] = (time.process_time() - marks["cpu"]) / (time.monotonic() - marks["t"])
            app.quit()

        QTimer.singleShot(3000, begin)  # let the plots fill first
        QTimer.singleShot(int(3000 + args.seconds * 1000), end)
        app.exec()
        window.close()
        studio.stop()
    ms = np.array(draw_ms)
    print(
        json.dumps(
            {
                "benchmark": "gui_fps",
                "seconds": args.seconds,
                "fps": round(marks["fps"], 1),
                "frame_draw_ms_p50": round(float(np.percentile(ms, 50)), 2),
                "frame_draw_ms_p99": round(float(np.percentile(ms, 99)), 2),
                "process_cpu_share_of_one_core": round(marks["cpu_share"], 3),
            }
        )
    )


if __name__ == "__main__":
    main()
