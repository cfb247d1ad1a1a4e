"""Stacked EEG traces: every channel of ``body.eeg`` (or those the operator picks) over the last seconds, filtered
as the features are (on a worker thread: the GUI thread only draws), each with a quality mark in its colour and
its figures (RMS µV, railed %, noise µV of the raw window) at the right end, on a µV scale or each on its own."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QMenu, QToolButton, QVBoxLayout, QWidget

from fusion.channel_figures import ChannelFigures, channel_figures
from fusion.quality import QUALITY_LABELS, Quality
from sensors.body_pipeline import EEG, QUALITY, filter_eeg
from sensors.body_settings import BodySettings
from studio.kernel.streams import StreamHub, Window
from studio.kernel.worker import Jobs
from ui.plotting import colour_key, line, read, setup_plot, thin
from ui.theme import BLUE, BLUISH_GREEN, MUTED, ORANGE, REDDISH_PURPLE, VERMILLION, set_role

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
SCALES_UV = (10.0, 20.0, 50.0, 100.0, 200.0, 500.0)  # one lane holds +- this many µV (None: each trace its own)
FIGURES_SPAN = 0.45  # the figures' room right of the traces, as a share of the seconds shown
MARK_AT = 0.03  # where the quality marks sit right of the newest sample, as a share of the seconds shown
FIGURES_EVERY_S = 0.5  # the figures are made this often (seconds of signal) ...
FIGURES_PER_DRAW = 4  # ... and written into this many labels a draw


@dataclass(frozen=True)
class Traces:
    """What the worker hands the plot: the filtered traces (thinned for drawing) and the raw window's figures."""

    shown: Window
    figures: ChannelFigures | None  # None when not asked for


def display_traces(window: Window, settings: BodySettings, max_points: int, figures: bool = True) -> Traces:
    """Every channel of ``window`` filtered as the feature windows are, lost samples kept as gaps, thinned to at
    most ``max_points`` points, with each channel's figures from the raw window (when ``figures``)."""
    raw = window.values.T
    fs = (len(window) - 1) / max(window.t[-1] - window.t[0], 1e-9)
    filtered = filter_eeg(raw, fs, settings)
    filtered[~np.isfinite(raw)] = np.nan
    return Traces(thin(Window(window.t, filtered.T), max_points), channel_figures(raw, filtered) if figures else None)


