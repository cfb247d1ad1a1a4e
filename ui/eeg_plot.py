"""Stacked EEG traces: the first channels of ``body.eeg`` over the last seconds, filtered as the features are
(on a worker thread: the GUI thread only draws), each with its own scale and a quality mark in its colour at
the right end."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np
import pyqtgraph as pg

from fusion.quality import QUALITY_LABELS, Quality
from sensors.body_pipeline import EEG, QUALITY, filter_eeg
from sensors.body_settings import BodySettings
from studio.kernel.streams import StreamHub, Window
from ui.plotting import colour_key, line, read, setup_plot, thin
from ui.theme import BLUE, BLUISH_GREEN, MUTED, ORANGE, REDDISH_PURPLE, VERMILLION

TRACE_COLOURS = ("#475569", BLUE)  # alternate slate and Okabe-Ito blue so neighbouring traces separate
QUALITY_COLOURS = {
    Quality.OK: BLUISH_GREEN,
    Quality.FLAT: MUTED,
    Quality.RAILED: VERMILLION,
    Quality.LINE_NOISE: ORANGE,
    Quality.NOISY: REDDISH_PURPLE,
}
SCALE_SMOOTHING = 0.1  # share of a new frame's spread taken into each trace's display scale
MARK_SIZE = 11  # pixels


def display_traces(window: Window, lanes: int, settings: BodySettings, max_points: int) -> Window:
    """The first ``lanes`` channels of ``window`` filtered as the feature windows are, lost samples kept as
    gaps, thinned to at most ``max_points`` points."""
    raw = window.values[:, :lanes].T
    fs = (len(window) - 1) / max(window.t[-1] - window.t[0], 1e-9)
    filtered = filter_eeg(raw, fs, settings)
    filtered[~np.isfinite(raw)] = np.nan
    return thin(Window(window.t, filtered.T), max_points)


class EegPlot(pg.PlotWidget):
    """One lane per channel, newest sample at the right edge, a square quality mark beside each lane.

    Traces are detrended, notched and band-passed like the feature windows, then each is divided by its own
    slowly adapting spread, so channels with very different amplitudes stay readable (shape, not microvolts).
    Lost samples (NaN) stay gaps. A trace whose channel is unusable is drawn in its quality's colour.
    """

    def __init__(
        self,
        hub: StreamHub,
        settings: BodySettings | None = None,
        channels: int = 8,
        seconds: float = 5.0,
        max_points: int = 600,
    ) -> None:
        super().__init__()
        self._hub = hub
        self._settings = settings or BodySettings()
        self._seconds = seconds
        self._max_points = max_points
        item = self.getPlotItem()
        key = {QUALITY_LABELS[q]: c for q, c in QUALITY_COLOURS.items()}
        title = colour_key(f"EEG · first {channels} channels", key)
        setup_plot(item, title, (-seconds, 0.06 * seconds), (-0.6, channels - 0.4), "seconds")
        self.curves = [line(item, TRACE_COLOURS[i % 2], width=1.0, antialias=False) for i in range(channels)]
        self.marks = pg.ScatterPlotItem(size=MARK_SIZE, symbol="s", pen=None)
        item.addItem(self.marks)
        self._scale: np.ndarray | None = None
        self._labelled = False
        self._seen = -1  # rows of body.eeg when last handed to the filter
        self._filter = ThreadPoolExecutor(1, thread_name_prefix="eeg-display")
        self.pending: Future[Window] | None = None  # traces being filtered
        self._marked: tuple[int, ...] = ()  # the lane qualities the pens and marks show
        self.quality: np.ndarray | None = None  # the newest quality code per lane

    def _label_lanes(self, names: tuple[str, ...]) -> None:
        lanes = len(self.curves)
        ticks = [(lanes - 1 - i, name) for i, name in enumerate(names[:lanes])]
        self.getPlotItem().getAxis("left").setTicks([ticks, []])
        self._labelled = True

    def refresh(self, now: float) -> None:
        """Draw the traces filtered since the last frame, and hand newer samples to the filter (the traces are
        drawn against the newest sample, not the clock)."""
        if self.pending is not None and self.pending.done():
            self._draw(self.pending.result())
            self.pending = None
        if self.pending is not None or EEG not in self._hub or self._hub.get(EEG).count == self._seen:
            return
        self._seen = self._hub.get(EEG).count
        window = read(self._hub, EEG, self._seconds)
        if window is None or len(window) < 8:
            return
        if not self._labelled:
            self._label_lanes(self._hub.get(EEG).fields)
        lanes = min(len(self.curves), window.values.shape[1])
        self.pending = self._filter.submit(display_traces, window, lanes, self._settings, self._max_points)

    def _draw(self, shown: Window) -> None:
        lanes = shown.values.shape[1]
        spread = np.nan_to_num(np.nanstd(shown.values, axis=0)) + 1e-9
        if self._scale is None or self._scale.shape != spread.shape:
            self._scale = spread
        else:
            self._scale += SCALE_SMOOTHING * (spread - self._scale)
        lane_y = shown.values / (6.0 * self._scale)  # about +-0.5 of a lane for +-3 standard deviations
        x = shown.t - shown.t[-1]
        quality = self._lane_quality(lanes)
        for i in range(lanes):
            self.curves[i].setData(x, lane_y[:, i] + (len(self.curves) - 1 - i))
        if tuple(quality) != self._marked:  # colours change only with the quality (pens and marks are costly)
            self._marked = tuple(quality)
            for i in range(lanes):
                ok = quality[i] == Quality.OK
                self.curves[i].setPen(pg.mkPen(TRACE_COLOURS[i % 2] if ok else QUALITY_COLOURS[Quality(quality[i])]))
            marks_x = np.full(lanes, 0.03 * self._seconds)
            marks_y = len(self.curves) - 1 - np.arange(lanes)
            brushes = [pg.mkBrush(QUALITY_COLOURS[Quality(q)]) for q in quality]
            self.marks.setData(marks_x, marks_y, brush=brushes)

    def _lane_quality(self, lanes: int) -> np.ndarray:
        """The newest quality code of each shown channel (all OK before the first feature window)."""
        self.quality = np.zeros(lanes, dtype=int)
        if QUALITY in self._hub:
            newest = self._hub.get(QUALITY).latest()
            if newest is not None:
                self.quality = newest[1][:lanes].astype(int)
        return self.quality
