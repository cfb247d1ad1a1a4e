"""The music engine's outputs: backend choice, live engines (silent, dummy JACK) and render failures."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import mido
import numpy as np
import pytest

from studio.config import load_config
from studio.music.backend import (
    PREFERENCES,
    Backend,
    BackendUnavailable,
    choose_backend,
    jack_server,
    output_device,
)
from studio.music.engine import MusicEngine, Pacing
from studio.music.midi import CLIENT_NAME, MidiPortOut
from studio.music.params import MusicParams
from studio.music.patch import SILENCE_DBFS
from studio.music.render import render
from tests.audio_analysis import read_wav, spectral_centroid, to_dbfs

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


def wait_for_port(name: str, seconds: float = 10.0) -> None:
    """Wait until a JACK port exists on the test's server."""
    deadline = time.monotonic() + seconds
    while name not in subprocess.run(["jack_lsp"], capture_output=True, text=True, timeout=10).stdout.split():
        if time.monotonic() > deadline:
            pytest.fail(f"JACK port {name} did not appear within {seconds:g} s")
        time.sleep(0.05)


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


@pytest.mark.usefixtures("no_jack")
def test_a_named_device_from_the_settings_is_looked_for(tmp_path: Path) -> None:
    settings = tmp_path / "config.toml"
    settings.write_text('[audio]\nbackend = "device"\ndevice = "Studio Monitors"\n')
    config = load_config(settings)
    assert config.audio_device == "Studio Monitors"
    with pytest.raises(BackendUnavailable, match="no audio output device matches 'Studio Monitors'; devices here"):
        choose_backend(config.audio_backend, config.audio_device)
    fallback = choose_backend("auto", config.audio_device)
    assert fallback.kind == "silent" and "audio device 'Studio Monitors' not found" in fallback.detail


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


def test_operator_ceiling_takes_hold_at_once() -> None:
    engine = MusicEngine(Backend("silent", "test"), paced=False)
    engine.apply(MusicParams(volume=0.0, brightness=1.0, density=1.0, layers=frozenset({"pad", "bass", "pulse"})))
    engine.start()
    try:
        engine.process(round(4.0 * BUFFERS_PER_SECOND))
        assert engine.peak_dbfs() > -12.0  # volume 0 dBFS aims at -14 LUFS
        engine.set_ceiling(-24.0)
        engine.process(round(0.05 * BUFFERS_PER_SECOND) + 1)
        engine.process(round(0.15 * BUFFERS_PER_SECOND))  # the meter itself releases over 0.1 s
        assert -30.0 < engine.peak_dbfs() <= -24.0
        engine.set_ceiling(6.0)  # never above the -1 dBFS limit
        engine.process(round(3.0 * BUFFERS_PER_SECOND))  # the volume glides back over the 3 s transition
        peaks = []
        for _ in range(20):
            engine.process(round(0.1 * BUFFERS_PER_SECOND))
            peaks.append(engine.peak_dbfs())
        assert -10.0 < max(peaks) < -1.0
    finally:
        engine.stop()


def test_silent_engine_plays_in_real_time_by_itself() -> None:
    engine = MusicEngine(Backend("silent", "test"))
    engine.start()
    try:
        for _ in range(30):  # 1.5 s of 20 Hz control updates
            engine.apply(MusicParams(tempo=90.0, brightness=0.7))
            time.sleep(0.05)
        assert engine.peak_dbfs() > -60.0
        assert engine.running
        assert "music-pacer" in {t.name for t in threading.enumerate()}  # the kernel's periodic worker
    finally:
        engine.stop()
    assert not engine.running
    assert "music-pacer" not in {t.name for t in threading.enumerate()}


def test_pacing_computes_the_buffers_due_and_starts_afresh_after_a_stall() -> None:
    class Counting:
        processed = 0

        def process(self) -> None:
            self.processed += 1

    server = Counting()
    pacing = Pacing(server, 48000, 480)  # a buffer every 10 ms
    wait = pacing.step()
    assert server.processed == 1 and 0.0 < wait <= 0.01
    time.sleep(0.035)
    pacing.step()
    assert server.processed >= 4  # every buffer due in 35 ms (or more), not one per step
    before = server.processed
    time.sleep(0.3)  # a stall: the pacing starts afresh instead of computing 30 buffers at once to catch up
    pacing.step()
    assert server.processed == before + 1


