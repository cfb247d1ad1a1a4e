"""Two large, plain views for a room: what the music is doing now, and how much each channel counts in the
estimate. They follow the window's theme and font size, so the Presentation workspace (dark, large text)
reads from the back of a room."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from fusion.fuse import Contribution
from studio.app import Studio
from ui.theme import CHANNEL_COLOURS, MUTED, set_role


class MusicStateCard(QWidget):
    """Playing or faded out, the goal and the control mode, tempo, key and the layers playing."""

    def __init__(self, studio: Studio) -> None:
        super().__init__()
        self._studio = studio
        self.headline = QLabel("")
        set_role(self.headline, "big")
        self.detail = QLabel("")
        self.detail.setWordWrap(True)
        self.setToolTip(
            "The generative music now: the goal it steers towards, who steers it (auto, suggest or manual), "
            "and its tempo, key and layers. It moves only inside the operator's bounds."
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.addWidget(self.headline)
        layout.addWidget(self.detail)
        layout.addStretch(1)

    def refresh(self, now: float) -> None:
        studio, loop = self._studio, self._studio.loop
        p = loop.params
        state = "♪ playing" if studio.playing else "faded out"
        self.headline.setText(f"{state} · {p.tempo:.0f} BPM")
        self.detail.setText(
            f"goal: {loop.goal.value} · control: {loop.mode.value}\n{p.mode} · {', '.join(sorted(p.layers))}"
        )


class ContributionBars(QWidget):
    """One bar per channel: its share (0-100 %) of the fused estimate in the channel's colour, and why it
    counts less when it does."""

    def __init__(self, studio: Studio) -> None:
        super().__init__()
        self._studio = studio
        self.shown: tuple[Contribution, ...] = ()
        self.setMinimumHeight(120)  # its tooltip (what it is, how confident) comes from EstimateTips

    def sizeHint(self) -> QSize:
        return QSize(360, 200)

    def refresh(self, now: float) -> None:
        contributions = self._studio.loop.last.contributions
        if contributions != self.shown:
            self.shown = contributions
            self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        ink = self.palette().color(QPalette.ColorRole.WindowText)
        if not self.shown:
            painter.setPen(QColor(MUTED))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "no estimate yet")
            return
        rows = len(self.shown)
        row_h = self.height() / rows
        name_w = self.width() * 0.22
        bar_w = self.width() * 0.3  # the rest holds the share and why a channel counts less
        for i, c in enumerate(self.shown):
            top = i * row_h
            bar = QRectF(name_w, top + row_h * 0.2, bar_w, row_h * 0.6)
            painter.setPen(Qt.PenStyle.NoPen)
            track = QColor(ink)
            track.setAlphaF(0.15)
            painter.setBrush(track)
            painter.drawRoundedRect(bar, 3, 3)
            painter.setBrush(QColor(CHANNEL_COLOURS.get(c.channel, MUTED)))
            painter.drawRoundedRect(QRectF(bar.left(), bar.top(), bar.width() * c.share, bar.height()), 3, 3)
            painter.setPen(ink)
            text_flags = Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft
            painter.drawText(QRectF(0, top, name_w - 8, row_h), text_flags, c.channel)
            note = f"{100 * c.share:.0f}%" + (f"  {c.reason}" if c.reason else "")
            painter.drawText(
                QRectF(name_w + bar_w + 8, top, self.width() - name_w - bar_w - 8, row_h), text_flags, note
            )
