"""The session database on real SQLite files: migrations, bad files, clients, consent, reports, notes."""

import json
import os
import sqlite3
import subprocess
import sys

import numpy as np
import pyarrow.csv as pcsv
import pytest

from studio.schema import MIGRATIONS, SCHEMA_VERSION
from studio.store import Consent, NotesConflict, Store, StoreError
from tests.test_cli import run_cli


def make_v1(path):
    """A database as the first release wrote it, with one finished session."""
    db = sqlite3.connect(path)
    db.executescript(MIGRATIONS[0] + "\nPRAGMA user_version = 1;")
    db.execute("INSERT INTO sessions VALUES (1, '2025-01-01T10:00:00+00:00', NULL, 'completed', '{}')")
    db.execute("INSERT INTO fused_affect VALUES (1, 0.5, 0.1, -0.2, 0.9)")
    db.execute("INSERT INTO markers VALUES (1, 0.7, 'eyes closed', 'operator')")
    db.commit()
    db.close()


def finished_session(path, consent: Consent | None = None) -> int:
    """A database at ``path`` (made if new) with one more session, finished with nothing recorded; its id."""
    store = Store.open(path)
    sid = store.begin_session("2025-01-01T10:00:00+00:00", {}, consent or Consent(), None)
    store.finish_session(sid, "completed")
    store.close()
    return sid


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
    with pytest.raises(StoreError, match="no section Feelings"):
        store.save_notes(sid, "DAP", {"Feelings": "x"})
    with pytest.raises(StoreError, match="choose SOAP or DAP"):
        store.save_notes(sid, "BIRP", {})
    notes = store.save_notes(sid, "SOAP", {"Subjective": "tired", "Plan": "repeat"})
    assert list(notes.sections) == ["Subjective", "Objective", "Assessment", "Plan"]
    assert store.notes(sid).sections["Objective"] == ""


def test_notes_keep_every_section_and_every_version(tmp_path):
    """Saving sections merges them into the current note; nothing written is lost, earlier versions are kept."""
    path = tmp_path / "s.sqlite"
    store = Store.open(path)
    sid = store.begin_session("2025-01-01T10:00:00+00:00", {}, Consent(), None)
    assert store.notes(sid) is None and store.note_history(sid) == []
    store.save_notes(sid, "SOAP", {"Subjective": "slept badly"}, source="window")
    second = store.save_notes(sid, "SOAP", {"Plan": "same again"}, source="command line")
    assert second.version == 2 and second.sections["Subjective"] == "slept badly"
    assert second.sections["Plan"] == "same again" and second.source == "command line"
    assert store.save_notes(sid, "SOAP", {"Plan": "same again"}).version == 2  # nothing changed: no new version
    third = store.save_notes(sid, "SOAP", {"Subjective": "slept well"})
    history = store.note_history(sid)
    assert [n.version for n in history] == [1, 2, 3] and history[0].sections["Subjective"] == "slept badly"
    assert history[0].sections["Plan"] == "" and history[0].source == "window"
    assert third.sections == {"Subjective": "slept well", "Objective": "", "Assessment": "", "Plan": "same again"}
    dap = store.save_notes(sid, "DAP", {"Data": "restless"})  # another template keeps the first one's text
    assert list(dap.sections) == ["Data", "Assessment", "Plan", "Subjective"]
    assert dap.sections["Subjective"] == "slept well" and dap.template_of("Subjective") == "SOAP"
    store.close()
    again = Store.open(path, create=False)
    assert again.notes(sid) == dap and len(again.note_history(sid)) == 4
    raw = sqlite3.connect(path).execute("SELECT version, template FROM note_versions ORDER BY version").fetchall()
    assert raw == [(1, "SOAP"), (2, "SOAP"), (3, "SOAP"), (4, "DAP")]


def test_two_editors_on_one_version_merge_and_never_overwrite_each_other(tmp_path):
    store = Store.open(tmp_path / "s.sqlite")
    sid = store.begin_session("2025-01-01T10:00:00+00:00", {}, Consent(), None)
    opened = store.save_notes(sid, "SOAP", {"Subjective": "tired", "Plan": "rest"}).version  # both editors open here
    store.save_notes(sid, "SOAP", {"Objective": "fidgeting"}, based_on=opened)  # the first saves
    merged = store.save_notes(sid, "SOAP", {"Assessment": "anxious"}, based_on=opened)  # the second: another section
    assert merged.sections == {"Subjective": "tired", "Objective": "fidgeting", "Assessment": "anxious", "Plan": "rest"}
    store.save_notes(sid, "SOAP", {"Plan": "rest more"}, based_on=merged.version)
    with pytest.raises(NotesConflict, match="Plan changed in both places") as clash:
        store.save_notes(sid, "SOAP", {"Plan": "walk", "Objective": "fidgeting"}, based_on=merged.version)
    assert clash.value.sections == ["Plan"] and clash.value.current.sections["Plan"] == "rest more"
    assert store.notes(sid).version == 4  # nothing saved
    same = store.save_notes(sid, "SOAP", {"Plan": "rest more"}, based_on=merged.version)  # the same text: no clash
    assert same.version == 4
    store.save_notes(sid, "SOAP", {"Subjective": "x"})  # the store still writes after a refused save
    assert store.notes(sid).version == 5


