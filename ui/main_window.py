"""The studio's main window: live plots on the left, channel status and music controls on the right.

One QTimer (40 Hz) pulls the newest windows from the stream buffers and hands them to the views;
the views only draw. All acquisition, fusion and control run on the Studio's own threads.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QMainWindow,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from sensors.base import CHANNELS
from studio.app import Studio
from ui.affect_plots import ChannelAffectPlots, FusedAffectPlot
from ui.blendshape_bars import BlendshapeBars
from ui.board_dialog import BoardDialog
from ui.body_panel import BodyPanel
from ui.eeg_plot import EegPlot
from ui.entry_field import EntryField
from ui.face_preview import FacePreview
from ui.marker_bar import MarkerBar
from ui.marker_lines import MarkerLines
from ui.music_panel import MusicPanel
from ui.notes_editor import NotesEditor
from ui.preset_picker import PresetPicker
from ui.sam_dialog import SamDialog
from ui.status_panel import StatusPanel
from ui.theme import STYLE_SHEET, configure_pyqtgraph
from ui.va_plane import VAPlane
from ui.voice_panel import VoicePanel

FRAME_MS = 25  # 40 frames per second: headroom over the 30 fps target
SIDEBAR_WIDTH = 430


class View(Protocol):
    def refresh(self, now: float) -> None: ...


class MainWindow(QMainWindow):
    """Everything the operator sees for one running Studio. ``frames`` counts frames drawn (for benchmarks)."""

    def __init__(self, studio: Studio) -> None:
        super().__init__()
        configure_pyqtgraph()
        self.studio = studio
        self.frames = 0
        self.setWindowTitle("Affect Studio" + (" · demo" if studio.demo else ""))
        self.setStyleSheet(STYLE_SHEET)
        self.resize(1400, 900)

        hub = studio.hub
        self.eeg = EegPlot(hub, studio.config.body)
        self.body = BodyPanel(hub)
        self.bands = self.body.bands
        self.channel_affect = ChannelAffectPlots(hub, CHANNELS)
        self.fused = FusedAffectPlot(hub)
        self.va_plane = VAPlane(hub, studio.loop)
        self.status_panel = StatusPanel(studio)
        self.music = MusicPanel(studio)
        self.presets = PresetPicker(studio.loop, studio.clock)
        self.voice = VoicePanel(studio)
        self.face_preview = FacePreview(studio.sources["face"])
        self.face_bars = BlendshapeBars(studio.sources["face"])
        self.text_entry = EntryField("Message", "What the client says or writes…  (Enter sends)", "Send", self._send)
        self.marker = EntryField("Marker", "what happened (optional)", "Add marker", self._add_marker)
        self.marker_bar = MarkerBar(studio, self)
        plots = [
            self.fused.getPlotItem(),
            self.channel_affect.valence,
            self.channel_affect.arousal,
            self.eeg.getPlotItem(),
        ]
        self.marker_lines = MarkerLines(studio.markers, plots, seconds=60.0)
        # (view, redraw every n-th frame): the EEG scrolls at the full rate; the minute-long plots move
        # a pixel per 0.1 s and the fused estimate changes at 20 Hz, so they redraw less often.
        self.views: list[tuple[View, int]] = [
            (self.eeg, 1),
            (self.body, 1),
            (self.channel_affect, 3),
            (self.fused, 3),
            (self.va_plane, 2),
            (self.status_panel, 3),
            (self.music, 3),
            (self.voice, 2),
            (self.face_preview, 2),
            (self.face_bars, 3),
            (self.marker_lines, 3),
            (self.marker_bar, 20),
        ]
        self.replays: list[MainWindow] = []  # replay windows opened from the Session menu
        self._session_menu()

        central = QWidget()
        central.setObjectName("central")
        row = QHBoxLayout(central)
        row.setContentsMargins(10, 10, 10, 6)
        row.setSpacing(10)
        row.addLayout(self._plots(), 1)
        row.addWidget(self._sidebar())
        self.setCentralWidget(central)

        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, activated=self.music.fade_out)
        QShortcut(QKeySequence(Qt.Key.Key_Space), self, activated=self.music.suggestions.accept)
        self.timer = QTimer(self)
        self.timer.setInterval(FRAME_MS)
        self.timer.timeout.connect(self.draw_frame)
        self.timer.start()

    def _plots(self) -> QVBoxLayout:
        grid = QGridLayout()
        grid.setSpacing(8)
        grid.addWidget(self.eeg, 0, 0)
        grid.addWidget(self.body, 0, 1)
        grid.addWidget(self.channel_affect, 1, 0)
        grid.addWidget(self.fused, 2, 0)
        grid.addWidget(self.va_plane, 1, 1)
        grid.addWidget(self._face_box(), 2, 1)
        grid.setColumnStretch(0, 5)
        grid.setColumnStretch(1, 3)
        grid.setRowStretch(0, 4)
        grid.setRowStretch(1, 5)
        grid.setRowStretch(2, 4)
        entries = QGroupBox("Session")
        entry_layout = QVBoxLayout(entries)
        entry_layout.addWidget(self.text_entry)
        entry_layout.addWidget(self.marker)
        entry_layout.addWidget(self.marker_bar)
        column = QVBoxLayout()
        column.addLayout(grid, 1)
        column.addWidget(entries)
        return column

    def _face_box(self) -> QGroupBox:
        box = QGroupBox("Face")
        row = QHBoxLayout(box)
        row.setContentsMargins(6, 4, 6, 4)
        row.addWidget(self.face_preview, 1)
        row.addWidget(self.face_bars, 1)
        return box

    def _session_menu(self) -> None:
        menu = self.menuBar().addMenu("&Session")
        for phase in ("before", "during", "after"):
            menu.addAction(f"Self-report {phase}…", lambda p=phase: SamDialog(self.studio, p, self).exec())
        menu.addAction("Notes…", lambda: NotesEditor(self.studio, self).exec())
        menu.addAction("Replay a session…", self._replay)

    def _replay(self) -> None:
        from ui.replay import ask_and_replay  # ui.replay shows its replays in MainWindows

        if self.studio.store is not None:
            self.replays = [
                w
                for w in [*getattr(self, "replays", []), ask_and_replay(self, self.studio.config, self.studio.store)]
                if w
            ]

    def _sidebar(self) -> QWidget:
        status_box = QGroupBox("Channels")
        status_layout = QVBoxLayout(status_box)
        status_layout.addWidget(self.status_panel)
        boards = QPushButton("Board connection…")
        boards.clicked.connect(lambda: BoardDialog(self.studio.config.profiles_path, self).exec())
        status_layout.addWidget(boards)
        sidebar = QWidget()
        layout = QVBoxLayout(sidebar)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(status_box)
        layout.addWidget(self.music)
        presets_box = QGroupBox("Presets")
        QVBoxLayout(presets_box).addWidget(self.presets)
        layout.addWidget(presets_box)
        layout.addWidget(self.voice)
        layout.addStretch(1)
        scroll = QScrollArea()  # on a small screen the controls scroll instead of being squeezed
        scroll.setWidget(sidebar)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFixedWidth(SIDEBAR_WIDTH)
        return scroll

    def _send(self, text: str) -> str:
        self.studio.submit_text(text)
        return "sent to the text channel"

    def _add_marker(self, label: str) -> str:
        marker = self.studio.add_marker(label or "marker")
        return f"'{marker.label}' at {marker.t:.1f} s"

    def draw_frame(self) -> None:
        """One frame: the views due in it pull what they show from the streams at the same session time."""
        now = self.studio.clock.now()
        for phase, (view, every) in enumerate(self.views):
            if (self.frames + phase) % every == 0:  # phases spread the slower views over different frames
                view.refresh(now)
        self.frames += 1
        self.statusBar().showMessage(self._status_line(now))

    def _status_line(self, now: float) -> str:
        minutes, seconds = divmod(int(now), 60)
        store = f"recording to {self.studio.store}" if self.studio.store is not None else "not recording"
        store = self.studio.recording_problem or store
        database = self.studio.database
        if database is not None and (database.notice or database.interrupted):
            gone = ", ".join(map(str, database.interrupted))
            store += f"  ·  {database.notice or f'session {gone} was interrupted (see: affect-studio sessions list)'}"
        mode = "demo (no hardware)" if self.studio.demo else "live"
        return f"Session {minutes:02d}:{seconds:02d}  ·  {mode}  ·  {store}"
