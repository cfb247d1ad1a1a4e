"""The operator console: the studio's widgets in dock panels, arranged by workspace (Session, Lab,
Presentation), with a status bar, non-modal banners and a keyboard shortcut for every action.

One QTimer (about 60 Hz) pulls the newest windows from the stream buffers and hands them to the views on show;
the views only draw. All acquisition, fusion and control run on the Studio's own threads.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDockWidget,
    QFrame,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from sensors.base import CHANNELS
from studio.app import Studio
from studio.config import user_config_path
from studio.export import write_into
from studio.export.progress import ClientProgress, export_progress, load_progress
from studio.suggestion_words import SuggestionWatch
from ui.affect_plots import ChannelAffectPlots, FusedAffectPlot
from ui.banners import BannerArea
from ui.blendshape_bars import BlendshapeBars
from ui.board_dialog import BoardDialog
from ui.body_panel import BodyPanel
from ui.client_view import ClientView
from ui.console_settings import ConsoleSettings
from ui.console_status import ConsoleStatusBar, FaultBanners, SessionClock
from ui.eeg_plot import EegPanel, EegPlot
from ui.entry_field import EntryField
from ui.estimate_tips import EstimateTips
from ui.export_dialog import ExportDialog
from ui.face_preview import PRIVACY_MODES, FacePreview
from ui.fit_check import on_show
from ui.glance import GlanceLines
from ui.kiosk import Kiosk
from ui.lab_panels import OutputsView, marker_log
from ui.marker_bar import MarkerBar
from ui.marker_lines import MarkerLines
from ui.music_panel import MusicPanel
from ui.notes_editor import NotesEditor
from ui.presentation import ContributionBars, MusicStateCard
from ui.preset_picker import PresetPicker
from ui.replay import ReplayWindow, open_replay
from ui.replay_chooser import ReplayChooser
from ui.sam_dialog import SamDialog
from ui.screen_fit import fit_to_screen, keep_on_screen
from ui.session_flow_panel import SessionFlowPanel
from ui.settings_dialog import SettingsDialog
from ui.setup_assistant import SetupAssistant
from ui.shortcut_help import ShortcutHelp, shortcut_rows
from ui.status_panel import StatusPanel
from ui.suggestion_card import SuggestionCard
from ui.theme import DARK, THEMES, configure_pyqtgraph, set_role, style_sheet, theme_plots
from ui.va_plane import VAPlane
from ui.voice_panel import VoicePanel
from ui.workspaces import WORKSPACES, Workspace, Workspaces

FRAME_MS = 16  # about 60 frames per second
FRAME_BUDGET_S = 0.006  # a frame starts no further view after this much refreshing; the rest go first next frame
PRESENTATION_SCALE = 1.6  # font scale of the Presentation workspace, at least
KIOSK_EVERY = 6  # the kiosk's views redraw every this many frames (10 a second)


TREND_CAPTION = (
    "Valence (blue: unpleasant to pleasant) and arousal (orange: calm to activated) over the last minute; the grey "
    "band is how confident the estimate is. A machine estimate to support your judgement, not a diagnosis."
)
SHARES_CAPTION = "How much each channel counts in the estimate now, and why one counts less."


class View(Protocol):
    def refresh(self, now: float) -> None: ...


def scrolled(widget: QWidget) -> QScrollArea:
    """``widget`` in a scroll area: on a small screen (or with very large text) a panel scrolls instead of being
    squeezed or of pushing the window past the screen's edge."""
    scroll = QScrollArea()
    scroll.setWidget(widget)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    return scroll


def stacked(*widgets: QWidget) -> QWidget:
    """``widgets`` one above the other, the first given the height to spare unless it is a caption."""
    panel = QWidget()
    layout = QVBoxLayout(panel)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    for widget in widgets:
        layout.addWidget(widget, 0 if isinstance(widget, (QLabel, GlanceLines)) else 1)
    return panel


