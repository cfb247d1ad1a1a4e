"""EDF, EDF+ and BDF files through pyedflib; voltages are converted to µV, other units are kept."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np

from sensors.recordings.recording import Recording, RecordingError, clean_label, guess_kind

TO_MICROVOLT = {"uv": 1.0, "µv": 1.0, "mv": 1e3, "v": 1e6, "nv": 1e-3}


def read_edf(path: Path) -> Recording:
    """Signals at the most common sampling rate (annotation and slower signals are left out)."""
    import pyedflib

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
    finally:
        reader.close()
    data = np.column_stack(columns).astype(np.float64)
    names = tuple(clean_label(labels[i]) for i in chosen)
    kinds = tuple(guess_kind(labels[i]) for i in chosen)
    return Recording(fs, names, kinds, data, np.arange(len(data)) / fs, f"{path.name} (EDF/BDF)")
