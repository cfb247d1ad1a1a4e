"""The replay player: a read-only window with a REPLAY badge, play and pause (Space), seek on a timeline of the
whole session with its phases and markers (click or drag; arrow keys: 5 s), and speed. It asks for no client or
consent, records nothing, and plays the session's music only when "Hear the session's music" is ticked (on a
music engine of its own). ``affect-studio --replay ID`` opens one on its own; the Session menu opens one beside
the console."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import (
    QCloseEvent,
    QColor,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QShortcut,
)
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from studio.config import Config
from studio.export.report_facts import clock
from studio.music.engine import MusicEngine
from studio.replay import SEEK_STEP_S, SPEEDS, MusicFollower, Playback, RecordedSession, load_recorded
from ui.kiosk import show_for_room
from ui.theme import (
    AROUSAL_COLOUR,
    CONFIDENCE_COLOUR,
    DARK,
    LIGHT,
    REDDISH_PURPLE,
    VALENCE_COLOUR,
    configure_pyqtgraph,
    set_role,
    style_sheet,
    theme_plots,
)

FRAME_MS = 33  # about 30 frames per second
WINDOW_SIZE = (1200, 640)  # the replay window at its start (pixels)
TRAIL_S = 30.0  # the plane's trail
TREND_S = 60.0  # the trend plot's window
NOW_WIDTH = 360  # pixels: the recorded values' column at font scale 1
PHASE_COLOURS = ("#E4F1FA", "#FDF3E1", "#E6F4EE", "#F6E8F1")
BASELINE_COLOUR = "#D9DDE3"


class ReplayTimeline(QWidget):
    """The whole session: phases (goal and control in force) as bands, the baseline, the estimate's valence and
    arousal, markers as ticks, and the playhead. Click or drag to seek; Left/Right move 5 s, Home/End to the ends."""

    def __init__(self, recorded: RecordedSession, playback: Playback) -> None:
        super().__init__()
        self._recorded = recorded
        self._playback = playback
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(96)
        self.setToolTip("Click or drag to seek; Left/Right: 5 s back or on; Home/End: start or end")
        playback.subscribe(self.update)

    def sizeHint(self) -> QSize:
        return QSize(800, 96)

    def _x(self, t: float) -> float:
        return 8 + (self.width() - 16) * t / self._recorded.length

    def time_at(self, x: float) -> float:
        """The session time (s) under horizontal pixel ``x``."""
        return (x - 8) / max(1.0, self.width() - 16) * self._recorded.length

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._playback.seek(self.time_at(event.position().x()))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._playback.seek(self.time_at(event.position().x()))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        now = self._playback.position
        moves = {
            Qt.Key.Key_Left: now - SEEK_STEP_S,
            Qt.Key.Key_Right: now + SEEK_STEP_S,
            Qt.Key.Key_Home: 0.0,
            Qt.Key.Key_End: self._recorded.length,
        }
        if event.key() in moves:
            self._playback.seek(moves[Qt.Key(event.key())])
        else:
            super().keyPressEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        recorded, p = self._recorded, QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        ink = self.palette().color(self.foregroundRole())
        top, bottom = 18.0, self.height() - 6.0
        for i, phase in enumerate(recorded.phases):
            band = QRectF(self._x(phase.start), top, self._x(phase.end) - self._x(phase.start), bottom - top)
            p.fillRect(band, QColor(PHASE_COLOURS[i % len(PHASE_COLOURS)]))
            p.setPen(ink)
            p.drawText(band.adjusted(4, -16, 0, 0), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, phase.label)
        if recorded.baseline is not None:
            start, end = recorded.baseline
            p.fillRect(
                QRectF(self._x(start), top, self._x(end) - self._x(start), bottom - top), QColor(BASELINE_COLOUR)
            )
        times, rows = recorded.trail(recorded.length, recorded.length)
        step = max(1, len(times) // max(1, self.width()))
        middle, half = (top + bottom) / 2, (bottom - top) / 2 - 4
        for column, colour in ((0, VALENCE_COLOUR), (1, AROUSAL_COLOUR)):
            p.setPen(QPen(QColor(colour), 1.4))
            points = [
                QPointF(self._x(t), middle - half * v) for t, v in zip(times[::step], rows[::step, column], strict=True)
            ]
            p.drawPolyline(points)
        marker_pen = QPen(QColor(REDDISH_PURPLE), 1.2, Qt.PenStyle.DashLine)
        metrics = p.fontMetrics()
        for t, label in recorded.markers:
            if label.startswith("calibration"):
                continue  # the baseline is its band
            p.setPen(marker_pen)
            p.drawLine(QPointF(self._x(t), top), QPointF(self._x(t), bottom))
            p.setPen(QColor(REDDISH_PURPLE))
            text = metrics.elidedText(label, Qt.TextElideMode.ElideRight, 90)
            left = self._x(t) + 3
            if left + metrics.horizontalAdvance(text) > self.width():  # near the end: the label before its line
                left = self._x(t) - 3 - metrics.horizontalAdvance(text)
            p.drawText(QPointF(left, bottom - 3), text)
        x = self._x(self._playback.position)
        p.setPen(QPen(ink, 2.5))
        p.drawLine(QPointF(x, top - 4), QPointF(x, bottom + 4))
        if self.hasFocus():
            p.setPen(QPen(QColor(VALENCE_COLOUR), 1))
            p.drawRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5))
        p.end()


class RecordedPlot(pg.PlotWidget):
    """A plot of a recorded session with its title, at least ``width`` x 220 pixels."""

    def __init__(self, recorded: RecordedSession, title: str, width: int) -> None:
        super().__init__()
        self._recorded = recorded
        self.getPlotItem().setTitle(title)
        self.setMinimumSize(width, 220)


class ReplayPlane(RecordedPlot):
    """The valence-arousal plane at the playback position: the last 30 s as a trail, the estimate now as a dot."""

    def __init__(self, recorded: RecordedSession) -> None:
        super().__init__(recorded, "Valence–arousal", 240)
        item = self.getPlotItem()
        item.setXRange(-1, 1, padding=0.02)
        item.setYRange(-1, 1, padding=0.02)
        item.setLabel("bottom", "valence")
        item.setLabel("left", "arousal")
        item.addLine(x=0, pen=pg.mkPen(CONFIDENCE_COLOUR, style=Qt.PenStyle.DotLine))
        item.addLine(y=0, pen=pg.mkPen(CONFIDENCE_COLOUR, style=Qt.PenStyle.DotLine))
        self.trail = item.plot(pen=pg.mkPen(VALENCE_COLOUR, width=2))
        self.dot = item.plot(pen=None, symbol="o", symbolBrush=VALENCE_COLOUR, symbolSize=14)

    def refresh(self, position: float) -> None:
        _, rows = self._recorded.trail(position, TRAIL_S)
        self.trail.setData(rows[:, 0], rows[:, 1])
        if len(rows):
            self.dot.setData([rows[-1, 0]], [rows[-1, 1]])
        else:
            self.dot.setData([], [])


class ReplayTrend(RecordedPlot):
    """The estimate over the minute before the playback position: valence, arousal and confidence."""

    def __init__(self, recorded: RecordedSession) -> None:
        super().__init__(recorded, "Affect, the last minute", 320)
        item = self.getPlotItem()
        item.setYRange(-1, 1, padding=0.05)
        item.setLabel("bottom", "session time", units="s")
        item.addLegend(offset=(10, 5))
        self.confidence = item.plot(pen=pg.mkPen(CONFIDENCE_COLOUR, width=1), name="confidence")
        self.valence = item.plot(pen=pg.mkPen(VALENCE_COLOUR, width=2), name="valence")
        self.arousal = item.plot(pen=pg.mkPen(AROUSAL_COLOUR, width=2), name="arousal")

    def refresh(self, position: float) -> None:
        times, rows = self._recorded.trail(position, TREND_S)
        for curve, column in ((self.valence, 0), (self.arousal, 1), (self.confidence, 2)):
            curve.setData(times, rows[:, column])
        self.getPlotItem().setXRange(max(0.0, position - TREND_S), max(TREND_S, position), padding=0)


class ReplayNow(QLabel):
    """What was recorded at the playback position, in words: each channel, the music, the body, the last marker."""

    def __init__(self, recorded: RecordedSession) -> None:
        super().__init__()
        self._recorded = recorded
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        set_role(self, "readout")
        self.setMinimumWidth(NOW_WIDTH)

    def refresh(self, position: float) -> None:
        recorded = self._recorded
        lines = []
        for channel in ("face", "voice", "text", "body"):
            found = recorded.channel_at(channel, position)
            text = f"v {found[0]:+.2f}  a {found[1]:+.2f}  conf {found[2]:.2f}" if found else "-"
            lines.append(f"{channel:<6}{text}")
        body = recorded.body_at(position)
        if body:
            words = {"heart_rate_bpm": "heart {:.0f} BPM", "eda_tonic": "EDA {:.2f} µS", "alpha": "alpha {:.0%}"}
            lines.append("      " + " · ".join(words[k].format(v) for k, v in body.items()))
        params = recorded.params_at(position)
        if params is None:
            lines += ["", "music -"]
        else:
            lines += [
                "",
                f"music {params.tempo:.0f} BPM · {params.mode} · {params.volume:.1f} dBFS",
                f"      {', '.join(sorted(params.layers))}",
                f"      tension {params.tension:.2f} · brightness {params.brightness:.2f}",
                f"      density {params.density:.2f} · space {params.space:.2f}",
            ]
        marker = recorded.marker_before(position)
        lines += ["", f"last marker: {marker[1]} at {clock(marker[0])}" if marker else "no marker yet"]
        self.setText("\n".join(lines))


class ReplayWindow(QWidget):
    """One recorded session played back. ``make_engine()`` gives a music engine of the replay's own when the
    operator asks to hear the music; ``music_refused()`` says why the music may not play now ("" when it may)."""

    def __init__(
        self,
        recorded: RecordedSession,
        speed: float,
        make_engine: Callable[[], MusicEngine],
        music_refused: Callable[[], str] = lambda: "",
    ) -> None:
        super().__init__()
        configure_pyqtgraph()
        self.recorded = recorded
        self.playback = Playback(recorded.length, speed)
        self._make_engine, self._music_refused = make_engine, music_refused
        self.engine: MusicEngine | None = None
        self.follower: MusicFollower | None = None
        info = recorded.info
        self.setWindowTitle(f"Affect Studio · REPLAY of session {info.id}")
        self.badge = QLabel("REPLAY")
        set_role(self.badge, "badge")
        self.badge.setToolTip("A recorded session played back: nothing is recorded, no client or consent is asked")
        self.about = QLabel(
            f"Session {info.id} · {recorded.kind} · {clock(info.duration_s)} · {info.status} · client withheld"
        )
        set_role(self.about, "muted")
        self.play_button = QPushButton("Play  (Space)")
        self.play_button.clicked.connect(self.playback.toggle)
        self.speed = QComboBox()
        self.speed.addItems([f"{s:g}x" for s in SPEEDS])
        self.speed.setCurrentIndex(min(range(len(SPEEDS)), key=lambda i: abs(SPEEDS[i] - speed)))
        self.speed.setToolTip("How fast the recording plays back (1x: as it happened)")
        self.speed.currentIndexChanged.connect(lambda i: self.playback.set_speed(SPEEDS[i]))
        self.position = QLabel("")
        set_role(self.position, "readout")
        self.hear = QCheckBox("Hear the session's music")
        self.hear.setToolTip("Play the recorded music on the replay's own output (off: the replay is silent)")
        self.hear.toggled.connect(self.hear_music)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        set_role(self.message, "muted")
        self.timeline = ReplayTimeline(recorded, self.playback)
        self.plane = ReplayPlane(recorded)
        self.trend = ReplayTrend(recorded)
        self.now = ReplayNow(recorded)

        header = QHBoxLayout()
        header.addWidget(self.badge)
        header.addWidget(self.about, 1)
        transport = QHBoxLayout()
        transport.addWidget(self.play_button)
        transport.addWidget(QLabel("Speed"))
        transport.addWidget(self.speed)
        transport.addWidget(self.position)
        transport.addStretch(1)
        transport.addWidget(self.hear)
        views = QGridLayout()
        views.addWidget(self.plane, 0, 0)
        views.addWidget(self.trend, 0, 1)
        views.addWidget(self.now, 0, 2)
        views.setColumnStretch(1, 1)
        self._views = views
        self.controls = QWidget()  # the operator's: hidden while presenting
        self.controls.setLayout(transport)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.controls)
        layout.addWidget(self.timeline)
        layout.addLayout(views, 1)
        layout.addWidget(self.message)
        QShortcut(QKeySequence("Space"), self, activated=self.playback.toggle)
        QShortcut(QKeySequence("F9"), self, activated=self.present)
        QShortcut(QKeySequence("Escape"), self, activated=self.leave_presentation)
        self.presenting = False
        self._operator_only = (self.controls, self.timeline, self.message)  # hidden while presenting
        self.playback.subscribe(self._state_changed)
        self.timer = QTimer(self)
        self.timer.setInterval(FRAME_MS)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        self.resize(*WINDOW_SIZE)
        self.refresh()

    def present(self) -> None:
        """The replay as a kiosk for a room (F9): full screen, dark, large type, the REPLAY badge, the plane, the
        trend and what was recorded then; no operator controls (Space still plays and pauses). Esc leaves it."""
        self.presenting = True
        for widget in self._operator_only:
            widget.hide()
        self._views.setColumnStretch(0, 3)  # the plane first, the trend beside it
        self._views.setColumnStretch(1, 2)
        self.now.setWordWrap(False)  # as wide as its lines, the rest for the plots
        self.now.setMinimumWidth(0)
        show_for_room(self, f"ReplayWindow {{ background: {DARK.window}; }}")

    def leave_presentation(self) -> None:
        """Back to the replay window with its controls (Esc)."""
        if not self.presenting:
            return
        self.presenting = False
        for widget in self._operator_only:
            widget.show()
        self._views.setColumnStretch(0, 0)
        self._views.setColumnStretch(1, 1)
        self.now.setWordWrap(True)
        self.now.setMinimumWidth(NOW_WIDTH)
        self.setStyleSheet(style_sheet())
        theme_plots(self, LIGHT)
        self.showNormal()
        self.resize(*WINDOW_SIZE)

    def _state_changed(self) -> None:
        self.play_button.setText("Pause  (Space)" if self.playback.playing else "Play  (Space)")
        self.refresh()

    def refresh(self) -> None:
        """Draw the recording at the playback position (and play its music when asked)."""
        position = self.playback.position
        if not self.playback.playing and self.play_button.text().startswith("Pause"):
            self.play_button.setText("Play  (Space)")  # it stopped at the end
        self.position.setText(f"{clock(position)} / {clock(self.recorded.length)}")
        self.timeline.update()
        self.plane.refresh(position)
        self.trend.refresh(position)
        self.now.refresh(position)
        if self.follower is not None:
            self.follower.step(position)

    def hear_music(self, on: bool) -> None:
        """Play the session's music from the position on (its own engine), or stop it."""
        if not on:
            self._stop_music()
            self.message.setText("")
            return
        refused = self._music_refused()
        if refused:
            self.message.setText(f"The session's music is not played: {refused}")
            self.hear.setChecked(False)
            return
        try:
            self.engine = self._make_engine()
            self.engine.start()
        except Exception as exc:  # no audio output: said here, the replay goes on silent
            self.engine = None
            self.message.setText(f"The session's music cannot play: {exc}")
            self.hear.setChecked(False)
            return
        self.follower = MusicFollower(self.recorded, self.engine)
        self.message.setText(f"Playing the session's music on {self.engine.backend.detail}")

    def _stop_music(self) -> None:
        if self.engine is not None:
            self.engine.stop()
        self.engine, self.follower = None, None

    def closeEvent(self, event: QCloseEvent) -> None:
        self.timer.stop()
        self._stop_music()
        super().closeEvent(event)


def open_replay(
    config: Config, store: Path, session_id: int, speed: float, music_refused: Callable[[], str] = lambda: ""
) -> ReplayWindow:
    """Load session ``session_id`` (StoreError if unknown or still recording) and show it in a replay window."""
    from studio.music.backend import choose_backend

    recorded = load_recorded(store, session_id)
    window = ReplayWindow(
        recorded,
        speed,
        lambda: MusicEngine(choose_backend(config.audio_backend, config.audio_device)),
        music_refused,
    )
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    window.setStyleSheet(style_sheet())
    window.show()
    window.playback.play()
    return window


def run_replay(config: Config, store: Path, session_id: int, speed: float) -> int:
    """The ``--replay`` command line: one replay window until it closes; returns Qt's exit status."""
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("Affect Studio")
    app.setStyle("Fusion")
    open_replay(config, store, session_id, speed)
    return app.exec()
