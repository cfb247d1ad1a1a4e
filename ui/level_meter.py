"""A small horizontal output level meter in dBFS."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QWidget

from ui.theme import BLUISH_GREEN, GRID, ORANGE, VERMILLION

FLOOR_DBFS = -60.0
WARN_DBFS = -12.0
HOT_DBFS = -3.0


def level_colour(dbfs: float) -> str:
    if dbfs >= HOT_DBFS:
        return VERMILLION
    return ORANGE if dbfs >= WARN_DBFS else BLUISH_GREEN


class LevelMeter(QWidget):
    """A bar from FLOOR_DBFS to 0 dBFS with the level written on it; ``set_level`` repaints only on change."""

    def __init__(self) -> None:
        super().__init__()
        self.dbfs = FLOOR_DBFS
        self.setMinimumHeight(18)

    def sizeHint(self) -> QSize:
        return QSize(180, 18)

    def set_level(self, dbfs: float) -> None:
        shown = round(max(FLOOR_DBFS, min(0.0, dbfs)), 1)
        if shown != self.dbfs:
            self.dbfs = shown
            self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        painter.setPen(QColor(GRID))
        painter.setBrush(Qt.BrushStyle.NoBrush)  # the panel shows through: right in light and dark themes
        painter.drawRoundedRect(rect, 3, 3)
        share = (self.dbfs - FLOOR_DBFS) / -FLOOR_DBFS
        if share > 0:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(level_colour(self.dbfs)))
            painter.drawRoundedRect(rect.adjusted(1, 1, -1 - (1 - share) * (rect.width() - 2), -1), 2, 2)
        painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
        text = "silent" if self.dbfs <= FLOOR_DBFS else f"{self.dbfs:.0f} dBFS"
        painter.drawText(rect.adjusted(6, 0, -6, 0), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, text)
