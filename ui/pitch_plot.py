"""The live pitch contour (F0, Hz; gaps where unvoiced) over the voice intensity (dB), last 10 seconds."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from sensors.voice import PROSODY
from studio.kernel.streams import StreamHub
from ui.plotting import line, read, setup_plot, thin
from ui.theme import MUTED, SKY_BLUE

SECONDS = 10.0
MAX_POINTS = 300  # the plot is a few hundred pixels wide: more points only cost painting


class PitchPlot(pg.GraphicsLayoutWidget):
    """Two plots sharing the time axis: F0 (voiced frames only) and intensity of every frame."""

    def __init__(self, hub: StreamHub) -> None:
        super().__init__()
        self._hub = hub
        self.setMinimumHeight(220)
        self.pitch = self.addPlot(row=0, col=0)
        self.level = self.addPlot(row=1, col=0)
        setup_plot(self.pitch, "Voice pitch", (-SECONDS, 0), (60, 420), y_label="Hz")
        setup_plot(self.level, "Intensity", (-SECONDS, 0), (20, 90), x_label="seconds", y_label="dB")
        self.level.setXLink(self.pitch)
        self.ci.layout.setRowStretchFactor(0, 3)
        self.ci.layout.setRowStretchFactor(1, 2)
        self.f0_curve = line(self.pitch, SKY_BLUE, width=2.2)
        self.level_curve = line(self.level, MUTED, width=1.2, antialias=False)
        self._shown_t: float | None = None

    def refresh(self, now: float) -> None:
        window = read(self._hub, PROSODY, SECONDS, now)
        if window is None or window.t[-1] == self._shown_t:
            return
        self._shown_t = float(window.t[-1])
        window = thin(window, MAX_POINTS)
        t = window.t - now
        f0 = window.values[:, 0]
        self.f0_curve.setData(t, np.where(f0 > 0, f0, np.nan))
        self.level_curve.setData(t, window.values[:, 1])
