"""Channel health (a coloured dot, the state in words, the detail and the backend) and fusion shares."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

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
        self.agreement = QLabel("")
        self.agreement.setWordWrap(True)
        self.agreement.setToolTip(
            "How well the channels agree on valence and arousal. Disagreement lowers the fused confidence; "
            "the two channels furthest apart are named."
        )
        self.calibrate_button = QPushButton(f"Calibrate baseline ({studio.config.calibration_seconds:g} s rest)")
        self.calibrate_button.setToolTip(
            "The person rests; every channel records its resting profile, and the music holds meanwhile"
        )
        self.calibration = QLabel("")
        self.calibration.setWordWrap(True)  # a narrow panel wraps it instead of clipping the channel rows
        set_role(self.calibration, "muted")
        self.calibrate_button.clicked.connect(self._calibrate)
        calibration_row = QHBoxLayout()
        calibration_row.addWidget(self.calibrate_button)
        calibration_row.addWidget(self.calibration, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(grid)
        layout.addSpacing(6)
        layout.addWidget(heading)
        layout.addWidget(self.shares)
        layout.addWidget(self.agreement)
        layout.addLayout(calibration_row)

    def _calibrate(self) -> None:
        self._studio.calibrate()
        self.calibrate_button.setEnabled(False)

    def refresh(self, now: float) -> None:
        for channel, status in self._studio.statuses().items():
            self.rows[channel].show(status)
        contributions = self._studio.loop.last.contributions
        text = "\n".join(contribution_text(c) for c in contributions) or "no estimate yet"
        self.shares.setText(text)
        fused = self._studio.loop.last
        if fused.conflict:
            self.agreement.setText(f"Channels disagree ({100 * fused.agreement:.0f}% agreement): {fused.conflict}")
            set_role(self.agreement, "readout")
        else:
            self.agreement.setText(f"Channels agree ({100 * fused.agreement:.0f}%)")
            set_role(self.agreement, "muted")
        end = self._studio.calibration_end
        self.calibrate_button.setEnabled(end is None)
        if end is not None:
            self.calibration.setText(f"calibrating: {max(0.0, end - now):.0f} s left")
        elif self._studio.baselines:
            self.calibration.setText(f"baseline for {', '.join(sorted(self._studio.baselines))}")
