"""Exporting one recorded session in one format, for the command line (``affect-studio export``) and the
console's Export dialog alike: read what the format needs from the database, then write its files."""

from __future__ import annotations

from collections.abc import Callable

from studio.export import Writer
from studio.export.tabular import FORMATS as TABLE_FORMATS
from studio.store import Store

FORMATS = (*TABLE_FORMATS, "edf", "bdf", "report")
Progress = Callable[[str], None]  # hears each step in words


def read_export(store: Store, sid: int, fmt: str, include_client: bool, progress: Progress) -> Writer:
    """Read session ``sid`` for an export in ``fmt`` (one of FORMATS); returns what writes its files into a
    folder (the database is no longer needed then). StudioError when the session's consent does not allow a
    research export (the report is always allowed)."""
    from studio.export.data import load_session, require_research_consent
    from studio.export.report import export_report, load_report

    if fmt not in FORMATS:
        raise ValueError(f"no export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    info = store.session(sid)
    if fmt != "report":
        require_research_consent(info, f"a {fmt} export for research")
    progress(f"reading session {sid} ({info.duration_s:.0f} s, {info.status})")
    if fmt == "report":
        report = load_report(store, sid, include_client, progress)
        return lambda folder: export_report(report, folder, progress)
    data = load_session(store, sid, include_client, progress)
    if fmt in TABLE_FORMATS:
        from studio.export.tabular import export_tables

        return lambda folder: export_tables(data, folder, fmt, progress)
    from studio.export.edf import export_edf

    return lambda folder: export_edf(data, folder, fmt == "bdf", progress)
