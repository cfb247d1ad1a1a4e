"""Face geometry and how usable a face is: the lip-corner lift measured on MediaPipe's landmarks, the face's
box, head turn, occlusion of mouth and eyes, and the choice of the face to follow.

Pure numbers: landmarks (image fractions), MediaPipe's transformation matrix and an image plane in; pixels,
degrees and confidence factors in [0, 1] out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from fusion.face import ramp

# MediaPipe mesh indices: lip corners (right, left), inner lip centre (upper, lower), outer eye corners.
LIP_CORNERS, LIP_CENTRE, EYE_CORNERS = (61, 291), (13, 14), (33, 263)
Box = tuple[float, float, float, float]  # x0, y0, x1, y1 as image fractions
FULL_CONFIDENCE = 0.95  # a clear, frontal, large, unoccluded face; never 1: the face is only one channel
SMALL_FACE_PX = (40.0, 120.0)  # face height in pixels: no confidence at or below the first, full at the second
TURN_DEG = (20.0, 55.0)  # head turn away from the camera: full confidence up to the first, none from the second
INSIDE_SHARE = (0.7, 0.97)  # share of landmarks inside the frame: none at the first, full at the second
TEXTURE_RATIO = (0.12, 0.35)  # a region's contrast relative to the whole face: hidden at the first, clear at the second

# Landmark indices of MediaPipe's 478-point mesh that outline the regions checked for occlusion, with how
# much each counts: the mouth carries most of the valence.
REGIONS: dict[str, tuple[tuple[int, ...], float]] = {
    "mouth": ((61, 291, 0, 17), 0.5),
    "right eye": ((33, 133, 159, 145), 0.25),
    "left eye": ((362, 263, 386, 374), 0.25),
}


@dataclass(frozen=True)
class FaceQuality:
    """How usable a face is, each factor in [0, 1]; ``confidence`` is their product scaled by FULL_CONFIDENCE."""

    size: float
    pose: float
    inside: float
    visible: float

    @property
    def confidence(self) -> float:
        return FULL_CONFIDENCE * self.size * self.pose * self.inside * self.visible

    def weakest(self) -> str:
        """Why the confidence is low, in words ('' when nothing stands out)."""
        reasons = {"face small": self.size, "head turned": self.pose, "face cut off": self.inside}
        reasons["face partly hidden"] = self.visible
        name, value = min(reasons.items(), key=lambda kv: kv[1])
        return name if value < 0.8 else ""


def corner_lift(landmarks: NDArray[np.float64], image_size: tuple[int, int]) -> float:
    """Lip corners above the lips' centre (inter-ocular distances; negative: corners turned down), from
    landmarks (478, 2+) as image fractions of an image ``image_size`` (width, height) pixels."""
    width, height = image_size
    (rx, ry), (lx, ly), (c1x, c1y), (c2x, c2y), (m1x, m1y), (m2x, m2y) = (
        (float(landmarks[i, 0]) * width, float(landmarks[i, 1]) * height)
        for i in (*EYE_CORNERS, *LIP_CORNERS, *LIP_CENTRE)
    )
    span = math.hypot(lx - rx, ly - ry)
    if span == 0.0:
        return 0.0
    up_x, up_y = (ly - ry) / span, -(lx - rx) / span  # perpendicular to the eye line; image y grows downwards
    dx = (c1x + c2x - m1x - m2x) / 2.0
    dy = (c1y + c2y - m1y - m2y) / 2.0
    return (dx * up_x + dy * up_y) / span


def face_box(landmarks: NDArray[np.float64]) -> Box:
    """(x0, y0, x1, y1) of normalised landmarks (n, 2+): image fractions, possibly outside 0..1."""
    lo = landmarks[:, :2].min(axis=0)
    hi = landmarks[:, :2].max(axis=0)
    return float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1])


def turn_degrees(matrix: NDArray[np.float64]) -> float:
    """Angle between the face's forward direction and the camera axis, in degrees, from MediaPipe's 4x4
    facial transformation matrix (its rotation part maps the canonical face, which looks down +z)."""
    forward = matrix[:3, 2]
    norm = float(np.linalg.norm(forward))
    if norm == 0.0:
        return 90.0
    return math.degrees(math.acos(max(-1.0, min(1.0, float(forward[2]) / norm))))


def contrast(patch: NDArray[np.uint8]) -> float:
    """Standard deviation of a patch's pixel values (0 for an empty patch)."""
    return float(np.ascontiguousarray(patch).std(dtype=np.float32)) if patch.size else 0.0


