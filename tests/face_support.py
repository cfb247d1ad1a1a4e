"""Shared helpers of the face tests: where the real reference faces are, and reading one as an image."""

import struct
import zlib
from pathlib import Path

import cv2
import numpy as np

LONDON = Path("faces/london_set_neutral_smiling/images")
VIDEO = Path("faces/video/single_face.mp4")
YALE = Path("faces/yale_dev")


def london(reference_data: Path, person: str, label: str) -> Path:
    """A London-set image: ``person`` is its three-digit id, ``label`` 'neutral' or 'smiling'."""
    number = "03" if label == "neutral" else "08"
    return reference_data / LONDON / f"{person}_{number}_{label}.jpg"


def image(path: Path) -> np.ndarray:
    img = cv2.imread(str(path))
    assert img is not None, path
    return img


def write_big_png(path: Path, face: np.ndarray, side: int = 20000, scale: int = 32) -> None:
    """A valid RGB PNG of ``side`` x ``side`` pixels: ``face`` (BGR) enlarged ``scale`` times (nearest) on grey,
    compressed row by row (a repeated row is one 'Up'-filtered row of zeros): seconds and little memory."""
    rgb = cv2.cvtColor(face, cv2.COLOR_BGR2RGB)
    h, w = rgb.shape[:2]
    top, left = (side - h * scale) // 2, (side - w * scale) // 2
    grey = np.full((side, 3), 200, np.uint8)
    packer = zlib.compressobj(1)
    rows = []
    for y in range(side):
        if top <= y < top + h * scale and (y - top) % scale == 0:
            row = grey.copy()
            row[left : left + w * scale] = np.repeat(rgb[(y - top) // scale], scale, axis=0)
            rows.append(packer.compress(b"\x00" + row.tobytes()))
        elif y in (0, top + h * scale):
            rows.append(packer.compress(b"\x00" + grey.tobytes()))
        else:
            rows.append(packer.compress(b"\x02" + bytes(side * 3)))  # 'Up' filter: the row above again
    rows.append(packer.flush())
    path.write_bytes(png(side, side, b"".join(rows)))


def png(width: int, height: int, idat: bytes) -> bytes:
    """A PNG file of an 8-bit RGB image from its compressed ``idat`` data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
