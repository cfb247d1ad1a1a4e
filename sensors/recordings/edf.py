"""EDF, EDF+ and BDF files through pyedflib; voltages are converted to µV, other units are kept."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np

from sensors.recordings.recording import Recording, RecordingError, clean_label, guess_kind

TO_MICROVOLT = {"uv": 1.0, "µv": 1.0, "mv": 1e3, "v": 1e6, "nv": 1e-3}


def check_size(path: Path) -> None:
    """RecordingError when the file is shorter than its header promises (a recording cut short), before pyedflib
    sees it (pyedflib prints its own complaint on stdout). Headers that cannot be read are left to pyedflib."""
    with path.open("rb") as f:
        head = f.read(256)
        try:
            header_bytes, records, signals = int(head[184:192]), int(head[236:244]), int(head[252:256])
        except ValueError:
            return
        fields = f.read(256 * signals)
    if signals <= 0 or header_bytes != 256 * (signals + 1):
        return
    if len(fields) < 256 * signals:
        stop = 256 + len(fields)
        raise RecordingError(f"{path} is truncated: its header stops after {stop} of {header_bytes} bytes")
    try:  # samples per data record, one 8-byte field per signal
        samples = sum(int(fields[216 * signals + 8 * i : 216 * signals + 8 * i + 8]) for i in range(signals))
    except ValueError:
        return
    record_bytes = samples * (3 if head[:1] == b"\xff" else 2)  # BDF: 24-bit samples; EDF: 16-bit
    size = path.stat().st_size
    if records > 0 and record_bytes > 0 and size < header_bytes + records * record_bytes:
        whole = (size - header_bytes) // record_bytes
        raise RecordingError(
            f"{path} is truncated: its header promises {records} data records, the file holds {whole} complete ones"
        )


def read_edf(path: Path) -> Recording:
    """Signals at the most common sampling rate (slower signals are left out), and the file's EDF+/BDF+
    annotations as events."""
    import pyedflib

    check_size(path)
    try:
        reader = pyedflib.EdfReader(str(path))
    except OSError as exc:
        raise RecordingError(f"{path}: cannot read as EDF/BDF: {str(exc).strip()}") from None
    try:
        labels = reader.getSignalLabels()
        rates = [float(r) for r in reader.getSampleFrequencies()]
        if not labels:
            raise RecordingError(f"{path}: EDF file without signals")
        fs = Counter(rates).most_common(1)[0][0]
        chosen = [i for i, r in enumerate(rates) if r == fs]
        columns = []
        for i in chosen:
            unit = reader.getPhysicalDimension(i).strip().lower()
            columns.append(reader.readSignal(i) * TO_MICROVOLT.get(unit, 1.0))
        onsets, durations, texts = reader.readAnnotations()
    finally:
        reader.close()
    data = np.column_stack(columns).astype(np.float64)
    names = tuple(clean_label(labels[i]) for i in chosen)
    kinds = tuple(guess_kind(labels[i]) for i in chosen)
    events = tuple(
        (float(onset), str(text).strip(), float(length) if length >= 0 else None)
        for onset, length, text in zip(onsets, durations, texts, strict=True)
        if str(text).strip()
    )
    return Recording(fs, names, kinds, data, np.arange(len(data)) / fs, f"{path.name} (EDF/BDF)", events=events)
