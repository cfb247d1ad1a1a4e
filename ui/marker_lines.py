"""Markers drawn on the live plots' time axes: a dashed vertical line (with its label on the first plot)
wherever a marker falls inside the plot's window of ``seconds before now``."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt

from studio.kernel.events import EventLog, Marker

MARKER_COLOUR = "#6C4FB6"
MAX_SHOWN = 12  # newest markers considered per frame


class MarkerLines:
    """One set of lines per plot item; ``refresh(now)`` moves them to ``marker.t - now``."""

    def __init__(self, markers: EventLog[Marker], items: list[pg.PlotItem], seconds: float) -> None:
        self._markers = markers
        self._seconds = seconds
        self._items = items
        self._lines: list[list[pg.InfiniteLine]] = [[] for _ in items]

    def _line(self, index: int, k: int) -> pg.InfiniteLine:
        lines = self._lines[index]
        while len(lines) <= k:
            pen = pg.mkPen(MARKER_COLOUR, width=1.2, style=Qt.PenStyle.DashLine)
            line = pg.InfiniteLine(angle=90, pen=pen, movable=False)
            if index == 0:
                line.label = pg.InfLineLabel(line, "", position=0.92, rotateAxis=(1, 0), anchors=[(0, 1), (0, 1)])
                line.label.setColor(MARKER_COLOUR)
            self._items[index].addItem(line, ignoreBounds=True)
            lines.append(line)
        return lines[k]

    def refresh(self, now: float) -> None:
        shown = [m for m in self._markers.last(MAX_SHOWN) if now - self._seconds <= m.t <= now]
        for index in range(len(self._items)):
            for k, marker in enumerate(shown):
                line = self._line(index, k)
                line.setValue(marker.t - now)
                if index == 0:
                    line.label.setFormat(marker.label)
                line.show()
            for line in self._lines[index][len(shown) :]:
                line.hide()
