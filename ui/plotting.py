"""Shared plot set-up and stream reading for the live views, so each view only says what it draws."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt

from studio.kernel.streams import StreamHub, StreamSpec, Window
from ui.theme import GRID, INK, MUTED


def setup_plot(
    item: pg.PlotItem,
    title: str,
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    x_label: str = "",
    y_label: str = "",
) -> None:
    """Fixed ranges, no grid and no mouse interaction: an operator console, not a data explorer.

    (A grid is painted by the axes, which then repaint with every frame; zero lines are cheaper.)
    """
    item.setTitle(title, color=INK, size="10pt")
    item.setMenuEnabled(False)
    item.hideButtons()
    item.setMouseEnabled(x=False, y=False)
    item.setXRange(*x_range, padding=0)
    item.setYRange(*y_range, padding=0.02)
    item.getViewBox().setDefaultPadding(0)
    for side in ("left", "bottom"):
        axis = item.getAxis(side)
        axis.setPen(pg.mkPen(GRID))
        axis.setTextPen(pg.mkPen(MUTED))
    if x_label:
        item.setLabel("bottom", x_label, color=MUTED)
    if y_label:
        item.setLabel("left", y_label, color=MUTED)


def colour_key(title: str, entries: dict[str, str]) -> str:
    """A plot title followed by a colour key (name -> colour): a legend that never covers the data."""
    keys = "&nbsp;&nbsp;".join(f'<span style="color:{c}">&#9644;</span>&nbsp;{name}' for name, c in entries.items())
    return f'{title}&nbsp;&nbsp;&nbsp;<span style="color:{MUTED}; font-size:9pt">{keys}</span>'


def line(item: pg.PlotItem, colour: str, width: float = 1.6, antialias: bool = True) -> pg.PlotCurveItem:
    """A curve in ``item`` that later frames feed with ``setData``; NaN values leave gaps. Dense, fast traces
    (EEG) draw without antialiasing: it costs most of their painting and shows little at that density.

    A bare PlotCurveItem, not the PlotDataItem of ``item.plot``: the console never needs its symbols, log
    axes or downsampling, and its bookkeeping took two thirds of each ``setData``."""
    curve = pg.PlotCurveItem(pen=pg.mkPen(colour, width=width), connect="finite", antialias=antialias)
    item.addItem(curve)
    return curve


def add_zero_line(item: pg.PlotItem, vertical: bool = False) -> None:
    """A dotted line through 0 (horizontal, or vertical on the x axis)."""
    pen = pg.mkPen(MUTED, width=1, style=Qt.PenStyle.DotLine)
    item.addItem(pg.InfiniteLine(pos=0, angle=90 if vertical else 0, pen=pen))


def read(hub: StreamHub, spec: StreamSpec, seconds: float, now: float | None = None) -> Window | None:
    """The last ``seconds`` before ``now`` (default: the newest row) of stream ``spec``; None if there are none."""
    if spec not in hub:
        return None
    window = hub.get(spec).last(seconds, now)
    return window if len(window) else None


def thin(window: Window, max_points: int) -> Window:
    """Every k-th row so that at most about ``max_points`` remain (drawing more pixels than exist is waste)."""
    step = max(1, len(window) // max_points)
    if step == 1:
        return window
    start = (len(window) - 1) % step  # keep the newest row
    return Window(window.t[start::step], window.values[start::step])
