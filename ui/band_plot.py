"""Relative EEG band power as a bar graph of the newest ``body.band_relative`` row."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from sensors.body_pipeline import BAND_RELATIVE
from studio.kernel.streams import StreamHub
from ui.plotting import setup_plot
from ui.theme import BLUISH_GREEN


class BandPowerPlot(pg.PlotWidget):
    """Share of total EEG power in each band (delta .. gamma), averaged over the good channels."""

    def __init__(self, hub: StreamHub) -> None:
        super().__init__()
        self._hub = hub
        setup_plot(self.getPlotItem(), "EEG band power · share of total", (-0.6, 4.6), (0.0, 1.0))
        self.getPlotItem().showGrid(x=False, y=True, alpha=0.35)
        self.bars = pg.BarGraphItem(x=np.arange(5), height=np.zeros(5), width=0.62, brush=BLUISH_GREEN, pen=None)
        self.addItem(self.bars)
        self._shown_t: float | None = None  # time of the row on show

    def refresh(self, now: float) -> None:
        if BAND_RELATIVE not in self._hub:
            return
        stream = self._hub.get(BAND_RELATIVE)
        newest = stream.latest()
        if newest is None or newest[0] == self._shown_t:
            return
        if self._shown_t is None:
            ticks = list(enumerate(stream.fields))
            self.getPlotItem().getAxis("bottom").setTicks([ticks, []])
            self.getPlotItem().setXRange(-0.6, len(ticks) - 0.4, padding=0)
            self.bars.setOpts(x=np.arange(len(ticks)))
        self.bars.setOpts(height=newest[1])
        self._shown_t = newest[0]
