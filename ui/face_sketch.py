"""A line drawing of a face posed by blendshape scores: what the preview shows for the scripted demo face,
which has no camera picture. Brows, eyes and mouth move as the scores the estimate reads."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen

Point = tuple[float, float]  # in the drawing's unit square: x right, y down


@dataclass(frozen=True)
class Sketch:
    """The face's parts in a unit square: each eye's centre and half-height, each brow's (outer, inner)
    ends, the mouth's corners and the middle of its upper and lower lip."""

    eyes: tuple[tuple[Point, float], tuple[Point, float]]
    brows: tuple[tuple[Point, Point], tuple[Point, Point]]
    corners: tuple[Point, Point]
    upper_lip: Point
    lower_lip: Point


HEAD = QRectF(0.18, 0.08, 0.64, 0.84)  # the head's outline in the unit square
EYE_Y, EYE_X, EYE_HALF_WIDTH = 0.42, 0.13, 0.065  # eye line, eye offset from the middle, eye half-width
MOUTH_Y, MOUTH_HALF_WIDTH = 0.72, 0.1


def _score(scores: Mapping[str, float], *names: str) -> float:
    """The mean score of ``names`` (0..1; missing names count 0)."""
    return sum(min(1.0, max(0.0, scores.get(name, 0.0))) for name in names) / len(names)


def sketch(scores: Mapping[str, float]) -> Sketch:
    """The face posed by ``scores`` (MediaPipe blendshape names, 0..1)."""
    smile = _score(scores, "mouthSmileLeft", "mouthSmileRight")
    frown = _score(scores, "mouthFrownLeft", "mouthFrownRight")
    brow_down = _score(scores, "browDownLeft", "browDownRight")
    brow_up = max(_score(scores, "browInnerUp"), _score(scores, "eyeWideLeft", "eyeWideRight"))
    jaw = _score(scores, "jawOpen")
    eyes = []
    brows = []
    for side, blink, wide in ((-1, "eyeBlinkLeft", "eyeWideLeft"), (1, "eyeBlinkRight", "eyeWideRight")):
        centre = (0.5 + side * EYE_X, EYE_Y)
        eyes.append((centre, 0.035 * (1.0 - _score(scores, blink)) * (1.0 + 0.9 * _score(scores, wide)) + 0.003))
        brow_y = EYE_Y - 0.08 - 0.05 * brow_up + 0.03 * brow_down
        outer = (0.5 + side * (EYE_X + 0.08), brow_y)
        inner = (0.5 + side * (EYE_X - 0.06), brow_y + 0.035 * brow_down - 0.015 * brow_up)
        brows.append((outer, inner))
    lift = 0.05 * smile - 0.045 * frown  # corners up for a smile, down for a frown
    half_width = MOUTH_HALF_WIDTH * (1.0 + 0.3 * smile - 0.15 * jaw)
    corners = ((0.5 - half_width, MOUTH_Y - lift), (0.5 + half_width, MOUTH_Y - lift))
    upper = (0.5, MOUTH_Y - 0.01 - 0.04 * jaw)
    lower = (0.5, MOUTH_Y + 0.01 + 0.22 * jaw + 0.03 * smile)
    return Sketch(
        eyes=(eyes[0], eyes[1]),
        brows=(brows[0], brows[1]),
        corners=corners,
        upper_lip=upper,
        lower_lip=lower,
    )


def paint_sketch(painter: QPainter, area: QRectF, face: Sketch, colour: str) -> None:
    """Draw ``face`` in ``colour`` lines inside the square that fits ``area`` (pixels)."""
    side = min(area.width(), area.height())
    left = area.left() + (area.width() - side) / 2
    top = area.top() + (area.height() - side) / 2

    def at(p: Point) -> QPointF:
        return QPointF(left + p[0] * side, top + p[1] * side)

    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(QColor(colour), max(1.5, side / 90), Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawEllipse(QRectF(at((HEAD.left(), HEAD.top())), at((HEAD.right(), HEAD.bottom()))))
    for (x, y), half_height in face.eyes:
        painter.drawEllipse(at((x, y)), EYE_HALF_WIDTH * side, half_height * side)
    for outer, inner in face.brows:
        painter.drawLine(at(outer), at(inner))
    mouth = QPainterPath(at(face.corners[0]))
    mouth.quadTo(at(face.upper_lip), at(face.corners[1]))
    mouth.quadTo(at(face.lower_lip), at(face.corners[0]))
    painter.drawPath(mouth)
