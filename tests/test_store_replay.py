"""Replaying a real recorded session through the studio and its window, faster than real time: a replay runs on its
own clock, so the tests that play one wait for it."""

import json
import sqlite3
from dataclasses import replace

import numpy as np
import pytest
from PySide6.QtWidgets import QWidget

from studio.config import load_config
from studio.policy import Bounds
from studio.replay import replay_studio
from studio.store import Store
from tests.stepped import shown
from tests.test_cli import assert_one_line_error, run_cli
from tests.waiting import qt_pause, wait_until
from ui.main_window import MainWindow, open_replay
from ui.replay_chooser import SPEEDS, ReplayChooser


@pytest.mark.slow
def test_a_replay_brings_back_estimates_markers_music_and_eeg(recorded_session, qapp, tmp_path):
    store, sid = recorded_session
    studio, _ = replay_studio(load_config(), store, sid, speed=4.0)
    studio.start()
    window = shown(MainWindow(studio))
    try:
        wait_until(lambda: studio.clock.now() >= 5.0, 10, every=0.1, pause=qt_pause)
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


@pytest.mark.slow  # a 4-second run in real time
def test_a_replay_keeps_the_recorded_bounds_not_the_configured_ones(tmp_path):
    """The operator's bounds of a session (set here on the command line, so unlike the configuration's) are
    the replay's bounds, allowed modes and layers included."""
    store = tmp_path / "studio.sqlite"
    bounds = ["tempo=62:80", "volume=-12", "change=0.5", "modes=minor,dorian", "layers=pad,bass"]
    done = run_cli(
        "run", "--demo", "--headless", "--audio", "silent", "--duration", "4", "--store", str(store),
        *(arg for b in bounds for arg in ("--bound", b)),
        timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    sid = json.loads(done.stdout.splitlines()[0])["session_id"]
    config = load_config()
    studio, _ = replay_studio(config, store, sid, speed=1.0)
    studio.stop()
    recorded = Bounds(62.0, 80.0, -12.0, 0.5, ("minor", "dorian"), frozenset({"pad", "bass"}))
    assert config.bounds != recorded
    assert studio.loop.bounds == recorded


@pytest.mark.slow
def test_the_replay_chooser_lists_sessions_and_opens_one_without_blocking(recorded_session, qapp):
    store, sid = recorded_session
    database = Store.open(store, create=False)
    stale = replace(database.sessions()[0], id=99)  # listed, then gone: the list is older than the database
    opened: list[MainWindow] = []
    errors: list[str] = []
    parent = QWidget()
    config = load_config()

    def open_one(session_id: int, speed: float) -> MainWindow:
        window = open_replay(config, store, session_id, speed)
        opened.append(window)
        return window

    chooser = ReplayChooser(parent, lambda: [*database.sessions(), stale], open_one, errors.append)
    chooser.show()
    assert not chooser.isModal()
    assert chooser.table.rowCount() == 2 and chooser.table.item(0, 0).text() == "99"  # newest first
    chooser.table.selectRow(1)
    assert [chooser.table.item(1, c).text() for c in (0, 3, 4)] == [str(sid), "P01", "completed"]
    assert chooser.table.item(1, 2).text() == "0:06"
    chooser.speed.setCurrentIndex(SPEEDS.index(4.0))
    chooser.replay_button.click()
    assert len(opened) == 1 and chooser.isVisible()
    window = opened[0]
    try:
        assert window.windowTitle().endswith(f"replay of session {sid} at 4x")
        wait_until(lambda: window.studio.clock.now() > 2.5, 5, pause=qt_pause)  # it plays on
    finally:
        window.close()
    chooser.table.selectRow(0)
    chooser.replay_button.click()
    assert len(opened) == 1 and [e[: e.index(" in ")] for e in errors] == ["Replay of session 99: no session 99"]
    chooser.close()
    database.close()


def test_the_replay_chooser_says_when_there_is_nothing_to_replay(qapp, tmp_path):
    parent = QWidget()
    chooser = ReplayChooser(parent, list, print, print)
    assert chooser.table.rowCount() == 0 and not chooser.replay_button.isEnabled()
    assert chooser.empty.text() == "No recorded sessions in this database yet."
