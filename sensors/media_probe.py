"""What a media file's own structure says before OpenCV decodes it: the size of a PNG or JPEG image and whether
the file reaches its end marker (a truncated download or copy does not), and whether a file is a video
container. Reads only the structure (memory-mapped), never the pixels."""

from __future__ import annotations

import mmap
import struct
from dataclasses import dataclass
from pathlib import Path

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SOI = b"\xff\xd8"
# JPEG markers that carry no length: TEM, RST0-7, SOI (EOI ends the file and is handled apart)
JPEG_BARE = {0x01, *range(0xD0, 0xD8), 0xD8}
JPEG_SOF = {*range(0xC0, 0xD0)} - {0xC4, 0xC8, 0xCC}  # start-of-frame markers (not DHT, JPG, DAC)


@dataclass(frozen=True)
class ImageHeader:
    """An image file's size in pixels and whether its structure is complete (PNG IEND, JPEG EOI reached)."""

    width: int
    height: int
    complete: bool


def image_header(path: Path) -> ImageHeader | None:
    """The header of a PNG or JPEG file; None for other formats or a structure that cannot be parsed."""
    if path.stat().st_size < 16:
        return None
    with path.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
        if data[:8] == PNG_SIGNATURE:
            return png_header(data)
        if data[:2] == JPEG_SOI:
            return jpeg_header(data)
    return None


def png_header(data: mmap.mmap) -> ImageHeader | None:
    """Size from IHDR, then every chunk's length followed up to IEND."""
    if data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    pos = 8
    while pos + 8 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        if data[pos + 4 : pos + 8] == b"IEND":
            return ImageHeader(width, height, True)
        pos += 12 + length  # length, type, data, CRC
    return ImageHeader(width, height, False)


def jpeg_header(data: mmap.mmap) -> ImageHeader | None:
    """Size from the first start-of-frame segment; segments followed by their lengths, entropy-coded data
    scanned for the next marker, up to EOI."""
    size: tuple[int, int] | None = None
    pos = 2
    while pos + 2 <= len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xD9:
            return ImageHeader(*size, True) if size else None
        if marker in JPEG_BARE:
            pos += 2
            continue
        if pos + 4 > len(data):
            break
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        if marker in JPEG_SOF and pos + 9 <= len(data):
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            size = size or (width, height)
        pos += 2 + length
        if marker == 0xDA:  # start of scan: entropy-coded data runs to the next real marker
            pos = next_marker(data, pos)
    return ImageHeader(*size, False) if size else None


def next_marker(data: mmap.mmap, pos: int) -> int:
    """Position of the next marker in entropy-coded data (0xFF not followed by 0x00 or RST0-7), or the end."""
    while True:
        pos = data.find(b"\xff", pos)
        if pos < 0 or pos + 1 >= len(data):
            return len(data)
        following = data[pos + 1]
        if following != 0x00 and not 0xD0 <= following <= 0xD7:
            return pos
        pos += 2


def video_container(path: Path) -> bool:
    """Whether the file starts like a video container (MP4/MOV, Matroska/WebM, AVI)."""
    with path.open("rb") as f:
        head = f.read(12)
    return head[4:8] == b"ftyp" or head[:4] == b"\x1a\x45\xdf\xa3" or (head[:4], head[8:12]) == (b"RIFF", b"AVI ")
