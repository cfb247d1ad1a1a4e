"""A recorded session read back from the store as named tables of columns, ready to export.

De-identified by default: no client code or notes, no wall-clock dates, no file paths; times are session
seconds. ``include_client`` adds the client's code and notes and the session's start date. The session note is
read either way: the report carries it, data exports only with ``include_client``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sensors.base import affect_spec
from studio.loop import FUSED, MUSIC
from studio.music.params import NUMERIC
from studio.store import Notes, SelfReport, SessionInfo, Store, StoreError

Progress = Callable[[str], None]
AFFECT = ("valence", "arousal", "confidence")
PRIVATE_SETTINGS = ("config",)  # settings that may name the operator's files
WITHHELD = "withheld (de-identified)"  # in place of the client code an operator action names


@dataclass
class Table:
    """One stream or event log: ``columns`` maps a column name to its values (numbers or text), ``units`` the
    unit of each column that has one."""

    name: str
    columns: dict[str, np.ndarray]
    units: dict[str, str] = field(default_factory=dict)
    rate_hz: float | None = None

    def __len__(self) -> int:
        return len(next(iter(self.columns.values()))) if self.columns else 0


@dataclass
class SessionData:
    info: SessionInfo
    tables: dict[str, Table]
    self_reports: list[SelfReport]
    notes: Notes | None
    include_client: bool
    client_notes: str = ""

    def describe(self) -> dict[str, Any]:
        """The session as the manifest and the report describe it (de-identified unless asked otherwise)."""
        settings = {k: v for k, v in self.info.settings.items() if k not in PRIVATE_SETTINGS}
        about: dict[str, Any] = {
            "session_id": self.info.id,
            "status": self.info.status,
            "duration_s": round(self.info.duration_s, 3),
            "consent": self.info.consent.describe(),
            "settings": settings,
            "time": "seconds on the session clock (t = 0 when the session started)",
        }
        if self.info.problem:
            about["problem"] = self.info.problem
        if self.include_client:
            about["client"] = {"code": self.info.client_code, "notes": self.client_notes}
            about["started_utc"] = self.info.started_utc
        else:
            about["de_identified"] = "no client details and no dates (export with --include-client to add them)"
        return about


def _columns(names: tuple[str, ...] | list[str], rows: list[tuple[Any, ...]]) -> dict[str, np.ndarray]:
    if not rows:
        return {n: np.zeros(0) for n in names}
    cols = list(zip(*rows, strict=True))
    return {
        n: np.asarray(c) if not isinstance(c[0], str) else np.asarray(c, dtype=object)
        for n, c in zip(names, cols, strict=True)
    }


def load_session(store: Store, session_id: int, include_client: bool, progress: Progress) -> SessionData:
    """Every stream and event log of a session as tables, in a fixed order."""
    info = store.session(session_id)
    sid = (session_id,)
    tables: dict[str, Table] = {}
    progress("reading fused and per-channel affect")
    rows = store.query("SELECT t, valence, arousal, confidence FROM fused_affect WHERE session_id = ? ORDER BY t", sid)
    tables[FUSED.name] = Table(FUSED.name, _columns(("t", *AFFECT), rows), {"t": "s"})
    channels = [c for (c,) in store.query("SELECT DISTINCT channel FROM channel_affect WHERE session_id = ?", sid)]
    for ch in sorted(channels):
        rows = store.query(
            "SELECT t, valence, arousal, confidence FROM channel_affect WHERE session_id = ? AND channel = ?"
            " ORDER BY t",
            (session_id, ch),
        )
        name = affect_spec(ch).name
        tables[name] = Table(name, _columns(("t", *AFFECT), rows), {"t": "s"})
    progress("reading music parameters")
    names = ("t", *NUMERIC, "mode")
    rows = store.query(f"SELECT {', '.join(names)} FROM music_params WHERE session_id = ? ORDER BY t", sid)
    units = {"t": "s"} | {n: r.unit for n, r in NUMERIC.items() if r.unit}
    tables[MUSIC.name] = Table(MUSIC.name, _columns(names, rows), units)
    fields = store.query(
        "SELECT stream, fields, rate_hz, units FROM stream_fields WHERE session_id = ? ORDER BY stream", sid
    )
    for stream, names_json, rate, units_json in fields:
        progress(f"reading {stream}")
        names = ("t", *json.loads(names_json))
        units = {"t": "s"} | _units(stream, names[1:], units_json)
        if rate is None:
            rows = store.query(
                "SELECT t, vals FROM features WHERE session_id = ? AND stream = ? ORDER BY t", (session_id, stream)
            )
            values = [(t, *(math.nan if x is None else x for x in json.loads(v))) for t, v in rows]
            tables[stream] = Table(stream, _columns(names, values), units)
        else:
            tables[stream] = _samples(store, session_id, stream, names, float(rate), units)
    for name, sql, cols in (
        (
            "markers",
            "SELECT t, label, source, code, duration FROM markers",
            ("t", "label", "source", "code", "duration"),
        ),
        (
            "control_log",
            "SELECT t, param, old, new, who, reason FROM control_log",
            ("t", "param", "old", "new", "who", "reason"),
        ),
        ("operator_actions", "SELECT t, action, detail FROM operator_actions", ("t", "action", "detail")),
        ("self_reports", "SELECT t, phase, valence, arousal FROM self_reports", ("t", "phase", "valence", "arousal")),
    ):
        rows = store.query(f"{sql} WHERE session_id = ? ORDER BY t", sid)
        if name == "operator_actions" and not include_client:
            rows = [(t, action, WITHHELD if action == "client" else detail) for t, action, detail in rows]
        tables[name] = Table(name, _columns(cols, rows), {"t": "s"} | ({"duration": "s"} if name == "markers" else {}))
    client_notes = ""
    if include_client and info.client_code:
        client = store.client(info.client_code)
        client_notes = client.notes if client else ""
    return SessionData(
        info, tables, store.self_reports(session_id), store.notes(session_id), include_client, client_notes
    )


def _units(stream: str, names: tuple[str, ...], units_json: str | None) -> dict[str, str]:
    """Each field's unit as recorded (sessions before units were kept: microvolts for EEG, else unknown)."""
    if units_json is not None:
        return {n: u for n, u in zip(names, json.loads(units_json), strict=True) if u}
    return dict.fromkeys(names, "µV") if stream.endswith(".eeg") else {}


def _samples(
    store: Store, session_id: int, stream: str, names: tuple[str, ...], rate: float, units: dict[str, str]
) -> Table:
    """A raw signal from its chunks (float64 as acquired; float32 in sessions recorded before that): t (s) and one
    column per channel."""
    chunks = store.query(
        "SELECT n, t, vals, dtype FROM samples WHERE session_id = ? AND stream = ? ORDER BY t0", (session_id, stream)
    )
    width = len(names) - 1
    if not chunks:
        t, v = np.zeros(0), np.zeros((0, width))
    else:
        t = np.concatenate([np.frombuffer(tb, dtype=np.float64) for _, tb, _, _ in chunks])
        v = np.concatenate(
            [np.frombuffer(vb, dtype=np.dtype(dt)).reshape(n, width).astype(np.float64) for n, _, vb, dt in chunks]
        )
    columns = {"t": t} | {name: v[:, i] for i, name in enumerate(names[1:])}
    return Table(stream, columns, units, rate_hz=rate)


def require_research_consent(info: SessionInfo, what: str) -> None:
    if not info.consent.research:
        raise StoreError(
            f"session {info.id}'s consent ({info.consent.describe()}) does not cover {what}; "
            "the report format is always allowed"
        )
