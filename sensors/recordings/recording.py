"""The in-memory form of a recorded file: one sampling rate, named channels of known kinds, stamped samples."""

from __future__ import annotations

import gzip
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TextIO

import numpy as np
from numpy.typing import NDArray

from studio.kernel.errors import StudioError

FloatArray = NDArray[np.float64]

KINDS = ("eeg", "ecg", "ppg", "eda", "other")
_ECG_LEADS = {"i", "ii", "iii", "avr", "avl", "avf", "mlii", "v", *(f"v{i}" for i in range(1, 7))}
_KIND_WORDS = (
    ("ecg", ("ecg", "ekg")),
    ("ppg", ("ppg", "pleth", "bvp", "pulse")),
    ("eda", ("eda", "gsr", "skin")),
    ("other", ("eog", "emg", "acc", "gyro", "temp", "resp", "marker", "trigger", "status", "annotation", "spo2")),
)
PHYSIO_TYPES = {"ecg": "ecg", "ppg": "ppg", "eda": "eda", "gsr": "eda", "bvp": "ppg"}  # stream/channel type -> kind


class RecordingError(StudioError):
    """A file that cannot be read as a recording: missing, truncated, corrupt, or without usable channels."""


def guess_kind(label: str) -> str:
    """The kind of a channel from its label: eeg (the default), ecg, ppg, eda or other."""
    low = label.strip().lower()
    if low in _ECG_LEADS:
        return "ecg"
    for kind, words in _KIND_WORDS:
        if any(w in low for w in words):
            return kind
    return "eeg"


def clean_label(label: str) -> str:
    """An electrode name without the usual decorations: ``EEG Fp1-REF`` -> ``Fp1``."""
    text = re.sub(r"^(EEG|EXG)\s+", "", label.strip(), flags=re.IGNORECASE)
    return re.sub(r"-(REF|LE|RE|A1|A2|M1|M2|AVG|CZ)$", "", text, flags=re.IGNORECASE) or label.strip()


def open_text(path: Path) -> TextIO:
    """Open a text file, gzipped or not (decided by its first bytes)."""
    with path.open("rb") as f:
        magic = f.read(2)
    if magic == b"\x1f\x8b":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", errors="replace")
    return path.open("r", encoding="utf-8", errors="replace")


@dataclass(frozen=True)
class Recording:
    """``data`` is samples x channels at ``fs`` Hz; ``t`` the samples' stamps in seconds (the file's own clock);
    ``kinds`` one of KINDS per channel; ``origin`` says what the file was read as (for messages)."""

    fs: float
    names: tuple[str, ...]
    kinds: tuple[str, ...]
    data: FloatArray
    t: FloatArray
    origin: str

    def __post_init__(self) -> None:
        if not (self.fs > 0 and np.isfinite(self.fs)):
            raise RecordingError(f"{self.origin}: the sampling rate {self.fs!r} is not a positive number")
        if self.data.ndim != 2 or self.data.shape[1] != len(self.names) or len(self.kinds) != len(self.names):
            raise RecordingError(f"{self.origin}: {len(self.names)} channel names for data of shape {self.data.shape}")
        if self.data.shape[0] == 0:
            raise RecordingError(f"{self.origin}: holds no samples")

    @property
    def duration(self) -> float:
        """Seconds covered by the samples."""
        return float(self.data.shape[0] / self.fs)

    def indices(self, kind: str) -> list[int]:
        return [i for i, k in enumerate(self.kinds) if k == kind]

    def index(self, name: str) -> int:
        """The column of channel ``name`` (case-insensitive); RecordingError lists the channels there are."""
        lowered = [n.lower() for n in self.names]
        if name.lower() not in lowered:
            raise RecordingError(f"{self.origin}: no channel named {name!r}; it has {', '.join(self.names)}")
        return lowered.index(name.lower())

    def with_montage(self, names: Sequence[str]) -> Recording:
        """The same recording with the first ``len(names)`` EEG channels renamed (in file order)."""
        eeg = self.indices("eeg")
        if len(names) > len(eeg):
            raise RecordingError(f"{self.origin}: {len(names)} montage names for {len(eeg)} EEG channels")
        new = list(self.names)
        for i, name in zip(eeg, names, strict=False):
            new[i] = name
        return replace(self, names=tuple(new))

    def select(self, names: Sequence[str]) -> Recording:
        """Only the named channels, in the order given."""
        cols = [self.index(n) for n in names]
        return replace(
            self,
            names=tuple(self.names[i] for i in cols),
            kinds=tuple(self.kinds[i] for i in cols),
            data=self.data[:, cols],
        )
