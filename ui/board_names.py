"""Boards as people call them: BrainFlow's ids named and grouped by maker (OpenBCI, Muse, ...), errors about
their connection in plain words, and the serial ports this machine has now."""

from __future__ import annotations

import glob
import re

from sensors.boards import BoardConfig, Param, board_name, board_params, known_boards

GROUPS = (  # (group, prefixes of BrainFlow names), first match wins; the rest are "Other boards"
    ("Test and files", ("synthetic", "playback", "streaming")),
    ("OpenBCI", ("cyton", "ganglion", "galea")),
    ("Muse", ("muse",)),
    ("Neurosity", ("notion", "crown")),
    ("BrainBit and Callibri", ("brainbit", "callibri")),
    ("g.tec", ("unicorn",)),
    ("ANT Neuro", ("ant_neuro",)),
    ("Mentalab", ("explore",)),
)
WORDS = {  # spellings a name's words take
    "bled": "(BLED dongle)",
    "wifi": "WiFi",
    "eeg": "EEG",
    "emg": "EMG",
    "ecg": "ECG",
    "imu": "IMU",
    "freeeeg32": "FreeEEG32",
    "freeeeg128": "FreeEEG128",
    "pieeg": "PiEEG",
    "emotibit": "EmotiBit",
    "neuropawn": "NeuroPawn",
    "brainalive": "BrainAlive",
    "ironbci": "IronBCI",
    "aavaa": "AAVAA",
    "biolistener": "BioListener",
    "ob5000": "OB5000",
    "ob3000": "OB3000",
    "brainbit": "BrainBit",
    "ant": "ANT",
    "chan": "channels",
    "channels": "channels",
    "synthetic": "Synthetic (no hardware)",
    "playback": "Playback",
    "file": "file",
    "streaming": "Streaming",
}


def pretty_name(board_id: int) -> str:
    """``cyton_daisy_wifi_board`` as ``Cyton Daisy WiFi``, ``muse_s_bled_board`` as ``Muse S (BLED dongle)``."""
    raw = board_name(board_id).removesuffix("_board")
    words = [
        WORDS.get(word, word if word.isdigit() or len(word) <= 2 else word.capitalize()) for word in raw.split("_")
    ]
    words = [w.upper() if len(w) <= 2 and not w.isdigit() else w for w in words]
    return re.sub(r"\s+", " ", " ".join(words)).strip()


def group_of(board_id: int) -> str:
    name = board_name(board_id)
    return next((group for group, prefixes in GROUPS if name.startswith(prefixes)), "Other boards")


def grouped_boards(search: str = "") -> list[tuple[str, list[tuple[int, str]]]]:
    """Every board BrainFlow supports whose name holds ``search`` (any case), by group in GROUPS' order, sorted
    by name within a group."""
    wanted = search.strip().lower()
    groups: dict[str, list[tuple[int, str]]] = {}
    for board_id, _ in known_boards():
        name = pretty_name(board_id)
        if wanted in name.lower() or wanted in board_name(board_id):
            groups.setdefault(group_of(board_id), []).append((board_id, name))
    order = [group for group, _ in GROUPS] + ["Other boards"]
    first = "Synthetic"  # the board that needs no hardware leads its group

    def key(board: tuple[int, str]) -> tuple[bool, str]:
        return (not board[1].startswith(first), board[1].lower())

    return [(group, sorted(groups[group], key=key)) for group in order if group in groups]


FIELD_WORDS = {
    "serial_port": "a serial port",
    "mac_address": "the Bluetooth MAC address",
    "ip_address": "an IP address",
    "ip_port": "an IP port",
    "serial_number": "the device's name or serial number",
    "other_info": "its other settings",
    "timeout": "a timeout",
    "file": "a recording file",
    "master_board": "the board that recorded the data",
}


EXAMPLES = {
    "serial_port": "/dev/ttyUSB0 (COM3 on Windows)",
    "mac_address": "00:A0:C9:14:C8:29",
    "ip_address": "192.168.4.1",
    "ip_port": "6677",
    "file": "a BrainFlow CSV recording",
}


def missing_words(board_id: int, missing: list[Param]) -> str:
    """What a board still needs, said as a user would: ``Cyton needs a serial port, e.g. /dev/ttyUSB0``."""
    needs = []
    for param in missing:
        example = EXAMPLES.get(param.field, "")
        needs.append(FIELD_WORDS[param.field] + (f", e.g. {example}" if example else ""))
    return f"{pretty_name(board_id)} needs " + "; and ".join(needs)


def required_missing(config: BoardConfig) -> list[Param]:
    """The required parameters of ``config``'s board that it leaves unset."""
    return [p for p in board_params(config.board_id) if p.required and config.unset(p.field)]


def serial_ports() -> list[str]:
    """The serial ports of this machine now: pyserial's list when pyserial is installed, else /dev/tty* devices
    that boards' dongles appear as."""
    try:
        from serial.tools import list_ports  # type: ignore[import-not-found, import-untyped, unused-ignore]
    except ImportError:
        patterns = ("/dev/ttyUSB*", "/dev/ttyACM*", "/dev/tty.usbserial*", "/dev/cu.usbserial*", "/dev/rfcomm*")
        return sorted(path for pattern in patterns for path in glob.glob(pattern))
    return sorted(str(port.device) for port in list_ports.comports())
