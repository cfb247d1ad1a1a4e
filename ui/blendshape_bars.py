"""Bars of the strongest face blendshapes right now, and which of them drove the face estimate."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QWidget

from fusion.face import FACE_BLENDSHAPES, describe
from sensors.base import Source
from sensors.face import FaceSource
from ui.theme import MUTED, ORANGE

SHOWN = 7  # bars
ROW = 16  # pixels per bar
SCORES = [i for i, name in enumerate(FACE_BLENDSHAPES) if not name.startswith("_")]  # stream columns with scores


class BlendshapeBars(QWidget):
    """The ``SHOWN`` highest blendshape scores (0..1) of the newest face frame, and a line naming the
    blendshapes that pushed valence (V) and arousal (A) away from the resting face."""

    def __init__(self, source: Source) -> None:
        super().__init__()
        self._source = source
        self.bars: list[tuple[str, float]] = []
        self.drivers = ""
        self._seen = -1
        self.setMinimumHeight(self.row_height() * (SHOWN + 1) + 6)

    def row_height(self) -> int:
        """A bar's height: at least ROW, more with larger text."""
        return max(ROW, self.fontMetrics().height() + 4)

    def sizeHint(self) -> QSize:
        return QSize(220, self.row_height() * (SHOWN + 1) + 6)

    def refresh(self, now: float) -> None:
        if not isinstance(self._source, FaceSource) or self._source.shapes is None:
            return
        stream = self._source.shapes
        if stream.count == self._seen:
            return
        self._seen = stream.count
        latest = stream.latest()
        if latest is None:
            return
        _, row = latest
        top = sorted(SCORES, key=lambda i: row[i], reverse=True)[:SHOWN]
        self.bars = [(FACE_BLENDSHAPES[i], float(row[i])) for i in top]
        drivers = self._source.drivers
        self.drivers = "Drivers: " + describe(drivers) if drivers else "no face in the newest frame"
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        """Each bar fills its track by the score; the name is written over the bar, the score after it."""
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        value_w = 34.0
        track = max(10.0, self.width() - value_w)
        if not self.bars:
            painter.setPen(QColor(MUTED))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "no face frames yet")
            return
        middle = Qt.AlignmentFlag.AlignVCenter
        ink = self.palette().color(QPalette.ColorRole.WindowText)  # the theme's text colour, light or dark
        faint = QColor(ink)
        faint.setAlphaF(0.15)
        row = self.row_height()
        for i, (name, score) in enumerate(self.bars):
            y = i * row
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(faint)
            painter.drawRoundedRect(QRectF(0, y + 1, track, row - 2), 2, 2)
            painter.setBrush(QColor(ORANGE))
            painter.drawRoundedRect(QRectF(0, y + 1, track * max(0.0, min(1.0, score)), row - 2), 2, 2)
            painter.setPen(ink)
            painter.drawText(QRectF(4, y, track - 4, row), middle, name)
            painter.drawText(QRectF(track + 4, y, value_w - 4, row), middle, f"{score:.2f}")
        line = painter.fontMetrics().elidedText(self.drivers, Qt.TextElideMode.ElideRight, self.width())
        painter.drawText(QRectF(0, SHOWN * row + 2, self.width(), row + 4), middle, line)
        self.setToolTip(self.drivers)
