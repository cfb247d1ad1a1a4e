"""CSV and Parquet export: one file per stream or event log, and a JSON manifest describing them."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from pathlib import Path

from studio.export.data import Progress, SessionData, Table

FORMATS = ("csv", "parquet")  # the table formats export_tables writes


def write_table(table: Table, path: Path, fmt: str) -> None:
    import pyarrow as pa
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    arrow = pa.table({name: pa.array(values) for name, values in table.columns.items()})
    if fmt == "csv":
        pcsv.write_csv(arrow, path)
    else:
        pq.write_table(arrow, path, compression="zstd")


EVENT_TABLES = ("markers", "control_log", "operator_actions", "self_reports")  # rows when something happened


def describe_table(table: Table, file: str) -> dict[str, object]:
    """A manifest entry: every column with its unit ("" for dimensionless numbers, "text" for text) and the
    table's rate: the device's rate for raw samples, the mean rate of its rows for streams of features and
    estimates (``rate_measured``), none for event logs (``timing``)."""
    units = {
        name: table.units.get(name, "text" if values.dtype == object and name != "code" else "")
        for name, values in table.columns.items()
    }
    entry: dict[str, object] = {"file": file, "stream": table.name, "rows": len(table), "columns": list(table.columns)}
    entry["units"] = units
    t = table.columns.get("t")
    if table.rate_hz is not None:
        entry["timing"] = "samples as the device delivered them"
        entry["rate_hz"] = round(table.rate_hz, 6)
    elif table.name in EVENT_TABLES:
        entry["timing"] = "events: a row whenever something happened"
        entry["rate_hz"] = None
    else:
        entry["timing"] = "rows at a steady rate"
        span = float(t[-1] - t[0]) if t is not None and len(t) > 1 else 0.0
        entry["rate_hz"] = round((len(t) - 1) / span, 3) if t is not None and span > 0 else None
        entry["rate_measured"] = True
    return entry


def json_safe(value: object) -> object:
    """``value`` with every NaN or infinite number as None (JSON has no NaN; null is "not measured")."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


def export_tables(data: SessionData, out: Path, fmt: str, progress: Progress) -> list[Path]:
    """Write every table of ``data`` into the folder ``out`` as ``<stream>.<fmt>``, then ``manifest.json``."""
    out.mkdir(parents=True, exist_ok=True)
    files = []
    entries = []
    for table in data.tables.values():
        path = out / f"{table.name}.{fmt}"
        progress(f"writing {path.name} ({len(table)} rows)")
        write_table(table, path, fmt)
        files.append(path)
        entries.append(describe_table(table, path.name))
    manifest: dict[str, object] = {
        "format": fmt,
        "exported_utc": datetime.now(UTC).isoformat(timespec="seconds") if data.include_client else None,
        "session": data.describe(),
    }
    if data.include_client:  # the note is free text about the client: only in the report and with their details
        manifest["notes"] = {"template": data.notes.template, "sections": data.notes.sections} if data.notes else None
    manifest["files"] = entries
    path = out / "manifest.json"
    path.write_text(json.dumps(json_safe(manifest), indent=2, default=str, allow_nan=False), encoding="utf-8")
    files.append(path)
    return files
