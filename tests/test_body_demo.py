"""The demo's body channel: the demo person's synthesised body, healthy by its real checks, with training faults."""

import json
from pathlib import Path

import numpy as np
import pytest

from fusion.cardiac import beat_times, heart_rate_bpm
from fusion.quality import Quality
from sensors.base import State
from sensors.body_demo import DROPOUT_AFTER, DemoBoard, parse_faults
from sensors.body_listener import FS, REST_EDA_US, REST_HR_BPM, REST_SCR_PER_MIN, ListenerBoard, resting_profile
from sensors.body_pipeline import HEART_WINDOW
from sensors.body_settings import BodySettings
from sensors.body_sources import BodySourceError, make_body_channel
from sensors.person import resting
from studio.kernel.clock import ManualClock, SessionClock
from studio.kernel.streams import StreamHub
from tests.test_cli import assert_one_line_error, run_cli

NO_PROFILES = Path("/nonexistent/boards.toml")
LABEL = "virtual listener's body (synthesised EEG, PPG, EDA)"


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
    assert body["state"] == "ok" and body["detail"].startswith(f"{LABEL} streaming at 250 Hz")


@pytest.mark.slow  # a 4-second run in real time
def test_each_demo_fault_shows_its_own_status(tmp_path):
    body = demo_run(tmp_path, "--demo-faults", "line-noise,railed,flat,noisy")
    assert body["state"] == "degraded"
    # exactly these four, judged by the real quality check on the synthesised samples
    assert body["detail"] == "4 of 16 channels unusable: C3 line noise, C4 noisy, Pz railed, Oz flat"


def test_the_demo_body_has_the_synthetic_boards_montage_with_heart_and_skin():
    clock = ManualClock()
    board = DemoBoard(ListenerBoard(clock, resting, 0.0), clock, 50.0)
    layout = board.connect()
    assert layout.fs == 250.0 and len(layout.columns("eeg")) == 16
    assert layout.names[:3] == ("Fz", "C3", "Cz") and layout.columns("ppg") and layout.columns("eda")
    t, data = board.read()
    assert t.size == 0
    clock.advance(2.0)
    t, data = board.read()
    assert t.size == 500 and data.shape == (500, 18) and np.all(np.isfinite(data))
    assert np.diff(t) == pytest.approx(np.full(499, 1 / 250))  # stamped at the board's rate on the session clock


def test_a_dropout_takes_the_channel_down_and_it_resumes():
    hub, clock = StreamHub(), ManualClock()
    channel = make_body_channel(BodySettings(demo_faults=("dropout",)), clock, NO_PROFILES, demo=True)
    gaps: list[str] = []
    channel.on_gap = gaps.append
    channel.open(hub)
    states = []
    try:
        assert channel.status.detail == f"{LABEL} (demo faults: dropout) streaming at 250 Hz"
        while len(gaps) < 2 and clock.now() < DROPOUT_AFTER + 8:
            channel.step(clock.advance(channel.period))
            states.append((channel.status.state, channel.status.detail))
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


def test_the_demo_persons_resting_profile_reads_the_rest_it_was_made_from():
    # Measured through the real body pipeline: a profile that counted the first, half-empty EDA windows read
    # 1.7 responses a minute where the person makes 3, so a person at rest read as aroused by the body channel.
    rest = resting_profile(BodySettings())
    assert abs(rest["eda_responses_per_min_mean"] - REST_SCR_PER_MIN) < 0.3
    assert abs(rest["heart_rate_bpm_mean"] - REST_HR_BPM) < 1.0 and abs(rest["eda_tonic_mean"] - REST_EDA_US) < 0.1


@pytest.mark.parametrize("bpm", [50.0, 63.0, 70.0, 90.0])
def test_the_demo_pulse_wave_reads_at_its_own_rate_through_the_real_beat_detector(bpm):
    # A calm person's heart slows below 67 bpm; a diastolic wave placed at a fixed share of the beat then fell
    # outside the detector's refractory period, was counted as a beat, and read a calm person as aroused.
    board = ListenerBoard(SessionClock(), resting, 0.0)
    t = np.arange(round(HEART_WINDOW * FS)) / FS
    ppg = board.samples(t, board.physiology.targets(0.0, 0.0) | {"heart_rate_bpm": bpm})[:, -2]
    assert abs(heart_rate_bpm(beat_times(ppg, FS, "ppg"), HEART_WINDOW) - bpm) < 1.5
