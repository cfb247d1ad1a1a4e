"""Replaying a real recorded session as a read-only player: play, pause, seek and speed on a timeline; what was
recorded shown at the playhead; the session's music only when asked; a session still recording refused in one
line, in the console and on the command line."""

import os
import socket
from dataclasses import replace

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget

from studio.config import load_config
from studio.kernel.errors import UsageError
from studio.music.backend import Backend
from studio.music.params import MusicParams
from studio.replay import MusicFollower, Playback, load_recorded
from studio.store import Consent, Store, StoreError, utc_now
from tests.test_cli import assert_one_line_error, run_cli
from tests.waiting import qt_pause, wait_until
from ui.replay import ReplayWindow, open_replay
from ui.replay_chooser import SPEEDS, ReplayChooser


class FakeTime:
    """Wall seconds that move only when told."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_playback_plays_pauses_seeks_and_changes_speed_and_stops_at_the_end():
    wall = FakeTime()
    playback = Playback(60.0, speed=2.0, now=wall)
    heard: list[bool] = []
    playback.subscribe(lambda: heard.append(playback.playing))
    assert playback.position == 0.0 and not playback.playing
    playback.play()
    wall.now += 5.0
    assert playback.position == 10.0  # 2x
    playback.pause()
    wall.now += 5.0
    assert playback.position == 10.0
    playback.seek(30.0)
    playback.set_speed(4.0)
    playback.play()
    wall.now += 2.5
    assert playback.position == 40.0
    playback.seek(-3.0)
    assert playback.position == 0.0 and playback.playing
    wall.now += 100.0
    assert playback.position == 60.0 and not playback.playing  # it stops at the end
    playback.play()  # and plays from the start again
    assert playback.position == 0.0
    assert heard == [True, False, False, False, True, True, True]
    with pytest.raises(UsageError, match=r"between 0\.1 and 32"):
        playback.set_speed(100.0)


@pytest.mark.slow  # the player plays on its own clock
def test_the_player_shows_the_recording_at_the_playhead_and_plays_music_only_when_asked(recorded_session, qtbot):
    store, sid = recorded_session
    recorded = load_recorded(store, sid)

    class Sink:
        backend = Backend("silent", "silent: a test sink")

        def __init__(self) -> None:
            self.applied: list[MusicParams] = []
            engines.append(self)

        def start(self) -> None: ...

        def stop(self) -> None: ...

        def apply(self, params: MusicParams) -> None:
            self.applied.append(params)

    engines: list[Sink] = []

    window = ReplayWindow(recorded, 1.0, Sink)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    assert QTest.qWaitForWindowActive(window)
    assert window.badge.text() == "REPLAY" and "client withheld" in window.about.text()
    assert "P01" not in window.windowTitle() and not engines  # no client named, nothing plays
    window.timeline.setFocus()
    middle = QPoint(window.timeline.width() // 2, window.timeline.height() // 2)
    QTest.mouseClick(window.timeline, Qt.MouseButton.LeftButton, pos=middle)
    half = window.playback.position
    assert abs(half - recorded.length / 2) < 0.3
    QTest.keyClick(window.timeline, Qt.Key.Key_Left)
    assert window.playback.position == pytest.approx(max(0.0, half - 5.0))
    window.playback.seek(3.0)
    window.refresh()
    v, a, _ = recorded.affect_at(3.0)
    x, y = window.plane.dot.getData()
    assert (x[-1], y[-1]) == (v, a)
    assert "last marker: eyes closed at 0:02" in window.now.text()  # set at 1.5 s
    assert window.position.text() == "0:03 / 0:06"

    window.hear.setChecked(True)
    window.refresh()
    [sink] = engines
    assert sink.applied[-1] == recorded.params_at(3.0) and window.follower is not None
    QTest.keyClick(window, Qt.Key.Key_Space)
    assert window.playback.playing and window.play_button.text().startswith("Pause")
    wait_until(lambda: window.playback.position > 4.0, 5, every=0.1, pause=qt_pause)
    window.hear.setChecked(False)
    assert window.follower is None

    QTest.keyClick(window, Qt.Key.Key_F9)  # a kiosk for the room: the REPLAY badge, no operator controls
    assert window.presenting and window.isFullScreen() and window.badge.isVisible()
    assert not window.controls.isVisible() and not window.timeline.isVisible() and window.plane.isVisible()
    assert window.badge.font().pixelSize() >= 28 or window.badge.fontInfo().pixelSize() >= 28
    QTest.keyClick(window, Qt.Key.Key_Escape)
    assert not window.presenting and not window.isFullScreen() and window.controls.isVisible()


def test_a_follower_sends_each_recorded_setting_once(recorded_session):
    store, sid = recorded_session
    recorded = load_recorded(store, sid)
    sent: list[MusicParams] = []

    class Sink:
        def apply(self, params: MusicParams) -> None:
            sent.append(params)

        def set_ceiling(self, dbfs: float) -> None: ...

    follower = MusicFollower(recorded, Sink())
    for t in (0.5, 0.5, 0.5):
        follower.step(t)
    assert len(sent) == 1 and sent[0].layers  # the layers come from the recorded start


def running_session(store_path) -> int:
    """A session another live process is recording now (this test's process, with a fresh heartbeat)."""
    store = Store.open(store_path)
    sid = store.begin_session(utc_now(), {}, Consent(), None)
    store.db.execute(
        "UPDATE sessions SET pid = ?, host = ?, heartbeat_utc = ? WHERE id = ?",
        (os.getpid(), socket.gethostname(), utc_now(), sid),
    )
    store.db.commit()
    store.close()
    return sid


def test_replaying_a_missing_or_running_session_fails_in_one_line(recorded_session, tmp_path):
    store, _ = recorded_session
    assert_one_line_error(run_cli("--replay", "99", "--store", str(store)), "no session 99")
    assert_one_line_error(run_cli("--replay", "1", "--replay-speed", "100", "--store", str(store)), "--replay-speed")
    live = tmp_path / "live.sqlite"
    sid = running_session(live)
    result = run_cli("--replay", str(sid), "--store", str(live), env={"QT_QPA_PLATFORM": "offscreen"})
    assert_one_line_error(result, f"session {sid} is still recording", "once it has ended")
    fresh = running_session(live)  # a heartbeat older than 5 s would call the first one interrupted by now
    with pytest.raises(StoreError, match="still recording"):
        load_recorded(live, fresh)


@pytest.mark.slow  # the player plays on its own clock
def test_the_replay_chooser_lists_sessions_and_opens_a_player_without_blocking(recorded_session, qapp):
    store, sid = recorded_session
    database = Store.open(store, create=False)
    stale = replace(database.sessions()[0], id=99)  # listed, then gone: the list is older than the database
    opened: list[ReplayWindow] = []
    errors: list[str] = []
    parent = QWidget()
    config = replace(load_config(), audio_backend="silent")

    def open_one(session_id: int, speed: float) -> ReplayWindow:
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
        assert window.windowTitle().endswith(f"REPLAY of session {sid}") and window.playback.speed == 4.0
        wait_until(lambda: window.playback.position > 2.5, 5, every=0.1, pause=qt_pause)  # it plays on
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
