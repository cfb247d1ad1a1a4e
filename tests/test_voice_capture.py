"""The real capture path: PyAudio reading a PulseAudio null sink's monitor while a known WAV plays into it. Real
devices in real time: every test here is slow."""

from __future__ import annotations

import numpy as np
import pytest

from sensors.base import State
from sensors.microphone import MicrophoneFeed
from sensors.voice import VoiceSource
from sensors.voice_file import analyse_wav
from sensors.wav_input import read_wav
from studio.kernel.clock import SessionClock
from studio.kernel.streams import StreamHub
from tests.virtual_mic import client_env, play, pulse_server
from tests.waiting import step_live, wait_until

pytestmark = pytest.mark.slow
RATE, BLOCK = 16000, 512


def flowing(feed: MicrophoneFeed):
    return lambda: feed.health.state is State.OK and feed._ring is not None and feed._ring.last_write_t is not None


def best_alignment(captured: np.ndarray, reference: np.ndarray) -> tuple[float, int]:
    """Median |F0 difference| (Hz) over frames voiced in both, at the frame offset where it is smallest, and
    how many frames that is; the capture starts at an unknown moment before the file."""
    best = (np.inf, 0)  # no offset with enough frames voiced in both: fails the caller's checks
    for lag in range(captured.size - reference.size + 1):
        seg = captured[lag : lag + reference.size]
        both = (seg > 0) & (reference > 0)
        if both.sum() >= 0.8 * (reference > 0).sum():
            best = min(best, (float(np.median(np.abs(seg[both] - reference[both]))), int(both.sum())))
    return best


@pytest.fixture
def pulse(tmp_path):
    with pulse_server(tmp_path / "pulse") as env, client_env(env):
        yield env


def test_captured_f0_matches_the_file_analysis(pulse, reference_data):
    wav = reference_data / "speech" / "fda_ue_pitch_reference" / "sb001.wav"
    clock, hub = SessionClock(), StreamHub()
    feed = MicrophoneFeed(None, RATE, BLOCK, clock.now)
    source = VoiceSource(feed)
    source.open(hub)
    try:
        step_live(source, clock, flowing(feed), 15)
        player = play(wav, pulse)
        step_live(source, clock, lambda: player.poll() is not None, 20)
        end = clock.now() + 0.5
        step_live(source, clock, lambda: clock.now() > end, 5)
    finally:
        source.close()
    assert player.returncode == 0
    captured = hub.get("voice.prosody").last(1e9).column(0)
    reference = analyse_wav(read_wav(wav)).f0_hz
    median_diff, frames = best_alignment(captured, reference)
    assert frames >= 0.8 * (reference > 0).sum()  # most of the file's voiced frames are voiced in the capture
    assert median_diff <= 2.0, (median_diff, frames)
    assert source.status.state is State.DOWN and source.status.detail == "stopped"


def test_a_vanishing_device_is_a_status_with_retry_and_comes_back(tmp_path):
    clock, hub = SessionClock(), StreamHub()
    feed = MicrophoneFeed(None, RATE, BLOCK, clock.now)
    source = VoiceSource(feed)
    source.open(hub)
    runtime = tmp_path / "pulse"
    try:
        with pulse_server(runtime) as env, client_env(env):
            step_live(source, clock, flowing(feed), 15)
            assert source.status.backend == "microphone"
        # the sound server is gone: the stream stops delivering
        step_live(source, clock, lambda: source.status.state is State.DOWN, 15)
        assert "retrying" in source.status.detail
        with pulse_server(runtime) as env, client_env(env):
            step_live(source, clock, lambda: feed.health.state is State.OK and feed._stream is not None, 20)
            step_live(source, clock, flowing(feed), 15)
    finally:
        source.close()


def test_input_overflow_is_shown_and_the_analysis_restarts(pulse):
    clock, hub = SessionClock(), StreamHub()
    feed = MicrophoneFeed(None, RATE, BLOCK, clock.now, ring_s=0.1)
    source = VoiceSource(feed)
    source.open(hub)
    try:
        step_live(source, clock, flowing(feed), 15)
        behind = clock.now()  # the worker falls behind: more than twice the 0.1 s ring arrives unread
        wait_until(lambda: feed._ring.last_write_t > behind + 2 * feed.ring_s, 5, "no input arrives")
        step_live(source, clock, lambda: "input overflow" in source.status.detail, 1)  # on the next feature update
        assert source.status.state is State.DEGRADED
        assert "input overflow" in source.status.detail and "lost" in source.status.detail
    finally:
        source.close()


def test_a_device_index_that_does_not_exist_is_a_status_not_a_crash(pulse):
    clock, hub = SessionClock(), StreamHub()
    source = VoiceSource(MicrophoneFeed(99, RATE, BLOCK, clock.now))
    source.open(hub)
    source.step(clock.now())
    source.step(clock.now() + 0.2)
    assert source.status.state is State.DOWN
    assert "no input device with index 99" in source.status.detail
    assert "retrying" in source.status.detail
    source.close()
