"""The session database: opening it safely (migrations, corrupt or encrypted files), clients, consent, sessions,
self-reports, notes, operator actions and per-client baselines. The Recorder writes the streams into it.

A file that cannot be used as a session database is never written to: a recording opens a new database beside
it and says so; a command that only reads says what is wrong in one line.
"""

from __future__ import annotations

import json
import os
import re
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import sqlcipher3

from studio.kernel.command import studio_command
from studio.kernel.errors import StudioError
from studio.schema import MIGRATIONS, SCHEMA_VERSION

PASSPHRASE_ENV = "STUDIO_PASSPHRASE"
SQLITE_HEADER = b"SQLite format 3\x00"
STALE_AFTER = 5.0  # seconds without a write after which a "running" session of a dead process is interrupted
PHASES = ("before", "during", "after")
TEMPLATES: dict[str, tuple[str, ...]] = {
    "SOAP": ("Subjective", "Objective", "Assessment", "Plan"),
    "DAP": ("Data", "Assessment", "Plan"),
}
CLIENT_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
NAME_LIKE = re.compile(r"^(?=.*[a-z])[A-Za-z._-]{3,}$")  # letters only, some lower case: "Maria", "jane.doe"
DB_ERRORS: tuple[type[Exception], ...] = (sqlite3.Error, sqlcipher3.dbapi2.Error)
OPERATIONAL_ERRORS: tuple[type[Exception], ...] = (sqlite3.OperationalError, sqlcipher3.dbapi2.OperationalError)


class StoreError(StudioError, RuntimeError):
    """A database that cannot be opened or written; the message says which and why."""


def name_warning(code: str) -> str:
    """A warning when a client code looks like a person's name (letters only, some lower case), else ""."""
    if NAME_LIKE.match(code):
        return f"client code {code!r} looks like a name; use a pseudonym such as P01 (codes are never names)"
    return ""


def utc_now() -> str:
    return datetime.now(UTC).isoformat()


@dataclass(frozen=True)
class Consent:
    """What the client agreed to for one session. Features and estimates are always recorded; raw audio and
    raw video only with consent (the studio records neither today); ``research`` allows data exports."""

    raw_audio: bool = False
    raw_video: bool = False
    research: bool = False

    NAMES = ("features", "raw_audio", "raw_video", "research")

    @classmethod
    def parse(cls, text: str) -> Consent:
        """From a comma-separated list such as ``features,research`` (``features`` alone is the default)."""
        given = {item.strip().replace("-", "_") for item in text.split(",") if item.strip()}
        unknown = given - set(cls.NAMES)
        if unknown:
            raise ValueError(f"unknown consent {', '.join(sorted(unknown))}; choose from {', '.join(cls.NAMES)}")
        return cls("raw_audio" in given, "raw_video" in given, "research" in given)

    def describe(self) -> str:
        extra = [n.replace("_", " ") for n in ("raw_audio", "raw_video", "research") if getattr(self, n)]
        return "features only" if not extra else "features, " + ", ".join(extra)

    def to_json(self) -> str:
        return json.dumps({"raw_audio": self.raw_audio, "raw_video": self.raw_video, "research": self.research})

    @classmethod
    def from_json(cls, text: str) -> Consent:
        d = json.loads(text)
        return cls(bool(d.get("raw_audio")), bool(d.get("raw_video")), bool(d.get("research")))


@dataclass(frozen=True)
class Client:
    id: int
    code: str
    notes: str
    created_utc: str


@dataclass(frozen=True)
class SessionInfo:
    """One session as listed: status is running, completed, interrupted, failed or stopped (recording
    stopped early, ``problem`` says why); ``ended_utc`` is None until it is closed."""

    id: int
    started_utc: str
    ended_utc: str | None
    status: str
    consent: Consent
    client_code: str | None
    last_t: float | None
    problem: str
    settings: dict[str, Any] = field(repr=False)

    @property
    def duration_s(self) -> float:
        return self.last_t or 0.0


@dataclass(frozen=True)
class SelfReport:
    t: float
    phase: str
    valence: int
    arousal: int


SECTIONS = tuple(dict.fromkeys(name for names in TEMPLATES.values() for name in names))  # of every template


