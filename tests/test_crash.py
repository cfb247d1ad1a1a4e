"""Crash safety on real processes: SIGKILL mid-session, and a disk that fills up while recording."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from tests.test_cli import run_cli
from tests.test_headless import start


def test_sigkill_keeps_everything_up_to_the_last_second_and_the_session_shows_as_interrupted(tmp_path):
    proc = start(tmp_path, "--audio", "silent", "--duration", "60", "--marker", "2:before the crash")
    first = json.loads(proc.stdout.readline())
    assert first["event"] == "recording"
    time.sleep(5.0)
    killed_at = time.time()
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    db = sqlite3.connect(tmp_path / "session.sqlite")
    started, status = db.execute("SELECT started_utc, status FROM sessions").fetchone()
    assert status == "running"  # nobody closed it
    session_time_at_kill = killed_at - datetime.fromisoformat(started).timestamp()
    for table in ("fused_affect", "music_params", "channel_affect", "features"):
        (last,) = db.execute(f"SELECT MAX(t) FROM {table}").fetchone()
        assert last >= session_time_at_kill - 1.0, (table, last, session_time_at_kill)
    (eeg_end,) = db.execute("SELECT MAX(t0) FROM samples").fetchone()
    assert eeg_end >= session_time_at_kill - 1.5
    assert db.execute("SELECT label FROM markers").fetchall() == [("before the crash",)]
    db.close()

    db_path = tmp_path / "session.sqlite"
    listing = run_cli("sessions", "list", "--store", str(db_path))
    assert listing.returncode == 0, listing.stderr
    assert f"session {first['session_id']} was interrupted" in listing.stdout
    assert "interrupted*" in listing.stdout and "sessions close" in listing.stdout
    report = run_cli(
        "export", "--latest", "--format", "report", "--out", str(tmp_path / "report"), "--store", str(db_path)
    )
    assert report.returncode == 0, report.stderr
    assert "interrupted" in (tmp_path / "report" / f"session-{first['session_id']}-report.html").read_text()
    closed = run_cli("sessions", "close", "--latest", "--store", str(db_path))
    assert closed.returncode == 0 and "closed: interrupted" in closed.stdout, closed.stderr
    db = sqlite3.connect(tmp_path / "session.sqlite")
    assert db.execute("SELECT status, ended_utc IS NOT NULL FROM sessions").fetchone() == ("interrupted", 1)


def test_the_next_start_names_the_interrupted_session(tmp_path):
    proc = start(tmp_path, "--audio", "silent", "--duration", "60")
    first = json.loads(proc.stdout.readline())
    time.sleep(1.0)
    proc.kill()
    proc.wait(timeout=30)
    again = run_cli("run", "--demo", "--headless", "--audio", "silent", "--duration", "1", "--out", str(tmp_path))
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout.splitlines()[0])["interrupted_sessions"] == [first["session_id"]]


def test_a_full_disk_stops_recording_cleanly_and_keeps_what_was_written(tmp_path):
    disk = tmp_path / "small-disk"
    disk.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(disk)], check=True)
    try:
        store = Path(disk) / "session.sqlite"
        studio = [sys.executable, "-m", "studio", "run", "--demo", "--headless", "--audio", "silent"]
        proc = subprocess.Popen(  # --store, not --out: the database itself goes onto the small disk
            [*studio, "--duration", "60", "--store", str(store)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        out, err = proc.communicate(timeout=90)
        assert proc.returncode == 1, err
        summary = json.loads(out.strip().splitlines()[-1])
        assert summary["status"] == "stopped" and "the disk is full" in summary["problem"]
        assert summary["duration_s"] < 50
        assert "the disk is full" in err and f"kept in {store}" in err and "Traceback" not in err
        db = sqlite3.connect(store)
        for table in ("fused_affect", "channel_affect", "samples"):
            (count,) = db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()
            assert count == summary["rows"][table] > 0, table
        db.close()
    finally:
        subprocess.run(["umount", str(disk)], check=True)
