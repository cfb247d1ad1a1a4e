"""Stacked EEG traces: the first channels of ``body.eeg`` over the last few seconds."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from studio.streams import StreamHub
from ui.plotting import line, read, setup_plot, thin

TRACE_COLOURS = ("#334155", "#0F5C8C")  # alternate slate and deep blue so neighbouring traces separate
SCALE_SMOOTHING = 0.1  # share of a new frame's spread taken into each trace's display scale


class EegPlot(pg.PlotWidget):
    """One lane per channel, newest sample at the right edge.

    Each trace is centred and divided by its own (slowly adapting) spread, so channels with very
    different amplitudes stay readable; the plot shows waveform shape, not microvolts.
    """

    def __init__(self, hub: StreamHub, channels: int = 8, seconds: float = 5.0, max_points: int = 600) -> None:
        super().__init__()
        self._hub = hub
        self._seconds = seconds
        self._max_points = max_points
        item = self.getPlotItem()
        setup_plot(item, f"EEG · first {channels} channels", (-seconds, 0.0), (-0.6, channels - 0.4), "seconds")
        self.curves = [line(item, TRACE_COLOURS[i % 2], width=1.0) for i in range(channels)]
        self._scale: np.ndarray | None = None
        self._labelled = False

    def _label_lanes(self, names: tuple[str, ...]) -> None:
        lanes = len(self.curves)
        ticks = [(lanes - 1 - i, name) for i, name in enumerate(names[:lanes])]
        self.getPlotItem().getAxis("left").setTicks([ticks, []])
        self._labelled = True

    def refresh(self, now: float) -> None:
        window = read(self._hub, "body.eeg", self._seconds)
        if window is None:
            return
        if not self._labelled:
            self._label_lanes(self._hub.get("body.eeg").fields)
        window = thin(window, self._max_points)
        lanes = min(len(self.curves), window.values.shape[1])
        values = window.values[:, :lanes]
        centred = values - values.mean(axis=0)
        spread = centred.std(axis=0) + 1e-9
        if self._scale is None or self._scale.shape != spread.shape:
            self._scale = spread
        else:
            self._scale += SCALE_SMOOTHING * (spread - self._scale)
        lane_y = centred / (6.0 * self._scale)  # about +-0.5 of a lane for +-3 standard deviations
        x = window.t - window.t[-1]
        for i in range(lanes):
            self.curves[i].setData(x, lane_y[:, i] + (len(self.curves) - 1 - i))
