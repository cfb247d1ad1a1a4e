"""EDF+ (16-bit) or BDF+ (24-bit) export of the raw signals exactly as acquired, markers as annotations.

Every sample is written as the device delivered it, in its order and at its rate: nothing is interpolated. The
file starts at the first sample of any signal; an annotation at 0 s (and the header's recording field) says its
session time. Where a signal has no sample for a place in the file (before its own first sample, samples the
device lost, a reconnection, the rest of the last data record), the place holds the signal's nearest earlier
value (its first value before it starts) and an annotation says where and why: EDF has no way to leave it empty.
Annotations keep their first ANNOTATION_CHARS characters (edflib's limit); markers longer than that are cut.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction
from pathlib import Path

import numpy as np

from studio.export.data import Progress, SessionData, Table
from studio.store import StoreError

ANONYMOUS_START = datetime(1985, 1, 1)  # EDF+'s convention for an anonymised recording date
PREFILTER = "none: samples as acquired (feature filters are not applied to raw data)"
TRANSDUCERS = {"eeg": "EEG electrode", "ecg": "ECG electrode", "ppg": "PPG sensor", "eda": "EDA electrodes"}
TRANSDUCERS |= {"accel": "accelerometer", "gyro": "gyroscope", "temperature": "temperature sensor"}
MAX_ANNOTATION_SIGNALS = 64  # edflib's limit
ANNOTATION_CHARS = 40  # edflib keeps this many characters of each annotation: the texts below fit
ASCII_UNITS = {"µ": "u", "°": "deg", "²": "2"}  # EDF headers are ASCII


Note = tuple[float, float, str]  # an annotation: onset (s from the file's start), duration (s, or -1), text


@dataclass(frozen=True)
class Placed:
    """One raw signal laid onto the file's sample grid: ``index`` (sample number from the file's start at the
    signal's rate) of each acquired sample, and the stretches with no sample (first index, count)."""

    table: Table
    rate: float
    index: np.ndarray
    holes: list[tuple[int, int]]


def place(table: Table, start: float, rate: float) -> Placed:
    """Where each sample of ``table`` goes: the first at its own time after ``start`` (s); each next one after the
    number of sample periods between their times (1 unless samples are missing)."""
    t = table.columns["t"]
    first = round((float(t[0]) - start) * rate)
    steps = np.maximum(1, np.round(np.diff(t) * rate).astype(np.int64))
    index = first + np.concatenate([[0], np.cumsum(steps)])
    holes = [(0, first)] if first > 0 else []
    holes += [(int(index[i]) + 1, int(steps[i]) - 1) for i in np.flatnonzero(steps > 1)]
    return Placed(table, rate, index, holes)


def record_seconds(rates: list[float]) -> float:
    """A data record length (s) holding a whole number of samples of every rate: 1 s for whole rates."""
    denominators = [Fraction(r).limit_denominator(1000).denominator for r in rates]
    return float(math.lcm(*denominators))


def ascii_unit(unit: str) -> str:
    for char, text in ASCII_UNITS.items():
        unit = unit.replace(char, text)
    return unit


def labels_of(signals: list[Table]) -> list[list[str]]:
    """Each signal's channel labels: the device's own names (10-20 names for EEG, so montages match); a name that
    two streams share is prefixed with its stream's kind."""
    names = [[n for n in t.columns if n != "t"] for t in signals]
    flat = [n for group in names for n in group]
    return [
        [n if flat.count(n) == 1 else f"{t.name.split('.')[-1]} {n}" for n in group]
        for t, group in zip(signals, names, strict=True)
    ]


