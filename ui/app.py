"""Start the window: make the Qt application, run a Studio behind the main window, stop it on quit."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from studio.app import Studio
from studio.config import Config
from studio.listener import ListenerSpec
from studio.paths import default_store_path
from studio.session import SessionOptions
from ui.main_window import MainWindow

# Ctrl+C in the terminal, logout and shutdown (SIGHUP, SIGTERM) and `kill` end the session like closing the window
# (the frame timer lets Python see a signal while Qt's loop runs).
QUIT_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def run_gui(
    config: Config,
    demo: bool,
    store: Path | None,
    options: SessionOptions | None = None,
    listener: ListenerSpec | None = None,
) -> int:
    """Run the studio with its window until the window closes (or one of QUIT_SIGNALS); returns Qt's exit status.

    Live, nothing is recorded until consent and the session's start (the Session steps); a demo records from its
    start. A channel that cannot start shows as down in the window; the rest keeps running. The Studio is
    stopped exactly once, however the event loop ends (or if starting it fails). ``options`` carries the
    session's client, consent and scheduled markers from the command line; ``listener`` is the demo's virtual
    listener (None: the typical one).
    """
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("Affect Studio")
    app.setStyle("Fusion")  # the same calm look on every desktop
    store = store if store is not None else default_store_path()
    studio = Studio(config, demo=demo, store=store, options=options, listener=listener, wait_for_consent=not demo)
    previous = {sig: signal.signal(sig, lambda _signum, _frame: close_everything(app)) for sig in QUIT_SIGNALS}
    try:
        studio.start()
        window = MainWindow(studio)
        window.show()
        if not window.settings.first_run_done:
            window.open_setup()
        return app.exec()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        studio.stop()


def close_everything(app: QApplication) -> None:
    """Leave the event loop; Qt's quit first closes every window as the operator would (layouts are saved). Queued,
    so that a signal that arrives while the studio is still starting ends the loop as soon as it runs."""
    QTimer.singleShot(0, app.quit)
