"""Keeping the console on its screen: it opens no larger than the screen's free area, and comes back inside it
when larger text or a new arrangement made it wider or taller."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QWidget

PREFERRED = QSize(1600, 1000)  # the window on a large screen


def fit_to_screen(window: QWidget, preferred: QSize = PREFERRED) -> None:
    """Size ``window`` to ``preferred`` or its screen's free area (less the window's frame), whichever is
    smaller, and move it onto the screen."""
    area = window.screen().availableGeometry()
    frame = window.frameGeometry().size() - window.size()
    window.resize(preferred.boundedTo(area.size() - frame))
    if not area.contains(window.frameGeometry()):
        window.move(area.topLeft())


def keep_on_screen(window: QWidget) -> None:
    """Bring ``window`` back inside its screen's free area if it has grown past it (full screen and maximised
    windows follow the screen by themselves)."""
    if window.isFullScreen() or window.isMaximized():
        return
    if not window.screen().availableGeometry().contains(window.frameGeometry()):
        fit_to_screen(window, window.size())