def caption(text: str) -> QLabel:
    """What a view shows, as visible text under it (a therapist should not have to hover to learn it)."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setContentsMargins(8, 0, 8, 2)
    set_role(label, "muted")
    return label


class MainWindow(QMainWindow):
    """Everything the operator sees for one running Studio. ``frames`` counts frames drawn (for benchmarks).

    ``settings`` keeps the workspace layouts, theme and font size (default: the user's console.ini).
    """

    def __init__(self, studio: Studio, settings: ConsoleSettings | None = None) -> None:
        super().__init__()
        configure_pyqtgraph()
        self.studio = studio
        self.settings = settings or ConsoleSettings()
        self.frames = 0
        self.setWindowTitle("Affect Studio" + (" · demo" if studio.demo else ""))
        fit_to_screen(self)
        self.setDockNestingEnabled(True)

        hub = studio.hub
        self.eeg = EegPlot(hub, studio.config.body)
        self.body = BodyPanel(hub)
        self.bands = self.body.bands
        self.channel_affect = ChannelAffectPlots(hub, CHANNELS)
        self.fused = FusedAffectPlot(hub)
        self.va_plane = VAPlane(hub, (studio.loop.goal, studio.loop.goal_point), studio.loop.events.goal)
        self.glance = GlanceLines(studio.loop, lambda: studio.session_id, lambda: studio.playing)
        self.status_panel = StatusPanel(studio)
        self.music = MusicPanel(studio)
        self.presets = PresetPicker(studio.loop, studio.clock, lambda name: studio.log_action("preset played", name))
        self.suggestions = SuggestionWatch(studio.loop)
        self.suggestion = SuggestionCard(self.suggestions, studio.clock)
        self.voice = VoicePanel(studio)
        self.voice.setTitle("")  # the dock says "Voice"
        self.face_preview = FacePreview(studio.sources["face"])
        self.use_privacy(self.settings.privacy)
        self.face_bars = BlendshapeBars(studio.sources["face"])
        self.text_entry = EntryField("Message", "What the client says or writes…  (Enter sends)", "Send", self._send)
        self.marker = EntryField("Marker", "what happened (optional)", "Add marker", self._add_marker)
        self.marker_bar = MarkerBar(studio, self)
        self.marker_log = marker_log(studio.markers)
        self.outputs = OutputsView(studio)
        self.music_state = MusicStateCard(studio)
        self.contributions = ContributionBars(studio)
        self.flow = SessionFlowPanel(studio)
        self.banners = BannerArea()
        self.faults = FaultBanners(studio, self.banners)
        self.tips = EstimateTips(
            studio,
            [
                (
                    self.va_plane,
                    "The fused estimate on the valence-arousal plane: the dot is now, the trail the "
                    "last 30 s (fainter is older), the ring is where the goal leads the music.",
                ),
                (
                    self.fused,
                    "The fused estimate over the last minute: valence, arousal, and its confidence (the grey area).",
                ),
                (
                    self.status_panel.shares,
                    "How much each channel counts in the fused estimate, and why a channel counts less.",
                ),
                (self.contributions, "How much each channel counts in the fused estimate right now."),
            ],
            [self.channel_affect],
        )
        self.status = ConsoleStatusBar(studio, self.flow.where)
        self.setStatusBar(self.status)
        shown_at = [(lambda: self.status.clock, self.status.clock_template), (lambda: self.flow.elapsed, "{time}")]
        self.clock = SessionClock(studio, shown_at)
        plots = [
            self.fused.getPlotItem(),
            self.channel_affect.valence,
            self.channel_affect.arousal,
            self.eeg.getPlotItem(),
        ]
        self.marker_lines = MarkerLines(studio.markers, plots, seconds=60.0)
        # (view, redraw every n-th frame): the EEG looks every second frame (its 16 traces are costly; 30 redraws a
        # second still scroll smoothly) and redraws when new samples came; the minute-long plots move a pixel per
        # 0.1 s and the fused estimate changes at 20 Hz, so they redraw less often. A view in a hidden dock
        # (another workspace, a tab behind) is not drawn at all. A view's phase is its place in this list: the
        # four costly plots (every 6th frame, places 2, 3, 4 and 7) are never painted in the same frame.
        self.views: list[tuple[View, int]] = [
            (self.eeg, 2),
            (self.body, 2),
            (self.channel_affect, 6),
            (self.fused, 6),
            (self.va_plane, 6),
            (self.glance, 6),
            (self.status_panel, 5),
            (self.music, 5),
            (self.suggestions, 5),
            (self.voice, 6),
            (self.face_preview, 2),
            (self.face_bars, 5),
            (self.marker_lines, 5),
            (self.marker_bar, 30),
            (self.marker_log, 8),
            (self.outputs, 30),
            (self.music_state, 8),
            (self.contributions, 8),
            (self.flow, 6),
            (self.status, 15),
            (self.clock, 6),
            (self.faults, 15),
            (self.tips, 30),
        ]
        self._late: list[View] = []  # views due in the last frame that its budget did not reach
        self.replays: list[ReplayWindow] = []  # replay windows opened from the Session menu
        self.replay_chooser: QDialog | None = None
        self.client_view: ClientView | None = None
        self.kiosk: Kiosk | None = None  # the presentation kiosk while it is open
        self.quit_question: QMessageBox | None = None  # the question before quitting a recording, while it is asked
        self.docks = self._make_docks()
        central = QWidget()  # Qt wants one; hidden, so that the docks fill the window
        central.setObjectName("central")
        self.setCentralWidget(central)
        central.hide()

        self.help = ShortcutHelp(self)
        self.workspaces = Workspaces(self, self.docks, self.settings, self._apply_look, self.draw_shown)
        self._menus()
        self.workspaces.switch(self.settings.workspace)
        if self.settings.problem:
            self.banners.show_message("settings", self.settings.problem, "warning")

        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(FRAME_MS)
        self.timer.timeout.connect(self.draw_frame)
        self.timer.start()

    # --- docks and menus ----------------------------------------------------------------------------------
    def _make_docks(self) -> dict[str, QDockWidget]:
        status = QWidget()
        status_layout = QVBoxLayout(status)
        status_layout.addWidget(self.status_panel)
        self.board_button = QPushButton("Board connection…")
        self.board_button.clicked.connect(self.open_board_dialog)
        status_layout.addWidget(self.board_button)
        status_layout.addStretch(1)
        entries = QWidget()
        entries_layout = QVBoxLayout(entries)
        for widget in (self.text_entry, self.marker, self.marker_bar):
            entries_layout.addWidget(widget)
        notes = QPushButton("Session notes…  (Ctrl+N)")
        notes.setToolTip("The SOAP or DAP note of this session, saved with it; the session goes on meanwhile")
        notes.clicked.connect(self.open_notes)
        entries_layout.addWidget(notes, 0, Qt.AlignmentFlag.AlignLeft)
        panels: dict[str, tuple[str, QWidget]] = {
            "flow": ("Session steps", scrolled(self.flow)),
            "plane": ("Valence–arousal", stacked(self.glance, self.va_plane)),
            "trend": ("Affect trend", stacked(self.fused, caption(TREND_CAPTION))),
            "channel_affect": ("Affect by channel", self.channel_affect),
            "eeg": ("EEG", EegPanel(self.eeg)),
            "body": ("Body signals", self.body),
            "camera": ("Camera", scrolled(self.face_preview)),
            "face_features": ("Face features", scrolled(self.face_bars)),
            "voice": ("Voice", scrolled(self.voice)),
            "music": ("Music", scrolled(self.music)),
            "presets": ("Presets", scrolled(self.presets)),
            "status": ("Channels", scrolled(status)),
            "entries": ("Messages and markers", scrolled(entries)),
            "marker_log": ("Marker log", self.marker_log),
            "outputs": ("Outputs", scrolled(self.outputs)),
            "music_state": ("Music now", scrolled(self.music_state)),
            "contributions": ("Channel contributions", stacked(self.contributions, caption(SHARES_CAPTION))),
        }
        docks = {}
        for name, (title, widget) in panels.items():
            dock = QDockWidget(title, self)
            dock.setObjectName(name)  # saveState/restoreState find the dock by this name
            dock.setWidget(widget)
            dock.hide()
            docks[name] = dock
        return docks

    def _action(self, menu: QMenu, text: str, slot, shortcut: str | QKeySequence = "", tip: str = "") -> QAction:
        """A menu entry with its keyboard shortcut (window-wide); the help overlay lists them all."""
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        if tip:
            action.setToolTip(tip)
            action.setStatusTip(tip)
        action.triggered.connect(slot)
        menu.addAction(action)
        self.addAction(action)  # the shortcut works with the menu bar hidden (full screen) too
        return action

    def _menus(self) -> None:
        bar = self.menuBar()
        session = bar.addMenu("&Session")
        self._action(session, "Fade out the music", self.music.fade_out, "Escape")
        self._action(session, "Start the music again", self.music.fade_in, "Ctrl+Return")
        self._action(session, "Accept the suggestion", self.suggestion.accept, "Space")
        self._action(session, "Dismiss the suggestion", self.suggestion.dismiss, "Ctrl+Backspace")
        self._action(session, "Calibrate the baseline", self.status_panel.calibrate_button.click, "Ctrl+B")
        self._action(session, "Skip this session step", self.flow.skip, "Ctrl+Shift+S")
        self._action(session, "End the session", self.end_session, "Ctrl+Shift+E", "Stop recording, fade the music")
        self._action(session, "New session (next client)", self.new_session, "Ctrl+Shift+N")
        session.addSeparator()
        self._action(session, "Type a message", lambda: self.focus_entry(self.text_entry), "Ctrl+L")
        self._action(session, "Type a marker", lambda: self.focus_entry(self.marker), "Ctrl+M")
        for phase, key in (("before", "Ctrl+Shift+1"), ("during", "Ctrl+Shift+2"), ("after", "Ctrl+Shift+3")):
            self._action(session, f"Self-report {phase}…", lambda _=False, p=phase: self.open_sam(p), key)
        self._action(session, "Notes…", self.open_notes, "Ctrl+N")
        self._action(session, "Client progress…", self.open_client_view, "Ctrl+Shift+P", "A client's visits")
        session.addSeparator()
        self._action(session, "Board connection…", self.open_board_dialog, "Ctrl+Shift+B")
        self._action(session, "Settings…", self.open_settings, "Ctrl+,", "Outputs, markers, audio, weights, consent")
        self._action(session, "Export a session…", self.open_export, "Ctrl+E", "CSV, Parquet, EDF, BDF or the report")
        self._action(session, "Replay a session…", self._replay, "Ctrl+R")
        self._action(session, "Quit", self.request_quit, QKeySequence.StandardKey.Quit)

        view = bar.addMenu("&View")
        toolbar = QToolBar("Workspaces")
        toolbar.setObjectName("workspaces")
        toolbar.setMovable(False)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)
        self.addToolBarBreak()
        banner_bar = QToolBar("Messages")  # a waiting suggestion, faults and notices, under the workspaces
        banner_bar.setObjectName("banners")
        banner_bar.setMovable(False)
        self.banners.pin(self.suggestion)
        banner_bar.addWidget(self.banners)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, banner_bar)
        group = QActionGroup(self)
        self.workspace_actions: dict[str, QAction] = {}
        for i, workspace in enumerate(WORKSPACES, start=1):
            action = self._action(
                view,
                workspace.title,
                lambda _=False, n=workspace.name: self.workspaces.switch(n),
                f"Ctrl+{i}",
                workspace.tip,
            )
            action.setCheckable(True)
            group.addAction(action)
            toolbar.addAction(action)
            self.workspace_actions[workspace.name] = action
        self._action(view, "Reset this workspace's layout", self.workspaces.reset, "Ctrl+Shift+R")
        view.addSeparator()
        panels = view.addMenu("Panels")
        for dock in self.docks.values():
            panels.addAction(dock.toggleViewAction())
        view.addSeparator()
        self._action(view, "Light / dark theme", self.toggle_theme, "Ctrl+Shift+T")
        self._action(view, "Larger text", lambda: self.scale_font(1.1), QKeySequence.StandardKey.ZoomIn)
        self._action(view, "Smaller text", lambda: self.scale_font(1 / 1.1), QKeySequence.StandardKey.ZoomOut)
        self._action(view, "Full screen", self.toggle_full_screen, "F11")
        self._action(view, "Present in a kiosk (Esc leaves)", self.open_kiosk, "F9", "Full screen for a room")
        help_menu = bar.addMenu("&Help")
        shortcuts = self._action(help_menu, "Help: keyboard shortcuts", self.toggle_help, "F1")
        shortcuts.setShortcuts([QKeySequence("F1"), QKeySequence("?"), QKeySequence("Ctrl+/")])
        self._action(help_menu, "Setup assistant…", self.open_setup, "Ctrl+Shift+A")

    # --- look ---------------------------------------------------------------------------------------------
    def _apply_look(self, workspace: Workspace) -> None:
        """The workspace's theme and font size (Presentation: dark and large), full screen if it asks."""
        self.workspace_actions[workspace.name].setChecked(True)  # the group unchecks the others
        self.restyle()
        self.status.setVisible(not workspace.full_screen)  # a room sees the plots; faults still show as banners
        if workspace.full_screen and self.isVisible():
            self.showFullScreen()
        elif self.isFullScreen() and not workspace.full_screen:
            self.showNormal()

    def restyle(self) -> None:
        workspace = self.workspaces.current
        presenting = workspace is not None and workspace.dark
        palette = DARK if presenting else THEMES[self.settings.theme]
        scale = self.settings.font_scale
        if presenting:
            scale = max(scale, PRESENTATION_SCALE)
        self.setStyleSheet(style_sheet(palette, scale))
        theme_plots(self, palette, scale)
        self.va_plane.use_palette(palette)
        QTimer.singleShot(0, self, lambda: keep_on_screen(self))  # once the larger text has laid itself out

    def toggle_theme(self) -> None:
        self.settings.theme = "dark" if self.settings.theme == "light" else "light"
        self.restyle()

    def scale_font(self, factor: float) -> None:
        self.settings.font_scale *= factor  # the setting keeps itself within its range
        self.restyle()

    def open_kiosk(self) -> Kiosk:
        """The full-screen kiosk over the console (F9); Esc closes it. Its views draw with the console's frames."""
        if self.kiosk is None:
            self.kiosk = Kiosk(self.studio, self.close_kiosk, self.glance.words)  # one "start" for both
        self.kiosk.present()
        return self.kiosk

    def close_kiosk(self) -> None:
        if self.kiosk is not None:
            self.kiosk.close()
            self.kiosk.deleteLater()
            self.kiosk = None
            self.activateWindow()

    def toggle_full_screen(self) -> None:
        if self.isFullScreen():
            self.showNormal()
        else:
            self.showFullScreen()

    # --- actions ------------------------------------------------------------------------------------------
    def toggle_help(self) -> None:
        """Show (or hide) the overlay listing every shortcut, the marker keys included."""
        if self.help.isVisible():
            self.help.hide()
            return
        markers = [(keys, f"Marker '{label}'") for keys, label in self.marker_bar.keys]
        self.help.show_rows(shortcut_rows(self.actions(), markers))

    def focus_entry(self, entry: EntryField) -> None:
        dock = next(d for d in self.docks.values() if d.isAncestorOf(entry))
        dock.show()
        dock.raise_()
        entry.edit.setFocus()

    def open_sam(self, phase: str) -> SamDialog:
        """The self-report, non-modal: the session goes on while the client rates."""
        dialog = SamDialog(self.studio, phase, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def end_session(self) -> None:
        """End the session recording now (from the steps' page or the menu)."""
        if self.flow.flow.current is not None and self.flow.flow.current.key == "running":
            self.flow.end_session()
        elif self.studio.recording:
            self.studio.end_session()
        else:
            self.banners.show_message("session", "No session is recording.", "info")

    def new_session(self) -> None:
        """The session steps again for the next client; refused (with a banner) while a session records."""
        if self.studio.recording:
            self.banners.show_message(
                "session", f"Session {self.studio.session_id} is recording: end it first (Ctrl+Shift+E).", "warning"
            )
            return
        self.banners.withdraw("session")
        self.flow.new_session()
        self.docks["flow"].show()
        self.docks["flow"].raise_()

    def open_notes(self) -> NotesEditor:
        editor = NotesEditor(self.studio, self)
        editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        editor.show()
        return editor

    def open_client_view(self) -> ClientView | None:
        """The Client view (one, not modal) on the current session's client, reading this console's database."""
        database, store = self.studio.database, self.studio.store
        if database is None or store is None:
            self.banners.show_message("clients", "Client progress: this console has no session database", "warning")
            return None
        if self.client_view is None:

            def write(progress: ClientProgress) -> list[Path]:
                out = store.parent / "reports"
                return write_into(out, lambda folder: export_progress(progress, folder, lambda _step: None))

            self.client_view = ClientView(
                self,
                lambda: [c.code for c in database.clients()],
                lambda code, include: load_progress(database, code, include),
                write,
                self.studio.options.client,
            )
        self.client_view.reload(self.studio.options.client)
        self.client_view.show()
        self.client_view.raise_()
        return self.client_view

    def open_setup(self) -> SetupAssistant:
        """The first-run assistant (devices found, face model, privacy), beside the console."""
        assistant = SetupAssistant(self.studio.config, self.settings, self.use_privacy, self)
        assistant.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        assistant.show()
        return assistant

    def use_privacy(self, mode: str) -> None:
        """How the camera preview shows the face: blur, show or hide."""
        self.face_preview.privacy.setCurrentIndex(PRIVACY_MODES.index(mode))

    def open_export(self) -> ExportDialog | None:
        """The export dialog (not modal) on this console's database."""
        database, store = self.studio.database, self.studio.store
        if database is None or store is None:
            self.banners.show_message("export", "Export: this console records no sessions (no database)", "warning")
            return None
        dialog = ExportDialog(store, database.sessions, store.parent / "exports", self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def open_settings(self) -> SettingsDialog:
        """The settings dialog (not modal) on the user's settings file."""
        dialog = SettingsDialog(user_config_path(), self, self.outputs.streams.text())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def open_board_dialog(self) -> BoardDialog:
        dialog = BoardDialog(self.studio.config.profiles_path, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def _replay(self) -> None:
        """Show the replay chooser (one, not modal) listing this database's sessions."""
        database, store = self.studio.database, self.studio.store
        if database is None or store is None:
            self.banners.show_message("replay", "Replay: this console records no sessions (no database)", "warning")
            return
        if self.replay_chooser is None:

            def open_one(session_id: int, speed: float) -> QWidget:
                window = open_replay(self.studio.config, store, session_id, speed, self._replay_music_refused)
                self.replays.append(window)
                return window

            self.replay_chooser = ReplayChooser(self, database.sessions, open_one, self._replay_error)
        self.replay_chooser.reload()
        self.replay_chooser.show()
        self.replay_chooser.raise_()

    def _replay_music_refused(self) -> str:
        """Why a replay may not play its session's music now ("" when it may): not over a client's session."""
        if self.studio.recording:
            return f"session {self.studio.session_id} is recording here, and its music is the client's"
        return ""

    def _replay_error(self, text: str) -> None:
        self.banners.show_message("replay", text, "warning")

    def _send(self, text: str) -> str:
        self.studio.submit_text(text)
        return "sent to the text channel"

    def _add_marker(self, label: str) -> str:
        marker = self.studio.add_marker(label or "marker")
        return f"'{marker.label}' at {marker.t:.1f} s"

    def draw_frame(self) -> None:
        """One frame: the views due in it pull what they show from the streams at the same session time.

        Phases spread the slower views over different frames; when the views due still take longer than
        ``FRAME_BUDGET_S``, those not reached are refreshed first in the next frame, so that no frame holds
        the event loop (and the operator's clicks) for long."""
        now = self.studio.clock.now()
        started = time.perf_counter()
        if self.kiosk is not None and self.frames % KIOSK_EVERY == 0:
            for kiosk_view in self.kiosk.views:
                kiosk_view.refresh(now)
        due = self._late + [
            view
            for phase, (view, every) in enumerate(self.views)
            if (self.frames + phase) % every == 0 and view not in self._late
        ]
        self._late = []
        for view in due:
            if time.perf_counter() - started > FRAME_BUDGET_S:
                self._late.append(view)
            elif _on_show(view):
                view.refresh(now)
        self.frames += 1

    def draw_shown(self) -> None:
        """Refresh every view on show at once (after a workspace switch no panel waits for its turn blank)."""
        now = self.studio.clock.now()
        for view, _ in self.views:
            if _on_show(view):
                view.refresh(now)

    def request_quit(self) -> None:
        """Ctrl+Q: close the window (and so quit), asking first while a session records."""
        if self.may_quit():
            self.close()

    def may_quit(self) -> bool:
        """Whether the console may close now: yes when nothing records; else the operator chooses between ending
        the session and quitting, and keeping on recording (the default)."""
        if not self.studio.recording:
            return True
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Quit while recording?")
        box.setText(f"Session {self.studio.session_id} is recording.")
        box.setInformativeText("Quitting ends the session: its recording stops and the music fades out.")
        end = box.addButton("End the session and quit", QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton("Keep recording", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        self.quit_question = box
        box.exec()
        self.quit_question = None
        if box.clickedButton() is not end:
            return False
        self.end_session()
        return True

    def closeEvent(self, event: QCloseEvent) -> None:
        """The window manager's close asks like Ctrl+Q; a close from the program (tests, signals) does not."""
        if event.spontaneous() and not self.may_quit():
            event.ignore()
            return
        self.close_kiosk()
        self.workspaces.save()
        super().closeEvent(event)


def _on_show(view: View) -> bool:
    """Whether ``view`` is on show: visible and not behind another tab (views that are not widgets, such as the status
    bar's parts, always are)."""
    return not isinstance(view, QWidget) or on_show(view)
