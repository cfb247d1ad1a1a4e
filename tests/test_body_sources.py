"""The body channel on real sources: BrainFlow's synthetic and playback boards, replayed files, LSL on loopback."""

import gc
import json
import sqlite3
import subprocess
import sys
import uuid
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from brainflow.board_shim import BoardShim
from brainflow.data_filter import DataFilter

from fusion.quality import Quality
from sensors.base import State
from sensors.board_backend import BoardBackend
from sensors.boards import BoardConfig
from sensors.body_channel import BodyChannel
from sensors.body_settings import BodySettings
from sensors.body_sources import make_body_channel
from studio.kernel.clock import ManualClock, SessionClock
from studio.kernel.streams import StreamHub
from tests.stepped import TICK, ticks_until
from tests.waiting import step_live, wait_until

NO_PROFILES = Path("/nonexistent/boards.toml")


def opened(source: str, hub: StreamHub, clock: SessionClock, **settings) -> BodyChannel:
    channel = make_body_channel(BodySettings(source=source, **settings), clock, NO_PROFILES, demo=False)
    channel.open(hub)
    return channel


@pytest.mark.slow  # BrainFlow's synthetic board streams in real time
def test_synthetic_board_gives_eeg_physiology_features_and_affect():
    hub, clock = StreamHub(), SessionClock()
    channel = opened("synthetic", hub, clock)
    try:
        assert channel.status.state is State.OK and channel.backend == "synthetic"
        channel.calibrate(1.0)  # the calibration contract: a resting profile from the next second of windows
        assert "calibrating (1 s left)" in channel.status.detail and channel.baseline() is None
        windows = lambda: len(hub.get("body.band_relative").last(100)) if "body.band_relative" in hub else 0  # noqa: E731
        step_live(channel, clock, lambda: channel.baseline() is not None and windows() >= 4, 10)
        baseline = channel.baseline()
        assert baseline is not None and "log_engagement_mean" in baseline and "calibrating" not in channel.status.detail
        channel.load_baseline(baseline)
        assert channel.baseline() == baseline
    finally:
        channel.close()
    eeg = hub.get("body.eeg").last(100)
    assert eeg.values.shape[1] == 16 and len(eeg) > 250 * 2.5
    assert -0.5 < eeg.t[-1] - clock.now() < 0.5  # BrainFlow's stamps land on the session clock
    assert np.all(np.diff(eeg.t) >= 0)
    assert len(hub.get("body.ppg").last(100)) == len(eeg) and "body.eda" in hub
    rel = hub.get("body.band_relative").last(100)
    assert len(rel) >= 4  # four windows a second once the first 2 s are in
    assert rel.values.sum(axis=1) == pytest.approx(np.ones(len(rel)), abs=1e-6)
    quality = hub.get("body.quality").latest()[1]
    names = hub.get("body.quality").fields
    assert quality[names.index("F7")] == Quality.LINE_NOISE  # BrainFlow's synthetic F7 is a pure 50 Hz sine
    features = dict(zip(hub.get("body.features").fields, hub.get("body.features").latest()[1], strict=True))
    assert 0 <= features["mindfulness"] <= 1 and 0 <= features["restfulness"] <= 1
    assert np.isfinite(features["asymmetry"]) and np.isfinite(features["log_engagement"])
    affect = hub.get("affect.body").last(100)
    assert len(affect) == len(rel) and 0 < affect.values[:, 2].max() <= 0.45
    assert channel.status.state is State.DOWN  # closed


def test_a_board_that_does_not_answer_says_why_and_is_retried_with_backoff():
    hub, clock = StreamHub(), SessionClock()
    channel = BodyChannel(BoardBackend(BoardConfig(board_id=0, serial_port="/dev/ttyDOESNOTEXIST"), clock), clock)
    channel.open(hub)
    assert channel.status.state is State.DOWN
    assert "cyton_board did not start" in channel.status.detail and "retrying in 1 s" in channel.status.detail
    channel.step(0.5)  # not yet due
    channel.step(1.5)  # second attempt, then twice as long to wait
    assert "retrying in 2 s" in channel.status.detail
    channel.close()
    missing = BodyChannel(BoardBackend(BoardConfig(board_id=0), clock), clock)
    missing.open(hub)
    assert "cyton_board needs serial_port" in missing.status.detail
    missing.close()