def region_visibility(image: NDArray[np.uint8], landmarks: NDArray[np.float64], box: Box) -> float:
    """Weighted share of the mouth and eye regions that look unoccluded, from one image plane (h, w) and the
    face's ``box``.

    A hand, a mask or a cup in front of a region flattens its contrast compared with the face as a whole
    (the whole face is sampled every third pixel and row: the same figure at a ninth of the cost).
    """
    h, w = image.shape[:2]
    x0, y0, x1, y1 = box
    face_std = contrast(
        image[max(0, int(y0 * h)) : max(0, int(y1 * h)) : 3, max(0, int(x0 * w)) : max(0, int(x1 * w)) : 3]
    )
    if face_std == 0.0:
        return 0.0
    total = 0.0
    for indices, weight in REGIONS.values():
        xs = [float(landmarks[i, 0]) * w for i in indices]
        ys = [float(landmarks[i, 1]) * h for i in indices]
        cx, cy = sum(xs) / len(xs), sum(ys) / len(ys)
        hx, hy = (max(xs) - min(xs)) / 2.0 + 1.0, (max(ys) - min(ys)) / 2.0 + 1.0
        patch = image[max(0, int(cy - hy)) : max(0, int(cy + hy)), max(0, int(cx - hx)) : max(0, int(cx + hx))]
        total += weight * ramp(contrast(patch) / face_std, *TEXTURE_RATIO)
    return total


def face_quality(
    landmarks: NDArray[np.float64],
    image_size: tuple[int, int],
    matrix: NDArray[np.float64] | None,
    plane: NDArray[np.uint8] | None = None,
    box: Box | None = None,
) -> FaceQuality:
    """Confidence factors for one face: ``landmarks`` (n, 2+) as image fractions, ``image_size`` (width,
    height) in pixels, MediaPipe's 4x4 transformation ``matrix`` (None: pose unknown, counted as frontal)
    and one image ``plane`` (h, w) for the occlusion check (None: not checked); ``box``: the landmarks'
    face_box when already known."""
    _, height = image_size
    box = box or face_box(landmarks)
    _, y0, _, y1 = box
    size = ramp((y1 - y0) * height, *SMALL_FACE_PX)
    pose = 1.0 - ramp(turn_degrees(matrix), *TURN_DEG) if matrix is not None else 1.0
    xy = landmarks[:, :2]
    inside_share = float(np.mean(np.all((xy >= 0.0) & (xy <= 1.0), axis=1)))
    inside = ramp(inside_share, *INSIDE_SHARE)
    visible = region_visibility(plane, landmarks, box) if plane is not None else 1.0
    return FaceQuality(size, pose, inside, visible)


def pick_face(boxes: Sequence[Box], near: tuple[float, float] | None = None) -> int | None:
    """Index of the face to follow: the one whose box holds (or is nearest to) the point ``near`` (image
    fractions) when the operator picked one, else the largest. None when there is no face."""
    if not boxes:
        return None
    if near is None:
        return max(range(len(boxes)), key=lambda i: (boxes[i][2] - boxes[i][0]) * (boxes[i][3] - boxes[i][1]))
    px, py = near

    def distance(box: Box) -> float:
        dx = max(box[0] - px, 0.0, px - box[2])
        dy = max(box[1] - py, 0.0, py - box[3])
        centre = math.hypot((box[0] + box[2]) / 2 - px, (box[1] + box[3]) / 2 - py)
        return math.hypot(dx, dy) * 10.0 + centre  # inside a box beats near it; then the closest centre

    return min(range(len(boxes)), key=lambda i: distance(boxes[i]))
