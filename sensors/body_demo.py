"""The demo's body source: the demo person's synthesised body (body_listener.py), healthy unless the operator asks
for training faults.

Training faults (``--demo-faults``) are applied to the synthesised samples, each on its own channel, and the
real quality check judges them: ``line-noise`` adds mains hum to C3, ``railed`` holds Pz at the amplifier's
rail, ``flat`` leaves Oz carrying almost nothing, ``noisy`` buries C4 in broadband artefact, and ``dropout``
silences the whole board for DROPOUT_SECONDS after every DROPOUT_AFTER seconds of streaming.
"""

from __future__ import annotations

import numpy as np

from sensors.body_backend import FloatArray, SourceDefaults, nothing
from sensors.body_listener import ListenerBoard
from sensors.body_pipeline import ChannelLayout
from studio.kernel.clock import SessionClock

DEFAULT_MAINS_HZ = 50.0  # the hum the line-noise fault adds when no notch is set
FAULT_CHANNELS = {"line-noise": "C3", "railed": "Pz", "flat": "Oz", "noisy": "C4"}
FAULTS = (*FAULT_CHANNELS, "dropout")
HUM_UV = 150.0  # µV amplitude of the mains hum added by line-noise
RAIL_UV = 187500.0  # µV: where a 24-bit amplifier such as the Cyton's saturates
FLAT_GAIN = 1e-4  # what is left of the signal of a channel that carries almost nothing
ARTEFACT_UV = 1000.0  # µV standard deviation of the broadband artefact added by noisy (muscle, movement)
DROPOUT_AFTER = 6.0  # s of streaming after each (re)connection before the board goes silent
DROPOUT_SECONDS = 3.0  # s without samples (the channel reports it after 2 s and reconnects)


def parse_faults(text: str) -> tuple[str, ...]:
    """``line-noise,railed`` -> the faults in FAULTS order; ValueError names an unknown one."""
    names = {part.strip() for part in text.split(",") if part.strip()}
    unknown = sorted(names - set(FAULTS))
    if unknown or not names:
        raise ValueError(f"unknown demo fault {', '.join(unknown) or '(none)'}; choose from {', '.join(FAULTS)}")
    return tuple(f for f in FAULTS if f in names)


class DemoBoard(SourceDefaults):
    """The demo person's body ``board`` with the training ``faults`` applied."""

    kind = "synthetic"

    def __init__(
        self, board: ListenerBoard, clock: SessionClock, mains_hz: float, faults: tuple[str, ...] = ()
    ) -> None:
        self.board = board
        self.clock = clock
        self.mains_hz = mains_hz
        self.faults = faults
        shown = f" (demo faults: {', '.join(faults)})" if faults else ""
        self.label = f"{board.label}{shown}"
        self._faulty: dict[str, int] = {}
        self._connected_at = 0.0
        self._rng = np.random.default_rng(0)

    def connect(self) -> ChannelLayout:
        layout = self.board.connect()
        self._faulty = {f: layout.names.index(FAULT_CHANNELS[f]) for f in self.faults if f in FAULT_CHANNELS}
        self._connected_at = self.clock.now()
        return layout

    def read(self) -> tuple[FloatArray, FloatArray]:
        t, data = self.board.read()
        if "dropout" in self.faults:
            since = self.clock.now() - self._connected_at
            if DROPOUT_AFTER <= since < DROPOUT_AFTER + DROPOUT_SECONDS:  # the samples never arrive
                return nothing(data.shape[1])
        if not t.size or not self._faulty:
            return t, data
        faulty = self._faulty
        hum = self.mains_hz or DEFAULT_MAINS_HZ
        if "line-noise" in faulty:
            data[:, faulty["line-noise"]] += HUM_UV * np.sin(2 * np.pi * hum * t)
        if "railed" in faulty:
            data[:, faulty["railed"]] = RAIL_UV
        if "flat" in faulty:
            data[:, faulty["flat"]] *= FLAT_GAIN
        if "noisy" in faulty:
            data[:, faulty["noisy"]] += self._rng.normal(0.0, ARTEFACT_UV, t.size)
        return t, data

    def disconnect(self) -> None:
        self.board.disconnect()
