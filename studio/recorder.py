"""Recording a session into SQLite: every stream row and event, stamped on the session clock."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from sensors.base import affect_stream_name
from studio.errors import StudioError
from studio.events import ControlChange, EventLog, Marker
from studio.music.params import MODES, NUMERIC
from studio.streams import Stream, StreamHub

SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id INTEGER PRIMARY KEY,
    started_utc TEXT NOT NULL,      -- wall-clock time at session time 0
    ended_utc TEXT,
    status TEXT NOT NULL,           -- running, completed or interrupted
    settings TEXT NOT NULL          -- JSON: how the session was run
);
CREATE TABLE IF NOT EXISTS channel_affect (
    session_id INTEGER NOT NULL REFERENCES sessions(id), t REAL NOT NULL, channel TEXT NOT NULL,
    valence REAL NOT NULL, arousal REAL NOT NULL, confidence REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS fused_affect (
    session_id INTEGER NOT NULL REFERENCES sessions(id), t REAL NOT NULL,
    valence REAL NOT NULL, arousal REAL NOT NULL, confidence REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS music_params (
    session_id INTEGER NOT NULL REFERENCES sessions(id), t REAL NOT NULL,
    tempo REAL, tension REAL, register REAL, brightness REAL, density REAL, volume REAL, space REAL, mode TEXT
);
CREATE TABLE IF NOT EXISTS markers (
    session_id INTEGER NOT NULL REFERENCES sessions(id), t REAL NOT NULL, label TEXT NOT NULL, source TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS control_log (
    session_id INTEGER NOT NULL REFERENCES sessions(id), t REAL NOT NULL, param TEXT NOT NULL,
    old TEXT NOT NULL, new TEXT NOT NULL, who TEXT NOT NULL, reason TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS stream_fields (
    session_id INTEGER NOT NULL REFERENCES sessions(id), stream TEXT NOT NULL, fields TEXT NOT NULL,
    PRIMARY KEY (session_id, stream)
);
CREATE TABLE IF NOT EXISTS features (
    session_id INTEGER NOT NULL REFERENCES sessions(id), stream TEXT NOT NULL, t REAL NOT NULL,
    vals TEXT NOT NULL              -- JSON array, names in stream_fields
);
CREATE INDEX IF NOT EXISTS channel_affect_t ON channel_affect(session_id, channel, t);
CREATE INDEX IF NOT EXISTS fused_affect_t ON fused_affect(session_id, t);
CREATE INDEX IF NOT EXISTS features_t ON features(session_id, stream, t);
"""
TABLES = ("channel_affect", "fused_affect", "music_params", "markers", "control_log", "features")


class StoreError(StudioError, RuntimeError):
    """A database that cannot be opened or written; the message says which and why."""


def open_store(path: Path) -> sqlite3.Connection:
    """Open (or create) a session database in WAL mode at the current schema version."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path, check_same_thread=False)
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(f"{path} was written by a newer Affect Studio (schema {version}); update the app")
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.executescript(SCHEMA)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        db.commit()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"cannot use {path} as a session database: {exc}") from None
    except OSError as exc:
        raise StoreError(f"cannot create {path}: {exc.strerror}") from None
    return db


class Recorder:
    """Copies new rows from the session's streams and event logs into SQLite each time ``flush`` runs."""

    def __init__(
        self,
        path: Path,
        hub: StreamHub,
        channels: Sequence[str],
        feature_streams: Sequence[str],
        markers: EventLog[Marker],
        control_log: EventLog[ControlChange],
        settings: dict[str, object],
        unix_start: float,
    ) -> None:
        self.path = path
        self._db = open_store(path)
        self._lock = threading.Lock()
        started = datetime.fromtimestamp(unix_start, UTC).isoformat()
        cur = self._db.execute(
            "INSERT INTO sessions(started_utc, status, settings) VALUES (?, 'running', ?)",
            (started, json.dumps(settings, default=str)),
        )
        assert cur.lastrowid is not None
        self.session_id: int = cur.lastrowid
        self._affect = {ch: hub.get(affect_stream_name(ch)) for ch in channels}
        self._fused = hub.get("affect.fused")
        self._music = hub.get("music.params")
        self._features = {name: hub.get(name) for name in feature_streams if name in hub}
        for name, stream in self._features.items():
            self._db.execute(
                "INSERT INTO stream_fields VALUES (?, ?, ?)", (self.session_id, name, json.dumps(stream.fields))
            )
        self._markers = markers
        self._control = control_log
        self._cursors: dict[str, int] = {}
        self._db.commit()

    def _new(self, key: str, stream: Stream) -> tuple[list[float], list[list[float]]]:
        seq, window = stream.since(self._cursors.get(key, 0))
        self._cursors[key] = seq
        return window.t.tolist(), window.values.tolist()

    def _new_events(self, key: str, log: EventLog[Marker] | EventLog[ControlChange]) -> list[object]:
        seq, items = log.since(self._cursors.get(key, 0))
        self._cursors[key] = seq
        return list(items)

    def flush(self) -> None:
        """Write everything new since the last flush in one transaction."""
        sid = self.session_id
        with self._lock:
            db = self._db
            for ch, stream in self._affect.items():
                ts, rows = self._new(f"affect.{ch}", stream)
                db.executemany(
                    "INSERT INTO channel_affect VALUES (?, ?, ?, ?, ?, ?)",
                    [(sid, t, ch, *r) for t, r in zip(ts, rows, strict=True)],
                )
            ts, rows = self._new("fused", self._fused)
            db.executemany(
                "INSERT INTO fused_affect VALUES (?, ?, ?, ?, ?)", [(sid, t, *r) for t, r in zip(ts, rows, strict=True)]
            )
            ts, rows = self._new("music", self._music)
            n = len(NUMERIC)
            db.executemany(
                f"INSERT INTO music_params VALUES (?, ?, {', '.join('?' * (n + 1))})",
                [(sid, t, *r[:n], MODES[int(r[n])]) for t, r in zip(ts, rows, strict=True)],
            )
            for name, stream in self._features.items():
                ts, rows = self._new(name, stream)
                db.executemany(
                    "INSERT INTO features VALUES (?, ?, ?, ?)",
                    [(sid, name, t, json.dumps(r)) for t, r in zip(ts, rows, strict=True)],
                )
            for m in self._new_events("markers", self._markers):
                assert isinstance(m, Marker)
                db.execute("INSERT INTO markers VALUES (?, ?, ?, ?)", (sid, m.t, m.label, m.source))
            for c in self._new_events("control", self._control):
                assert isinstance(c, ControlChange)
                db.execute(
                    "INSERT INTO control_log VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (sid, c.t, c.param, c.old, c.new, c.who, c.reason),
                )
            db.commit()

    def row_counts(self) -> dict[str, int]:
        with self._lock:
            return {
                table: int(
                    self._db.execute(
                        f"SELECT COUNT(*) FROM {table} WHERE session_id = ?", (self.session_id,)
                    ).fetchone()[0]
                )
                for table in TABLES
            }

    def close(self, status: str = "completed") -> dict[str, int]:
        """Flush, mark the session ended with ``status``, close the database; returns the final row counts."""
        self.flush()
        counts = self.row_counts()
        with self._lock:
            self._db.execute(
                "UPDATE sessions SET ended_utc = ?, status = ? WHERE id = ?",
                (datetime.now(UTC).isoformat(), status, self.session_id),
            )
            self._db.commit()
            self._db.close()
        return counts
