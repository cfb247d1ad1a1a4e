"""Recording a session into the store: every stream row and event, stamped on the session clock.

``flush`` (every 0.5 s from a worker) writes everything new in one transaction and updates the session's
heartbeat, so a killed process loses at most the last half second. A write that fails (disk full, the file
gone bad) stops the recording cleanly: what was written stays, and ``problem`` tells the operator which files
hold it. When the recording stops, the write-ahead log is merged into the database file where the disk allows,
so that one file holds the whole session.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import numpy as np

from sensors.base import affect_spec
from studio.kernel.cursor import Cursor
from studio.kernel.events import ControlChange, EventLog, Marker
from studio.kernel.streams import Record, Stream, StreamHub, Window
from studio.loop import FUSED, MUSIC
from studio.music.params import MODES, NUMERIC
from studio.store import DB_ERRORS, Consent, Store, StoreError, utc_now

__all__ = ["TABLES", "OperatorAction", "Recorder", "StoreError"]

TABLES = (
    "channel_affect",
    "fused_affect",
    "music_params",
    "markers",
    "control_log",
    "features",
    "samples",
    "operator_actions",
)


@dataclass(frozen=True)
class OperatorAction:
    """Something the operator did that is not a music change: ``t`` in session seconds, what, and details."""

    t: float
    action: str
    detail: str = ""


Event = TypeVar("Event", Marker, ControlChange, OperatorAction)  # what the recorder's event logs hold


def finite_or_null(values: list[float]) -> list[float | None]:
    """A feature row for JSON: NaN and infinities (a value not measured) become null, which JSON has."""
    return [v if math.isfinite(v) else None for v in values]


def stop_reason(exc: Exception, t: float) -> str:
    """Why a write failed, at session time ``t`` (s), as stored with the session (no file names)."""
    text = str(exc)
    why = f"the disk is full ({text})" if "full" in text else f"cannot write the database ({text})"
    return f"recording stopped at {t:.1f} s: {why}"


def where_kept(files: Sequence[Path]) -> str:
    """Which files hold everything recorded: the database alone, or the database with its write-ahead log."""
    if len(files) == 1:
        return f"everything recorded until then is kept in {files[0]}"
    names = " and ".join(str(f) for f in files)
    return f"everything recorded until then is in {names}; keep both files together (the log could not be merged)"


class Recorder:
    """Copies new rows from the session's streams and event logs into the store each time ``flush`` runs."""

    def __init__(
        self,
        store: Store,
        hub: StreamHub,
        channels: Sequence[str],
        logs: tuple[EventLog[Marker], EventLog[ControlChange], EventLog[OperatorAction]],
        settings: dict[str, object],
        unix_start: float,
        consent: Consent,
        client: str | None,
        t0: float = 0.0,
    ) -> None:
        """``t0``: the clock's time (s) at which the session begins (consent given and the session started): it is
        the session's time 0, and nothing stamped before it is written."""
        self.store = store
        self.t0 = t0
        started = datetime.fromtimestamp(unix_start + t0, UTC).isoformat()
        self.session_id = store.begin_session(started, settings, consent, client)
        hub.require(FUSED, MUSIC, *(affect_spec(ch) for ch in channels))
        self._affect = {ch: hub.get(affect_spec(ch)) for ch in channels}
        self._fused = hub.get(FUSED)
        self._music = hub.get(MUSIC)
        self._hub = hub
        self._features: dict[str, Stream] = {}
        self._samples: dict[str, Stream] = {}
        self._new_fields: list[tuple[object, ...]] = []  # stream_fields rows of features not yet written
        self._markers, self._control, self._actions = logs
        self._cursor = Cursor()
        self.counts = dict.fromkeys(TABLES, 0)
        self.last_t = 0.0
        self.problem = ""  # set when recording stopped early: what happened and where the data is, for the operator
        self._reason = ""  # the same without file names, kept with the session
        self._flushing = threading.Lock()
        self.closed = False  # once closed, nothing more is written

    def _rows(self, key: str, stream: Stream) -> Window:
        """The rows of ``stream`` new since the last flush that were stamped once the session began, on its time."""
        w = self._cursor.rows(key, stream)
        keep = w.t >= self.t0
        return Window(w.t[keep] - self.t0, w.values[keep])

    def _events(self, key: str, log: EventLog[Event]) -> list[Event]:
        """The events of ``log`` new since the last flush from the session's start on, on its time."""
        return [replace(e, t=e.t - self.t0) for e in self._cursor.events(key, log) if e.t >= self.t0]

    def _adopt(self) -> None:
        """Follow every recorded stream that is open by now: a board or LSL stream that connects after the start
        opens its streams late, and they are recorded from their first row."""
        for spec in self._hub.declared():
            name = spec.name
            if name in self._features or name in self._samples or name not in self._hub:
                continue
            if spec.record is Record.FEATURES:
                stream = self._features[name] = self._hub.get(name)
                self._new_fields.append(self._fields_row(name, stream, None))
            elif spec.record is Record.SAMPLES:
                stream = self._samples[name] = self._hub.get(name)
                self._new_fields.append(self._fields_row(name, stream, stream.rate_hz))

    def _fields_row(self, name: str, stream: Stream, rate: float | None) -> tuple[object, ...]:
        """A stream_fields row: the stream's field names, its rate (Hz; None for features) and units."""
        spec = self._hub.spec(name)
        units = [spec.unit(f) for f in stream.fields]
        return (self.session_id, name, json.dumps(stream.fields), rate, json.dumps(units))

    def flush(self) -> None:
        """Write everything new since the last flush in one transaction; after a failed write, do nothing.

        Safe from any thread: the recording worker and a report asking for the newest rows may overlap, and
        each row is written once."""
        with self._flushing:
            self._flush()

    def _flush(self) -> None:
        if self.problem or self.closed:
            return
        self._adopt()
        sid = self.session_id
        rows: dict[str, list[tuple[object, ...]]] = {table: [] for table in TABLES}
        last_t = self.last_t
        for ch, stream in self._affect.items():
            w = self._rows(stream.name, stream)
            rows["channel_affect"] += [(sid, t, ch, *r) for t, r in zip(w.t.tolist(), w.values.tolist(), strict=True)]
        w = self._rows("fused", self._fused)
        rows["fused_affect"] = [(sid, t, *r) for t, r in zip(w.t.tolist(), w.values.tolist(), strict=True)]
        if len(w):
            last_t = max(last_t, float(w.t[-1]))
        w = self._rows("music", self._music)
        n = len(NUMERIC)
        rows["music_params"] = [
            (sid, t, *r[:n], MODES[int(r[n])]) for t, r in zip(w.t.tolist(), w.values.tolist(), strict=True)
        ]
        for name, stream in self._features.items():
            w = self._rows(name, stream)
            rows["features"] += [
                (sid, name, t, json.dumps(finite_or_null(r)))
                for t, r in zip(w.t.tolist(), w.values.tolist(), strict=True)
            ]
        fields = list(self._new_fields)
        for name, stream in self._samples.items():
            w = self._rows(name, stream)
            if len(w):  # exactly as acquired: float64, in the device's order
                values = np.ascontiguousarray(w.values, dtype=np.float64)
                rows["samples"].append((sid, name, float(w.t[0]), len(w), w.t.tobytes(), values.tobytes(), "float64"))
        rows["markers"] = [
            (sid, m.t, m.label, m.source, m.code, m.duration) for m in self._events("markers", self._markers)
        ]
        rows["control_log"] = [
            (sid, c.t, c.param, c.old, c.new, c.who, c.reason) for c in self._events("control", self._control)
        ]
        rows["operator_actions"] = [(sid, a.t, a.action, a.detail) for a in self._events("actions", self._actions)]
        self._write(rows, fields, last_t)

    def _write(
        self, rows: dict[str, list[tuple[object, ...]]], fields: Sequence[tuple[object, ...]], last_t: float
    ) -> None:
        store = self.store
        with store.lock:
            try:
                db = store.db
                for table, values in rows.items():
                    if values:
                        db.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(values[0]))})", values)
                db.executemany("INSERT OR REPLACE INTO stream_fields VALUES (?, ?, ?, ?, ?)", fields)
                db.execute(
                    "UPDATE sessions SET heartbeat_utc = ?, last_t = ? WHERE id = ?",
                    (utc_now(), last_t, self.session_id),
                )
                db.commit()
            except DB_ERRORS as exc:
                db.rollback()
                self._reason = stop_reason(exc, self.last_t)
                self._settle()
                return
        for table, values in rows.items():
            self.counts[table] += len(values)
        self.last_t = last_t
        self._new_fields.clear()

    def _settle(self) -> None:
        """Merge the write-ahead log into the database file where the disk allows, and say where the data is."""
        self.store.checkpoint()
        if self._reason:
            self.problem = f"{self._reason}; {where_kept(self.store.files())}"

    def row_counts(self) -> dict[str, int]:
        """Rows written per table so far (only what reached the database)."""
        return dict(self.counts)

    def close(self, status: str = "completed") -> dict[str, int]:
        """Flush, mark the session ended with ``status``; returns the final row counts.

        If recording stopped early, the status is ``stopped`` and the problem is kept with the session (when
        the disk still takes that last write; otherwise the session shows as interrupted on the next start).
        """
        with self._flushing:
            self._flush()
            self.closed = True
        with suppress(StoreError):
            self.store.finish_session(self.session_id, "stopped" if self._reason else status, self._reason)
        self._settle()
        return self.row_counts()
