"""Impedance modes of the OpenBCI boards, through BrainFlow's ``config_board`` (the board's own ASCII commands).

- Cyton and Cyton+Daisy (OpenBCI "Cyton Board SDK", docs.openbci.com/Cyton/CytonSDK, "Leadoff Impedance
  Commands" ``z (CHANNEL, PCHAN, NCHAN) Z`` and "Channel Setting Commands" ``x (CHANNEL, POWER_DOWN, GAIN_SET,
  INPUT_TYPE_SET, BIAS_SET, SRB2_SET, SRB1_SET) X``): one channel at a time, as the OpenBCI GUI's Cyton signal
  widget does: the channel at gain 1 with SRB2 off (``x1000100X``) and the lead-off current on its N input
  (``z101Z``); afterwards the SDK's default channel settings (gain 24, bias and SRB2 on: ``x1060110X``) and the
  current off (``z100Z``). Channels 9-16 of the Daisy are named Q W E R T Y U I. The impedance is then computed
  from the signal (``fusion.signal_checks.impedance_ohms``).
- Ganglion (OpenBCI "Ganglion SDK", docs.openbci.com/Ganglion/GanglionSDK, "LeadOff Impedance"): ``z`` starts
  an impedance test for every channel and ``Z`` stops it; BrainFlow then delivers the impedances in the board's
  resistance rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from fusion.signal_checks import impedance_ohms
from sensors.boards import BoardError, board_name

FloatArray = NDArray[np.float64]
SWEEP_SECONDS = 2.0  # seconds of samples taken from each channel while its lead-off current flows

DAISY_CHANNELS = "QWERTYUI"  # the Cyton SDK's names of channels 9-16
CYTON_BOARDS = ("cyton_board", "cyton_daisy_board", "cyton_wifi_board", "cyton_daisy_wifi_board")
GANGLION_BOARDS = ("ganglion_board", "ganglion_wifi_board", "ganglion_native_board")


class Configurable(Protocol):
    """A prepared BrainFlow board: ``config_board`` sends one command string and returns the board's answer."""

    def config_board(self, config: str) -> str: ...


def cyton_channel(channel: int, channels: int) -> str:
    """The Cyton SDK's character for channel ``channel`` (1-based) of a board with ``channels`` channels."""
    if not 1 <= channel <= channels:
        raise BoardError(f"channel {channel} does not exist; the board has channels 1-{channels}")
    return str(channel) if channel <= 8 else DAISY_CHANNELS[channel - 9]


def impedance_commands(board_id: int, channel: int, channels: int) -> tuple[list[str], list[str]]:
    """The commands that start and stop measuring the impedance of ``channel`` (1-based; the Ganglion measures
    every channel at once) on board ``board_id``; BoardError for boards without an impedance mode here."""
    name = board_name(board_id)
    if name in CYTON_BOARDS:
        c = cyton_channel(channel, channels)
        return [f"x{c}000100X", f"z{c}01Z"], [f"x{c}060110X", f"z{c}00Z"]
    if name in GANGLION_BOARDS:
        return ["z"], ["Z"]
    raise BoardError(f"{name} has no impedance mode the studio knows (OpenBCI Cyton and Ganglion have)")


def measure(board: Configurable, board_id: int, channel: int, channels: int, start: bool) -> list[str]:
    """Send the commands that start (or stop) the impedance mode of ``channel``; returns the board's answers."""
    on, off = impedance_commands(board_id, channel, channels)
    return [board.config_board(command) for command in (on if start else off)]


def sweeps_impedance(board_id: int) -> bool:
    """Whether the studio can measure this board's impedance channel by channel (the Cyton family)."""
    return board_name(board_id) in CYTON_BOARDS


def impedance_sweep(
    board: Configurable,
    board_id: int,
    channels: int,
    read: Callable[[], FloatArray],
    halted: Callable[[float], bool],
    fs: float,
    line_hz: float,
) -> Iterator[tuple[int, float]]:
    """Measure a Cyton's channels one after the other, as the OpenBCI GUI does: for channel 1..``channels`` switch
    its lead-off current on, take SWEEP_SECONDS of samples from ``read`` (samples x EEG channels, µV; what came
    before the current is dropped), switch it off again (also when stopped), and yield (channel, impedance in Ω).
    ``halted(seconds)`` waits between reads and is True when the sweep must stop."""
    for channel in range(1, channels + 1):
        measure(board, board_id, channel, channels, start=True)
        try:
            read()
            taken: list[FloatArray] = []
            while sum(len(part) for part in taken) < SWEEP_SECONDS * fs:
                if halted(0.1):
                    return
                taken.append(read())
        finally:
            measure(board, board_id, channel, channels, start=False)
        window = np.concatenate(taken)[:, channel - 1]
        yield channel, float(impedance_ohms(window[None, :], fs, line_hz)[0])
