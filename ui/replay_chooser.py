"""The Session menu's replay chooser: the database's sessions, a speed, and Replay."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QAbstractItemView,
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

from studio.kernel.errors import StudioError
from studio.replay import SPEEDS
from studio.store import SessionInfo

COLUMNS = ("Session", "Started (UTC)", "Length", "Client", "Status")


class ReplayChooser(QDialog):
    """The Session menu's replay window (not modal: the session goes on): every recorded session with its
    start, length, client and status, a speed, and Replay. ``open_replay(session_id, speed)`` opens each
    replay in a player of its own; a session that cannot be replayed goes to ``on_error`` (a banner), and the list
    stays."""

    def __init__(
        self,
        parent: QWidget,
        sessions: Callable[[], list[SessionInfo]],
        open_replay: Callable[[int, float], QWidget],
        on_error: Callable[[str], None],
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Replay a session")
        self.setModal(False)
        self._sessions, self._open_replay, self._on_error = sessions, open_replay, on_error
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
            self._open_replay(session_id, SPEEDS[self.speed.currentIndex()])
        except StudioError as exc:
            self._on_error(f"Replay of session {session_id}: {exc}")