@dataclass(frozen=True)
class Notes:
    """One saved version of a session's note: the template it was written in, its sections (the template's in
    order, then any other template's that hold text: switching template loses nothing), when (UTC) and where
    it was written (window, session steps, command line)."""

    template: str
    sections: dict[str, str]
    saved_utc: str
    version: int
    source: str

    @classmethod
    def of(cls, template: str, stored: Mapping[str, str], saved_utc: str, version: int, source: str) -> Notes:
        own = {name: stored.get(name, "") for name in TEMPLATES[template]}
        others = {name: text for name, text in stored.items() if name not in own and text}
        return cls(template, own | others, saved_utc, version, source)

    def template_of(self, section: str) -> str:
        """The template a section belongs to: this note's own, else the other one that has it."""
        return next(t for t in (self.template, *TEMPLATES) if section in TEMPLATES[t])


class NotesConflict(StoreError):
    """A note saved from an editor opened on an older version, where a section it changed was also changed
    since; nothing was saved. ``current`` is the note now stored, ``sections`` the sections changed in both."""

    def __init__(self, session_id: int, current: Notes, sections: list[str]) -> None:
        self.current = current
        self.sections = sections
        super().__init__(
            f"the note of session {session_id} was changed elsewhere while this one was written (it is now version "
            f"{current.version}): {', '.join(sections)} changed in both places; nothing was saved"
        )


def passphrase_from_env() -> str | None:
    return os.environ.get(PASSPHRASE_ENV) or None


def connect(path: Path, passphrase: str | None) -> sqlite3.Connection:
    """A connection usable from any thread (callers serialise with ``Store.lock``); SQLCipher with a key."""
    if passphrase is None:
        return sqlite3.connect(path, check_same_thread=False)
    db = sqlcipher3.connect(str(path), check_same_thread=False)
    db.execute("PRAGMA cipher_log_level = NONE")  # SQLCipher logs failed decryption to stderr; errors are said here
    db.execute("PRAGMA key = '{}'".format(passphrase.replace("'", "''")))
    return cast(sqlite3.Connection, db)


def migrate(db: sqlite3.Connection, path: Path) -> None:
    """Bring the database to SCHEMA_VERSION, one migration per transaction."""
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        raise StoreError(f"{path} was written by a newer Affect Studio (schema {version}); update the app to open it")
    for number in range(version + 1, SCHEMA_VERSION + 1):
        db.executescript(f"BEGIN IMMEDIATE;\n{MIGRATIONS[number - 1]}\nPRAGMA user_version = {number};\nCOMMIT;")


def _open_checked(path: Path, passphrase: str | None) -> sqlite3.Connection:
    """Open, check that the file is a readable session database, migrate. Raises DB errors for bad files."""
    db = connect(path, passphrase)
    try:
        db.execute("SELECT name FROM sqlite_master").fetchall()  # reads the schema pages: fails on garbage
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")  # in WAL mode: every commit survives a crash of the process
        migrate(db, path)
    except BaseException:
        db.close()
        raise
    return db


def unusable_reason(path: Path, passphrase: str | None) -> str | None:
    """Why ``path`` cannot be this studio's database, judged from its header; None if it may be."""
    with path.open("rb") as f:
        header = f.read(len(SQLITE_HEADER))
    if not header:
        return None  # an empty file is an empty database
    if passphrase is None and header != SQLITE_HEADER:
        return f"it is encrypted or not a database (if encrypted, set {PASSPHRASE_ENV})"
    if passphrase is not None and header == SQLITE_HEADER:
        return f"it is not encrypted, but {PASSPHRASE_ENV} is set"
    return None


def looks_encrypted(path: Path) -> bool:
    """Whether the file looks like an SQLCipher database: whole pages (a multiple of 512 bytes) that begin with
    bytes as varied as random ones (a plain database starts with its header, text or garbage with few bytes)."""
    with path.open("rb") as f:
        head = f.read(512)
    return path.stat().st_size % 512 == 0 and len(set(head)) > 160


