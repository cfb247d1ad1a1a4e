"""The camera preview: the newest analysed frame, an optional landmark overlay, and a privacy mode that
blurs or hides the picture. Frames are drawn from memory only; nothing here writes them anywhere."""

from __future__ import annotations

import cv2
import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from sensors.base import Source, State
from sensors.face import FaceSource, LiveFace, Preview, ScriptedFace
from ui.face_sketch import Sketch, paint_sketch, sketch
from ui.theme import GRID, MUTED, ORANGE, SKY_BLUE

PRIVACY_MODES = ("blur", "show", "hide")  # the first is the default: identity stays private unless asked
CALIBRATION_SECONDS = 5.0
BLUR_WIDTH = 20  # pixels across the blurred picture before it is scaled back up: shape stays, identity goes


def fit(width: int, height: int, box: QSize) -> QRectF:
    """The largest rectangle of the frame's aspect ratio centred inside ``box``."""
    scale = min(box.width() / width, box.height() / height)
    w, h = width * scale, height * scale
    return QRectF((box.width() - w) / 2, (box.height() - h) / 2, w, h)


def picture(image: np.ndarray, size: tuple[int, int], privacy: str) -> QImage:
    """The frame (BGR) scaled to ``size`` (w, h) pixels as an RGB QImage, blurred when ``privacy`` asks."""
    if privacy == "blur":
        small_h = max(1, round(image.shape[0] * BLUR_WIDTH / image.shape[1]))
        image = cv2.resize(image, (BLUR_WIDTH, small_h), interpolation=cv2.INTER_AREA)
    rgb = cv2.cvtColor(cv2.resize(image, size, interpolation=cv2.INTER_LINEAR), cv2.COLOR_BGR2RGB)
    rgb = np.ascontiguousarray(rgb)
    return QImage(rgb.data, size[0], size[1], 3 * size[0], QImage.Format.Format_RGB888).copy()


class FrameView(QWidget):
    """Paints one Preview: the (blurred or hidden) picture, then the landmarks of every face found; the
    followed face is drawn in the face colour with its box. A click picks the face to follow."""

    def __init__(self, on_pick) -> None:
        super().__init__()
        self.setMinimumSize(160, 120)
        self.preview: Preview | None = None
        self.sketch: Sketch | None = None  # the scripted face's pose, drawn when there is no picture
        self.message = "no picture yet"
        self.privacy = PRIVACY_MODES[0]
        self.overlay = True
        self._on_pick = on_pick
        self._image: QImage | None = None
        self._shown: tuple[int, str, QSize] | None = None

    def sizeHint(self) -> QSize:
        return QSize(200, 150)

    def show_preview(self, preview: Preview | None, message: str, drawing: Sketch | None = None) -> None:
        """Show ``preview``; without one, ``drawing`` (a sketched face) if given, captioned ``message``."""
        if preview is self.preview and message == self.message and drawing == self.sketch:
            return
        self.preview = preview
        self.message = message
        self.sketch = drawing
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#1F2329"))
        preview = self.preview
        if preview is None:
            painter.setPen(QColor(GRID))
            text_flags = Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap
            if self.sketch is None:
                painter.drawText(self.rect(), Qt.AlignmentFlag.AlignVCenter | text_flags, self.message)
                return
            caption = painter.fontMetrics().height() + 4
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignBottom | text_flags, self.message)
            if self.overlay:
                paint_sketch(painter, QRectF(self.rect()).adjusted(4, 4, -4, -caption), self.sketch, ORANGE)
            return
        h, w = preview.image.shape[:2]
        area = fit(w, h, self.size())
        if self.privacy != "hide":
            key = (id(preview), self.privacy, self.size())
            if key != self._shown:
                self._image = picture(
                    preview.image, (max(1, int(area.width())), max(1, int(area.height()))), self.privacy
                )
                self._shown = key
            painter.drawImage(area.topLeft(), self._image)
        else:
            painter.setPen(QColor(MUTED))
            painter.drawText(area, Qt.AlignmentFlag.AlignBottom | Qt.AlignmentFlag.AlignHCenter, "picture hidden")
        if self.overlay:
            self._draw_faces(painter, preview, area)

    def _draw_faces(self, painter: QPainter, preview: Preview, area: QRectF) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        reading = preview.reading
        for i, face in enumerate(reading.faces):
            colour = QColor(ORANGE if i == reading.picked else SKY_BLUE)
            xy = face.landmarks[:, :2] * (area.width(), area.height()) + (area.left(), area.top())
            painter.setPen(QPen(colour, 1.6))
            painter.drawPoints(QPolygonF([QPointF(x, y) for x, y in xy]))
            if i == reading.picked:
                x0, y0, x1, y1 = face.box
                painter.setPen(QPen(colour, 1.5))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRect(
                    QRectF(
                        area.left() + x0 * area.width(),
                        area.top() + y0 * area.height(),
                        (x1 - x0) * area.width(),
                        (y1 - y0) * area.height(),
                    )
                )

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self.preview is None:
            return
        h, w = self.preview.image.shape[:2]
        area = fit(w, h, self.size())
        pos = event.position()
        if area.contains(pos):
            self._on_pick(((pos.x() - area.left()) / area.width(), (pos.y() - area.top()) / area.height()))


