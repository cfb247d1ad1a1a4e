"""Start the window: make the Qt application, run a Studio behind the main window, stop it on quit."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from studio.app import Studio
from studio.config import Config
from studio.paths import default_store_path
from studio.session import SessionOptions
from ui.main_window import MainWindow


def run_gui(config: Config, demo: bool, store: Path | None, options: SessionOptions | None = None) -> int:
    """Run the studio with its window until the window closes (or Ctrl+C); returns the Qt exit status.

    A channel that cannot start shows as down in the window; the rest keeps running. The Studio is
    stopped exactly once, however the event loop ends (or if starting it fails). ``options`` carries the
    session's client, consent and scheduled markers from the command line.
    """
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("Affect Studio")
    app.setStyle("Fusion")  # the same calm look on every desktop
    studio = Studio(config, demo=demo, store=store if store is not None else default_store_path(), options=options)
    # Ctrl+C in the terminal closes the window like the operator would (the frame timer lets Python see it).
    previous = signal.signal(signal.SIGINT, lambda _signum, _frame: app.quit())
    try:
        studio.start()
        window = MainWindow(studio)
        window.show()
        if not window.settings.first_run_done:
            window.open_setup()
        return app.exec()
    finally:
        signal.signal(signal.SIGINT, previous)
        studio.stop()