class EegPlot(pg.PlotWidget):
    """One lane per shown channel, newest sample at the right edge, a square quality mark and the channel's
    figures beside each lane.

    Traces are detrended, notched and band-passed like the feature windows. On the µV scale a lane holds
    +-``scale_uv``; on the automatic scale each trace is divided by its own slowly adapting spread, so channels
    with very different amplitudes stay readable (shape, not microvolts). Lost samples (NaN) stay gaps. A trace
    whose channel is unusable is drawn in its quality's colour.
    """

    def __init__(
        self, hub: StreamHub, settings: BodySettings | None = None, seconds: float = 5.0, max_points: int = 600
    ) -> None:
        super().__init__()
        self._hub = hub
        self._settings = settings or BodySettings()
        self._seconds = seconds
        self._max_points = max_points
        item = self.getPlotItem()
        setup_plot(item, "EEG", (-seconds, FIGURES_SPAN * seconds), (-0.6, 0.6), "seconds")
        whole = [(float(t), f"{t:g}") for t in np.arange(-np.floor(seconds), 0.5)]
        item.getAxis("bottom").setTicks([whole, []])  # no seconds under the figures
        self.names: tuple[str, ...] = ()
        self.curves: list[pg.PlotCurveItem] = []
        self.figure_labels: list[pg.TextItem] = []
        self.marks = pg.ScatterPlotItem(size=MARK_SIZE, symbol="s", pen=None)
        item.addItem(self.marks)
        self.shown: list[int] = []  # the channels drawn, top to bottom
        self.scale_uv: float | None = None  # None: each trace on its own scale
        self._scale: np.ndarray | None = None
        self._seen = -1  # rows of body.eeg when last handed to the filter
        self._filter = Jobs("eeg-display")
        self.pending: Future[Traces] | None = None  # traces being filtered
        self._marked: tuple[int, ...] = ()  # the lane qualities the pens and marks show
        self.quality: np.ndarray | None = None  # the newest quality code per channel
        self.figures: ChannelFigures | None = None  # the newest figures per channel
        self._figures_at = -np.inf  # session time of the newest sample when the figures were last made
        self._unwritten: list[int] = []  # the channels whose labels still show older figures

    @property
    def drawn(self) -> int:
        """How many channels' traces are on show with data (for the benchmark)."""
        return sum(1 for i in self.shown if self.curves[i].isVisible() and self.curves[i].xData is not None)

    def _make_lanes(self, names: tuple[str, ...]) -> None:
        """A curve and a figures label per channel of the stream, every channel shown."""
        item = self.getPlotItem()
        self.names = names
        for i in range(len(names)):
            self.curves.append(line(item, TRACE_COLOURS[i % 2], width=1.0, antialias=False))
            label = pg.TextItem("", color=MUTED, anchor=(0.0, 0.5))
            item.addItem(label)
            self.figure_labels.append(label)
        self.show_channels(range(len(names)))

    def show_channels(self, channels: Sequence[int] | range) -> None:
        """Draw ``channels`` (indices into the stream's channels, in order), one lane each; hide the others."""
        self.shown = sorted(set(channels))
        lanes = len(self.shown)
        for i, (curve, label) in enumerate(zip(self.curves, self.figure_labels, strict=True)):
            visible = i in self.shown
            curve.setVisible(visible)
            label.setVisible(visible)
            if visible:
                label.setPos(MARK_AT * self._seconds * 2, self._lane_y(i))
        item = self.getPlotItem()
        item.setYRange(-0.6, max(lanes, 1) - 0.4, padding=0.02)
        ticks = [(self._lane_y(i), self.names[i]) for i in self.shown]
        item.getAxis("left").setTicks([ticks, []])
        self._marked = ()  # marks and figures again for the new lanes
        self._figures_at = -np.inf
        self._retitle()

    def set_scale(self, scale_uv: float | None) -> None:
        """``scale_uv`` µV per half lane, or None for each trace on its own scale."""
        self.scale_uv = scale_uv
        self._retitle()

    def _retitle(self) -> None:
        key = {QUALITY_LABELS[q]: c for q, c in QUALITY_COLOURS.items()}
        scale = "each on its own scale" if self.scale_uv is None else f"±{self.scale_uv:g} µV per lane"
        title = f"EEG · {len(self.shown)} of {len(self.names)} channels · {scale}"
        self.getPlotItem().setTitle(colour_key(title, key))

    def _lane_y(self, channel: int) -> float:
        return float(len(self.shown) - 1 - self.shown.index(channel))

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
        if not self.curves:
            self._make_lanes(self._hub.get(EEG).fields)
        figures = window.t[-1] - self._figures_at >= FIGURES_EVERY_S  # the figures only twice a second
        self.pending = self._filter.submit(display_traces, window, self._settings, self._max_points, figures)

    def _draw(self, traces: Traces) -> None:
        shown = traces.shown
        values = shown.values[:, self.shown]
        if self.scale_uv is None:
            spread = np.nan_to_num(np.nanstd(values, axis=0)) + 1e-9
            if self._scale is None or self._scale.shape != spread.shape:
                self._scale = spread
            else:
                self._scale += SCALE_SMOOTHING * (spread - self._scale)
            lane_y = values / (6.0 * self._scale)  # about +-0.5 of a lane for +-3 standard deviations
        else:
            self._scale = None
            lane_y = values / (2.0 * self.scale_uv)  # +-scale_uv fills the lane
        x = shown.t - shown.t[-1]
        lanes = len(self.shown)
        for lane, i in enumerate(self.shown):
            self.curves[i].setData(x, lane_y[:, lane] + (lanes - 1 - lane))
        if traces.figures is not None:  # text is costly to lay out: a few labels a frame, twice a second
            self.figures, self._figures_at = traces.figures, float(shown.t[-1])
            self._unwritten = list(self.shown)
        if self.figures is not None:
            for i in self._unwritten[:FIGURES_PER_DRAW]:
                self.figure_labels[i].setText(self.figures.line(i))
            del self._unwritten[:FIGURES_PER_DRAW]
        quality = self._quality()[self.shown]
        if tuple(quality) != self._marked:  # colours change only with the quality (pens and marks are costly)
            self._marked = tuple(quality)
            for lane, i in enumerate(self.shown):
                ok = quality[lane] == Quality.OK
                self.curves[i].setPen(pg.mkPen(TRACE_COLOURS[i % 2] if ok else QUALITY_COLOURS[Quality(quality[lane])]))
            marks_x = np.full(lanes, MARK_AT * self._seconds)
            marks_y = lanes - 1 - np.arange(lanes)
            brushes = [pg.mkBrush(QUALITY_COLOURS[Quality(q)]) for q in quality]
            self.marks.setData(marks_x, marks_y, brush=brushes)

    def _quality(self) -> np.ndarray:
        """The newest quality code of each channel (all OK before the first feature window)."""
        self.quality = np.zeros(len(self.names), dtype=int)
        if QUALITY in self._hub:
            newest = self._hub.get(QUALITY).latest()
            if newest is not None:
                codes = newest[1].astype(int)
                self.quality[: len(codes)] = codes[: len(self.names)]
        return self.quality