def export_edf(data: SessionData, out: Path, bdf: bool, progress: Progress) -> list[Path]:
    """Write the session's raw signals into ``out/session-N.edf`` (or ``.bdf``) as acquired; markers (with their
    codes and durations), self-reports, lost samples and padding become annotations at their times. De-identified,
    the header names no client (``X``) and starts on EDF+'s anonymous date, 01.01.85 at 00.00.00."""
    import pyedflib

    signals = [t for t in data.tables.values() if t.rate_hz is not None and len(t) > 0]
    signals.sort(key=lambda t: (not t.name.endswith(".eeg"), t.name))  # EEG first, as viewers expect
    if not signals:
        raise StoreError(f"session {data.info.id} has no EEG or physiology samples to write as EDF")
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"session-{data.info.id}.{'bdf' if bdf else 'edf'}"
    start = min(float(t.columns["t"][0]) for t in signals)
    rates = [float(t.rate_hz) for t in signals if t.rate_hz is not None]
    duration = record_seconds(rates)
    placed = [place(t, start, r) for t, r in zip(signals, rates, strict=True)]
    records = max(math.ceil((int(p.index[-1]) + 1) / (p.rate * duration) - 1e-9) for p in placed)
    progress(f"writing {path.name}: {', '.join(t.name for t in signals)} as acquired")
    headers: list[dict[str, str | int | float | None]] = []
    columns: list[np.ndarray] = []
    digital = (-8388608, 8388607) if bdf else (-32768, 32767)
    held: list[Note] = []  # channels' NaN samples, held at the last number
    reference = str(data.info.settings.get("body_reference") or "")
    for p, labels in zip(placed, labels_of(signals), strict=True):
        kind = p.table.name.split(".")[-1]
        length = round(records * duration * p.rate)
        for name, label in zip([n for n in p.table.columns if n != "t"], labels, strict=True):
            x = filled(p, p.table.columns[name].astype(np.float64), length)
            bad = ~np.isfinite(x)
            if bad.any():  # lost or saturated samples the device sent as NaN: held, and said so
                held.append((float(np.argmax(bad)) / p.rate, -1, f"{label}: {int(bad.sum())} NaN samples held"))
                x = hold_finite(x, bad)
            lo, hi = float(np.floor(x.min())) - 1.0, float(np.ceil(x.max())) + 1.0  # whole units fit the header
            transducer = TRANSDUCERS.get(kind, "")
            if kind == "eeg" and reference:
                transducer = f"{transducer}, reference {reference}"
            headers.append(
                {
                    "label": label[:16],
                    "dimension": ascii_unit(p.table.units.get(name, ""))[:8],
                    "sample_frequency": p.rate,
                    "physical_min": lo,
                    "physical_max": hi,
                    "digital_min": digital[0],
                    "digital_max": digital[1],
                    "transducer": transducer[:80],
                    "prefilter": PREFILTER[:80],
                }
            )
            columns.append(to_digital(x, lo, hi, digital))
    kind_code = pyedflib.FILETYPE_BDFPLUS if bdf else pyedflib.FILETYPE_EDFPLUS
    writer = pyedflib.EdfWriter(str(path), len(columns), file_type=kind_code)
    try:
        writer.setSignalHeaders(headers)
        writer.setDatarecordDuration(duration)
        begun = datetime.fromisoformat(data.info.started_utc).replace(tzinfo=None) + timedelta(seconds=start)
        writer.setStartdatetime(begun if data.include_client else ANONYMOUS_START)
        writer.setPatientCode((data.info.client_code or "X") if data.include_client else "X")
        writer.setEquipment("Affect_Studio")
        writer.setRecordingAdditional(f"first sample at session time {start:.6f} s"[:80])
        notes = sorted(annotation_list(data, placed, start, records * duration) + held)
        # edflib keeps one annotation per data record and annotation signal: enough signals for all of them
        writer.set_number_of_annotation_signals(min(MAX_ANNOTATION_SIGNALS, math.ceil(len(notes) / records) + 1))
        writer.writeSamples(columns, digital=True)
        for onset, length_s, label in notes:
            writer.writeAnnotation(onset, length_s, label)
    finally:
        writer.close()
    return [path]


