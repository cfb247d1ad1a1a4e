"""``affect-studio render`` as a user runs it: a real subprocess rendering real audio, and one line per bad input."""

from __future__ import annotations

import json
from pathlib import Path

import mido
import pytest

from studio.music.presets import load_preset
from tests.audio_analysis import PITCH_CLASSES, chroma, peak_dbfs, read_wav, read_wav_channels
from tests.test_cli import assert_one_line_error, run_cli


def test_render_a_preset_with_overrides_and_a_script(tmp_path: Path) -> None:
    script = tmp_path / "changes.json"
    script.write_text(json.dumps([{"t": 3, "set": {"mode": "minor", "layers": "pad,bass"}}, {"t": 5, "set": {}}]))
    out, midi = tmp_path / "out.wav", tmp_path / "out.mid"
    result = run_cli(
        "render", "--preset", "warm-piano", "--set", "tempo=500", "--set", "register=0",
        "--script", str(script), "--duration", "8", "--midi", str(midi), str(out),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "affect-studio: note: --set: tempo=500 is outside 40..160 BPM; using 160"
    lines = result.stdout.strip().splitlines()
    summary = json.loads(lines[-1])
    expected = load_preset("warm-piano").params.as_dict() | {"tempo": 160.0, "register": 0.0}
    assert summary["params"] == expected
    assert [c["t"] for c in summary["changes"]] == [3, 5]
    assert summary["changes"][0]["set"]["mode"] == "minor"
    assert summary["changes"][0]["set"]["layers"] == ["bass", "pad"]
    assert summary["duration"] == pytest.approx(8.0, abs=0.01)
    assert summary["render_seconds"] > 0 and summary["speed"] > 1
    channels, sr = read_wav_channels(out)
    assert channels.shape[1] == 2
    assert len(channels) / sr == pytest.approx(summary["duration"], abs=0.001)
    assert summary["peak_dbfs"] == pytest.approx(peak_dbfs(channels), abs=0.05)
    samples, _ = read_wav(out)
    profile = chroma(samples[6 * sr :], sr)
    assert profile[PITCH_CLASSES.index("F")] > profile[PITCH_CLASSES.index("F#")], "the script switched to minor"

    notes, now = [], 0.0
    for message in mido.MidiFile(str(midi)):  # times in seconds since the previous message
        now += message.time
        if message.type == "note_on":
            notes.append((now, message.channel, message.note))
    bass = [(t, note % 12) for t, channel, note in notes if channel == 1]
    assert len(bass) == pytest.approx(8.0 * 160 / 60, abs=2), "one bass note per beat"
    # A bar lasts 1.5 s. Tension 0.3 plays I vi IV V (D B G A) in D major, i VI III VII (D Bb F C) in minor.
    # The change at 3 s waits for the next bar start (4.5 s): bars 3, 4 and 5 are minor's VII, i and VI.
    assert {pc for t, pc in bass if t < 2.9} == {2, 11}
    assert {pc for t, pc in bass if 3.1 < t < 4.4} == {7}
    assert {pc for t, pc in bass if t > 4.6} == {0, 2, 10}
    assert {channel for t, channel, _ in notes if t < 3.0} == {0, 1, 2}, "pad, bass and pulse"
    assert {channel for t, channel, _ in notes if t > 6.0} == {0, 1}, "the script left pad and bass"


def test_bad_inputs_fail_with_one_line(tmp_path: Path) -> None:
    # Each kind of bad input once; the checks behind them are unit-tested with every variant.
    out = str(tmp_path / "out.wav")
    base = ("render", "--preset", "calm-ambient", "--duration", "1")
    assert_one_line_error(run_cli("render", "--preset", "nope", "--duration", "1", out), "unknown preset 'nope'")
    assert_one_line_error(run_cli(*base, "--set", "warmth=1", out), "--set: unknown parameter 'warmth'")
    assert_one_line_error(run_cli(*base, str(tmp_path / "missing" / "out.wav")), "does not exist")
    assert_one_line_error(run_cli(*base, "--midi", str(tmp_path / "n.txt"), out), "MIDI files")
    assert_one_line_error(run_cli("render", "--preset", "calm-ambient", "--duration", "-2", out), "--duration -2")
    script = tmp_path / "c.json"
    script.write_text('[{"t": 0.5, "set": {"tempo": 90}}, {"t": "later"}]')
    assert_one_line_error(run_cli(*base, "--script", str(script), out), "entry 2 must be an object")
    assert not (tmp_path / "out.wav").exists(), "nothing is rendered when an input is bad"