class FacePreview(QWidget):
    """The face channel's panel: preview, overlay and privacy switches, 'calibrate' and 'largest face'."""

    def __init__(self, source: Source) -> None:
        super().__init__()
        self._source = source
        self.view = FrameView(self._pick)
        self.overlay = QCheckBox("Landmarks")
        self.overlay.setChecked(True)
        self.overlay.toggled.connect(self._set_overlay)
        self.privacy = QComboBox()
        self.privacy.addItems([mode.capitalize() for mode in PRIVACY_MODES])
        self.privacy.setToolTip("blur or hide the camera picture; the estimate goes on either way")
        self.privacy.currentIndexChanged.connect(self._set_privacy)
        self.calibrate = QPushButton("Calibrate")
        self.calibrate.setToolTip(f"take the next {CALIBRATION_SECONDS:g} s as the person's neutral face")
        self.calibrate.clicked.connect(self._calibrate)
        self.calibrate.setEnabled(isinstance(source, FaceSource))
        self.largest = QPushButton("Largest")
        self.largest.setToolTip("follow the largest face again (click a face in the picture to follow it)")
        self.largest.clicked.connect(lambda: self._pick(None))
        self.largest.setEnabled(isinstance(source, LiveFace))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.view, 1)
        for pair in ((self.privacy, self.overlay), (self.calibrate, self.largest)):
            row = QHBoxLayout()
            row.setContentsMargins(0, 0, 0, 0)
            for widget in pair:
                row.addWidget(widget, 1)
            layout.addLayout(row)

    def _set_overlay(self, on: bool) -> None:
        self.view.overlay = on
        self.view.update()

    def _set_privacy(self, index: int) -> None:
        self.view.privacy = PRIVACY_MODES[index]
        self.view.update()

    def _calibrate(self) -> None:
        self._source.calibrate(CALIBRATION_SECONDS)

    def _pick(self, near: tuple[float, float] | None) -> None:
        if isinstance(self._source, LiveFace):
            self._source.pick_face(near)

    def refresh(self, now: float) -> None:
        source = self._source
        if isinstance(source, LiveFace):
            self.view.show_preview(source.preview(), source.status.detail)
        elif isinstance(source, ScriptedFace) and source.shapes is not None:
            latest = source.shapes.latest()
            if latest is None or source.status.state is not State.OK:
                self.view.show_preview(None, f"demo face: {source.status.detail}")
            else:
                scores = dict(zip(source.shapes.fields, map(float, latest[1]), strict=True))
                self.view.show_preview(None, "demo face, drawn from its scripted blendshapes", sketch(scores))
        else:
            self.view.show_preview(None, f"no camera picture: {source.status.detail}")
