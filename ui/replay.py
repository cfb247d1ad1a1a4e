"""Replaying a recorded session in the main window: ``affect-studio --replay ID`` and the Session menu."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from studio.config import Config
from studio.errors import StudioError
from studio.replay import replay_studio
from studio.store import SessionInfo
from ui.main_window import MainWindow

COLUMNS = ("Session", "Started (UTC)", "Length", "Client", "Status")


def open_replay(config: Config, store: Path, session_id: int, speed: float) -> MainWindow:
    """Start a replay and show it in its own window (the studio stops when the window closes)."""
    studio, _ = replay_studio(config, store, session_id, speed)
    studio.start()
    window = MainWindow(studio)
    window.setWindowTitle(f"Affect Studio · replay of session {session_id} at {speed:g}x")
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    window.destroyed.connect(lambda: studio.stop())
    window.show()
    return window


SPEEDS = (0.5, 1.0, 2.0, 4.0)  # replay speed choices, times real time


class ReplayChooser(QDialog):
    """The Session menu's replay window (not modal: the session goes on): every recorded session with its
    start, length, client and status, a speed, and Replay. Each replay opens in its own window and goes to
    ``on_opened``; a session that cannot be replayed goes to ``on_error`` (a banner), and the list stays."""

    def __init__(
        self,
        parent: QWidget,
        config: Config,
        store: Path,
        sessions: Callable[[], list[SessionInfo]],
        on_opened: Callable[[MainWindow], None],
        on_error: Callable[[str], None],
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Replay a session")
        self.setModal(False)
        self._config, self._store, self._sessions = config, store, sessions
        self._on_opened, self._on_error = on_opened, on_error
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(self.replay_selected)
        self.speed = QComboBox()
        self.speed.addItems([f"{speed:g}x" for speed in SPEEDS])
        self.speed.setCurrentIndex(SPEEDS.index(1.0))
        self.speed.setToolTip("how fast the recording plays back (1x: as it happened)")
        self.empty = QLabel("")
        buttons = QDialogButtonBox()
        self.replay_button = buttons.addButton("Replay", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Close)
        buttons.accepted.connect(self.replay_selected)
        buttons.rejected.connect(self.close)
        row = QHBoxLayout()
        row.addWidget(QLabel("Speed"))
        row.addWidget(self.speed)
        row.addStretch(1)
        row.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addLayout(row)
        self.resize(620, 320)
        self.reload()

    def reload(self) -> None:
        """List the sessions again, newest first selected."""
        rows = sorted(self._sessions(), key=lambda s: s.id, reverse=True)
        self.table.setRowCount(len(rows))
        for r, info in enumerate(rows):
            minutes, seconds = divmod(int(info.duration_s), 60)
            cells = (
                str(info.id),
                info.started_utc[:19].replace("T", " "),
                f"{minutes}:{seconds:02d}",
                info.client_code or "-",
                info.status,
            )
            for c, text in enumerate(cells):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.empty.setText("" if rows else "No recorded sessions in this database yet.")
        self.empty.setVisible(not rows)
        self.replay_button.setEnabled(bool(rows))
        if rows:
            self.table.selectRow(0)
        self.table.resizeColumnsToContents()

    def replay_selected(self) -> None:
        """Open the selected session in its own replay window at the chosen speed."""
        selected = self.table.selectionModel().selectedRows()
        if not selected:
            return
        session_id = int(self.table.item(selected[0].row(), 0).text())
        try:
            window = open_replay(self._config, self._store, session_id, SPEEDS[self.speed.currentIndex()])
        except StudioError as exc:
            self._on_error(f"Replay of session {session_id}: {exc}")
            return
        self._on_opened(window)


def run_replay(config: Config, store: Path, session_id: int, speed: float) -> int:
    """The ``--replay`` command line: one replay window until it closes; returns Qt's exit status."""
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("Affect Studio")
    app.setStyle("Fusion")
    window = open_replay(config, store, session_id, speed)
    try:
        return app.exec()
    finally:
        window.studio.stop()
