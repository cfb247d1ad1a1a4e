"""The body channel's other views: the EEG spectrum now and over the last minute (a spectrogram), and heart rate
and EDA over the last minutes with their current values."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF

from sensors.body_pipeline import FEATURES, SPECTRUM
from studio.kernel.streams import StreamHub
from ui.plotting import colour_key, line, read, setup_plot, thin
from ui.theme import BLUE, GRID, ORANGE, VERMILLION

HISTORY = 120.0  # seconds of heart rate and EDA shown
BAND_TOP_HZ = 45.0  # the y range follows the spectrum up to here
SPECTROGRAM_SECONDS = 60.0


def unit(field: str) -> str:
    units = FEATURES.units
    return units if isinstance(units, str) else units[FEATURES.fields.index(field)]


def value_text(value: float, unit: str) -> str:
    """``72 bpm``, ``2.05 µS``; ``none`` when there is no value (no such sensor, no beat found)."""
    if not np.isfinite(value):
        return "none"
    return f"{value:.0f} {unit}" if abs(value) >= 20 else f"{value:.2f} {unit}".strip()


class SpectrumPlot(pg.PlotWidget):
    """The newest mean EEG spectrum of the usable channels (``body.spectrum``), log power against Hz."""

    def __init__(self, hub: StreamHub, max_hz: float = 60.0) -> None:
        super().__init__()
        self._hub = hub
        item = self.getPlotItem()
        setup_plot(item, "EEG spectrum · usable channels", (0.0, max_hz), (-2.0, 3.0), "Hz", "log10 µV²/Hz")
        for edge in (4, 8, 13, 30):  # band edges
            item.addItem(pg.InfiniteLine(pos=edge, angle=90, pen=pg.mkPen(GRID, width=1)))
        self.curve = line(item, BLUE)
        self._shown_t: float | None = None

    def refresh(self, now: float) -> None:
        if SPECTRUM not in self._hub:
            return
        stream = self._hub.get(SPECTRUM)
        newest = stream.latest()
        if newest is None or newest[0] == self._shown_t:
            return
        freqs = np.array([float(f) for f in stream.fields])
        power = np.log10(np.clip(newest[1], 1e-6, None))
        self.curve.setData(freqs, power)
        shown = power[np.isfinite(power) & (freqs <= BAND_TOP_HZ)]  # above the band-pass there is only its floor
        if shown.size:
            self.getPlotItem().setYRange(float(shown.min()) - 0.5, float(shown.max()) + 0.3, padding=0)
        self._shown_t = newest[0]


class SpectrogramPlot(pg.PlotWidget):
    """The mean EEG spectrum of the usable channels over the last minute (``body.spectrum``): time on x, Hz on y,
    log power as colour (viridis: dark is weak, yellow strong)."""

    def __init__(self, hub: StreamHub, seconds: float = SPECTROGRAM_SECONDS, max_hz: float = BAND_TOP_HZ) -> None:
        super().__init__()
        self._hub = hub
        self._seconds = seconds
        self._max_hz = max_hz
        item = self.getPlotItem()
        title = "EEG spectrogram · usable channels · log power"
        setup_plot(item, title, (-seconds, 0.0), (0.0, max_hz), "seconds", "Hz")
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setColorMap(pg.colormap.get("viridis"))
        item.addItem(self.image)
        self._shown_count = -1

    def refresh(self, now: float) -> None:
        if SPECTRUM not in self._hub:
            return
        stream = self._hub.get(SPECTRUM)
        if stream.count == self._shown_count:
            return
        window = read(self._hub, SPECTRUM, self._seconds, now)
        if window is None or len(window) < 2:
            return
        self._shown_count = stream.count
        freqs = np.array([float(f) for f in stream.fields])
        keep = freqs <= self._max_hz
        power = np.log10(np.clip(window.values[:, keep], 1e-6, None)).T  # Hz x time
        finite = power[np.isfinite(power)]
        if not finite.size:
            return
        low, high = np.percentile(finite, (2, 98))
        self.image.setImage(np.nan_to_num(power, nan=float(low)), levels=(float(low), float(high)))
        start, end = float(window.t[0] - now), float(window.t[-1] - now)
        top = float(freqs[keep][-1]) if keep.any() else self._max_hz
        self.image.setRect(QRectF(start, 0.0, max(end - start, 1e-3), top))


class PhysioPlots(pg.GraphicsLayoutWidget):
    """Heart rate (bpm) and EDA level over the last two minutes, from ``body.features``; gaps where the source
    has no such sensor or no beat could be found."""

    def __init__(self, hub: StreamHub) -> None:
        super().__init__()
        self._hub = hub
        self.heart = self.addPlot(row=0, col=0)
        self.eda = self.addPlot(row=1, col=0)
        setup_plot(self.heart, colour_key("Heart rate", {"bpm": VERMILLION}), (-HISTORY, 0.0), (40.0, 140.0))
        setup_plot(self.eda, colour_key("EDA level", {"tonic": ORANGE}), (-HISTORY, 0.0), (0.0, 1.0), "seconds")
        self.eda.setXLink(self.heart)
        self.heart_curve = line(self.heart, VERMILLION)
        self.eda_curve = line(self.eda, ORANGE)
        self.now: dict[str, float] = {}  # the newest value of each, NaN when there is none

    def refresh(self, now: float) -> None:
        window = read(self._hub, FEATURES, HISTORY, now)
        if window is None:
            return
        window = thin(window, 400)
        fields = self._hub.get(FEATURES).fields
        x = window.t - now
        for curve, plot, name, least, title, colour in (
            (self.heart_curve, self.heart, "heart_rate_bpm", 5.0, "Heart rate", VERMILLION),  # a steady pulse
            (self.eda_curve, self.eda, "eda_tonic", 1e-3, "EDA level", ORANGE),  # is not drawn as jitter
        ):
            y = window.values[:, fields.index(name)]
            curve.setData(x, y)
            finite = y[np.isfinite(y)]
            self.now[name] = float(finite[-1]) if finite.size else float("nan")
            plot.setTitle(colour_key(f"{title} · now {value_text(self.now[name], unit(name))}", {"": colour}))
            if finite.size:
                pad = max(least, 0.1 * float(finite.max() - finite.min()))
                plot.setYRange(float(finite.min()) - pad, float(finite.max()) + pad, padding=0)
