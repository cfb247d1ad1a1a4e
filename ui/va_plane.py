"""The valence-arousal plane: where the person is now (with a halo as wide as the estimate is unsure), where
they came from, and where the goal leads."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from studio.goal_plan import Goal, Point
from studio.kernel.events import Emitter
from studio.kernel.streams import StreamHub
from studio.loop import FUSED
from ui.plotting import add_zero_line, read, setup_plot, thin
from ui.relay import Relay
from ui.theme import BLUISH_GREEN, LIGHT, MUTED, Palette

TRAIL_SECONDS = 30.0
TRAIL_POINTS = 90
FADE_LEVELS = 16  # alpha steps of the trail, from oldest (faint) to newest
HALO_SURE = 0.08  # halo radius (plane units) at confidence 1 ...
HALO_UNSURE = 0.45  # ... and at confidence 0
HALO_ALPHA = 0.18

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


def halo_radius(confidence: float) -> float:
    """The halo's radius on the plane: small when the estimate is sure, wide when it is not."""
    c = min(max(confidence, 0.0), 1.0)
    return HALO_UNSURE + (HALO_SURE - HALO_UNSURE) * c


class VAPlane(pg.PlotWidget):
    """Valence on x, arousal on y (both -1..1), the last 30 s fading, the current point in its halo, the goal.
    It draws the ``FUSED`` stream of ``hub`` (polled) and the goal ``goal`` starts at and ``goals`` emits."""

    def __init__(self, hub: StreamHub, goal: tuple[Goal, Point], goals: Emitter[tuple[Goal, Point]]) -> None:
        super().__init__()
        self._hub = hub
        item = self.getPlotItem()
        title = "Valence–arousal · halo: the wider, the less sure"
        setup_plot(item, title, (-1.0, 1.0), (-1.0, 1.0), "valence", "arousal")
        item.getViewBox().setDefaultPadding(0.02)
        item.setXRange(-1.0, 1.0, padding=0.02)
        add_zero_line(item)
        add_zero_line(item, vertical=True)
        for x, y, text in QUADRANTS:
            label = pg.TextItem(text, color=MUTED, anchor=(0.5, 0.5))
            label.setPos(x, y)
            item.addItem(label)
        self.path = item.plot([], [])
        self.path.setOpacity(0.3)
        self.trail = pg.ScatterPlotItem(size=6, pen=None)
        item.addItem(self.trail)
        self.halo = pg.ScatterPlotItem(pxMode=False, pen=None)  # sized in plane units
        item.addItem(self.halo)
        self.goal = pg.ScatterPlotItem(size=22, symbol="o", pen=pg.mkPen(BLUISH_GREEN, width=2.5), brush=None)
        self.goal_label = pg.TextItem("", color=BLUISH_GREEN, anchor=(0.5, 1.4))
        item.addItem(self.goal)
        item.addItem(self.goal_label)
        self.current = pg.ScatterPlotItem(size=15)
        item.addItem(self.current)
        self.use_palette(LIGHT)
        self.show_goal(goal)
        Relay(goals, self.show_goal, self)

    def show_goal(self, chosen: tuple[Goal, Point]) -> None:
        """Mark the goal in force (steady follows the person: it is drawn where the person is)."""
        self._goal, self._goal_point = chosen
        self.goal_label.setText(f"goal: {self._goal.value}")
        if self._goal is not Goal.STEADY:
            self.goal.setData([self._goal_point[0]], [self._goal_point[1]])
            self.goal_label.setPos(*self._goal_point)

    def use_palette(self, palette: Palette) -> None:
        """The trail and point in the theme's trail colour (readable on its background), ringed in its panel's."""
        self._brushes = trail_brushes(palette.trail)
        self.path.setPen(pg.mkPen(palette.trail, width=1.0))
        self.current.setPen(pg.mkPen(palette.panel, width=2))
        self.current.setBrush(pg.mkBrush(palette.trail))
        halo = pg.mkColor(palette.trail)
        halo.setAlphaF(HALO_ALPHA)
        self.halo.setBrush(pg.mkBrush(halo))

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
        self.halo.setData([here[0]], [here[1]], size=[2.0 * halo_radius(float(conf[-1]))])
        if self._goal is Goal.STEADY:
            self.goal.setData([here[0]], [here[1]])
            self.goal_label.setPos(*here)
