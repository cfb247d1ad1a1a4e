"""Reading OSC datagrams from the network defensively, without python-osc's parser (which loops forever on a
bundle element of negative size, recurses without limit into nested bundles and logs a warning per bad element).

``read_packet`` walks bundles iteratively with an explicit stack and a depth limit; every element's size is
checked against the bytes its bundle has left, so each step moves forward and a datagram is read in time
proportional to its length. It never raises and never logs: whatever cannot be read is reported as None.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

BUNDLE = b"#bundle\x00"
BUNDLE_HEADER = len(BUNDLE) + 8  # the prefix and the 64-bit time tag
MAX_DEPTH = 8  # bundles nested deeper than this are refused (no sender needs more)
FIXED = {"i": ">i", "f": ">f", "h": ">q", "d": ">d"}  # OSC 1.0 argument types of fixed size
CONSTANT: dict[str, bool | None] = {"T": True, "F": False, "N": None}

Argument = int | float | str | bytes | bool | None


@dataclass(frozen=True)
class Message:
    """One OSC message: its address and its arguments (int, float, str, bytes for a blob, True/False/None)."""

    address: str
    args: tuple[Argument, ...]


def read_packet(data: bytes) -> list[Message | None] | None:
    """The messages of one datagram in order: a message, or a bundle's messages at any depth (up to MAX_DEPTH).

    An entry is None for a message that cannot be read (damaged, or with argument types this reader does not
    take) and for a bundle that holds no message. The whole result is None when the datagram is neither a
    message nor a bundle, or when a bundle's framing is damaged (an element size that is not a positive
    multiple of 4 within the bundle, a truncated header, bundles nested too deep)."""
    if data[:1] == b"/":
        return [read_message(data)]
    if not data.startswith(BUNDLE) or len(data) < BUNDLE_HEADER:
        return None
    out: list[Message | None] = []
    stack = [(BUNDLE_HEADER, len(data), 0)]  # per open bundle: next element, end, messages before it opened
    while stack:
        pos, end, first = stack[-1]
        if pos == end:
            stack.pop()
            if len(out) == first:
                out.append(None)  # an empty bundle: counted, not silently dropped
            continue
        if end - pos < 4:
            return None
        (size,) = struct.unpack_from(">i", data, pos)
        start = pos + 4
        if size <= 0 or size % 4 or start + size > end:
            return None
        stack[-1] = (start + size, end, first)
        if data.startswith(BUNDLE, start):
            if len(stack) >= MAX_DEPTH or size < BUNDLE_HEADER:
                return None
            stack.append((start + BUNDLE_HEADER, start + size, len(out)))
        elif data[start : start + 1] == b"/":
            out.append(read_message(data[start : start + size]))
        else:
            return None
    return out


def read_message(data: bytes) -> Message | None:
    """One OSC message (address, type tags, arguments), or None if it is damaged or has an argument type other
    than i, f, h, d, s, S, b, T, F, N; trailing bytes after the last argument also make it damaged."""
    address, pos = _string(data, 0)
    if address is None or not address.startswith("/"):
        return None
    if pos == len(data):
        return Message(address, ())
    tags, pos = _string(data, pos)
    if tags is None or not tags.startswith(","):
        return None
    args: list[Argument] = []
    for tag in tags[1:]:
        if tag in FIXED:
            size = struct.calcsize(FIXED[tag])
            if pos + size > len(data):
                return None
            (value,) = struct.unpack_from(FIXED[tag], data, pos)
            args.append(value)
            pos += size
        elif tag in "sS":
            text, pos = _string(data, pos)
            if text is None:
                return None
            args.append(text)
        elif tag == "b":
            if pos + 4 > len(data):
                return None
            (size,) = struct.unpack_from(">i", data, pos)
            end = pos + 4 + size
            if size < 0 or end + (-size % 4) > len(data):
                return None
            args.append(data[pos + 4 : end])
            pos = end + (-size % 4)
        elif tag in CONSTANT:
            args.append(CONSTANT[tag])
        else:
            return None
    return Message(address, tuple(args)) if pos == len(data) else None


def _string(data: bytes, pos: int) -> tuple[str | None, int]:
    """An OSC string at ``pos`` (UTF-8, NUL-terminated, padded to 4 bytes) and the position after it."""
    end = data.find(b"\x00", pos)
    after = (end + 4) & ~3
    if end < 0 or after > len(data):
        return None, pos
    try:
        return data[pos:end].decode("utf-8"), after
    except UnicodeDecodeError:
        return None, pos
