"""Session commands as a user meets them: real subprocesses on a real recorded session."""

import json
import sqlite3

from tests.test_cli import assert_one_line_error, run_cli
from tests.test_store import finished_session


def test_the_recorded_session_has_client_consent_markers_ratings_and_notes(recorded_session):
    store, sid = recorded_session
    db = sqlite3.connect(store)
    client, consent, status = db.execute(
        "SELECT c.code, s.consent, s.status FROM sessions s JOIN clients c ON c.id = s.client_id WHERE s.id = ?", (sid,)
    ).fetchone()
    assert client == "P01" and json.loads(consent)["research"] and status == "completed"
    markers = db.execute("SELECT t, label, source FROM markers WHERE session_id = ? ORDER BY t", (sid,)).fetchall()
    assert [(m[1], m[2]) for m in markers] == [("eyes closed", "command line"), ("music change", "command line")]
    assert 1.5 <= markers[0][0] < 1.8 and 4.0 <= markers[1][0] < 4.3
    ratings = db.execute("SELECT phase, valence, arousal FROM self_reports WHERE session_id = ? ORDER BY t", (sid,))
    assert ratings.fetchall() == [("before", 4, 7), ("after", 7, 3)]
    (sections,) = db.execute("SELECT sections FROM note_versions ORDER BY version DESC").fetchone()
    assert json.loads(sections)["Plan"] == "Repeat the calm programme."
    rate, fields = db.execute("SELECT rate_hz, fields FROM stream_fields WHERE stream = 'body.eeg'").fetchone()
    assert 200 < rate < 300 and len(json.loads(fields)) == 16  # the demo person's 16 EEG channels
    n = db.execute("SELECT SUM(n) FROM samples WHERE stream = 'body.eeg'").fetchone()[0]
    assert 4 * 250 < n < 8 * 250


def test_listing_sessions_and_clients(recorded_session):
    store, sid = recorded_session
    out = run_cli("sessions", "list", "--store", str(store))
    assert out.returncode == 0, out.stderr
    line = next(ln for ln in out.stdout.splitlines() if ln.strip().startswith(str(sid)))
    assert "completed" in line and "P01" in line and "features, research" in line
    out = run_cli("--store", str(store), "clients", "list")
    assert "P01" in out.stdout and f"sessions: {sid}" in out.stdout


def test_bad_session_commands_fail_in_one_line(recorded_session, tmp_path):
    store, _ = recorded_session
    assert_one_line_error(run_cli("sessions", "close", "999", "--store", str(store)), "no session 999")
    assert_one_line_error(run_cli("sessions", "close", "abc", "--store", str(store)), "not a number")
    assert_one_line_error(run_cli("sessions", "close", "--store", str(store)), "session id or --latest")
    bad = ["sessions", "rate", "--latest", "--phase", "during", "--valence", "0", "--arousal", "5"]
    assert_one_line_error(run_cli(*bad, "--store", str(store)), "outside the manikin's 1-9 scale")
    assert_one_line_error(run_cli("sessions", "list", "--store", str(tmp_path / "none.sqlite")), "no session database")
    garbage = tmp_path / "bad.sqlite"
    garbage.write_text("not sqlite at all")
    assert_one_line_error(run_cli("sessions", "list", "--store", str(garbage)), "left untouched")
    assert_one_line_error(run_cli("clients", "add", "Jane Doe", "--store", str(tmp_path / "c.sqlite")), "pseudonym")


def test_headless_run_into_a_corrupt_database_records_beside_it(tmp_path):
    garbage = tmp_path / "studio.sqlite"
    garbage.write_text("not sqlite at all")
    out = run_cli("run", "--demo", "--headless", "--audio", "silent", "--duration", "1", "--store", str(garbage))
    assert out.returncode == 0, out.stderr
    first = json.loads(out.stdout.splitlines()[0])
    assert first["database"] != str(garbage) and "left it untouched" in first["notice"]
    assert "left it untouched" in out.stderr
    assert garbage.read_text() == "not sqlite at all"
    assert sqlite3.connect(first["database"]).execute("SELECT status FROM sessions").fetchone() == ("completed",)


