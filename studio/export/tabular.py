"""CSV and Parquet export: one file per stream or event log, and a JSON manifest describing them."""

from __future__ import annotations

import json
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
        entry: dict[str, object] = {
            "file": path.name,
            "stream": table.name,
            "rows": len(table),
            "columns": list(table.columns),
            "units": table.units,
        }
        if table.rate_hz is not None:
            entry["rate_hz"] = round(table.rate_hz, 3)
        entries.append(entry)
    manifest: dict[str, object] = {
        "format": fmt,
        "exported_utc": datetime.now(UTC).isoformat(timespec="seconds") if data.include_client else None,
        "session": data.describe(),
    }
    if data.include_client:  # the note is free text about the client: only in the report and with their details
        manifest["notes"] = {"template": data.notes.template, "sections": data.notes.sections} if data.notes else None
    manifest["files"] = entries
    path = out / "manifest.json"
    path.write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")
    files.append(path)
    return files