@pytest.mark.slow  # BrainFlow's synthetic board streams in real time
def test_a_board_that_stops_is_reported_marked_and_reconnected():
    hub, clock = StreamHub(), SessionClock()
    channel = opened("synthetic", hub, clock)
    gaps: list[str] = []
    channel.on_gap = gaps.append
    try:
        step_live(channel, clock, lambda: len(hub.get("body.eeg").last(10)) > 0, 5)
        assert isinstance(channel.source, BoardBackend) and channel.source.board is not None
        channel.source.board.stop_stream()  # the headset stops sending; BrainFlow's session stays open
        channel.step(clock.now())  # the last samples before the stop
        stalled = clock.now() + 2.1  # step as if 2.1 s had passed without a sample
        channel.step(stalled)
        assert channel.status.state is State.DOWN and "no samples for 2 s" in channel.status.detail
        assert len(gaps) == 1 and "reconnecting" in gaps[0]
        channel.step(stalled + 1.0)  # the first retry is due after 1 s: a new BrainFlow session starts
        assert channel.status.state is State.OK
        count = hub.get("body.eeg").count
        step_live(channel, clock, lambda: len(gaps) == 2, 3.0)
        assert hub.get("body.eeg").count > count  # streaming resumed in the same streams
        assert len(gaps) == 2 and "streaming resumed" in gaps[1]
    finally:
        channel.close()


@pytest.mark.slow  # BrainFlow's synthetic board streams in real time
def test_a_released_board_collected_late_leaves_a_newer_session_of_the_same_board_alone():
    """BrainFlow keys sessions by board and parameters: the finaliser of a released BoardShim that was freed
    late (from a reference cycle) released the reconnected synthetic board, which then failed every read with
    BOARD_NOT_CREATED (the demo's dropout fault showed it)."""
    clock = SessionClock()
    old = BoardBackend(BoardConfig(), clock)
    old.connect()
    late = old.board  # still referenced after its release, as by a frame in a reference cycle
    old.disconnect()
    new = BoardBackend(BoardConfig(), clock)
    new.connect()
    try:
        del late
        gc.collect()
        assert new.board is not None and new.board.is_prepared()
        wait_until(lambda: new.read()[0].size > 0, 5, "the newer session delivers no samples")
    finally:
        new.disconnect()


def write_brainflow_csv(path: Path, seconds: float, nan_rows: tuple[int, ...] = ()) -> None:
    """A BrainFlow CSV file in the synthetic board's layout: EEG channel k is a sine at 2 + k Hz."""
    fs = BoardShim.get_sampling_rate(-1)
    n = int(seconds * fs)
    table = np.zeros((BoardShim.get_num_rows(-1), n))
    t = np.arange(n) / fs
    for k, row in enumerate(BoardShim.get_eeg_channels(-1)):
        table[row] = 20 * np.sin(2 * np.pi * (2 + k) * t) + np.random.default_rng(k).normal(0, 2, n)
    table[BoardShim.get_timestamp_channel(-1)] = 1.7e9 + t
    for row in nan_rows:
        table[row, ::50] = np.nan
    DataFilter.write_file(table, str(path), "w")


@pytest.mark.slow  # BrainFlow's playback board streams in real time
def test_playback_board_replays_a_brainflow_csv_with_nan_samples(tmp_path):
    path = tmp_path / "session.csv"
    write_brainflow_csv(path, 5.0, nan_rows=(2,))  # C3 loses every 50th sample
    hub, clock = StreamHub(), SessionClock()
    channel = opened(f"playback:{path}@synthetic", hub, clock)
    try:
        assert channel.backend == "playback"
        step_live(channel, clock, lambda: "affect.body" in hub and len(hub.get("affect.body").last(9)) > 1, 10)
        assert channel.status.state is State.DEGRADED and "C3 railed" in channel.status.detail
    finally:
        channel.close()
    eeg = hub.get("body.eeg")
    assert np.isnan(eeg.last(100).values[:, 1]).any()  # kept as gaps for the traces
    quality = hub.get("body.quality").latest()[1]
    assert quality[1] == Quality.RAILED and quality[0] == Quality.OK
    power = hub.get("body.band_power").latest()[1]
    assert np.isfinite(power).all()


