"""The voice channel as the session runs it: feeds, calibration, baseline, status."""

from __future__ import annotations

import numpy as np
import pytest

from sensors.base import State
from sensors.voice import ScriptedVoice, VoiceSource
from sensors.voice_file import analyse_wav
from sensors.wav_input import WavFeed, read_wav
from studio.kernel.clock import ManualClock
from studio.kernel.streams import StreamHub


def run(source: VoiceSource, seconds: float, clock: ManualClock | None = None, hub: StreamHub | None = None):
    clock = clock or ManualClock()
    hub = hub or StreamHub()
    if source.prosody is None:
        source.open(hub)
    for _ in range(int(seconds / source.period)):
        source.step(clock.advance(source.period))
    return clock, hub


def test_a_wav_file_replays_through_exactly_the_same_analysis(reference_data):
    path = reference_data / "speech" / "fda_ue_pitch_reference" / "rl002.wav"
    audio = read_wav(path)
    source = VoiceSource(WavFeed(audio, path.name))
    _, hub = run(source, audio.duration_s + 0.5)
    rows = hub.get("voice.prosody").last(1e9)
    assert np.array_equal(rows.values[:, 0], analyse_wav(audio).f0_hz)
    assert rows.t[0] == pytest.approx(source.period)  # stamped from when the file started playing
    assert source.status.state is State.DEGRADED and "ended" in source.status.detail
    features = hub.get("voice.features").last(1e9)
    assert len(features) >= 10 * audio.duration_s - 1  # at least 10 updates a second
    assert np.diff(features.t).max() <= 0.15


def test_the_scripted_voice_is_audio_through_the_analysis():
    source = ScriptedVoice()
    _, hub = run(source, 12.0)
    prosody = hub.get("voice.prosody").last(12.0)
    voiced = prosody.values[:, 0] > 0
    assert 0.3 < voiced.mean() < 0.7
    assert 150 < np.median(prosody.values[voiced, 0]) < 260  # the scripted contour around 190 Hz
    affect = hub.get("affect.voice").last(12.0).values
    assert affect[:, 2].min() == 0.0 and affect[:, 2].max() > 0.5
    assert source.baseline() is not None  # the first seconds of speech became the baseline


def test_operator_calibration_then_a_stored_baseline_is_reused():
    source = ScriptedVoice()
    clock, hub = run(source, 1.0)
    source.calibrate(3.0)
    run(source, 0.5, clock, hub)
    assert "calibrating" in source.status.detail
    run(source, 4.0, clock, hub)
    stored = source.baseline()
    assert stored is not None and "calibrating" not in source.status.detail
    assert 150 < stored["f0_median_hz"] < 260
    again = ScriptedVoice()
    again.load_baseline(stored)
    assert again.baseline() == stored
    run(again, 2.0)
    assert "calibrating" not in again.status.detail
    with pytest.raises(ValueError, match="above 0"):
        source.calibrate(0)
    with pytest.raises(ValueError, match="missing"):
        again.load_baseline({"f0_median_hz": 100.0})
