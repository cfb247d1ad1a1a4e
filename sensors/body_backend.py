"""What the body channel needs from wherever its samples come from (a board, a file, an LSL stream)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from sensors.body_pipeline import ChannelLayout

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class SourceEvent:
    """An event a source delivers with its samples: session time (s), text, duration (s) or None, and who set it
    (``file`` for a recording's own annotations, ``body`` for what the source notes itself)."""

    t: float
    label: str
    duration: float | None = None
    source: str = "file"


class SourceFault(Exception):
    """The device, file or stream cannot deliver now; the message says why in one line."""


class BodyBackend(Protocol):
    """``connect`` starts delivery and says what it delivers; ``read`` returns the samples that arrived since the
    last call as (session seconds shape (n,), values shape (n, columns)); ``disconnect`` stops and releases.
    ``connect`` and ``read`` raise SourceFault; ``disconnect`` never raises and may be called at any time."""

    label: str  # for the operator: "cyton_board", "file eyes.edf", "LSL stream 'EEG'"
    kind: str  # the channel backend shown in the status: synthetic, board, playback, file or lsl
    reference: str  # the EEG reference where the device is known to fix it ("SRB2"), else ""

    def connect(self) -> ChannelLayout: ...

    def read(self) -> tuple[FloatArray, FloatArray]: ...

    def disconnect(self) -> None: ...

    def take_gaps(self) -> list[tuple[float, int]]:
        """Samples lost since the last call, as (session time of the first lost sample in s, how many): from a
        board's package counter; sources that cannot tell return nothing."""
        ...

    def take_events(self) -> list[SourceEvent]:
        """Events the source delivered since the last call: a file's own annotations and markers as their samples
        are played, and the seam each time a looping recording starts again."""
        ...


def nothing(width: int) -> tuple[FloatArray, FloatArray]:
    """An empty read."""
    return np.zeros(0), np.zeros((0, width))


class SourceDefaults:
    """What a source reports unless it knows more: no known EEG reference, no lost samples (it cannot tell), no
    events of its own."""

    reference = ""

    def take_gaps(self) -> list[tuple[float, int]]:
        return []

    def take_events(self) -> list[SourceEvent]:
        return []