def test_recorded_files_replay_as_live_sources(reference_data, tmp_path):
    hub, clock = StreamHub(), ManualClock()
    path = reference_data / "physio/wfdb_challenge2015_a103l/a103l.hea"
    channel = opened(f"file:{path}", hub, clock)
    try:
        assert channel.status.state is State.OK and "a103l.hea streaming at 250 Hz" in channel.status.detail
        for _ in range(round(0.3 / TICK)):
            channel.step(clock.advance(TICK))
    finally:
        channel.close()
    assert "body.ecg" in hub and "body.ppg" in hub and "body.eeg" not in hub
    assert len(hub.get("body.ecg").last(10)) >= 0.2 * 250
    cut = tmp_path / "cut.txt"  # a BioSPPy text file cut in the middle of its last line
    cut.write_bytes((reference_data / "physio/biosppy_examples/ppg.txt").read_bytes()[:70000])
    channel = opened(f"file:{cut}", StreamHub(), clock)
    status = channel.status.detail
    channel.close()
    assert status.startswith("file cut.txt (its last line (line 9992) has no line end, so it may be cut short")
    broken = make_body_channel(BodySettings(source="file:/nonexistent/x.edf"), clock, NO_PROFILES, demo=False)
    broken.open(StreamHub())
    assert broken.status.state is State.DOWN and "x.edf: no such file" in broken.status.detail


def test_every_xdf_example_file_replays_as_the_body_source(reference_data):
    """The 1 Hz counter of empty_streams.xdf (and minimal.xdf's 10 Hz) stream with a clear status, no EEG
    features and no exception (the 1 Hz stream raised ZeroDivisionError in its first feature window)."""
    clock = ManualClock()
    files = sorted((reference_data / "eeg/xdf_example_files").glob("*.xdf"))
    channels = {f.name: opened(f"file:{f}", StreamHub(), clock) for f in files}
    try:
        assert all(c.status.state is State.OK for c in channels.values())

        def windows() -> bool:
            for channel in channels.values():
                channel.step(clock.now())
            return all(c.pipeline is not None and c.pipeline.features.count > 1 for c in channels.values())

        ticks_until(windows, 10, lambda: clock.advance(TICK))
        status = {name: c.status for name, c in channels.items()}
    finally:
        for channel in channels.values():
            channel.close()
    assert status["clock_resets.xdf"].state is State.OK, status["clock_resets.xdf"].detail
    for name, rate in (("empty_streams.xdf", 1), ("minimal.xdf", 10)):
        assert status[name].state is State.DEGRADED
        assert f"EEG sampled at {rate} Hz: band powers need at least 26 Hz; no EEG features" in status[name].detail


PUBLISHER = """
import sys, time, numpy as np, pylsl
info = pylsl.StreamInfo(sys.argv[1], "EEG", 4, 250.0, "float32", sys.argv[1])
channels = info.desc().append_child("channels")
for label in ("F3", "F4", "O1", "O2"):
    ch = channels.append_child("channel"); ch.append_child_value("label", label); ch.append_child_value("type", "EEG")
outlet = pylsl.StreamOutlet(info)
k = 0
end = time.monotonic() + float(sys.argv[2])
while time.monotonic() < end:
    t = (k + np.arange(25)[:, None]) / 250.0
    outlet.push_chunk((20 * np.sin(2 * np.pi * 10 * t) * np.array([1, 2, 1, 1])).astype(np.float32).tolist())
    k += 25
    time.sleep(0.1)
"""


