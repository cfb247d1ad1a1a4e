"""The session database on real SQLite files: migrations, bad files, clients, consent, reports, notes."""

import os
import sqlite3
import subprocess
import sys

import pytest

from studio.schema import MIGRATIONS, SCHEMA_VERSION
from studio.store import Consent, Store, StoreError


def make_v1(path):
    """A database as the first release wrote it, with one finished session."""
    db = sqlite3.connect(path)
    db.executescript(MIGRATIONS[0] + "\nPRAGMA user_version = 1;")
    db.execute("INSERT INTO sessions VALUES (1, '2025-01-01T10:00:00+00:00', NULL, 'completed', '{}')")
    db.execute("INSERT INTO fused_affect VALUES (1, 0.5, 0.1, -0.2, 0.9)")
    db.execute("INSERT INTO markers VALUES (1, 0.7, 'eyes closed', 'operator')")
    db.commit()
    db.close()


def test_a_v1_database_is_migrated_and_keeps_its_rows(tmp_path):
    path = tmp_path / "old.sqlite"
    make_v1(path)
    store = Store.open(path, create=False)
    assert store.query("PRAGMA user_version") == [(SCHEMA_VERSION,)]
    assert store.query("SELECT t, valence FROM fused_affect") == [(0.5, 0.1)]
    (old,) = store.sessions()
    assert old.status == "completed" and old.consent == Consent() and old.client_code is None
    store.add_client("C-017")
    store.add_self_report(1, 0.0, "before", 3, 7)
    assert store.self_reports(1)[0].arousal == 7
    store.close()


def test_a_newer_database_is_refused(tmp_path):
    path = tmp_path / "new.sqlite"
    sqlite3.connect(path).execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError, match="newer Affect Studio"):
        Store.open(path)


def test_a_corrupt_file_is_left_alone_and_a_new_database_opened_beside_it(tmp_path):
    path = tmp_path / "studio.sqlite"
    garbage = b"this is not a database" * 100
    path.write_bytes(garbage)
    with pytest.raises(StoreError, match=r"not a usable session database.*left untouched"):
        Store.open(path, create=False)
    store = Store.open(path, create=True)
    assert store.path != path and store.path.parent == tmp_path and store.path.suffix == ".sqlite"
    assert str(path) in store.notice and str(store.path) in store.notice
    assert path.read_bytes() == garbage
    store.close()


def test_a_damaged_database_is_left_alone(tmp_path):
    path = tmp_path / "studio.sqlite"
    Store.open(path).close()
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # the schema page overwritten, header intact
    path.write_bytes(bytes(data))
    with pytest.raises(StoreError, match="left untouched"):
        Store.open(path, create=False)
    assert Store.open(path, create=True).path != path
    assert path.read_bytes() == bytes(data)


def test_missing_database_and_missing_session(tmp_path):
    with pytest.raises(StoreError, match="no session database at"):
        Store.open(tmp_path / "none.sqlite", create=False)
    store = Store.open(tmp_path / "s.sqlite")
    with pytest.raises(StoreError, match="no session 42"):
        store.session(42)
    with pytest.raises(StoreError, match="no sessions recorded"):
        store.latest()


def test_clients_are_pseudonymous_codes_with_baselines(tmp_path):
    store = Store.open(tmp_path / "s.sqlite")
    store.add_client("P01", notes="prefers strings")
    with pytest.raises(StoreError, match="already exists"):
        store.add_client("P01")
    with pytest.raises(StoreError, match="pseudonym"):
        store.add_client("Jane Doe")
    with pytest.raises(StoreError, match="no client P02"):
        store.load_baselines("P02")
    assert store.load_baselines("P01") == {}
    store.save_baselines("P01", {"face": {"smile": 0.12}, "body": {"alpha": 3.5, "beta": 1.0}})
    store.save_baselines("P01", {"face": {"smile": 0.2}})
    assert store.load_baselines("P01") == {"face": {"smile": 0.2}, "body": {"alpha": 3.5, "beta": 1.0}}
    assert [c.code for c in store.clients()] == ["P01"]


def test_consent_self_reports_and_notes(tmp_path):
    store = Store.open(tmp_path / "s.sqlite")
    store.add_client("P01")
    consent = Consent.parse("features,research")
    assert consent == Consent(research=True) and consent.describe() == "features, research"
    with pytest.raises(ValueError, match="unknown consent video"):
        Consent.parse("video")
    sid = store.begin_session("2025-01-01T10:00:00+00:00", {}, consent, "P01")
    info = store.session(sid)
    assert info.consent.research and not info.consent.raw_audio and info.client_code == "P01"
    with pytest.raises(StoreError, match="1-9"):
        store.add_self_report(sid, 1.0, "during", 10, 5)
    with pytest.raises(StoreError, match="phase"):
        store.add_self_report(sid, 1.0, "halfway", 5, 5)
    store.add_self_report(sid, 300.0, "after", 7, 3)
    store.add_self_report(sid, 0.0, "before", 4, 6)
    assert [r.phase for r in store.self_reports(sid)] == ["before", "after"]
    with pytest.raises(StoreError, match="no section Subjective"):
        store.save_notes(sid, "DAP", {"Subjective": "x"})
    notes = store.save_notes(sid, "SOAP", {"Subjective": "tired", "Plan": "repeat"})
    assert list(notes.sections) == ["Subjective", "Objective", "Assessment", "Plan"]
    assert store.notes(sid).sections["Objective"] == ""


def test_a_running_session_of_a_dead_process_shows_as_interrupted(tmp_path):
    path = tmp_path / "s.sqlite"
    store = Store.open(path)
    live = store.begin_session("2025-01-01T10:00:00+00:00", {}, Consent(), None)
    dead = store.begin_session("2025-01-01T11:00:00+00:00", {}, Consent(), None)
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    store.db.execute("UPDATE sessions SET pid = ?, last_t = 12.5 WHERE id = ?", (int(gone.stdout), dead))
    store.db.commit()
    store.close()
    again = Store.open(path, create=False)
    assert again.interrupted == [dead]
    assert again.session(live).status == "running" and again.session(dead).status == "interrupted"
    closed = again.close_session(dead)
    assert closed.ended_utc.startswith("2025-01-01T11:00:12.5")
    with pytest.raises(StoreError, match="still recording"):
        again.close_session(live)


def test_an_encrypted_database_needs_its_passphrase(tmp_path):
    path = tmp_path / "secret.sqlite"
    store = Store.open(path, passphrase="correct horse")
    store.add_client("P01", notes="private")
    store.close()
    assert not path.read_bytes().startswith(b"SQLite format 3")
    assert b"private" not in path.read_bytes()
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(path).execute("SELECT * FROM clients").fetchall()
    with pytest.raises(StoreError, match="encrypted or not a database"):
        Store.open(path, create=False)
    for create in (False, True):  # a recording does not go into a new file beside it either
        with pytest.raises(StoreError, match="is encrypted and STUDIO_PASSPHRASE does not open it"):
            Store.open(path, create=create, passphrase="wrong")
    assert [p.name for p in tmp_path.iterdir()] == ["secret.sqlite"]
    assert Store.open(path, create=False, passphrase="correct horse").client("P01").notes == "private"
    plain = tmp_path / "plain.sqlite"
    Store.open(plain).close()
    with pytest.raises(StoreError, match="not encrypted"):
        Store.open(plain, passphrase="correct horse")
    assert os.path.getsize(plain) > 0