class EegPanel(QWidget):
    """The EEG traces with their controls above: which channels to draw, and the vertical scale."""

    def __init__(self, plot: EegPlot) -> None:
        super().__init__()
        self.plot = plot
        self.channels = QToolButton()
        self.channels.setText("Channels ▾")
        self.channels.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.channels.setToolTip("Pick the channels drawn (the figures at the right are of the raw signal)")
        self.menu = QMenu(self.channels)
        self.menu.aboutToShow.connect(self.fill_menu)
        self.channels.setMenu(self.menu)
        self.scale = QComboBox()
        self.scale.addItem("each on its own scale", None)
        for uv in SCALES_UV:
            self.scale.addItem(f"±{uv:g} µV per lane", uv)
        self.scale.currentIndexChanged.connect(lambda _i: plot.set_scale(self.scale.currentData()))
        figures = QLabel("right: RMS µV · % railed · noise µV (outside the EEG band) of the raw signal")
        figures.setWordWrap(True)
        set_role(figures, "muted")
        controls = QHBoxLayout()
        controls.setContentsMargins(6, 2, 6, 0)
        controls.addWidget(self.channels)
        controls.addWidget(self.scale)
        controls.addWidget(figures, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(controls)
        layout.addWidget(plot, 1)

    def fill_menu(self) -> None:
        """One checkable entry per channel of the board, and All."""
        self.menu.clear()
        everything = self.menu.addAction("All channels")
        everything.triggered.connect(lambda: self.plot.show_channels(range(len(self.plot.names))))
        self.menu.addSeparator()
        for i, name in enumerate(self.plot.names):
            action = self.menu.addAction(name)
            action.setCheckable(True)
            action.setChecked(i in self.plot.shown)
            action.toggled.connect(lambda on, ch=i: self.pick(ch, on))

    def pick(self, channel: int, on: bool) -> None:
        """Draw ``channel`` too (``on``) or no longer (at least one channel stays)."""
        shown = set(self.plot.shown)
        shown = shown | {channel} if on else shown - {channel}
        if shown:
            self.plot.show_channels(sorted(shown))
