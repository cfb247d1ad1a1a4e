"""What does not fit in a window as shown: the window past its screen, a panel past the window, a label or
tab title cut short, a plot squeezed. The screenshot checks (scripts/screens.py, the tests) use it."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QAbstractScrollArea, QLabel, QScrollArea, QTabBar, QWidget


def on_show(widget: QWidget) -> bool:
    """Visible and not behind another tab (Qt keeps a dock behind a tab visible, moved out of the window)."""
    if not widget.isVisible():
        return False
    window = widget.window()
    return window.rect().intersects(QRect(widget.mapTo(window, QPoint(0, 0)), widget.size()))


def _scrolls(widget: QWidget) -> bool:
    """Whether ``widget`` sits in a scroll area (which shows it all by scrolling)."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea) and not isinstance(parent, pg.GraphicsView):
            return True
        parent = parent.parentWidget()
    return False


def _cut_label(widget: QWidget) -> bool:
    """A one-line label, not in a scroll area, narrower than its text."""
    if not isinstance(widget, QLabel) or not widget.text() or widget.wordWrap() or _scrolls(widget):
        return False
    return widget.sizeHint().width() > widget.width() + 1


def fit_problems(window: QWidget, min_plot_height: int = 80) -> list[str]:
    """Each thing in ``window`` that does not fit, in words (empty when everything does)."""
    problems = []
    area = window.screen().availableGeometry()
    if not area.contains(window.frameGeometry()):
        problems.append(f"window {window.frameGeometry().getRect()} is past the screen's {area.getRect()}")
    inside = window.rect()
    for child in window.findChildren(QWidget):
        if not on_show(child) or child.window() is not window:
            continue
        rect = child.rect().translated(child.mapTo(window, child.rect().topLeft()))
        name = child.objectName() or type(child).__name__
        if child.parentWidget() is window and not inside.contains(rect):
            problems.append(f"{name} at {rect.getRect()} is past the window {inside.getRect()}")
        if _cut_label(child):
            problems.append(f"label '{child.text()[:40]}' needs {child.sizeHint().width()} px, has {child.width()}")
        if isinstance(child, QTabBar):
            for i in range(child.count()):
                if child.tabSizeHint(i).width() > child.tabRect(i).width() + 1:
                    problems.append(f"tab '{child.tabText(i)}' is cut short")
        if isinstance(child, QScrollArea) and child.widget() is not None:
            needed = child.widget().minimumSizeHint().width()
            if needed > child.viewport().width():
                problems.append(f"{type(child.widget()).__name__} needs {needed} px, has {child.viewport().width()}")
        if isinstance(child, pg.PlotWidget) and child.height() < min_plot_height:
            problems.append(f"plot '{child.getPlotItem().titleLabel.text[:40]}' is {child.height()} px high")
    return problems
