"""Text recordings: OpenBCI GUI v6 (``%`` header, comma-separated table) and BioSPPy simple text (``#`` header,
one column per channel)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from sensors.recordings.recording import Recording, RecordingError, clean_label, guess_kind, open_text, read_table


def read_text(path: Path, first_line: str) -> Recording:
    if first_line.startswith("%"):
        return read_openbci(path)
    if first_line.startswith("#"):
        return read_simple_text(path)
    raise RecordingError(f"{path}: a text file that is neither OpenBCI GUI (%-header) nor BioSPPy (#-header) text")


def read_openbci(path: Path) -> Recording:
    """OpenBCI GUI v6 text: ``%Sample Rate = 250 Hz`` header, then ``EXG Channel N`` columns (µV) and
    ``Timestamp`` (Unix seconds, or milliseconds in some GUI versions)."""
    origin = "OpenBCI GUI text"
    try:
        with open_text(path) as f:
            lines = [f.readline() for _ in range(20)]
    except (OSError, EOFError) as exc:
        raise RecordingError(f"{path}: cannot read the {origin} header: {exc}") from None
    rate = next((re.search(r"Sample Rate\s*=\s*([\d.]+)", x) for x in lines if "Sample Rate" in x), None)
    columns = next((x for x in lines if x.startswith("Sample Index")), None)
    if rate is None or columns is None:
        raise RecordingError(f"{path}: not OpenBCI GUI v6 text (no '%Sample Rate' header or column names)")
    names = [c.strip() for c in columns.split(",")]
    exg = [i for i, n in enumerate(names) if n.startswith("EXG Channel")]
    numeric = names.index("Timestamp (Formatted)") if "Timestamp (Formatted)" in names else None
    read = read_table(path, "%", ",", origin, numeric)
    table = read.rows
    fs = float(rate.group(1))
    data = table[:, exg]
    if "Timestamp" in names:
        t = table[:, names.index("Timestamp")]
        t = t / 1000.0 if np.nanmedian(t) > 1e11 else t
    else:
        t = np.arange(len(table)) / fs
    names_exg = tuple(names[i] for i in exg)
    return Recording(fs, names_exg, ("eeg",) * len(exg), data, t, f"{path.name} ({origin})", read.notes)


def read_simple_text(path: Path) -> Recording:
    """BioSPPy simple text: ``# Sampling Rate (Hz):= 1000.00`` and ``# Labels:= ECG`` headers, then values."""
    origin = "BioSPPy text"
    read = read_table(path, "#", None, origin)
    header, table = read.header, read.rows
    rate = next((re.search(r"Sampling Rate \(Hz\):=\s*([\d.]+)", x) for x in header if "Sampling Rate" in x), None)
    if rate is None:
        raise RecordingError(f"{path}: {origin} without a '# Sampling Rate (Hz):=' line")
    labels_line = next((x.split(":=", 1)[1] for x in header if x.startswith("# Labels")), "")
    labels = [x.strip() for x in labels_line.replace(",", "\t").split("\t") if x.strip()]
    if len(labels) != table.shape[1]:
        labels = [f"ch{i + 1}" for i in range(table.shape[1])]
    fs = float(rate.group(1))
    names = tuple(clean_label(x) for x in labels)
    kinds = tuple(guess_kind(x) for x in labels)
    return Recording(fs, names, kinds, table, np.arange(len(table)) / fs, f"{path.name} ({origin})", read.notes)
