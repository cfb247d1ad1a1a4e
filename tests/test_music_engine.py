"""The music engine's outputs: backend choice, live engines (silent, dummy JACK) and render failures."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from studio.music.backend import (
    PREFERENCES,
    Backend,
    BackendUnavailable,
    choose_backend,
    jack_server,
    output_device,
)
from studio.music.engine import MusicEngine
from studio.music.params import MusicParams
from studio.music.patch import SILENCE_DBFS
from studio.music.render import render

BUFFERS_PER_SECOND = 44100 / 256


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
