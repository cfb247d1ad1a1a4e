"""BrainFlow boards: connection settings, the parameters each board asks for, and its channel layout."""

from __future__ import annotations

from dataclasses import dataclass, fields

from brainflow.board_shim import BoardIds, BoardShim, BrainFlowError, BrainFlowInputParams

from studio.kernel.errors import StudioError

SYNTHETIC = BoardIds.SYNTHETIC_BOARD.value
PLAYBACK = BoardIds.PLAYBACK_FILE_BOARD.value
STREAMING = BoardIds.STREAMING_BOARD.value
NO_BOARD = BoardIds.NO_BOARD.value


class BoardError(StudioError):
    """A board name, id or parameter that cannot be used."""


@dataclass(frozen=True)
class BoardConfig:
    """Which BrainFlow board to open and the connection parameters it needs (empty: not needed)."""

    board_id: int = SYNTHETIC
    serial_port: str = ""
    mac_address: str = ""
    ip_address: str = ""
    ip_port: int = 0
    serial_number: str = ""
    other_info: str = ""
    timeout: int = 0  # seconds BrainFlow waits for the device (0: the board's own default)
    file: str = ""  # playback file for the playback board
    master_board: int = NO_BOARD  # the board that recorded a playback file or feeds a streaming board

    def input_params(self) -> BrainFlowInputParams:
        p = BrainFlowInputParams()
        for f in fields(self):
            if f.name != "board_id":
                setattr(p, f.name, getattr(self, f.name))
        return p

    @property
    def descr_board(self) -> int:
        """The board whose channel layout the data has (the master board for playback and streaming)."""
        return self.master_board if self.board_id in (PLAYBACK, STREAMING) else self.board_id

    def unset(self, field: str) -> bool:
        """Whether ``field`` still has its "not given" value."""
        value = getattr(self, field)
        return value == NO_BOARD if field == "master_board" else not value

    def checked(self) -> BoardConfig:
        """This config if the board exists and every required parameter is set; BoardError says what is missing."""
        board_id_from_name(str(self.board_id))
        missing = [p.field for p in board_params(self.board_id) if p.required and self.unset(p.field)]
        if missing:
            raise BoardError(f"{board_name(self.board_id)} needs {', '.join(missing)}")
        return self


def board_name(board_id: int) -> str:
    """BrainFlow's name for a board, e.g. ``cyton_board``."""
    try:
        return str(BoardIds(board_id).name).lower()
    except ValueError:
        return f"board {board_id}"


def board_id_from_name(text: str) -> int:
    """A board id from its BrainFlow name (``cyton``, ``CYTON_BOARD``) or number; BoardError lists the names."""
    key = text.strip().upper()
    if key.lstrip("-").isdigit():
        if int(key) in {b.value for b in BoardIds} and int(key) != NO_BOARD:
            return int(key)
    else:
        key = key.replace("-", "_")
        for candidate in (key, f"{key}_BOARD"):
            if candidate in BoardIds.__members__ and candidate != "NO_BOARD":
                return int(BoardIds[candidate].value)
    names = ", ".join(sorted(board_name(b.value).removesuffix("_board") for b in BoardIds if b.value != NO_BOARD))
    raise BoardError(f"unknown BrainFlow board {text!r}; known: {names}")


def known_boards() -> list[tuple[int, str]]:
    """Every board BrainFlow supports, as (id, name), synthetic first."""
    boards = sorted((b.value, board_name(b.value)) for b in BoardIds if b.value != NO_BOARD)
    return sorted(boards, key=lambda b: (b[0] != SYNTHETIC, b[0]))


@dataclass(frozen=True)
class Param:
    """One BrainFlowInputParams field a board uses; ``hint`` says what goes there."""

    field: str
    required: bool
    hint: str


def _p(field: str, required: bool, hint: str) -> Param:
    return Param(field, required, hint)


SERIAL = _p("serial_port", True, "serial port of the dongle or board, e.g. /dev/ttyUSB0 or COM3")
MAC_OPTIONAL = _p("mac_address", False, "Bluetooth MAC address (empty: BrainFlow searches)")
MAC = _p("mac_address", True, "Bluetooth MAC address of the device")
NAME_OPTIONAL = _p("serial_number", False, "device name or serial number, when several are near")
TIMEOUT = _p("timeout", False, "seconds to wait for the device (0: BrainFlow's default)")
WIFI = (
    _p("ip_address", False, "WiFi Shield IP address (empty: search, then 192.168.4.1)"),
    _p("ip_port", True, "any free local port, e.g. 6677"),
    TIMEOUT,
)
BLE_NATIVE = (MAC_OPTIONAL, NAME_OPTIONAL, TIMEOUT)
DONGLE_BLE = (SERIAL, NAME_OPTIONAL, TIMEOUT)
ANT = (NAME_OPTIONAL,)
MASTER = _p("master_board", True, "the board that recorded or streams the data (its channel layout)")

