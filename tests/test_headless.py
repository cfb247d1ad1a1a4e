"""A real headless demo session: every channel, the loop, the music engine, recorded into SQLite."""

import json
import signal
import sqlite3
import subprocess
import sys

import pytest

from tests.stepped import stepped_demo
from tests.test_cli import run_cli
from tests.waiting import recorded, wait_until

CHANNELS = {"face", "voice", "text", "body"}


def start(out, *extra):
    return subprocess.Popen(
        [sys.executable, "-m", "studio", "run", "--demo", "--headless", "--out", str(out), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.slow  # an 8-second run in real time
def test_headless_demo_records_every_stream_on_the_session_clock(tmp_path):
    proc = start(tmp_path, "--duration", "8", "--goal", "calm", "--bound", "tempo=60:80", "--audio", "silent")
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    lines = [json.loads(line) for line in out.strip().splitlines()]
    assert lines[0]["event"] == "recording" and lines[0]["database"] == str(tmp_path / "session.sqlite")
    summary = lines[-1]
    assert summary["event"] == "summary" and summary["status"] == "completed" and summary["ended_by"] == "duration"
    assert 8.0 <= summary["duration_s"] < 15.0
    assert 140 <= summary["ticks"] <= 170  # about 20 Hz
    assert summary["audio_backend"].startswith("silent")
    rows = summary["rows"]
    assert rows["fused_affect"] == summary["ticks"] and rows["music_params"] == summary["ticks"]

    db = sqlite3.connect(tmp_path / "session.sqlite")
    assert db.execute("SELECT status FROM sessions").fetchall() == [("completed",)]
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    channels = {c for (c,) in db.execute("SELECT DISTINCT channel FROM channel_affect")}
    assert channels == CHANNELS
    ts = [t for (t,) in db.execute("SELECT t FROM fused_affect ORDER BY rowid")]
    assert ts == sorted(ts) and 0 <= ts[0] < 1.0 and 7.0 < ts[-1] < 9.0
    for table in ("channel_affect", "fused_affect", "music_params"):
        lo, hi = db.execute(f"SELECT MIN(t), MAX(t) FROM {table}").fetchone()
        assert lo >= -1.0 and hi <= 9.0, table
    tempo_lo, tempo_hi = db.execute("SELECT MIN(tempo), MAX(tempo) FROM music_params").fetchone()
    assert 60 <= tempo_lo <= tempo_hi <= 80
    valence, arousal, confidence = db.execute(
        "SELECT valence, arousal, confidence FROM fused_affect ORDER BY t DESC LIMIT 1"
    ).fetchone()
    assert -1 <= valence <= 1 and -1 <= arousal <= 1 and 0 < confidence <= 1
    streams = {s for (s,) in db.execute("SELECT DISTINCT stream FROM features")}
    assert {"body.band_relative", "face.blendshapes", "voice.prosody", "fusion.shares"} <= streams
    assert db.execute("SELECT COUNT(*) FROM control_log WHERE who = 'policy'").fetchone()[0] > 0


@pytest.mark.slow  # a real process, interrupted once it has recorded a second
def test_sigint_ends_the_run_cleanly_as_completed_and_keeps_what_was_recorded(tmp_path):
    proc = start(tmp_path, "--duration", "120", "--audio", "silent")
    assert proc.stdout is not None
    first = json.loads(proc.stdout.readline())
    assert first["event"] == "recording"
    fused = lambda: recorded(tmp_path / "session.sqlite", "SELECT COUNT(*) FROM fused_affect") or 0  # noqa: E731
    wait_until(lambda: fused() > 20, 30, "the run records no estimates")
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    summary = json.loads(out.strip().splitlines()[-1])
    assert summary["status"] == "completed" and summary["ended_by"] == "SIGINT"
    assert summary["rows"]["fused_affect"] > 20
    db = sqlite3.connect(tmp_path / "session.sqlite")
    assert db.execute("SELECT status, ended_utc IS NOT NULL FROM sessions").fetchone() == ("completed", 1)


@pytest.mark.parametrize("bad", [["--duration", "0"], ["--duration", "-3"]])
def test_bad_duration(tmp_path, bad):
    proc = run_cli("run", "--demo", "--headless", "--out", str(tmp_path), *bad)
    assert proc.returncode == 2 and "--duration" in proc.stderr and "Traceback" not in proc.stderr


def test_a_studio_that_cannot_start_cleans_up_and_can_be_stopped_again(tmp_path):
    from dataclasses import replace

    from studio.app import Studio
    from studio.config import load_config
    from studio.recorder import StoreError

    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x")
    studio = Studio(replace(load_config(), audio_backend="silent"), demo=True, store=not_a_folder / "s.sqlite")
    with pytest.raises(StoreError, match="cannot create"):
        studio.start()
    assert studio.sources["body"].status.detail == "stopped"  # the board opened before the store failed
    assert studio.stop() == {}


def test_stopping_twice_returns_the_same_counts(tmp_path):
    stepper = stepped_demo(tmp_path / "s.sqlite")
    stepper.run(1.0)
    studio = stepper.studio
    first = studio.stop()
    assert first["fused_affect"] > 0
    assert studio.stop() == first


@pytest.mark.slow  # two runs, 8 and 3 seconds in real time
def test_a_calibrated_baseline_is_stored_for_the_client_and_reused_next_session(tmp_path):
    database = str(tmp_path / "session.sqlite")
    added = run_cli("clients", "add", "C-017", "--store", database)
    assert added.returncode == 0, added.stderr
    first = start(tmp_path, "--duration", "8", "--calibrate", "4", "--client", "C-017")
    out, err = first.communicate(timeout=90)
    assert first.returncode == 0, err
    summary = json.loads(out.strip().splitlines()[-1])
    assert set(summary["baselines"]) >= {"face", "voice", "body"}  # each channel has its resting profile
    db = sqlite3.connect(tmp_path / "session.sqlite")
    labels = [label for (label,) in db.execute("SELECT label FROM markers WHERE source='studio' ORDER BY t")]
    assert labels == ["calibration start (4 s rest)", "calibration complete"]
    held = db.execute("SELECT count(*) FROM control_log WHERE who='policy' AND t > 1 AND t < 4").fetchone()[0]
    assert held == 0  # the music holds while the person rests
    stored = dict(db.execute("SELECT channel, 1 FROM baselines"))
    assert set(stored) >= {"face", "voice", "body"}
    db.close()

    second = start(tmp_path, "--duration", "3", "--client", "C-017")
    out, err = second.communicate(timeout=90)
    assert second.returncode == 0, err
    summary = json.loads(out.strip().splitlines()[-1])
    assert set(summary["baselines"]) >= {"face", "voice", "body"}  # reused, not calibrated again
    db = sqlite3.connect(tmp_path / "session.sqlite")
    loaded = db.execute(
        "SELECT detail FROM operator_actions WHERE action='baseline loaded' AND session_id=?", (summary["session_id"],)
    ).fetchall()
    assert {d for (d,) in loaded} >= {"face", "voice", "body"}
