"""The valence-arousal plane: where the person is now, where they came from, and where the goal leads."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from studio.goal_plan import Goal
from studio.kernel.streams import StreamHub
from studio.loop import FUSED, FusionLoop
from ui.plotting import add_zero_line, read, setup_plot, thin
from ui.theme import BLUISH_GREEN, MUTED, VALENCE_COLOUR, set_role

TRAIL_SECONDS = 30.0
TRAIL_POINTS = 90
FADE_LEVELS = 16  # alpha steps of the trail, from oldest (faint) to newest

QUADRANTS = (
    (0.55, 0.92, "excited · happy"),
    (-0.55, 0.92, "tense · stressed"),
    (-0.55, -0.92, "sad · tired"),
    (0.55, -0.92, "calm · content"),
)


def trail_brushes(colour: str) -> list[pg.QtGui.QBrush]:
    """Brushes from faint to solid, made once and indexed by each point's age."""
    base = pg.mkColor(colour)
    brushes = []
    for level in range(FADE_LEVELS):
        c = pg.mkColor(base)
        c.setAlphaF(0.06 + 0.6 * level / (FADE_LEVELS - 1))
        brushes.append(pg.mkBrush(c))
    return brushes


class VAPlane(QWidget):
    """Valence on x, arousal on y (both -1..1), the last 30 s fading, the current point and the goal."""

    def __init__(self, hub: StreamHub, loop: FusionLoop) -> None:
        super().__init__()
        self._hub = hub
        self._loop = loop
        self.plot = pg.PlotWidget()
        item = self.plot.getPlotItem()
        setup_plot(item, "Valence–arousal", (-1.0, 1.0), (-1.0, 1.0), "valence", "arousal")
        item.getViewBox().setDefaultPadding(0.02)
        item.setXRange(-1.0, 1.0, padding=0.02)
        add_zero_line(item)
        add_zero_line(item, vertical=True)
        for x, y, text in QUADRANTS:
            label = pg.TextItem(text, color=MUTED, anchor=(0.5, 0.5))
            label.setPos(x, y)
            item.addItem(label)
        self._brushes = trail_brushes(VALENCE_COLOUR)
        self.path = item.plot([], [], pen=pg.mkPen(VALENCE_COLOUR, width=1.0))
        self.path.setOpacity(0.3)
        self.trail = pg.ScatterPlotItem(size=6, pen=None)
        item.addItem(self.trail)
        self.goal = pg.ScatterPlotItem(size=22, symbol="o", pen=pg.mkPen(BLUISH_GREEN, width=2.5), brush=None)
        self.goal_label = pg.TextItem("", color=BLUISH_GREEN, anchor=(0.5, 1.4))
        item.addItem(self.goal)
        item.addItem(self.goal_label)
        self.current = pg.ScatterPlotItem(size=15, pen=pg.mkPen("w", width=2), brush=pg.mkBrush(VALENCE_COLOUR))
        item.addItem(self.current)
        self.readout = QLabel("waiting for the fused estimate")
        set_role(self.readout, "readout")
        self.readout.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.readout)

    def refresh(self, now: float) -> None:
        window = read(self._hub, FUSED, TRAIL_SECONDS, now)
        if window is None:
            return
        window = thin(window, TRAIL_POINTS)
        v, a, conf = window.column(0), window.column(1), window.column(2)
        age = np.clip((window.t - (now - TRAIL_SECONDS)) / TRAIL_SECONDS, 0.0, 1.0)
        levels = (age * (FADE_LEVELS - 1)).astype(int)
        self.path.setData(v, a)
        self.trail.setData(v, a, brush=[self._brushes[i] for i in levels])
        here = (float(v[-1]), float(a[-1]))
        self.current.setData([here[0]], [here[1]])
        goal = self._loop.goal
        gx, gy = here if goal is Goal.STEADY else self._loop.goal_point
        self.goal.setData([gx], [gy])
        self.goal_label.setText(f"goal: {goal.value}")
        self.goal_label.setPos(gx, gy)
        self.readout.setText(
            f"valence {here[0]:+.2f}   arousal {here[1]:+.2f}   confidence {conf[-1]:.2f}\n"
            f"goal {goal.value} at ({gx:+.2f}, {gy:+.2f})"
        )
