"""Open the console on this display's screen as an operator would (no size given: it fits itself), show each
workspace in the light theme (and the Lab in the dark one) and the kiosk, save a PNG of the whole screen for
each, and check that everything fits: the window inside the screen, every panel on show inside the window, no
label cut short, no tab title elided, no plot squeezed. Prints one JSON line with the files and the problems.

Run under Xvfb at the screen size to check:
    xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python scripts/screens.py --out shots/
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout: the project's packages
os.environ.setdefault("PYO_GUI_WX", "0")

MIN_PLOT_HEIGHT = 80  # pixels: a plot lower than this is squeezed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("shots"), help="folder for the PNG files")
    parser.add_argument("--seconds", type=float, default=6.0, help="how long the demo runs before the first shot")
    args = parser.parse_args()

    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from studio.app import Studio
    from studio.config import load_config
    from ui.console_settings import ConsoleSettings
    from ui.fit_check import fit_problems
    from ui.main_window import MainWindow

    args.out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv)
    app.setStyle("Fusion")
    screen = app.primaryScreen().availableGeometry()
    tag = f"{screen.width()}x{screen.height()}"
    files: list[str] = []
    problems: dict[str, list[str]] = {}

    def wait(seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            QTest.qWait(50)

    with tempfile.TemporaryDirectory() as tmp:
        studio = Studio(replace(load_config(), audio_backend="silent"), demo=True, store=Path(tmp) / "s.sqlite")
        studio.start()
        try:
            window = MainWindow(studio, ConsoleSettings(Path(tmp) / "console.ini"))
            window.show()
            wait(args.seconds)
            window.marker_bar.mark("eyes closed")
            for name, theme in (("session", "light"), ("lab", "light"), ("lab", "dark"), ("presentation", "")):
                window.workspaces.switch(name)
                if theme and window.settings.theme != theme:
                    window.toggle_theme()
                wait(1.5)
                shot = f"{name}{'-dark' if theme == 'dark' else ''}-{tag}"
                app.primaryScreen().grabWindow(0).save(str(args.out / f"{shot}.png"))
                files.append(f"{shot}.png")
                problems[shot] = fit_problems(window, MIN_PLOT_HEIGHT)
            kiosk = window.open_kiosk()
            wait(1.5)
            shot = f"kiosk-{tag}"
            app.primaryScreen().grabWindow(0).save(str(args.out / f"{shot}.png"))
            files.append(f"{shot}.png")
            problems[shot] = fit_problems(kiosk, MIN_PLOT_HEIGHT)
            window.close_kiosk()
            window.close()
        finally:
            studio.stop()
    print(json.dumps({"screen": tag, "files": files, "problems": problems}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
