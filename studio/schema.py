"""The session database's schema, as numbered migrations (PRAGMA user_version holds the number applied).

Migration k turns a version k-1 database into version k. Each runs in one transaction, so a database is
either fully at version k-1 or fully at version k. Never edit a released migration: add the next one.
"""

from __future__ import annotations

V1 = """
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

V2 = """
CREATE TABLE clients (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,      -- pseudonymous: never a name
    notes TEXT NOT NULL DEFAULT '',
    created_utc TEXT NOT NULL
);
ALTER TABLE sessions ADD COLUMN client_id INTEGER REFERENCES clients(id);
ALTER TABLE sessions ADD COLUMN consent TEXT NOT NULL DEFAULT '{}';  -- JSON: raw_audio, raw_video, research
ALTER TABLE sessions ADD COLUMN host TEXT;                   -- the recording machine and process,
ALTER TABLE sessions ADD COLUMN pid INTEGER;                 -- to tell a crash from a live session
ALTER TABLE sessions ADD COLUMN heartbeat_utc TEXT;          -- the last time data reached disk
ALTER TABLE sessions ADD COLUMN last_t REAL;                 -- session seconds of the newest data written
ALTER TABLE sessions ADD COLUMN problem TEXT NOT NULL DEFAULT '';  -- why recording stopped early, if it did
ALTER TABLE stream_fields ADD COLUMN rate_hz REAL;           -- sampling rate of raw signals; NULL for features
CREATE TABLE samples (              -- raw signals (EEG, physiology) in chunks, one per write
    session_id INTEGER NOT NULL REFERENCES sessions(id), stream TEXT NOT NULL,
    t0 REAL NOT NULL, n INTEGER NOT NULL,
    t BLOB NOT NULL,                -- n float64 session seconds
    vals BLOB NOT NULL              -- n x width float32, row-major, names in stream_fields
);
CREATE INDEX samples_t ON samples(session_id, stream, t0);
CREATE TABLE self_reports (         -- Self-Assessment Manikin ratings
    session_id INTEGER NOT NULL REFERENCES sessions(id), t REAL NOT NULL,
    phase TEXT NOT NULL CHECK (phase IN ('before', 'during', 'after')),
    valence INTEGER NOT NULL CHECK (valence BETWEEN 1 AND 9),
    arousal INTEGER NOT NULL CHECK (arousal BETWEEN 1 AND 9)
);
CREATE TABLE notes (                -- the session note in a SOAP or DAP template
    session_id INTEGER PRIMARY KEY REFERENCES sessions(id),
    template TEXT NOT NULL CHECK (template IN ('SOAP', 'DAP')),
    sections TEXT NOT NULL,         -- JSON object: section name -> text
    updated_utc TEXT NOT NULL
);
CREATE TABLE operator_actions (
    session_id INTEGER NOT NULL REFERENCES sessions(id), t REAL NOT NULL, action TEXT NOT NULL, detail TEXT NOT NULL
);
CREATE TABLE baselines (            -- each client's resting profile per channel, reused in later sessions
    client_id INTEGER NOT NULL REFERENCES clients(id), channel TEXT NOT NULL,
    vals TEXT NOT NULL,             -- JSON object: feature -> value
    updated_utc TEXT NOT NULL,
    PRIMARY KEY (client_id, channel)
);
"""

V3 = """
CREATE TABLE note_versions (        -- every saved version of each session's note: the newest is the current note
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    version INTEGER NOT NULL,       -- 1, 2, ... within the session
    template TEXT NOT NULL CHECK (template IN ('SOAP', 'DAP')),  -- the template it was last written in
    sections TEXT NOT NULL,         -- JSON object: section name -> text, every section written so far
    saved_utc TEXT NOT NULL,
    source TEXT NOT NULL,           -- where it was written: window, session steps, command line
    PRIMARY KEY (session_id, version)
);
INSERT INTO note_versions SELECT session_id, 1, template, sections, updated_utc, 'earlier release' FROM notes;
DROP TABLE notes;
"""

V4 = """
CREATE TABLE response_models (      -- how each client's valence and arousal answer the music levers
    client_id INTEGER PRIMARY KEY REFERENCES clients(id),
    model TEXT NOT NULL,            -- JSON: the response model (fusion/response.py), as learned so far
    sessions INTEGER NOT NULL,      -- how many sessions it has learned from
    updated_utc TEXT NOT NULL
);
"""

# Issue 18 (clinical records): what each session came to, and each channel's health over it. Named for its issue
# so that a merge with another branch's migration 5 can renumber it without confusion.
V5_CLINICAL_RECORDS = """
CREATE TABLE session_outcomes (     -- written when a session ends: what it came to
    session_id INTEGER PRIMARY KEY REFERENCES sessions(id),
    outcome TEXT NOT NULL,          -- JSON: goal, time to goal, whether the person followed, the response model
    saved_utc TEXT NOT NULL
);
CREATE TABLE channel_states (       -- each channel's health whenever it changed during a session
    session_id INTEGER NOT NULL REFERENCES sessions(id), t REAL NOT NULL, channel TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('ok', 'degraded', 'down')),
    detail TEXT NOT NULL            -- the channel's own words on why
);
CREATE INDEX channel_states_t ON channel_states(session_id, t);
"""

# Issue 17 (lab-grade data): samples kept exactly (float64), units per stream field, markers with event codes.
V6_LAB_DATA = """
ALTER TABLE samples ADD COLUMN dtype TEXT NOT NULL DEFAULT 'float32';  -- vals' numbers: float32 before, float64 now
ALTER TABLE stream_fields ADD COLUMN units TEXT;  -- JSON array: the unit of each field ("" dimensionless); NULL before
ALTER TABLE markers ADD COLUMN code INTEGER;      -- an event code (e.g. a stimulus trigger), NULL when none
ALTER TABLE markers ADD COLUMN duration REAL;     -- seconds the event lasted, NULL for an instant
"""

MIGRATIONS: tuple[str, ...] = (V1, V2, V3, V4, V5_CLINICAL_RECORDS, V6_LAB_DATA)
SCHEMA_VERSION = len(MIGRATIONS)
