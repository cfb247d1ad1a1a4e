"""EDF+ (16-bit) or BDF+ (24-bit) export of the raw EEG and physiology signals, markers as annotations."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np

from studio.export.data import Progress, SessionData, Table
from studio.store import StoreError

ANONYMOUS_START = datetime(1985, 1, 1)  # EDF+'s convention for an anonymised recording date


def regular(table: Table) -> tuple[float, int, np.ndarray, list[str]]:
    """The signal on a regular grid at its integer rate (Hz), interpolated across any gaps:
    (start in session seconds, rate, samples x channels, channel names)."""
    assert table.rate_hz is not None
    rate = round(table.rate_hz)
    t = table.columns["t"]
    names = [n for n in table.columns if n != "t"]
    n = int(np.floor((t[-1] - t[0]) * rate)) + 1
    grid = t[0] + np.arange(n) / rate
    values = np.column_stack([np.interp(grid, t, table.columns[name].astype(np.float64)) for name in names])
    return float(t[0]), rate, values, names


def export_edf(data: SessionData, out: Path, bdf: bool, progress: Progress) -> list[Path]:
    """Write the session's raw signals into ``out/session-N.edf`` (or ``.bdf``); markers and self-reports become
    annotations at their session times. De-identified, the header names no client (``X``) and starts on EDF+'s
    anonymous date, 01.01.85 at 00.00.00."""
    import pyedflib

    signals = [t for t in data.tables.values() if t.rate_hz is not None and len(t) > 1]
    if not signals:
        raise StoreError(f"session {data.info.id} has no EEG or physiology samples to write as EDF")
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"session-{data.info.id}.{'bdf' if bdf else 'edf'}"
    progress(f"resampling {', '.join(t.name for t in signals)} onto a regular grid")
    parts = [regular(t) for t in signals]
    start = min(p[0] for p in parts)
    headers: list[dict[str, str | int | float | None]] = []
    columns: list[np.ndarray] = []
    digital = (-8388608, 8388607) if bdf else (-32768, 32767)
    for (t0, rate, values, names), table in zip(parts, signals, strict=True):
        pad = round((t0 - start) * rate)
        for i, name in enumerate(names):
            x = np.concatenate([np.full(pad, values[0, i]), values[:, i]])
            lo, hi = float(np.floor(x.min())) - 1.0, float(np.ceil(x.max())) + 1.0  # whole units fit the header
            headers.append(
                {
                    "label": f"{table.name.split('.')[0]} {name}"[:16],
                    "dimension": table.units.get(name, ""),
                    "sample_frequency": rate,
                    "physical_min": lo,
                    "physical_max": hi,
                    "digital_min": digital[0],
                    "digital_max": digital[1],
                    "transducer": "",
                    "prefilter": "",
                }
            )
            columns.append(x)
    length = min(len(c) for c in columns)
    progress(f"writing {path.name}: {len(columns)} signals, {length / parts[0][1]:.0f} s")
    kind = pyedflib.FILETYPE_BDFPLUS if bdf else pyedflib.FILETYPE_EDFPLUS
    writer = pyedflib.EdfWriter(str(path), len(columns), file_type=kind)
    try:
        writer.setSignalHeaders(headers)
        writer.setStartdatetime(
            datetime.fromisoformat(data.info.started_utc).replace(tzinfo=None)
            if data.include_client
            else ANONYMOUS_START
        )
        writer.setPatientCode((data.info.client_code or "X") if data.include_client else "X")
        writer.setEquipment("Affect_Studio")
        writer.writeSamples([c[:length] for c in columns])
        for t, label in _annotations(data):
            writer.writeAnnotation(max(0.0, t - start), -1, label)
    finally:
        writer.close()
    return [path]


def _annotations(data: SessionData) -> list[tuple[float, str]]:
    markers = data.tables["markers"].columns
    found = [(float(t), str(label)) for t, label in zip(markers["t"], markers["label"], strict=True)]
    found += [(r.t, f"SAM {r.phase}: valence {r.valence}, arousal {r.arousal}") for r in data.self_reports]
    return sorted(found)
