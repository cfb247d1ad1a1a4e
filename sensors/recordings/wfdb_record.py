"""WFDB records (PhysioNet): a ``.hea`` header with ``.dat`` or ``.mat`` signal files, read with wfdb."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sensors.recordings.recording import Recording, RecordingError, guess_kind


def read_wfdb(path: Path) -> Recording:
    import wfdb

    record = path.with_suffix("")
    if not record.with_suffix(".hea").is_file():
        raise RecordingError(f"{path}: no WFDB header {record.with_suffix('.hea').name} beside it")
    try:
        rec = wfdb.rdrecord(str(record))
    except Exception as exc:  # wfdb raises ValueError, OSError and others on damaged records
        raise RecordingError(f"{path}: cannot read as a WFDB record: {exc}") from None
    if rec.p_signal is None:
        raise RecordingError(f"{path}: WFDB record without signals")
    data = np.asarray(rec.p_signal, dtype=np.float64)
    names = tuple(str(n) for n in rec.sig_name)
    fs = float(rec.fs)
    return Recording(
        fs, names, tuple(guess_kind(n) for n in names), data, np.arange(len(data)) / fs, f"{path.name} (WFDB)"
    )