def beside(path: Path) -> Path:
    """A new file name next to ``path`` that does not exist yet: ``NAME.YYYYmmdd-HHMMSS[-k].sqlite``."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    k = 0
    while True:
        candidate = path.with_name(f"{path.stem}.{stamp}{f'-{k}' if k else ''}{path.suffix}")
        if not candidate.exists():
            return candidate
        k += 1


class Store:
    """An open session database. Every method may be called from any thread."""

    def __init__(self, db: sqlite3.Connection, path: Path, notice: str = "") -> None:
        self.db = db
        self.path = path
        self.notice = notice  # what the operator should know about how it was opened (empty: nothing)
        self.lock = threading.RLock()
        self.interrupted = self.mark_interrupted()

    @classmethod
    def open(cls, path: Path, create: bool = True, passphrase: str | None = None) -> Store:
        """Open (``create``: or make) the database at ``path``.

        A file that is not a usable session database is left untouched: with ``create`` a new database is
        opened beside it (``notice`` says so), otherwise StoreError says what is wrong. A passphrase that does not
        fit the file (an encrypted file it does not open, or a plain one) is a StoreError either way.
        """
        if not path.exists():
            if not create:
                raise StoreError(f"no session database at {path}; record a session first, or choose one with --store")
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create {path}: {exc.strerror}") from None
        # SQLite is asked first; the file's bytes are read only when it cannot use the file. Reading them while
        # this process holds the database open (a recording) would drop SQLite's locks on it (closing any
        # descriptor of a file releases all of a process's POSIX locks on it), and another process's command
        # would then delete the write-ahead log under the recording.
        try:
            return cls(_open_checked(path, passphrase), path)
        except OPERATIONAL_ERRORS as exc:
            if not os.access(path, os.R_OK):
                raise StoreError(f"cannot read {path}: Permission denied") from None
            raise StoreError(f"cannot use {path}: {exc}") from None
        except DB_ERRORS as exc:
            failure = str(exc)
        try:
            reason = unusable_reason(path, passphrase)
            wrong_key = reason is None and passphrase is not None and looks_encrypted(path)
        except OSError as exc:
            raise StoreError(f"cannot read {path}: {exc.strerror}") from None
        if wrong_key:
            raise StoreError(
                f"{path} is encrypted and {PASSPHRASE_ENV} does not open it: check the passphrase, or unset "
                f"{PASSPHRASE_ENV} for a plain database (the file was left untouched)"
            )
        reason = reason or failure
        if passphrase is not None and "not encrypted" in reason:
            raise StoreError(f"{path}: {reason}; unset it, or choose another database with --store")
        if not create:
            raise StoreError(f"{path} is not a usable session database ({reason}); it was left untouched")
        new = beside(path)
        try:
            db = _open_checked(new, passphrase)
        except DB_ERRORS as exc:
            raise StoreError(f"cannot create {new}: {exc}") from None
        notice = f"{path} is not a usable session database ({reason}); left it untouched and opened {new} instead"
        return cls(db, new, notice)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """The connection under the lock; commits at the end, rolls back on any error (DB errors as StoreError)."""
        with self.lock:
            try:
                yield self.db
                self.db.commit()
            except DB_ERRORS as exc:
                self.db.rollback()
                raise StoreError(f"{self.path}: {exc}") from None
            except BaseException:
                self.db.rollback()
                raise

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self.lock:
            try:
                return list(self.db.execute(sql, params).fetchall())
            except DB_ERRORS as exc:
                raise StoreError(f"cannot read {self.path}: {exc}") from None

    def checkpoint(self) -> None:
        """Copy the write-ahead log into the database file and empty it (``PRAGMA wal_checkpoint(TRUNCATE)``),
        so that the database file alone holds everything. A full disk (or a reader elsewhere) may leave the log in
        place: ``files`` says which files hold the data then."""
        with self.lock, suppress(*DB_ERRORS):
            self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()

    def files(self) -> list[Path]:
        """The files that hold the database now: the database file, and its write-ahead log while that is not
        empty (a checkpoint that could not run leaves data there)."""
        wal = self.path.with_name(self.path.name + "-wal")
        try:
            pending = wal.stat().st_size > 0
        except OSError:
            pending = False
        return [self.path, wal] if pending else [self.path]

    def close(self) -> None:
        with self.lock:
            self.db.close()

    # --- clients -------------------------------------------------------------------------------------------
    def add_client(self, code: str, notes: str = "") -> Client:
        """Register a pseudonymous client code (letters, digits, ``_ . -``; never a name)."""
        if not CLIENT_CODE.match(code):
            raise StoreError(
                f"client code {code!r} must be 1-32 letters, digits, '_', '.' or '-' (a pseudonym, never a name)"
            )
        if self.client(code) is not None:
            raise StoreError(f"client {code} already exists")
        with self.transaction() as db:
            db.execute("INSERT INTO clients(code, notes, created_utc) VALUES (?, ?, ?)", (code, notes, utc_now()))
        client = self.client(code)
        assert client is not None
        return client

    def client(self, code: str) -> Client | None:
        rows = self.query("SELECT id, code, notes, created_utc FROM clients WHERE code = ?", (code,))
        return Client(*rows[0]) if rows else None

    def require_client(self, code: str) -> Client:
        client = self.client(code)
        if client is None:
            raise StoreError(f"no client {code} in {self.path}; add it with: {studio_command()} clients add {code}")
        return client

    def clients(self) -> list[Client]:
        return [Client(*r) for r in self.query("SELECT id, code, notes, created_utc FROM clients ORDER BY code")]

    def save_baselines(self, code: str, baselines: Mapping[str, Mapping[str, float]]) -> None:
        """Store a client's resting profile per channel (``Source.baseline()``), replacing older ones."""
        client = self.require_client(code)
        with self.transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO baselines VALUES (?, ?, ?, ?)",
                [(client.id, ch, json.dumps(dict(values)), utc_now()) for ch, values in baselines.items()],
            )

    def load_baselines(self, code: str) -> dict[str, dict[str, float]]:
        """The client's stored resting profiles by channel (empty when none were stored)."""
        client = self.require_client(code)
        rows = self.query("SELECT channel, vals FROM baselines WHERE client_id = ?", (client.id,))
        return {ch: {k: float(v) for k, v in json.loads(vals).items()} for ch, vals in rows}

    def save_response_model(self, code: str, model: Mapping[str, object], sessions: int) -> None:
        """Store a client's response model (``ResponseModel.to_dict()``) learned over ``sessions`` sessions."""
        client = self.require_client(code)
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO response_models VALUES (?, ?, ?, ?)",
                (client.id, json.dumps(dict(model)), sessions, utc_now()),
            )

    def load_response_model(self, code: str) -> dict[str, object] | None:
        """The client's stored response model as decoded JSON (None when none is stored); StoreError when what
        is stored is not JSON."""
        client = self.require_client(code)
        rows = self.query("SELECT model FROM response_models WHERE client_id = ?", (client.id,))
        if not rows:
            return None
        try:
            found = json.loads(rows[0][0])
        except json.JSONDecodeError as exc:
            raise StoreError(f"the stored response model of client {code} is not JSON: {exc}") from None
        if not isinstance(found, dict):
            raise StoreError(f"the stored response model of client {code} is not a JSON object")
        return found

    # --- sessions ------------------------------------------------------------------------------------------
    def begin_session(
        self, started_utc: str, settings: Mapping[str, object], consent: Consent, client_code: str | None
    ) -> int:
        client_id = self.require_client(client_code).id if client_code else None
        with self.transaction() as db:
            cur = db.execute(
                "INSERT INTO sessions(started_utc, status, settings, consent, client_id, host, pid, heartbeat_utc)"
                " VALUES (?, 'running', ?, ?, ?, ?, ?, ?)",
                (
                    started_utc,
                    json.dumps(settings, default=str),
                    consent.to_json(),
                    client_id,
                    socket.gethostname(),
                    os.getpid(),
                    utc_now(),
                ),
            )
            assert cur.lastrowid is not None
            return cur.lastrowid

    def _session_rows(self, where: str, params: tuple[Any, ...]) -> list[SessionInfo]:
        rows = self.query(
            "SELECT s.id, s.started_utc, s.ended_utc, s.status, s.consent, c.code, s.last_t, s.problem, s.settings"
            f" FROM sessions s LEFT JOIN clients c ON c.id = s.client_id {where} ORDER BY s.id",
            params,
        )
        return [
            SessionInfo(r[0], r[1], r[2], r[3], Consent.from_json(r[4]), r[5], r[6], r[7], json.loads(r[8]))
            for r in rows
        ]

    def sessions(self) -> list[SessionInfo]:
        return self._session_rows("", ())

    def client_sessions(self, code: str) -> list[SessionInfo]:
        """Every session of a client, oldest first; StoreError naming the known codes if there is no such client."""
        if self.client(code) is None:
            known = ", ".join(c.code for c in self.clients()) or "none yet"
            raise StoreError(
                f"no client {code} in {self.path} (clients: {known}); list them with: {studio_command()} clients list"
            )
        return self._session_rows("WHERE c.code = ?", (code,))

    def session(self, session_id: int) -> SessionInfo:
        found = self._session_rows("WHERE s.id = ?", (session_id,))
        if not found:
            raise StoreError(
                f"no session {session_id} in {self.path}; list them with: {studio_command()} sessions list"
            )
        return found[0]

    def latest(self) -> SessionInfo:
        found = self._session_rows("WHERE s.id = (SELECT MAX(id) FROM sessions)", ())
        if not found:
            raise StoreError(f"no sessions recorded in {self.path} yet")
        return found[0]

    def mark_interrupted(self) -> list[int]:
        """Sessions still marked running whose recording process is gone (killed, crashed, power lost) become
        interrupted; returns their ids. A session of a live process on this machine is left alone."""
        host = socket.gethostname()
        now = datetime.now(UTC)
        gone = []
        for sid, pid, heartbeat, where in self.query(
            "SELECT id, pid, heartbeat_utc, host FROM sessions WHERE status = 'running'"
        ):
            fresh = heartbeat is not None and now - datetime.fromisoformat(heartbeat) < timedelta(seconds=STALE_AFTER)
            if fresh and (where != host or pid is None or _alive(pid)):
                continue
            gone.append(sid)
        if gone:
            with self.transaction() as db:
                db.executemany("UPDATE sessions SET status = 'interrupted' WHERE id = ?", [(s,) for s in gone])
        return gone

    def close_session(self, session_id: int) -> SessionInfo:
        """Close an interrupted session: its end is the time of the last data written."""
        info = self.session(session_id)
        if info.status == "running":
            raise StoreError(f"session {session_id} is still recording; stop it first")
        if info.ended_utc is None:
            end = datetime.fromisoformat(info.started_utc) + timedelta(seconds=info.last_t or 0.0)
            with self.transaction() as db:
                db.execute("UPDATE sessions SET ended_utc = ? WHERE id = ?", (end.isoformat(), session_id))
        return self.session(session_id)

    def assign_session(self, session_id: int, code: str | None, consent: Consent) -> None:
        """Say whom a session is for (a code registered now if new; None keeps it) and what they consented to."""
        client_id = (self.client(code) or self.add_client(code)).id if code else None
        self.session(session_id)
        with self.transaction() as db:
            db.execute(
                "UPDATE sessions SET client_id = COALESCE(?, client_id), consent = ? WHERE id = ?",
                (client_id, consent.to_json(), session_id),
            )

    def finish_session(self, session_id: int, status: str, problem: str = "") -> None:
        with self.transaction() as db:
            db.execute(
                "UPDATE sessions SET ended_utc = ?, status = ?, problem = ? WHERE id = ?",
                (utc_now(), status, problem, session_id),
            )

    def save_outcome(self, session_id: int, outcome: Mapping[str, object]) -> None:
        """Keep what a session came to (JSON-ready: goal, time to goal, response model ...), replacing any earlier."""
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO session_outcomes VALUES (?, ?, ?)",
                (session_id, json.dumps(dict(outcome)), utc_now()),
            )

    def outcome(self, session_id: int) -> dict[str, Any] | None:
        """What a session came to as stored when it ended (None for a session that never ended cleanly)."""
        rows = self.query("SELECT outcome FROM session_outcomes WHERE session_id = ?", (session_id,))
        if not rows:
            return None
        found = json.loads(rows[0][0])
        return found if isinstance(found, dict) else None

    def add_channel_states(self, session_id: int, rows: list[tuple[float, str, str, str]]) -> None:
        """Channels whose health changed: (session seconds, channel, ok/degraded/down, the channel's reason)."""
        with self.transaction() as db:
            db.executemany("INSERT INTO channel_states VALUES (?, ?, ?, ?, ?)", [(session_id, *row) for row in rows])

    def channel_states(self, session_id: int) -> list[tuple[float, str, str, str]]:
        """Every change of a channel's health in a session, in time order: (t, channel, state, detail)."""
        rows = self.query(
            "SELECT t, channel, state, detail FROM channel_states WHERE session_id = ? ORDER BY t, rowid", (session_id,)
        )
        return [(float(t), str(c), str(s), str(d)) for t, c, s, d in rows]

    # --- what the operator adds ----------------------------------------------------------------------------
    def add_operator_action(self, session_id: int, t: float, action: str, detail: str = "") -> None:
        """An operator action on a session that has ended (its self-report after, its note), at session time ``t``."""
        with self.transaction() as db:
            db.execute("INSERT INTO operator_actions VALUES (?, ?, ?, ?)", (session_id, t, action, detail))

    def add_self_report(self, session_id: int, t: float, phase: str, valence: int, arousal: int) -> SelfReport:
        """A Self-Assessment Manikin rating (valence and arousal, 1-9) before, during or after a session."""
        if phase not in PHASES:
            raise StoreError(f"self-report phase {phase!r}; choose one of {', '.join(PHASES)}")
        for name, value in (("valence", valence), ("arousal", arousal)):
            if not 1 <= value <= 9:
                raise StoreError(f"self-report {name} {value} is outside the manikin's 1-9 scale")
        self.session(session_id)
        with self.transaction() as db:
            db.execute("INSERT INTO self_reports VALUES (?, ?, ?, ?, ?)", (session_id, t, phase, valence, arousal))
        return SelfReport(t, phase, valence, arousal)

    def self_reports(self, session_id: int) -> list[SelfReport]:
        rows = self.query(
            "SELECT t, phase, valence, arousal FROM self_reports WHERE session_id = ? ORDER BY t", (session_id,)
        )
        return [SelfReport(*r) for r in rows]

    def save_notes(
        self,
        session_id: int,
        template: str,
        sections: Mapping[str, str],
        based_on: int | None = None,
        source: str = "",
    ) -> Notes:
        """Save a new version of the session's note: each section given replaces that section's text, the others
        are kept; every earlier version stays in the history. Returns the note now current (the same version when
        nothing changed).

        ``based_on`` is the version an editor was opened on (0: no note yet): a section it changed that was also
        changed since raises NotesConflict; sections changed on one side only are merged. Without it the given
        sections go into the newest version. Section names are those of SOAP and DAP.
        """
        if template not in TEMPLATES:
            raise StoreError(f"note template {template!r}; choose {' or '.join(TEMPLATES)}")
        unknown = set(sections) - set(SECTIONS)
        if unknown:
            raise StoreError(
                f"notes have no section {', '.join(sorted(unknown))}; the sections are {', '.join(SECTIONS)}"
            )
        self.session(session_id)
        with self.transaction() as db:
            db.execute("BEGIN IMMEDIATE")  # the newest version cannot change between reading it and adding the next
            current = self.notes(session_id)
            stored = dict(current.sections) if current else {}
            given = dict(sections)
            if based_on is not None and current is not None and current.version != based_on:
                old = self._note_row(session_id, "AND version = ?", (based_on,))
                base = old.sections if old else {}
                given = {k: v for k, v in given.items() if v != base.get(k, "")}  # changed in this editor
                both = [k for k, v in given.items() if stored.get(k, "") not in (base.get(k, ""), v)]
                if both:
                    raise NotesConflict(session_id, current, both)
            merged = stored | given
            if current is not None and merged == stored and template == current.template:
                return current
            version = (current.version if current else 0) + 1
            db.execute(
                "INSERT INTO note_versions VALUES (?, ?, ?, ?, ?, ?)",
                (session_id, version, template, json.dumps(merged), utc_now(), source),
            )
        notes = self.notes(session_id)
        assert notes is not None
        return notes

    def _note_row(self, session_id: int, where: str, params: tuple[Any, ...] = ()) -> Notes | None:
        found = self._note_rows(session_id, where, params)
        return found[0] if found else None

    def _note_rows(self, session_id: int, where: str, params: tuple[Any, ...] = ()) -> list[Notes]:
        rows = self.query(
            "SELECT template, sections, saved_utc, version, source FROM note_versions WHERE session_id = ? " + where,
            (session_id, *params),
        )
        return [
            Notes.of(t, json.loads(sections), saved, version, source) for t, sections, saved, version, source in rows
        ]

    def notes(self, session_id: int) -> Notes | None:
        """The session's current note (its newest version), None if none was written."""
        return self._note_row(session_id, "ORDER BY version DESC LIMIT 1")

    def note_history(self, session_id: int) -> list[Notes]:
        """Every saved version of the session's note, oldest first."""
        return self._note_rows(session_id, "ORDER BY version")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
