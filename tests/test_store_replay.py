"""Replaying a real recorded session through the studio and its window, faster than real time."""

import sqlite3
import time

import numpy as np
from PySide6.QtTest import QTest

from studio.config import load_config
from studio.replay import replay_studio
from tests.test_cli import assert_one_line_error, run_cli
from ui.main_window import MainWindow


def test_a_replay_brings_back_estimates_markers_music_and_eeg(recorded_session, qapp, tmp_path):
    store, sid = recorded_session
    studio, _ = replay_studio(load_config(), store, sid, speed=4.0)
    studio.start()
    window = MainWindow(studio)
    window.show()
    QTest.qWaitForWindowExposed(window)
    try:
        deadline = time.monotonic() + 10
        while studio.clock.now() < 5.0 and time.monotonic() < deadline:
            QTest.qWait(100)
        now = studio.clock.now()
        window.grab().save(str(tmp_path / "replay.png"))
    finally:
        window.close()
        studio.stop()
    assert now >= 5.0  # four session seconds per real second
    db = sqlite3.connect(store)
    recorded = np.array(
        db.execute(
            "SELECT t, valence FROM channel_affect WHERE channel = 'face' AND t <= ? ORDER BY t", (now,)
        ).fetchall()
    )
    replayed = studio.hub.get("affect.face").last(600.0)
    n = min(len(recorded), len(replayed))
    assert n > 40
    assert np.allclose(replayed.t[:n], recorded[:n, 0]) and np.allclose(replayed.values[:n, 0], recorded[:n, 1])
    assert [m.label for m in studio.markers.last(5)] == ["eyes closed", "music change"]
    (tempo,) = db.execute(
        "SELECT tempo FROM music_params WHERE t <= ? ORDER BY t DESC LIMIT 1", (now - 0.5,)
    ).fetchone()
    assert abs(studio.loop.params.tempo - tempo) < 1.0
    assert len(studio.hub.get("body.eeg").last(2.0)) > 300
    assert len(studio.hub.get("affect.fused").last(600.0)) > 20  # the loop fuses the replayed channels
    assert studio.statuses()["face"].backend == "replay"


def test_replaying_a_missing_session_fails_in_one_line(recorded_session):
    store, _ = recorded_session
    assert_one_line_error(run_cli("--replay", "99", "--store", str(store)), "no session 99")
    assert_one_line_error(run_cli("--replay", "1", "--replay-speed", "100", "--store", str(store)), "--replay-speed")