# The BrainFlowInputParams each board reads, from BrainFlow's "Supported Boards" documentation (5.x).
# Boards not listed take no parameters (vendor SDK boards that find their device themselves).
_BOARD_PARAMS: dict[str, tuple[Param, ...]] = {
    "PLAYBACK_FILE_BOARD": (MASTER, _p("file", True, "a BrainFlow CSV recording")),
    "STREAMING_BOARD": (
        MASTER,
        _p("ip_address", True, "multicast address the master process streams to, e.g. 225.1.1.1"),
        _p("ip_port", True, "its port, e.g. 6677"),
    ),
    "CYTON_BOARD": (SERIAL,),
    "CYTON_DAISY_BOARD": (SERIAL,),
    "GANGLION_BOARD": (SERIAL, MAC_OPTIONAL, TIMEOUT),
    "GALEA_BOARD": (_p("ip_address", False, "Galea's IP address (empty: search)"), TIMEOUT),
    "GANGLION_WIFI_BOARD": WIFI,
    "CYTON_WIFI_BOARD": WIFI,
    "CYTON_DAISY_WIFI_BOARD": WIFI,
    "NTL_WIFI_BOARD": WIFI,
    "BRAINBIT_BOARD": (NAME_OPTIONAL, TIMEOUT),
    "BRAINBIT_BLED_BOARD": (SERIAL, MAC_OPTIONAL),
    "UNICORN_BOARD": (NAME_OPTIONAL,),
    "CALLIBRI_EEG_BOARD": (_p("other_info", False, "ExternalSwitchInputMioUSB for electrodes on USB"), TIMEOUT),
    "CALLIBRI_EMG_BOARD": (_p("other_info", False, "ExternalSwitchInputMioUSB for electrodes on USB"), TIMEOUT),
    "CALLIBRI_ECG_BOARD": (_p("other_info", False, "ExternalSwitchInputMioUSB for electrodes on USB"), TIMEOUT),
    "NOTION_1_BOARD": (NAME_OPTIONAL,),
    "NOTION_2_BOARD": (NAME_OPTIONAL,),
    "CROWN_BOARD": (NAME_OPTIONAL,),
    "FREEEEG32_BOARD": (SERIAL,),
    "FREEEEG128_BOARD": (SERIAL,),
    "MUSE_S_BLED_BOARD": DONGLE_BLE,
    "MUSE_2_BLED_BOARD": DONGLE_BLE,
    "MUSE_2016_BLED_BOARD": DONGLE_BLE,
    "MUSE_2_BOARD": BLE_NATIVE,
    "MUSE_S_BOARD": BLE_NATIVE,
    "MUSE_2016_BOARD": BLE_NATIVE,
    "MUSE_S_ATHENA_BOARD": BLE_NATIVE,
    "BRAINALIVE_BOARD": BLE_NATIVE,
    "GANGLION_NATIVE_BOARD": BLE_NATIVE,
    "AAVAA_V3_BOARD": BLE_NATIVE,
    "SYNCHRONI_TRIO_3_CHANNELS_BOARD": BLE_NATIVE,
    "SYNCHRONI_OCTO_8_CHANNELS_BOARD": BLE_NATIVE,
    "SYNCHRONI_PENTO_8_CHANNELS_BOARD": BLE_NATIVE,
    "SYNCHRONI_UNO_1_CHANNELS_BOARD": BLE_NATIVE,
    "ENOPHONE_BOARD": (MAC,),
    "EXPLORE_4_CHAN_BOARD": (MAC,),
    "EXPLORE_8_CHAN_BOARD": (MAC,),
    "EXPLORE_PLUS_8_CHAN_BOARD": (MAC,),
    "EXPLORE_PLUS_32_CHAN_BOARD": (MAC,),
    "EMOTIBIT_BOARD": (_p("ip_address", False, "EmotiBit's IP address (empty: broadcast search)"), TIMEOUT),
    "PIEEG_BOARD": (_p("serial_port", True, "SPI device, e.g. /dev/spidev0.0"),),
    "NEUROPAWN_KNIGHT_BOARD": (SERIAL, _p("other_info", False, "gain setting, e.g. gain=6")),
    "NEUROPAWN_KNIGHT_BOARD_IMU": (SERIAL, _p("other_info", False, "gain setting, e.g. gain=6")),
    "OB5000_8_CHANNELS_BOARD": (SERIAL,),
    "OB3000_24_CHANNELS_BOARD": (SERIAL,),
    "BIOLISTENER_BOARD": (SERIAL, TIMEOUT),
    "IRONBCI_32_BOARD": (SERIAL,),
    "SHIMMER3_BOARD": (SERIAL,),
    **{b.name: ANT for b in BoardIds if b.name.startswith("ANT_NEURO")},
}