START = "2025-01-01T10:00:00+00:00"


def test_a_v2_note_becomes_the_first_version(tmp_path):
    path = tmp_path / "v2.sqlite"
    db = sqlite3.connect(path)
    db.executescript(MIGRATIONS[0] + MIGRATIONS[1] + "\nPRAGMA user_version = 2;")
    db.execute("INSERT INTO sessions(id, started_utc, status, settings) VALUES (1, ?, 'completed', '{}')", (START,))
    sections = '{"Subjective": "old text", "Objective": "", "Assessment": "", "Plan": ""}'
    db.execute("INSERT INTO notes VALUES (1, 'SOAP', ?, '2025-01-01T11:00:00+00:00')", (sections,))
    db.commit()
    db.close()
    store = Store.open(path, create=False)
    (first,) = store.note_history(1)
    assert (first.version, first.template, first.saved_utc) == (1, "SOAP", "2025-01-01T11:00:00+00:00")
    assert first.sections["Subjective"] == "old text"
    assert store.save_notes(1, "SOAP", {"Plan": "new"}).sections["Subjective"] == "old text"
    assert store.query("SELECT name FROM sqlite_master WHERE name = 'notes'") == []


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


def test_a_second_store_in_the_recording_process_leaves_the_recording_durable(tmp_path):
    """The window's report step and Ctrl+R replay open the database again while the session records. That
    second opening read the file's header with Python and closed it, and closing any descriptor of a file drops
    every POSIX lock the process holds on it: the next command in another process to close the database then
    took itself for the last one and deleted the write-ahead log under the recording, whose later rows went to
    a deleted file (lost on kill -9, unseen by every other reader)."""
    path = tmp_path / "s.sqlite"
    recording = Store.open(path)
    sid = recording.begin_session("2025-01-01T10:00:00+00:00", {}, Consent(), None)
    Store.open(path, create=False).close()  # the report step's own connection
    other = run_cli("sessions", "list", "--store", str(path))
    assert other.returncode == 0, other.stderr
    assert (tmp_path / "s.sqlite-wal").exists()
    with recording.transaction() as db:
        db.execute(
            "INSERT INTO markers (session_id, t, label, source) VALUES (?, 1.5, 'after the other command', 'test')",
            (sid,),
        )
    seen = subprocess.run(
        [sys.executable, "-c", f"import sqlite3; print(sqlite3.connect({str(path)!r}).execute("
         "'SELECT COUNT(*) FROM markers').fetchone()[0])"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    recording.close()
    assert seen.stdout.strip() == "1"


def test_samples_recorded_before_v6_export_as_they_were_stored(tmp_path):
    """A v5 database (float32 samples, no units, markers without codes) migrates and exports unchanged."""
    path = tmp_path / "v5.sqlite"
    db = sqlite3.connect(path)
    db.executescript("".join(MIGRATIONS[:5]) + "\nPRAGMA user_version = 5;")
    db.execute(
        "INSERT INTO sessions(id, started_utc, status, settings, consent) VALUES (1, ?, 'completed', '{}', ?)",
        (START, Consent(research=True).to_json()),
    )
    db.execute("INSERT INTO stream_fields VALUES (1, 'body.eeg', '[\"Fz\", \"Cz\"]', 250.0)")
    values = np.array([[1.5, -2.25], [3.125, 4.0], [0.1, 0.2]], dtype=np.float32)
    t = np.array([0.0, 0.004, 0.008])
    db.execute("INSERT INTO samples VALUES (1, 'body.eeg', 0.0, 3, ?, ?)", (t.tobytes(), values.tobytes()))
    db.execute("INSERT INTO markers VALUES (1, 0.004, 'eyes closed', 'operator')")
    db.commit()
    db.close()
    out = tmp_path / "csv"
    done = run_cli("export", "1", "--format", "csv", "--out", str(out), "--store", str(path))
    assert done.returncode == 0, done.stderr
    eeg = pcsv.read_csv(out / "body.eeg.csv").to_pydict()
    assert eeg["Fz"] == values[:, 0].astype(float).tolist() and eeg["Cz"] == values[:, 1].astype(float).tolist()
    manifest = json.loads((out / "manifest.json").read_text())
    entry = next(f for f in manifest["files"] if f["stream"] == "body.eeg")
    assert entry["units"]["Fz"] == "µV" and entry["rate_hz"] == 250.0
    assert pcsv.read_csv(out / "markers.csv").to_pydict()["code"] == [None]
