"""Replaying a recorded session in the main window: ``affect-studio --replay ID`` and the Session menu."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QInputDialog, QWidget

from studio.config import Config
from studio.errors import StudioError
from studio.replay import replay_studio
from ui.main_window import MainWindow


def open_replay(config: Config, store: Path, session_id: int, speed: float) -> MainWindow:
    """Start a replay and show it in its own window (the studio stops when the window closes)."""
    studio, _ = replay_studio(config, store, session_id, speed)
    studio.start()
    window = MainWindow(studio)
    window.setWindowTitle(f"Affect Studio · replay of session {session_id} at {speed:g}x")
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    window.destroyed.connect(lambda: studio.stop())
    window.show()
    return window


def ask_and_replay(parent: QWidget, config: Config, store: Path, on_error: Callable[[str], None]) -> MainWindow | None:
    """The Session menu's entry: ask for a session id, replay it at 1x; a bad id goes to ``on_error`` (a
    banner in the console, not a dialog), nothing is raised."""
    session_id, ok = QInputDialog.getInt(parent, "Replay a session", "Session id:", 1, 1)
    if not ok:
        return None
    try:
        return open_replay(config, store, session_id, 1.0)
    except StudioError as exc:
        on_error(f"Replay: {exc}")
        return None


def run_replay(config: Config, store: Path, session_id: int, speed: float) -> int:
    """The ``--replay`` command line: one replay window until it closes; returns Qt's exit status."""
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("Affect Studio")
    app.setStyle("Fusion")
    window = open_replay(config, store, session_id, speed)
    try:
        return app.exec()
    finally:
        window.studio.stop()
