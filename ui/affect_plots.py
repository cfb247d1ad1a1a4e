"""Affect over time: each channel's valence and arousal, and the fused estimate with its confidence."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg

from sensors.base import affect_spec
from studio.kernel.streams import StreamHub, StreamSpec, Window
from studio.loop import FUSED
from ui.plotting import add_zero_line, colour_key, line, read, setup_plot, thin
from ui.theme import AROUSAL_COLOUR, CHANNEL_COLOURS, CONFIDENCE_COLOUR, MUTED, VALENCE_COLOUR

HISTORY = 60.0  # seconds shown
MAX_POINTS = 300  # per curve
EVENT_CHANNELS = {"text"}  # one estimate per message: drawn as dots, not joined across minutes
AXIS_WIDTH = 34  # pixels, the same on every affect plot so their time axes line up


def label_affect_axis(item: pg.PlotItem) -> None:
    """Label only -1, 0 and +1 on the left axis (unlabelled ticks at +-0.5): short affect plots stay legible."""
    item.getAxis("left").setTicks([[(-1.0, "-1"), (0.0, "0"), (1.0, "+1")], [(-0.5, ""), (0.5, "")]])


def recent(hub: StreamHub, spec: StreamSpec, now: float) -> tuple[np.ndarray, Window] | None:
    """The last minute of an affect stream, thinned for drawing, with x as seconds before ``now``."""
    window = read(hub, spec, HISTORY, now)
    if window is None:
        return None
    window = thin(window, MAX_POINTS)
    return window.t - now, window


def channel_curve(item: pg.PlotItem, channel: str) -> pg.PlotCurveItem:
    colour = CHANNEL_COLOURS.get(channel, MUTED)
    if channel in EVENT_CHANNELS:
        return item.plot([], [], pen=None, symbol="o", symbolSize=7, symbolPen=None, symbolBrush=colour)
    return line(item, colour, width=1.3, antialias=False)


class ChannelAffectPlots(pg.GraphicsLayoutWidget):
    """Valence (top) and arousal (bottom) of every channel over the last minute, one colour per channel.

    Rows with no confidence (no face, silence, no signal) are left as gaps rather than drawn as zero.
    """

    def __init__(self, hub: StreamHub, channels: Sequence[str]) -> None:
        super().__init__()
        self._hub = hub
        self.valence = self.addPlot(row=0, col=0)
        self.arousal = self.addPlot(row=1, col=0)
        key = {ch: CHANNEL_COLOURS.get(ch, MUTED) for ch in channels}
        setup_plot(self.valence, colour_key("Valence by channel", key), (-HISTORY, 0.0), (-1.0, 1.0))
        setup_plot(self.arousal, "Arousal by channel", (-HISTORY, 0.0), (-1.0, 1.0), "seconds")
        self.valence.getAxis("bottom").setStyle(showValues=False)
        self.arousal.setXLink(self.valence)
        for item in (self.valence, self.arousal):
            add_zero_line(item)
            item.getAxis("left").setWidth(AXIS_WIDTH)
            label_affect_axis(item)
        self.curves = {ch: (channel_curve(self.valence, ch), channel_curve(self.arousal, ch)) for ch in channels}

    def refresh(self, now: float) -> None:
        for channel, (valence, arousal) in self.curves.items():
            got = recent(self._hub, affect_spec(channel), now)
            if got is None:
                continue
            x, window = got
            absent = window.column(2) <= 0.0
            valence.setData(x, np.where(absent, np.nan, window.column(0)))
            arousal.setData(x, np.where(absent, np.nan, window.column(1)))


class FusedAffectPlot(pg.PlotWidget):
    """The fused valence and arousal over the last minute; the grey area is the fused confidence (0..1)."""

    def __init__(self, hub: StreamHub) -> None:
        super().__init__()
        self._hub = hub
        item = self.getPlotItem()
        key = {"valence": VALENCE_COLOUR, "arousal": AROUSAL_COLOUR, "confidence": CONFIDENCE_COLOUR}
        setup_plot(item, colour_key("Fused affect", key), (-HISTORY, 0.0), (-1.0, 1.0), "seconds")
        item.getAxis("left").setWidth(AXIS_WIDTH)
        label_affect_axis(item)
        add_zero_line(item)
        self.confidence = line(item, CONFIDENCE_COLOUR, width=1.0)
        self.confidence.setFillLevel(0.0)
        self.confidence.setBrush(pg.mkBrush(156, 163, 175, 70))
        self.valence = line(item, VALENCE_COLOUR, width=2.0)
        self.arousal = line(item, AROUSAL_COLOUR, width=2.0)

    def refresh(self, now: float) -> None:
        got = recent(self._hub, FUSED, now)
        if got is None:
            return
        x, window = got
        self.confidence.setData(x, window.column(2))
        self.valence.setData(x, window.column(0))
        self.arousal.setData(x, window.column(1))
