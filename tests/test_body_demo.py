"""The demo's body channel: healthy by its real checks, and training faults on the real synthetic samples."""

import json
from pathlib import Path

import pytest

from fusion.quality import Quality
from sensors.base import State
from sensors.body_demo import DROPOUT_AFTER, DemoBoard, parse_faults
from sensors.body_settings import BodySettings
from sensors.body_sources import BodySourceError, make_body_channel
from studio.kernel.clock import SessionClock
from studio.kernel.streams import StreamHub
from tests.test_cli import assert_one_line_error, run_cli
from tests.waiting import wait_until

NO_PROFILES = Path("/nonexistent/boards.toml")


def demo_run(tmp_path: Path, *options: str) -> dict[str, str]:
    """A real 4-second headless demo session; the body channel's status at its end."""
    result = run_cli(
        "run", "--headless", "--demo", "--audio", "silent", "--duration", "4", "--out", str(tmp_path), *options
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    body: dict[str, str] = json.loads(result.stdout.splitlines()[-1])["channels"]["body"]
    return body


@pytest.mark.slow  # a 4-second run in real time
def test_a_demo_run_shows_a_healthy_body_channel(tmp_path):
    """It always said "body degraded · F7 line noise": the synthetic board's F7 is a pure 50 Hz tone."""
    body = demo_run(tmp_path)
    assert body["state"] == "ok" and body["detail"].startswith("synthetic_board streaming at 250 Hz")


@pytest.mark.slow  # a 4-second run in real time
def test_each_demo_fault_shows_its_own_status(tmp_path):
    body = demo_run(tmp_path, "--demo-faults", "line-noise,railed,flat,noisy")
    assert body["state"] == "degraded"
    # exactly these four, judged by the real quality check on the real synthetic samples
    assert body["detail"].startswith("4 of 15 channels unusable: C3 line noise, C4 noisy, Pz railed, Oz flat ·")


def test_the_demo_montage_leaves_out_only_the_channel_at_the_mains_frequency():
    clock = SessionClock()
    for mains, missing in ((50.0, "F7"), (60.0, "F1")):
        board = DemoBoard(clock, mains)
        try:
            layout = board.connect()
        finally:
            board.disconnect()
        assert len(layout.columns("eeg")) == 15 and missing not in layout.names and "PPG" in layout.names
    board = DemoBoard(clock, 0.0)  # no notch: no line-noise test, every channel shown
    try:
        assert len(board.connect().columns("eeg")) == 16
    finally:
        board.disconnect()


@pytest.mark.slow  # the demo board is BrainFlow's synthetic board, streaming in real time
def test_a_dropout_takes_the_channel_down_and_it_resumes():
    hub, clock = StreamHub(), SessionClock()
    channel = make_body_channel(BodySettings(demo_faults=("dropout",)), clock, NO_PROFILES, demo=True)
    gaps: list[str] = []
    channel.on_gap = gaps.append
    channel.open(hub)
    states = []
    try:
        assert channel.status.detail == "synthetic_board (demo faults: dropout) streaming at 250 Hz"

        def step() -> None:
            channel.step(clock.now())
            states.append((channel.status.state, channel.status.detail))

        wait_until(lambda: len(gaps) >= 2, DROPOUT_AFTER + 8, "two gaps", every=channel.period, between=step)
    finally:
        channel.close()
    down = [detail for state, detail in states if state is State.DOWN]
    assert down and down[0].startswith("no samples for 2 s; reconnecting in 1 s")
    assert len(gaps) == 2 and "reconnecting" in gaps[0] and "streaming resumed" in gaps[1]
    assert states[-1][0] is not State.DOWN
    quality = hub.get("body.quality").latest()[1]
    assert (quality == Quality.OK).all()  # the samples that do arrive are clean


def test_demo_faults_are_checked_and_need_the_demo_board(tmp_path, reference_data):
    assert parse_faults("dropout, flat") == ("flat", "dropout")
    with pytest.raises(ValueError, match="unknown demo fault hum; choose from line-noise, railed"):
        parse_faults("flat,hum")
    result = run_cli("run", "--headless", "--demo", "--demo-faults", "hum", "--out", str(tmp_path))
    assert_one_line_error(result, "--demo-faults hum: unknown demo fault hum")
    video = str(reference_data / "faces/video/single_face.mp4")  # a live input: not demo mode
    result = run_cli("run", "--headless", "--face", video, "--demo-faults", "flat", "--out", str(tmp_path))
    assert_one_line_error(result, "demo faults need the demo's synthetic board; they cannot be used outside demo")
    with pytest.raises(BodySourceError, match="cannot be used with the body source 'lsl:EEG'"):
        make_body_channel(BodySettings(source="lsl:EEG", demo_faults=("flat",)), SessionClock(), NO_PROFILES, True)
