"""Channel health (a coloured dot, the state in words, the detail and the backend) and fusion shares."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from sensors.base import ChannelStatus
from studio.app import Studio
from studio.loop import contribution_text
from ui.theme import MUTED, STATE_COLOURS, set_role

DOT = 12  # pixels


class ChannelRow:
    """The labels of one channel in the status grid; ``show`` touches them only when the status changed."""

    def __init__(self, grid: QGridLayout, row: int, channel: str) -> None:
        self.dot = QLabel()
        self.dot.setFixedSize(DOT, DOT)
        self.name = QLabel(f"<b>{channel}</b>")
        self.state = QLabel()
        self.backend = QLabel()
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        for label in (self.state, self.backend, self.detail):
            set_role(label, "muted")
        grid.addWidget(self.dot, row, 0)
        grid.addWidget(self.name, row, 1)
        grid.addWidget(self.state, row, 2)
        grid.addWidget(self.backend, row, 3, Qt.AlignmentFlag.AlignRight)
        grid.addWidget(self.detail, row + 1, 1, 1, 3)
        self._shown: ChannelStatus | None = None

    def show(self, status: ChannelStatus) -> None:
        if status == self._shown:
            return
        colour = STATE_COLOURS.get(status.state, MUTED)
        self.dot.setStyleSheet(f"background: {colour}; border-radius: {DOT // 2}px;")
        self.state.setText(status.state.value)
        self.backend.setText(status.backend)
        self.detail.setText(status.detail)
        self._shown = status


class StatusPanel(QWidget):
    """Every channel's status, and how much each counts in the newest fused estimate (and why not more)."""

    def __init__(self, studio: Studio) -> None:
        super().__init__()
        self._studio = studio
        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(1)
        grid.setColumnStretch(3, 1)
        self.rows = {ch: ChannelRow(grid, 2 * i, ch) for i, ch in enumerate(studio.statuses())}
        self.shares = QLabel("")
        self.shares.setWordWrap(True)
        set_role(self.shares, "readout")
        heading = QLabel("Share of the fused estimate")
        set_role(heading, "muted")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(grid)
        layout.addSpacing(6)
        layout.addWidget(heading)
        layout.addWidget(self.shares)

    def refresh(self, now: float) -> None:
        for channel, status in self._studio.statuses().items():
            self.rows[channel].show(status)
        contributions = self._studio.loop.last.contributions
        text = "\n".join(contribution_text(c) for c in contributions) or "no estimate yet"
        self.shares.setText(text)
