"""The in-memory form of a recorded file: one sampling rate, named channels of known kinds, stamped samples."""

from __future__ import annotations

import gzip
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
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
class TextTable:
    """A numeric table read from text: the header lines, the rows (samples x columns), and notes on what was
    left out or read as gaps (for the operator)."""

    header: list[str]
    rows: FloatArray
    notes: tuple[str, ...]


def _numbers(fields: list[str]) -> tuple[list[float], int, str | None]:
    """The fields as numbers (an empty field is a gap, NaN), how many were empty, and the first that is not a
    number (None when all are)."""
    try:
        return [float(v) for v in fields], 0, None
    except ValueError:
        pass
    values, empty = [], 0
    for v in fields:
        if not v.strip():
            values.append(np.nan)
            empty += 1
            continue
        try:
            values.append(float(v))
        except ValueError:
            return values, empty, v.strip()
    return values, empty, None


def cut_note(line: int) -> str:
    """The note for a last line that lacks its line end (a file cut short while it was written)."""
    return f"its last line (line {line}) has no line end, so it may be cut short: left out"


def read_table(path: Path, skip: str, delimiter: str | None, origin: str, columns: int | None = None) -> TextTable:
    """Header lines (starting with ``skip``, blank lines and a line of column names before the first row), then
    the numeric rows (their first ``columns`` values). Every row must have as many values as the first and only
    numbers; RecordingError names the first line that does not. A file cut short is read up to the cut, with a
    note: a last line without its line end, or with fewer values (a recording stopped mid-write), is left out,
    and a gzip file that ends early keeps the lines before the cut. Empty values are gaps (NaN), noted."""
    header: list[str] = []
    rows: list[list[float]] = []
    notes: list[str] = []
    empty = 0
    damaged: tuple[int, str, bool] | None = None  # (line, why, fewer values): an error unless it is the last
    last, ended = 0, True  # the last data line's number, and whether the file ended with a line end
    try:
        with open_text(path) as f:
            for number, line in enumerate(f, 1):
                ended = line.endswith("\n")
                starting = not rows and damaged is None
                if line.startswith(skip) or (starting and not line.strip()):
                    header.append(line.strip())
                    continue
                if starting and any(c.isalpha() for c in line.split(delimiter or " ")[0]):
                    header.append(line.strip())  # the column names
                    continue
                if not line.strip():
                    continue
                if damaged is not None:
                    raise RecordingError(f"{path}: line {damaged[0]} {damaged[1]}; the file is damaged")
                values, gaps, bad = _numbers(line.split(delimiter)[:columns])
                last = number
                if bad is not None:
                    damaged = (number, f"holds {bad[:24]!r}, which is not a number", False)
                elif rows and len(values) != len(rows[0]):
                    why = f"has {len(values)} values where the rows before it have {len(rows[0])}"
                    damaged = (number, why, len(values) < len(rows[0]))
                else:
                    rows.append(values)
                    empty += gaps
    except EOFError:
        notes.append("the compressed file ends early (truncated); the rows before the cut were read")
        ended = True
    except (OSError, UnicodeDecodeError) as exc:
        raise RecordingError(f"{path}: cannot read as {origin}: {exc}") from None
    if damaged is not None:
        number, why, shorter = damaged
        if not (shorter or not ended):
            raise RecordingError(f"{path}: line {number} {why}; the file is damaged")
        notes.append(f"its last line (line {number}) is cut short, as in a recording stopped mid-write: left out")
    elif not ended and rows:
        rows.pop()
        notes.append(cut_note(last))
    if not rows:
        raise RecordingError(f"{path}: {origin} file without samples")
    if empty:
        notes.append(f"{empty} empty values read as gaps")
    return TextTable(header, np.asarray(rows, dtype=np.float64), tuple(notes))


@dataclass(frozen=True)
class Recording:
    """``data`` is samples x channels at ``fs`` Hz; ``t`` the samples' stamps in seconds (the file's own clock);
    ``kinds`` one of KINDS per channel; ``origin`` says what the file was read as (for messages); ``notes``
    what the reader left out or read as gaps (a file cut short, empty values), for the operator; ``events`` the
    file's own annotations and markers as (onset in s after the first sample, text, duration in s or None)."""

    fs: float
    names: tuple[str, ...]
    kinds: tuple[str, ...]
    data: FloatArray
    t: FloatArray
    origin: str
    notes: tuple[str, ...] = field(default=())
    events: tuple[tuple[float, str, float | None], ...] = field(default=())

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
