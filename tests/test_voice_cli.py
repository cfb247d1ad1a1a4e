"""``affect-studio analyze voice`` and ``--voice`` as a user meets them: real subprocesses."""

from __future__ import annotations

import json
import sqlite3
import wave

import numpy as np
import pytest

from tests.test_cli import assert_one_line_error, run_cli


def write_wav(path, samples, rate, channels=1):
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())


def test_frames_every_10_ms_then_a_summary(reference_data):
    wav = reference_data / "speech" / "fda_ue_pitch_reference" / "sb002.wav"
    result = run_cli("analyze", "voice", str(wav), str(wav), "--json")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    frames = [x for x in lines if "summary" not in x]
    summaries = [x for x in lines if "summary" in x]
    assert len(frames) == 600 and len(summaries) == 2
    assert [f["t"] for f in frames[:3]] == [0.0, 0.01, 0.02]
    assert set(frames[0]) == {"source", "t", "f0_hz", "voiced", "intensity_db"}
    assert all((f["f0_hz"] is None) == (not f["voiced"]) for f in frames)
    assert 150 < np.median([f["f0_hz"] for f in frames if f["voiced"]]) < 300
    summary = summaries[0]["summary"]
    assert set(summary) == {
        "f0_median_hz",
        "f0_range_st",
        "intensity_mean_db",
        "voiced_fraction",
        "speech_rate_syll_per_s",
        "arousal",
        "valence",
        "confidence",
    }
    assert summaries[0]["source"] == str(wav) and 0 < summary["confidence"] <= 1


def test_bad_files_each_give_one_line(tmp_path):
    assert_one_line_error(run_cli("analyze", "voice", str(tmp_path / "nope.wav")), "no such file")
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    assert_one_line_error(run_cli("analyze", "voice", str(empty)), "is empty")
    text = tmp_path / "notes.wav"
    text.write_text("these are not samples\n" * 10)
    assert_one_line_error(run_cli("analyze", "voice", str(text)), "is not a PCM WAV file")
    good = tmp_path / "good.wav"
    write_wav(good, np.zeros(16000), 16000)
    cut = tmp_path / "cut.wav"
    cut.write_bytes(good.read_bytes()[:20000])
    assert_one_line_error(run_cli("analyze", "voice", str(cut)), "is truncated")
    header_only = tmp_path / "header.wav"
    header_only.write_bytes(good.read_bytes()[:30])
    assert_one_line_error(run_cli("analyze", "voice", str(header_only)), "truncated")
    low = tmp_path / "low.wav"
    write_wav(low, np.zeros(4000), 4000)
    assert_one_line_error(run_cli("analyze", "voice", str(low)), "4000 Hz is too low")


def test_one_bad_file_does_not_stop_the_good_ones(tmp_path, reference_data):
    """``analyze voice good.wav text.wav`` printed nothing for good.wav: the bad file stopped everything."""
    good = reference_data / "speech" / "fda_ue_pitch_reference" / "sb002.wav"
    text = tmp_path / "text.wav"
    text.write_text("these are not samples\n")
    result = run_cli("analyze", "voice", str(good), str(text), str(tmp_path / "gone.wav"))
    assert result.returncode == 2
    assert result.stdout.startswith(f"{good}: f0_median_hz ") and len(result.stdout.splitlines()) == 1
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 2 and "Traceback" not in result.stderr
    assert "text.wav is not a PCM WAV file" in errors[0] and "gone.wav: no such file" in errors[1]
    lines = [json.loads(x) for x in run_cli("analyze", "voice", str(text), str(good), "--json").stdout.splitlines()]
    assert len(lines) == 301 and lines[-1]["source"] == str(good) and lines[-1]["summary"]["confidence"] > 0


def test_stereo_and_high_rates_are_converted_and_said(tmp_path):
    rate = 96000
    t = np.arange(rate) / rate
    voice = 0.3 * np.sin(2 * np.pi * 200 * t) + 0.1 * np.sin(2 * np.pi * 400 * t)
    path = tmp_path / "stereo96k.wav"
    write_wav(path, np.column_stack([voice, voice]).ravel(), rate, channels=2)
    result = run_cli("analyze", "voice", str(path), "--json")
    assert result.returncode == 0, result.stderr
    notes = result.stderr.strip().splitlines()
    assert any("2 channels mixed down to mono" in n for n in notes)
    assert any("resampled from 96000 Hz to 16000 Hz" in n for n in notes)
    f0 = [json.loads(x)["f0_hz"] for x in result.stdout.splitlines()[:-1]]
    assert abs(np.median([f for f in f0 if f]) - 200) < 1


def test_voice_option_refuses_a_missing_device_or_file(tmp_path):
    result = run_cli("run", "--headless", "--voice", "99", "--duration", "1", "--out", str(tmp_path))
    assert_one_line_error(result, "--voice 99: no input device with index 99", "input devices:")
    result = run_cli("run", "--headless", "--voice", str(tmp_path / "x.wav"), "--out", str(tmp_path))
    assert_one_line_error(result, "x.wav: no such file")


@pytest.mark.slow  # a 4-second run in real time
def test_a_headless_session_can_take_its_voice_from_a_wav(tmp_path, reference_data):
    wav = reference_data / "speech" / "fda_ue_pitch_reference" / "sb001.wav"
    result = run_cli(
        "run",
        "--headless",
        "--demo",
        "--voice",
        str(wav),
        "--audio",
        "silent",
        "--duration",
        "4",
        "--out",
        str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(tmp_path / "session.sqlite") as db:
        settings = json.loads(db.execute("SELECT settings FROM sessions").fetchone()[0])
        streams = dict(db.execute("SELECT stream, COUNT(*) FROM features GROUP BY stream").fetchall())
    assert settings["channels"]["voice"] == "wav file"
    assert streams["voice.features"] >= 20 and streams["voice.prosody"] >= 1
