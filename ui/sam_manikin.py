"""The Self-Assessment Manikin (Bradley & Lang, 1994), drawn by the studio itself: nine figures per scale.

Valence runs from a frowning figure (1) to a smiling one (9); arousal from a sleepy figure with closed eyes and a
still body (1) to a wide-eyed one with a large burst in its chest (9). A scale answers the keys 1-9 while it has
the focus (they are not markers then), the arrow keys move the choice, Tab goes on to the next scale.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFocusEvent, QKeyEvent, QMouseEvent, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QGridLayout, QLabel, QSizePolicy, QWidget

from ui.theme import SKY_BLUE

POINTS = 9
SCALES = (
    ("valence", "How do you feel?", "unhappy, annoyed", "happy, content"),
    ("arousal", "How awake or stirred up?", "calm, sleepy", "excited, alert"),
)
NUMBER_KEYS = {getattr(Qt.Key, f"Key_{n}"): n for n in range(1, POINTS + 1)}


def _face(painter: QPainter, head: QRectF, smile: float, eyes_open: float) -> None:
    """Eyes (0 closed lines .. 1 wide circles) and a mouth that curves with ``smile`` (-1 frown .. 1 smile)."""
    r = head.width() / 2
    centre = head.center()
    eye_y = centre.y() - 0.18 * r
    for side in (-1, 1):
        eye = QPointF(centre.x() + side * 0.38 * r, eye_y)
        if eyes_open < 0.15:
            painter.drawLine(QPointF(eye.x() - 0.14 * r, eye.y()), QPointF(eye.x() + 0.14 * r, eye.y()))
        else:
            size = (0.06 + 0.12 * eyes_open) * r
            painter.drawEllipse(eye, size, size * (0.5 + 0.5 * eyes_open))
    mouth_y = centre.y() + 0.42 * r
    half = 0.42 * r
    path = QPainterPath(QPointF(centre.x() - half, mouth_y))
    path.quadTo(QPointF(centre.x(), mouth_y + 0.55 * r * smile), QPointF(centre.x() + half, mouth_y))
    painter.drawPath(path)


def _burst(painter: QPainter, centre: QPointF, size: float, spikes: int) -> None:
    """A star burst of ``spikes`` points, ``size`` pixels from its centre to the tips."""
    path = QPainterPath()
    for k in range(2 * spikes + 1):
        angle = math.pi * k / spikes - math.pi / 2
        radius = size if k % 2 == 0 else 0.45 * size
        point = QPointF(centre.x() + radius * math.cos(angle), centre.y() + radius * math.sin(angle))
        if k == 0:
            path.moveTo(point)
        else:
            path.lineTo(point)
    painter.drawPath(path)


def draw_manikin(painter: QPainter, cell: QRectF, scale: str, value: int, ink: QColor) -> None:
    """One manikin of ``scale`` (valence or arousal) at ``value`` (1-9) inside ``cell``, in outline."""
    share = (value - 1) / (POINTS - 1)  # 0 .. 1 along the scale
    w, h = cell.width(), cell.height()
    unit = min(w, h / 1.45)
    x0 = cell.center().x()
    top = cell.top() + (h - 1.4 * unit) / 2
    pen = QPen(ink, max(1.2, unit / 28))
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    head = QRectF(x0 - 0.3 * unit, top, 0.6 * unit, 0.6 * unit)
    painter.drawEllipse(head)
    body_top = top + 0.6 * unit
    body = QPainterPath(QPointF(x0 - 0.18 * unit, body_top))
    body.lineTo(x0 - 0.5 * unit, body_top + 0.3 * unit)  # the arms held out, as the SAM figure does
    body.lineTo(x0 - 0.22 * unit, body_top + 0.24 * unit)
    body.lineTo(x0 - 0.26 * unit, body_top + 0.8 * unit)  # legs
    body.lineTo(x0 + 0.26 * unit, body_top + 0.8 * unit)
    body.lineTo(x0 + 0.22 * unit, body_top + 0.24 * unit)
    body.lineTo(x0 + 0.5 * unit, body_top + 0.3 * unit)
    body.lineTo(x0 + 0.18 * unit, body_top)
    body.closeSubpath()
    painter.drawPath(body)
    if scale == "valence":
        _face(painter, head, smile=2 * share - 1, eyes_open=0.5)
        return
    _face(painter, head, smile=0.0, eyes_open=share)
    if value > 1:  # the burst in the chest grows with arousal
        _burst(painter, QPointF(x0, body_top + 0.42 * unit), (0.05 + 0.2 * share) * unit, 5 + value // 2)
    if value >= 7:  # and the figure's head shakes
        for side in (-1, 1):
            for k in range(value - 6):
                x = x0 + side * (0.37 + 0.06 * k) * unit
                painter.drawLine(QPointF(x, top + 0.12 * unit), QPointF(x, top + 0.4 * unit))


def _plain_number(event: QKeyEvent) -> bool:
    """A number key 1-9 with no modifier (the keypad's count as plain)."""
    return event.key() in NUMBER_KEYS and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier


class SamScale(QWidget):
    """Nine manikins of one scale; ``value`` is the choice (0: none yet). Click a figure or press 1-9."""

    chosen = Signal(int)

    def __init__(self, scale: str) -> None:
        super().__init__()
        self.scale = scale
        self.value = 0
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumHeight(88)
        self.setAccessibleName(f"{scale}, 1 to 9")

    def sizeHint(self) -> QSize:
        return QSize(POINTS * 58, 96)

    def minimumSizeHint(self) -> QSize:
        return QSize(POINTS * 30, 88)

    def choose(self, value: int) -> None:
        """Choose ``value`` (1-9); ValueError outside the scale."""
        if not 1 <= value <= POINTS:
            raise ValueError(f"the manikin's scale runs from 1 to {POINTS}, not {value}")
        if value != self.value:
            self.value = value
            self.update()
        self.chosen.emit(value)

    def clear(self) -> None:
        self.value = 0
        self.update()

    def _cell(self, k: int) -> QRectF:
        width = self.width() / POINTS
        return QRectF(k * width, 0, width, self.height() - 16)

    def event(self, event: QEvent) -> bool:
        """The number keys answer this scale while it has the focus (the window's marker keys wait)."""
        override = event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent)
        if override and _plain_number(event):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in NUMBER_KEYS:
            self.choose(NUMBER_KEYS[key])
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            step = -1 if key == Qt.Key.Key_Left else 1
            self.choose(min(POINTS, max(1, (self.value or 5) + (step if self.value else 0))))
        else:
            super().keyPressEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        k = int(event.position().x() // (self.width() / POINTS))
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        self.choose(min(POINTS, max(1, k + 1)))

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.update()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        ink = self.palette().color(self.foregroundRole())
        accent = QColor(SKY_BLUE)
        if self.hasFocus():
            frame = QColor(accent)
            painter.setPen(QPen(frame, 2))
            painter.drawRoundedRect(QRectF(self.rect()).adjusted(1, 1, -1, -1), 6, 6)
        for k in range(POINTS):
            cell = self._cell(k)
            value = k + 1
            if value == self.value:
                fill = QColor(accent)
                fill.setAlpha(70)
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(fill)
                painter.drawRoundedRect(cell.adjusted(2, 3, -2, 14), 6, 6)
            draw_manikin(painter, cell.adjusted(4, 6, -4, -2), self.scale, value, ink)
            painter.setPen(ink)
            number = QRectF(cell.left(), cell.bottom(), cell.width(), 16)
            font = painter.font()
            font.setBold(value == self.value)
            painter.setFont(font)
            painter.drawText(number, Qt.AlignmentFlag.AlignCenter, str(value))
        painter.end()


class SamForm(QWidget):
    """Both scales with their questions and the words at their ends; ``changed`` whenever a choice is made.
    Tab goes from valence to arousal."""

    changed = Signal()

    def __init__(self) -> None:
        super().__init__()
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        self.scales: dict[str, SamScale] = {}
        for i, (name, question, low, high) in enumerate(SCALES):
            row = 3 * i
            grid.addWidget(
                QLabel(f"<b>{question}</b>  <span style='font-weight:normal'>(keys 1-9)</span>"), row, 0, 1, 2
            )
            scale = SamScale(name)
            scale.chosen.connect(lambda _value: self.changed.emit())
            grid.addWidget(scale, row + 1, 0, 1, 2)
            grid.addWidget(QLabel(f"1: {low}"), row + 2, 0, Qt.AlignmentFlag.AlignLeft)
            grid.addWidget(QLabel(f"9: {high}"), row + 2, 1, Qt.AlignmentFlag.AlignRight)
            self.scales[name] = scale
        QWidget.setTabOrder(self.scales["valence"], self.scales["arousal"])

    def values(self) -> tuple[int, int]:
        """(valence, arousal), 0 for a scale not answered yet."""
        return self.scales["valence"].value, self.scales["arousal"].value

    def complete(self) -> bool:
        return all(self.values())

    def clear(self) -> None:
        for scale in self.scales.values():
            scale.clear()
        self.changed.emit()

    def start(self) -> None:
        """Put the focus on the first scale, ready for its key."""
        self.scales["valence"].setFocus(Qt.FocusReason.OtherFocusReason)
