"""Replaying a recorded session on its own: ``affect-studio --replay ID``."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from studio.config import Config
from ui.main_window import open_replay


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