def test_a_wrong_passphrase_says_so_in_one_line_and_nothing_from_sqlcipher(tmp_path):
    store = tmp_path / "secret.sqlite"
    added = run_cli("clients", "add", "P01", "--store", str(store), env={"STUDIO_PASSPHRASE": "correct horse"})
    assert added.returncode == 0, added.stderr
    before = store.read_bytes()
    wrong = {"STUDIO_PASSPHRASE": "wrong"}
    for command in (
        ["sessions", "list"],
        ["export", "--latest", "--format", "report", "--out", str(tmp_path / "r")],
        ["run", "--demo", "--headless", "--audio", "silent", "--duration", "1"],
    ):
        done = run_cli(*command, "--store", str(store), env=wrong)
        assert_one_line_error(
            done, f"{store} is encrypted and STUDIO_PASSPHRASE does not open it", "check the passphrase",
            "unset STUDIO_PASSPHRASE for a plain database",
        )  # fmt: skip
        assert "sqlcipher" not in done.stderr.lower() and "file is not a database" not in done.stderr
    assert store.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["secret.sqlite"]
    right = run_cli("clients", "list", "--store", str(store), env={"STUDIO_PASSPHRASE": "correct horse"})
    assert right.returncode == 0 and "P01" in right.stdout, right.stderr
    garbage = tmp_path / "garbage.sqlite"  # not encrypted at all: said as before, with the passphrase set
    garbage.write_text("not sqlite at all")
    assert_one_line_error(run_cli("sessions", "list", "--store", str(garbage), env=wrong), "left untouched")


def test_notes_from_the_command_line_keep_every_section_and_version(tmp_path):
    store_path = tmp_path / "s.sqlite"
    sid = finished_session(store_path)

    def notes(*args):
        return run_cli("sessions", "notes", *args, "--store", str(store_path))

    first = notes(str(sid), "--template", "SOAP", "--section", "Subjective=Arrived tense.")
    assert first.returncode == 0 and "SOAP note saved as version 1" in first.stdout, first.stderr
    second = notes("--latest", "--section", "Plan=Repeat the calm programme.\nTwo weeks.")
    assert second.returncode == 0, second.stderr
    assert "version 2; wrote Plan, kept Subjective" in second.stdout
    shown = notes("--latest")
    assert shown.returncode == 0, shown.stderr
    assert "SOAP note, version 2" in shown.stdout and "(command line)" in shown.stdout
    assert "  Subjective: Arrived tense.\n" in shown.stdout and "  Objective: -\n" in shown.stdout
    assert "  Plan: Repeat the calm programme.\n    Two weeks.\n" in shown.stdout
    history = notes("--latest", "--history").stdout
    assert history.count("SOAP note, version") == 2 and history.index("version 1") < history.index("version 2")
    assert_one_line_error(notes("--latest", "--section", "Data=x"), "SOAP notes have no section 'Data'")
    assert_one_line_error(notes("--latest", "--template", "DAP"), "--template needs --section")
    assert_one_line_error(notes("--latest", "--section", "Plan"), "write NAME=TEXT")
    report = run_cli(
        "export", "--latest", "--format", "report", "--out", str(tmp_path / "r"), "--store", str(store_path)
    )
    assert report.returncode == 0, report.stderr
    page = (tmp_path / "r" / f"session-{sid}-report.html").read_text(encoding="utf-8")
    assert "<tr><td>Subjective (SOAP)</td><td>Arrived tense.</td></tr>" in page
    assert "Repeat the calm programme." in page and "Version 2 of the note" in page


def test_a_rating_time_outside_the_session_is_refused(tmp_path):
    """--at is a time of the session (0 to its recorded length); before, 1e9 s and -50 s were stored."""
    store_path = tmp_path / "s.sqlite"
    sid = finished_session(store_path)
    with sqlite3.connect(store_path) as db:
        db.execute("UPDATE sessions SET last_t = 6.0 WHERE id = ?", (sid,))

    def rate(at):
        return run_cli(*f"sessions rate {sid} --phase during --valence 5 --arousal 5 --at {at}".split(),
                       "--store", str(store_path))  # fmt: skip

    for at in ("1e9", "-50", "6.5"):
        assert_one_line_error(rate(at), "is not a number from 0 to 6 s (the session's length)")
    assert_one_line_error(rate("-50"), "--at -50 is not")
    assert rate("3.5").returncode == 0
    with sqlite3.connect(store_path) as db:
        assert db.execute("SELECT t FROM self_reports").fetchall() == [(3.5,)]