@pytest.mark.usefixtures("no_jack")
def test_failed_start_leaves_a_stoppable_engine() -> None:
    engine = MusicEngine(Backend("jack", "JACK server"))
    with pytest.raises(BackendUnavailable, match="JACK"):
        engine.start()
    engine.stop()
    assert engine.peak_dbfs() == SILENCE_DBFS


def test_engine_on_a_dummy_jack_server_plays_what_it_is_told(dummy_jack: str, tmp_path: Path) -> None:
    """10 s live on JACK, recorded by jack_rec from the engine's ports while the music changes; the MIDI notes
    go to a JACK MIDI port and are read back by a second client."""
    backend = choose_backend("jack")
    assert backend.kind == "jack" and "44100 Hz" in backend.detail
    midi_out = MidiPortOut.open("jack")
    midi_in = mido.Backend("mido.backends.rtmidi/UNIX_JACK").open_input(f"{CLIENT_NAME}:notes")
    time.sleep(0.5)  # JACK connects the ports asynchronously
    quiet = MusicParams(
        tempo=90.0, volume=-26.0, brightness=0.05, density=1.0, space=0.1, layers=frozenset({"pad", "bass"})
    )
    loud = replace(quiet, volume=-8.0, brightness=0.9)
    engine = MusicEngine(backend, transition=0.5, listener=midi_out)
    engine.apply(quiet)
    recording = tmp_path / "live.wav"
    # jack_rec starts on the (silent) dummy capture ports; the engine's outputs are connected to it the moment
    # the engine starts, so the recording's first sound marks the start. jack_rec only finishes its file when
    # its duration is up, so that covers the slowest start.
    recorder = subprocess.Popen(
        ["jack_rec", "-f", str(recording), "-d", "12", "-b", "16", "system:capture_1", "system:capture_2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    heard: list[tuple[float, mido.Message]] = []
    try:
        wait_for_port("jackrec:input2")
        engine.start()
        began = time.monotonic()
        for out, into in (("output_1", "input1"), ("output_2", "input2")):
            subprocess.run(["jack_connect", f"affect-studio:{out}", f"jackrec:{into}"], check=True, timeout=10)
        for at, action in [
            (4.0, lambda: engine.apply(loud)),
            (7.5, lambda: engine.fade_out(1.0)),
            (10.2, lambda: None),
        ]:
            while time.monotonic() - began < at:
                heard.extend((time.monotonic() - began, m) for m in midi_in.iter_pending())
                time.sleep(0.01)
            action()
        assert recorder.wait(timeout=10) == 0
    finally:
        recorder.kill()
        engine.stop()
        midi_out.close()
        midi_in.close()
    recorded, sr = read_wav(recording)
    start = int(np.flatnonzero(recorded)[0])
    samples = recorded[start:]
    assert len(samples) > 9.3 * sr, "jack_rec records 12 s; the engine needs less than 2.7 s to start"

    def level(start: float, stop: float) -> float:
        return to_dbfs(float(np.sqrt(np.mean(samples[int(start * sr) : int(stop * sr)] ** 2))))

    assert level(0.0, 0.2) < level(2.6, 3.7) - 20.0, "it fades in"
    assert level(5.0, 7.2) > level(2.6, 3.7) + 12.0, "the volume change is in the recording"
    bright = spectral_centroid(samples[5 * sr : int(7.2 * sr)], sr)
    assert bright > 1.5 * spectral_centroid(samples[int(2.6 * sr) : int(3.7 * sr)], sr), "and the brightness"
    assert level(8.7, 9.3) < -80.0, "the fade-out silenced it within its 1 s"

    bass = [t for t, m in heard if m.type == "note_on" and m.channel == 1]
    assert 60.0 / np.median(np.diff(bass)) == pytest.approx(90.0, rel=0.05), "a bass note on every beat"
    assert bass[-1] < 7.7, "no new notes once faded out"
    offs = [m.note for _, m in heard if m.type == "note_off"]
    assert sorted(offs) == sorted(m.note for _, m in heard if m.type == "note_on"), "every note ends"
