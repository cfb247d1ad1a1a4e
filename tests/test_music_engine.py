"""Music engine tests on real pyo audio: offline renders and live engines, measured with numpy."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from studio.music.backend import (
    PREFERENCES,
    Backend,
    BackendUnavailable,
    choose_backend,
    jack_server,
    output_device,
)
from studio.music.engine import SILENCE_DBFS, MusicEngine
from studio.music.params import LAYERS, MusicParams
from studio.music.render import render
from tests.audio_analysis import (
    dominant_frequency,
    max_step,
    onset_times,
    peak_dbfs,
    read_wav,
    read_wav_channels,
    rms_envelope,
    spectral_centroid,
    tempo_from_onsets,
    to_dbfs,
)

DRY = MusicParams(space=0.0, volume=-6.0)
ALL_LAYERS = frozenset(LAYERS)
BUFFERS_PER_SECOND = 44100 / 256


def only(*layers: str, **changes: Any) -> MusicParams:
    """Dry parameters at -6 dBFS with just the given layers (and any other `changes`)."""
    return replace(DRY, layers=frozenset(layers), **changes)


def rms_dbfs(samples: np.ndarray, sr: int, start: float, stop: float) -> float:
    """RMS level (dBFS) between `start` and `stop` seconds."""
    part = samples[int(start * sr) : int(stop * sr)]
    return to_dbfs(float(np.sqrt(np.mean(part**2))))


@pytest.fixture
def no_jack(monkeypatch: pytest.MonkeyPatch) -> None:
    """Point libjack at a server name nobody runs, so a JACK server elsewhere cannot interfere."""
    monkeypatch.setenv("JACK_DEFAULT_SERVER", f"affect-studio-absent-{os.getpid()}")


@pytest.fixture
def dummy_jack(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A private dummy JACK server (44.1 kHz) for the duration of a test; yields its name."""
    jackd = shutil.which("jackd")
    if jackd is None:
        pytest.fail("jackd is not on PATH; install Debian's jackd2 (the setup does) to test JACK output")
    name = f"affect-studio-test-{os.getpid()}"
    monkeypatch.setenv("JACK_DEFAULT_SERVER", name)
    process = subprocess.Popen(
        [jackd, "-n", name, "-d", "dummy", "-r", "44100", "-p", "256"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10.0
        while jack_server() is None:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"jackd -n {name} -d dummy did not come up (exit code {process.poll()})")
            time.sleep(0.1)
        yield name
    finally:
        process.terminate()
        process.wait(timeout=10)


# ---- backend choice ----


def test_unknown_backend_is_rejected_with_the_allowed_values() -> None:
    with pytest.raises(ValueError, match="bogus") as caught:
        choose_backend("bogus")
    assert all(name in str(caught.value) for name in PREFERENCES)


@pytest.mark.usefixtures("no_jack")
def test_auto_falls_back_to_silent_without_device_or_jack() -> None:
    assert output_device() is None, "this test expects a machine without an audio output device"
    chosen = choose_backend("auto")
    assert chosen.kind == "silent"
    assert "no audio device" in chosen.detail
    with pytest.raises(BackendUnavailable, match="--audio silent"):
        choose_backend("device")
    with pytest.raises(BackendUnavailable, match="JACK"):
        choose_backend("jack")
    assert choose_backend("silent").kind == "silent"


# ---- offline renders ----


def test_limiter_keeps_peaks_under_minus_1_dbfs(tmp_path: Path) -> None:
    loudest = MusicParams(volume=0.0, layers=ALL_LAYERS, brightness=1.0, density=1.0, tension=1.0, space=1.0)
    result = render(loudest, 8.0, tmp_path / "loud.wav")
    channels, _ = read_wav_channels(result.path)
    assert np.all(np.isfinite(channels))
    assert peak_dbfs(channels) < -1.0
    assert peak_dbfs(channels) > -12.0, "the loudest setting should be loud"
    assert result.peak_dbfs == pytest.approx(peak_dbfs(channels), abs=0.05)
    assert result.duration == pytest.approx(8.0, abs=0.01)


def test_render_fades_in(tmp_path: Path) -> None:
    samples, sr = read_wav(render(MusicParams(), 6.0, tmp_path / "start.wav").path)
    assert rms_dbfs(samples, sr, 0.0, 0.1) < rms_dbfs(samples, sr, 4.0, 6.0) - 30.0
    seconds = rms_envelope(samples[: 3 * sr], sr).reshape(3, 20).mean(axis=1)  # 50 ms windows, per second
    assert np.all(np.diff(seconds) > 0.0)


@pytest.mark.parametrize("bpm", [60.0, 90.0, 120.0])
def test_bass_pulse_follows_tempo(tmp_path: Path, bpm: float) -> None:
    samples, sr = read_wav(render(only("bass", tempo=bpm), 12.0, tmp_path / "tempo.wav").path)
    onsets = onset_times(samples[3 * sr :], sr)
    assert len(onsets) == pytest.approx(9.0 * bpm / 60.0, abs=1)
    assert tempo_from_onsets(onsets) == pytest.approx(bpm, rel=0.02)


def test_tempo_change_glides_to_the_new_tempo(tmp_path: Path) -> None:
    faster = [(4.0, only("bass", tempo=120.0))]
    result = render(only("bass", tempo=60.0), 12.0, tmp_path / "glide.wav", changes=faster)
    samples, sr = read_wav(result.path)
    assert tempo_from_onsets(onset_times(samples[7 * sr :], sr)) == pytest.approx(120.0, rel=0.02)
    intervals = np.diff(onset_times(samples[3 * sr :], sr))
    assert np.all(np.diff(intervals) < 0.05), "the beat may only speed up, and gradually"


def test_brightness_raises_spectral_centroid(tmp_path: Path) -> None:
    centroids = []
    for brightness in (0.1, 0.9):
        samples, sr = read_wav(render(only("pad", brightness=brightness), 5.0, tmp_path / "b.wav").path)
        centroids.append(spectral_centroid(samples[3 * sr :], sr))
    assert centroids[1] > 2.0 * centroids[0]


def test_density_sets_the_share_of_pulse_steps(tmp_path: Path) -> None:
    counts = []
    for density in (0.25, 1.0):
        samples, sr = read_wav(render(only("pulse", tempo=60.0, density=density), 12.0, tmp_path / "d.wav").path)
        counts.append(len(onset_times(samples[4 * sr :], sr)))
    assert counts == [4, 16]  # 8 s at 60 BPM = 16 eighth notes: a quarter of them, then all


def test_harmony_changes_wait_for_the_bar_start(tmp_path: Path) -> None:
    # At 72 BPM a bar lasts 3.33 s. Transposing up 5 semitones at 1 s must leave bar 0 on D2 (73.4 Hz);
    # bar 1 (the vi chord, B) then sounds transposed, as E3 (164.8 Hz).
    up = [(1.0, only("bass", register=5.0))]
    samples, sr = read_wav(render(only("bass"), 7.0, tmp_path / "bar.wav", changes=up).path)
    assert dominant_frequency(samples[int(1.5 * sr) : int(3.2 * sr)], sr) == pytest.approx(73.4, abs=1.5)
    assert dominant_frequency(samples[int(3.5 * sr) : int(6.5 * sr)], sr) == pytest.approx(164.8, abs=1.5)


def test_layers_fade_out_instead_of_cutting(tmp_path: Path) -> None:
    silence = [(4.0, only())]
    samples, sr = read_wav(render(only("pad", "bass"), 8.0, tmp_path / "off.wav", changes=silence).path)
    assert rms_dbfs(samples, sr, 4.0, 4.25) > -45.0
    assert rms_dbfs(samples, sr, 4.75, 5.0) < rms_dbfs(samples, sr, 4.0, 4.25) - 6.0
    assert rms_dbfs(samples, sr, 6.0, 8.0) == SILENCE_DBFS
    assert max_step(samples[4 * sr : 6 * sr]) <= max_step(samples[3 * sr : 4 * sr])


def test_renders_do_not_use_up_pyo_servers(tmp_path: Path) -> None:
    # pyo allows 256 servers per process and each render boots one: none may stay alive afterwards.
    for _ in range(260):
        result = render(MusicParams(), 0.02, tmp_path / "short.wav")
    assert result.duration > 0.0


def test_render_refuses_unwritable_paths(tmp_path: Path) -> None:
    with pytest.raises(OSError, match="does not exist"):
        render(MusicParams(), 1.0, tmp_path / "missing" / "out.wav")
    with pytest.raises(OSError, match="is a folder"):
        (tmp_path / "folder.wav").mkdir()
        render(MusicParams(), 1.0, tmp_path / "folder.wav")
    with pytest.raises(ValueError, match=r"\.wav"):
        render(MusicParams(), 1.0, tmp_path / "out.mp3")
    with pytest.raises(ValueError, match="positive"):
        render(MusicParams(), 0.0, tmp_path / "out.wav")
    with pytest.raises(ValueError, match="outside"):
        render(MusicParams(), 1.0, tmp_path / "out.wav", changes=[(2.0, MusicParams())])
    with pytest.raises(ValueError, match="sample rate"):
        render(MusicParams(), 1.0, tmp_path / "out.wav", sr=0)
    with pytest.raises(ValueError, match="unknown mode"):
        render(MusicParams(mode="phrygian"), 1.0, tmp_path / "out.wav")


# ---- live engines ----


def test_silent_engine_fades_in_fades_out_and_back() -> None:
    engine = MusicEngine(Backend("silent", "test"), paced=False)
    engine.apply(MusicParams(volume=-12.0))
    engine.start()
    try:
        engine.process(round(0.05 * BUFFERS_PER_SECOND))
        starting = engine.peak_dbfs()
        engine.process(round(3.5 * BUFFERS_PER_SECOND))
        playing = engine.peak_dbfs()
        assert -40.0 < playing < -1.0
        assert starting < playing - 20.0
        engine.fade_out(1.5)
        engine.process(round(2.0 * BUFFERS_PER_SECOND))
        assert engine.peak_dbfs() < -60.0
        engine.fade_in()
        engine.process(round(3.0 * BUFFERS_PER_SECOND))
        assert engine.peak_dbfs() > -40.0
    finally:
        engine.stop()
    engine.stop()
    assert engine.peak_dbfs() == SILENCE_DBFS


def test_silent_engine_plays_in_real_time_by_itself() -> None:
    engine = MusicEngine(Backend("silent", "test"))
    engine.start()
    try:
        for _ in range(30):  # 1.5 s of 20 Hz control updates
            engine.apply(MusicParams(tempo=90.0, brightness=0.7))
            time.sleep(0.05)
        assert engine.peak_dbfs() > -60.0
        assert engine.running
    finally:
        engine.stop()
    assert not engine.running


@pytest.mark.usefixtures("no_jack")
def test_failed_start_leaves_a_stoppable_engine() -> None:
    engine = MusicEngine(Backend("jack", "JACK server"))
    with pytest.raises(BackendUnavailable, match="JACK"):
        engine.start()
    engine.stop()
    assert engine.peak_dbfs() == SILENCE_DBFS


def test_engine_plays_on_a_dummy_jack_server(dummy_jack: str) -> None:
    backend = choose_backend("jack")
    assert backend.kind == "jack"
    assert "44100 Hz" in backend.detail
    engine = MusicEngine(backend)
    engine.start()
    try:
        time.sleep(2.0)
        assert engine.backend.kind == "jack"
        assert engine.peak_dbfs() > -60.0
    finally:
        engine.stop()
