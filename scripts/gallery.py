"""Render the console's gallery: a PNG of every workspace (and the dark theme), the help overlay, each step
of the session flow, the client's progress, the replay player and the first-run assistant, from a demo session
that has run for ``--seconds``.

Run on a desktop or under Xvfb (full-size screens):
    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/gallery.py --out gallery/
Without a display it draws off screen. Prints one JSON line with the files written.
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
OFFSCREEN = f"offscreen:configfile={Path(__file__).resolve().parent / 'offscreen-screen.json'}"  # 1920x1080
no_display = not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY")
if no_display and os.environ.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":  # not Qt's 800x800 screen
    os.environ["QT_QPA_PLATFORM"] = OFFSCREEN
os.environ.setdefault("PYO_GUI_WX", "0")

SIZE = (1500, 940)  # the window (pixels) for the Session and Lab workspaces


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("gallery"), help="folder for the PNG files")
    parser.add_argument("--seconds", type=float, default=10.0, help="how long the demo runs before the first shot")
    args = parser.parse_args()

    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QDialogButtonBox, QWidget

    from studio.app import Studio
    from studio.config import load_config
    from ui.console_settings import ConsoleSettings
    from ui.main_window import MainWindow
    from ui.replay import open_replay

    args.out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv)
    app.setStyle("Fusion")
    written: list[str] = []

    def wait(seconds: float, until=lambda: False) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end and not until():
            QTest.qWait(50)

    def shot(widget: QWidget, name: str) -> None:
        QTest.qWait(200)  # the layout settles (a session step's page takes its own height)
        path = args.out / f"{name}.png"
        widget.grab().save(str(path))
        written.append(path.name)

    with tempfile.TemporaryDirectory() as tmp:
        config = replace(load_config(), audio_backend="silent", calibration_seconds=3.0)
        studio = Studio(config, demo=True, store=Path(tmp) / "gallery.sqlite")
        studio.start()
        try:
            window = MainWindow(studio, ConsoleSettings(Path(tmp) / "console.ini"))
            window.resize(*SIZE)
            window.show()
            wait(args.seconds / 2)
            window.marker_bar.mark("eyes closed")
            studio.submit_text("This feels calm and warm, thank you.")
            wait(args.seconds / 2)
            window.marker_bar.mark("music change")
            for name in ("session", "lab"):
                window.workspaces.switch(name)
                window.resize(*SIZE)
                wait(1.0)
                shot(window, f"workspace-{name}")
            window.toggle_theme()
            wait(0.5)
            shot(window, "workspace-lab-dark")
            window.toggle_theme()
            window.workspaces.switch("presentation")
            wait(1.5)
            shot(window, "workspace-presentation")
            window.workspaces.switch("session")
            window.resize(*SIZE)
            wait(0.5)
            window.toggle_help()
            shot(window, "help-overlay")
            window.toggle_help()

            flow = window.flow
            dock = window.docks["flow"]
            shot(dock, "flow-1-client")
            flow.client_code.setText("DEMO01")
            flow.use_client()
            shot(dock, "flow-2-consent")
            flow.consent_boxes["research"].setChecked(True)
            flow.give_consent()
            flow.calibrate_button.click()
            wait(1.2)
            shot(window, "flow-3-baseline-countdown")
            wait(5.0, until=lambda: flow.flow.current is not None and flow.flow.current.key == "sam_before")
            flow.sam_before.scales["valence"].choose(4)
            flow.sam_before.scales["arousal"].choose(6)
            shot(dock, "flow-4-sam-before")
            flow.sam_before.buttons.button(QDialogButtonBox.StandardButton.Save).click()
            wait(2.0)
            shot(dock, "flow-5-running")
            flow.end_session()
            shot(dock, "flow-6-sam-after")
            flow.skip()
            flow.notes.sections["Subjective"].setPlainText("Settled quickly; enjoyed the low strings.")
            shot(dock, "flow-7-notes")
            flow.notes.save()
            shot(dock, "flow-8-report")
            flow.start_report()
            wait(60.0, until=lambda: flow.flow.finished)
            shot(window, "flow-done")
            view = window.open_client_view()
            wait(0.5)
            shot(view, "client-progress")
            view.close()
            assert studio.store is not None and studio.session_id is not None
            player = open_replay(config, studio.store, studio.session_id, 8.0)
            wait(1.5)
            shot(player, "replay-player")
            player.close()

            assistant = window.open_setup()
            wait(20.0, until=assistant.checks_done)
            shot(assistant, "first-run-assistant")
            assistant.close()
            window.close()
        finally:
            studio.stop()
    print(json.dumps({"gallery": str(args.out), "files": written}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
