"""Crash safety on real processes: SIGKILL mid-session, and a disk that fills up while recording."""

import errno
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from sensors.affect_replay import AffectReplay, constant_track
from sensors.base import CHANNELS
from studio.app import Studio
from studio.config import build_config, default_settings
from studio.kernel.clock import ManualClock
from tests.test_cli import run_cli
from tests.test_headless import start
from tests.waiting import recorded, wait_until


@pytest.mark.slow  # a real process, killed once it has recorded past its marker
def test_sigkill_keeps_everything_up_to_the_last_second_and_the_session_shows_as_interrupted(tmp_path):
    proc = start(tmp_path, "--audio", "silent", "--duration", "60", "--marker", "2:before the crash")
    first = json.loads(proc.stdout.readline())
    assert first["event"] == "recording"
    last_t = lambda: recorded(tmp_path / "session.sqlite", "SELECT MAX(t) FROM fused_affect") or 0.0  # noqa: E731
    wait_until(lambda: last_t() > 3.0, 30, "the run records no estimates")
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


@pytest.mark.slow  # a real process, killed while it records
def test_the_next_start_names_the_interrupted_session(tmp_path):
    proc = start(tmp_path, "--audio", "silent", "--duration", "60")
    first = json.loads(proc.stdout.readline())
    fused = lambda: recorded(tmp_path / "session.sqlite", "SELECT COUNT(*) FROM fused_affect") or 0  # noqa: E731
    wait_until(lambda: fused() > 0, 30, "the run records no estimates")
    proc.kill()
    proc.wait(timeout=30)
    again = run_cli("run", "--demo", "--headless", "--audio", "silent", "--duration", "1", "--out", str(tmp_path))
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout.splitlines()[0])["interrupted_sessions"] == [first["session_id"]]


@contextmanager
def small_disk(folder: Path, size: str = "512k"):
    """A real file system of ``size`` mounted on ``folder`` (tmpfs), unmounted afterwards (lazily: a failed test
    may still hold a file open)."""
    folder.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], check=True)
    try:
        yield folder
    finally:
        subprocess.run(["umount", "--lazy", str(folder)], check=True)


def fill(folder: Path) -> Path:
    """Fill the file system of ``folder`` to its last byte with one file; returns that file."""
    filler = folder / "filler"
    with filler.open("wb", buffering=0) as f:
        try:
            while f.write(b"\0" * 4096):
                pass
        except OSError as exc:
            assert exc.errno == errno.ENOSPC, exc
    return filler


def rows_in(path: Path, tables) -> dict[str, int]:
    db = sqlite3.connect(path)
    try:
        return {table: db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in tables}
    finally:
        db.close()


def copy_alone(files, folder: Path) -> Path:
    """Copy exactly ``files`` (a database and perhaps its -wal) into ``folder``, as a user moving them would;
    returns the copied database."""
    folder.mkdir()
    for f in files:
        shutil.copy(f, folder / Path(f).name)
    return folder / Path(files[0]).name


@pytest.mark.slow  # a real process recording until the disk is full
def test_a_full_disk_stops_recording_cleanly_and_names_every_file_that_holds_the_data(tmp_path):
    with small_disk(tmp_path / "small-disk") as disk:
        store = disk / "session.sqlite"
        wal = disk / "session.sqlite-wal"
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
        assert "the disk is full" in err and "Traceback" not in err
        # The disk has no room to merge the write-ahead log into the database: the message says that the data
        # is in both files, and both together (only both) hold every row the summary counts.
        assert wal.stat().st_size > 0
        assert f"everything recorded until then is in {store} and {wal}; keep both files together" in err
        assert summary["problem"] in err
        tables = ("fused_affect", "channel_affect", "samples")
        together = rows_in(copy_alone([store, wal], tmp_path / "both"), tables)
        assert together == {table: summary["rows"][table] for table in tables}
        assert all(together.values())
        assert rows_in(store, tables) == together  # read in place, the log is found beside it


def test_a_recording_that_stopped_on_a_full_disk_is_merged_into_one_file_once_there_is_room(tmp_path):
    """The disk fills while recording (a file fills it); the file is deleted before the session ends; on stopping,
    the write-ahead log is merged into the database and the message names that file alone."""
    config = replace(build_config(default_settings(), "defaults"), audio_backend="silent")
    track = {ch: constant_track(0.3, 0.2, 0.8, seconds=600, rate_hz=10) for ch in CHANNELS}
    clock = ManualClock()
    with small_disk(tmp_path / "small-disk", "8m") as disk:
        store = disk / "session.sqlite"
        sources = {ch: AffectReplay(ch, track[ch]) for ch in CHANNELS}
        studio = Studio(config, demo=False, store=store, clock=clock, sources=sources)
        studio.start(run_workers=False)
        for _ in range(200):  # 10 s recorded while there is room
            studio.advance(clock.advance(0.05))
        filler = fill(disk)
        for _ in range(6000):
            if studio.recording_problem:
                break
            studio.advance(clock.advance(0.05))
        assert "the disk is full" in studio.recording_problem
        assert "keep both files together" in studio.recording_problem
        filler.unlink()
        rows = studio.stop()
        assert studio.recording_problem.endswith(f"everything recorded until then is kept in {store}")
        assert not (disk / "session.sqlite-wal").exists() or (disk / "session.sqlite-wal").stat().st_size == 0
        alone = copy_alone([store], tmp_path / "alone")
        tables = ("fused_affect", "channel_affect", "music_params")
        assert rows_in(alone, tables) == {table: rows[table] for table in tables}
        assert rows["fused_affect"] >= 190  # the 10 s before the disk filled
        db = sqlite3.connect(alone)
        status, problem = db.execute("SELECT status, problem FROM sessions").fetchone()
        assert status == "stopped" and problem.startswith("recording stopped at") and str(disk) not in problem