def board_params(board_id: int) -> tuple[Param, ...]:
    """The connection parameters ``board_id`` reads, required ones first."""
    try:
        params = _BOARD_PARAMS.get(BoardIds(board_id).name, ())
    except ValueError:
        params = ()
    return tuple(sorted(params, key=lambda p: not p.required))


# The EEG reference of boards whose wiring fixes it, for the exports' headers (BrainFlow does not describe it).
# OpenBCI Cyton: every channel against SRB2 in the default settings (OpenBCI's Cyton documentation); Ganglion:
# against its REF pin; Muse: Fpz. BrainFlow's synthetic board synthesises its signals.
REFERENCES = {
    **dict.fromkeys(("cyton_board", "cyton_daisy_board", "cyton_wifi_board", "cyton_daisy_wifi_board"), "SRB2"),
    **dict.fromkeys(("ganglion_board", "ganglion_wifi_board", "ganglion_native_board"), "REF"),
    **{board_name(b.value): "Fpz" for b in BoardIds if b.name.startswith("MUSE")},
    "synthetic_board": "none (synthetic signals)",
}


# Raw rows kept besides EEG, by BrainFlow's description key: (kind, names for 1 row / for several rows).
EXTRA_ROWS = (
    ("ppg", ("PPG",)),
    ("ecg", ("ECG",)),
    ("eda", ("EDA",)),
    ("accel", ("AccelX", "AccelY", "AccelZ")),
    ("gyro", ("GyroX", "GyroY", "GyroZ")),
    ("temperature", ("Temp",)),
)


@dataclass(frozen=True)
class BoardLayout:
    """Where a board puts what in its data rows, from BrainFlow's board description."""

    fs: float
    rows: tuple[int, ...]  # data rows used, in the order of ``names``
    names: tuple[str, ...]
    kinds: tuple[str, ...]  # eeg, ppg, ecg, eda, accel, gyro or temperature per row
    timestamp_row: int
    num_rows: int
    counter_row: int | None = None  # BrainFlow's package counter, where the board has one


def _extra_names(given: tuple[str, ...], count: int) -> list[str]:
    if count == len(given) and count > 1:
        return list(given)
    return [given[0]] if count == 1 else [f"{given[0]}{i + 1}" for i in range(count)]


def board_layout(board_id: int) -> BoardLayout:
    """EEG rows (named from the board description, else ch1..), then every PPG, ECG, EDA, accelerometer,
    gyroscope and temperature row that is not an EEG row (many boards list every ExG row as ECG too)."""
    try:
        descr = BoardShim.get_board_descr(board_id)
    except BrainFlowError as exc:
        raise BoardError(f"{board_name(board_id)} has no channel description: {exc}") from None
    eeg = list(descr.get("eeg_channels", []))
    given = str(descr.get("eeg_names", "")).split(",")
    names = [n.strip() for n in given] if len(given) == len(eeg) and all(given) else []
    names = names or [f"ch{i + 1}" for i in range(len(eeg))]
    rows, kinds = list(eeg), ["eeg"] * len(eeg)
    for kind, labels in EXTRA_ROWS:
        extra = [r for r in descr.get(f"{kind}_channels", []) if r not in eeg]
        rows += extra
        names += _extra_names(labels, len(extra))
        kinds += [kind] * len(extra)
    counter = descr.get("package_num_channel")
    return BoardLayout(
        float(descr["sampling_rate"]),
        tuple(rows),
        tuple(names),
        tuple(kinds),
        int(descr["timestamp_channel"]),
        int(descr["num_rows"]),
        None if counter is None else int(counter),
    )