def hold_finite(x: np.ndarray, bad: np.ndarray) -> np.ndarray:
    """``x`` with each non-finite value replaced by the last finite one before it (the first finite one at the
    start; 0 when there is none)."""
    good = np.flatnonzero(~bad)
    if good.size == 0:
        return np.zeros_like(x)
    last = np.maximum.accumulate(np.where(bad, 0, np.arange(x.size)))
    last[: good[0]] = good[0]
    return x[last]


def to_digital(x: np.ndarray, lo: float, hi: float, digital: tuple[int, int]) -> np.ndarray:
    """Physical values between ``lo`` and ``hi`` as the nearest digital values (within half a step; pyedflib's own
    conversion truncates, a whole step)."""
    scale = (digital[1] - digital[0]) / (hi - lo)
    return np.round((x - lo) * scale + digital[0]).astype(np.int32)


def filled(p: Placed, values: np.ndarray, length: int) -> np.ndarray:
    """The signal on the file's grid: each sample at its index, every place without one holding the nearest
    earlier sample (the first sample before the signal starts)."""
    x = np.empty(length)
    owner = np.zeros(length, dtype=np.int64)  # which acquired sample each place shows
    owner[p.index] = np.arange(p.index.size)
    np.maximum.accumulate(owner, out=owner)
    x[:] = values[owner]
    return x


def file_time(p: Placed, t: float) -> float:
    """Where session time ``t`` (s) falls in the file (s from its start), by the samples of ``p`` around it: the
    file counts samples at the nominal rate, while the device's clock runs a little fast or slow against the
    session's, so a marker goes beside the sample acquired at its time. Beyond the first or last sample, at the
    nominal rate."""
    times = p.table.columns["t"]
    if t < times[0]:
        return float(p.index[0] + (t - times[0]) * p.rate) / p.rate
    if t > times[-1]:
        return float(p.index[-1] + (t - times[-1]) * p.rate) / p.rate
    return float(np.interp(t, times, p.index)) / p.rate


def annotation_list(data: SessionData, placed: list[Placed], start: float, end: float) -> list[Note]:
    """(onset s from the file's start, duration s or -1, text): the first sample's session time, markers,
    self-reports and samples the device lost (placed by the samples of the first signal, EEG where there is
    some), and every stretch a signal holds a value it did not acquire."""
    found: list[Note] = [(0.0, -1, f"start: session time {start:.6f} s")]
    at = placed[0]
    markers = data.tables["markers"].columns
    for i, (t, label) in enumerate(zip(markers["t"], markers["label"], strict=True)):
        code = markers["code"][i] if "code" in markers else None
        length = markers["duration"][i] if "duration" in markers else None
        text = str(label) if code is None or _missing(code) else f"{label} (code {int(code)})"
        onset = file_time(at, float(t))
        if onset < 0:
            text, onset = f"{text} (before 1st sample)", 0.0
        found.append((onset, -1 if length is None or _missing(length) else float(length), text))
    found += [
        (max(0.0, file_time(at, r.t)), -1, f"SAM {r.phase}: valence {r.valence}, arousal {r.arousal}")
        for r in data.self_reports
    ]
    for table in data.tables.values():
        if table.name.endswith(".gaps") and "lost_samples" in table.columns:
            for t, lost in zip(table.columns["t"], table.columns["lost_samples"], strict=True):
                found.append((max(0.0, file_time(at, float(t))), -1, f"{int(lost)} samples lost by the device"))
    for p in placed:
        kind = p.table.name.split(".")[-1]
        for first, count in p.holes:
            what = "before first sample" if first == 0 else "not acquired"
            found.append((first / p.rate, count / p.rate, f"pad {kind}: {what}"))
        last = (int(p.index[-1]) + 1) / p.rate
        if end - last > 0.5 / p.rate:
            found.append((last, end - last, f"pad {kind}: after last sample"))
    return sorted(found)


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))