@pytest.mark.slow  # a real LSL stream from another process, in real time
def test_an_lsl_eeg_stream_from_another_process_is_the_body_source():
    name = f"studio-test-{uuid.uuid4().hex[:8]}"
    publisher = subprocess.Popen([sys.executable, "-c", PUBLISHER, name, "30"])
    hub, clock = StreamHub(), SessionClock()
    gaps: list[str] = []
    try:
        channel = opened(f"lsl:{name}", hub, clock)
        channel.on_gap = gaps.append
        step_live(channel, clock, lambda: "affect.body" in hub and len(hub.get("affect.body").last(60)) > 2, 6.0)
        assert channel.backend == "lsl" and channel.status.state is not State.DOWN, channel.status
        eeg = hub.get("body.eeg")
        assert eeg.fields == ("F3", "F4", "O1", "O2")
        window = eeg.last(1.0)
        assert np.abs(window.values[:, 1]).max() == pytest.approx(40.0, rel=0.05)
        assert -1.0 < window.t[-1] - clock.now() < 0.5  # LSL stamps mapped onto the session clock
        features = dict(zip(hub.get("body.features").fields, hub.get("body.features").latest()[1], strict=True))
        assert features["asymmetry"] == pytest.approx(np.log(4.0), abs=0.1)  # F4 has twice F3's amplitude
        publisher.kill()
        publisher.wait()
        step_live(channel, clock, lambda: channel.status.state is State.DOWN, 4.0)
        assert "no samples for 2 s" in channel.status.detail and gaps and "LSL stream" in gaps[0]
        channel.close()
    finally:
        publisher.kill()
        publisher.wait()


@pytest.mark.slow  # a real LSL stream from another process, in real time
def test_an_eeg_stream_that_appears_after_the_start_is_recorded(tmp_path):
    """The headset is switched on after the session started: its streams are made late, and recorded."""
    from studio.app import Studio
    from studio.config import load_config

    name = f"studio-late-{uuid.uuid4().hex[:8]}"
    config = load_config()
    config = replace(config, audio_backend="silent", body=replace(config.body, source=f"lsl:{name}"))
    studio = Studio(config, demo=True, store=tmp_path / "late.sqlite")
    studio.start()
    publisher = None
    try:
        body = lambda: studio.statuses()["body"]  # noqa: E731
        wait_until(lambda: "retrying in 2 s" in body().detail, 5, body)  # it looked, then looked again
        assert body().state is State.DOWN and "body.eeg" not in studio.hub
        publisher = subprocess.Popen([sys.executable, "-c", PUBLISHER, name, "60"])
        recorded = lambda: "body.eeg" in studio.hub and len(studio.hub.get("body.eeg").last(60)) >= 750  # noqa: E731
        wait_until(recorded, 30, body, every=0.2)
        live = len(studio.hub.get("body.eeg").last(600))
    finally:
        studio.stop()
        if publisher is not None:
            publisher.kill()
            publisher.wait()
    db = sqlite3.connect(tmp_path / "late.sqlite")
    (recorded,) = db.execute("SELECT SUM(n) FROM samples WHERE stream = 'body.eeg'").fetchone()
    assert recorded >= live  # every sample since the stream appeared (and those of the last moments)
    fields = dict(db.execute("SELECT stream, fields FROM stream_fields").fetchall())
    assert json.loads(fields["body.eeg"]) == ["F3", "F4", "O1", "O2"]
    assert "body.band_power" in fields and "face.blendshapes" in fields
    (features,) = db.execute("SELECT COUNT(*) FROM features WHERE stream = 'body.band_power'").fetchone()
    assert features > 0


def test_studio_marks_body_gaps_in_the_session(tmp_path):
    from studio.app import Studio
    from studio.config import load_config

    studio = Studio(load_config(), demo=True, store=None)
    body = studio.sources["body"]
    assert isinstance(body, BodyChannel)
    body.on_gap("body: no samples for 2 s (synthetic_board) since 3.0 s; reconnecting")
    assert studio.markers.last(1)[0].source == "body"
