"""``affect-studio render`` as a user runs it: a real subprocess rendering real audio, and one line per bad input."""

from __future__ import annotations

import itertools
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

    midi_file = mido.MidiFile(str(midi))
    assert midi_file.type == 1
    names = [next(m.name for m in track if m.type == "track_name") for track in midi_file.tracks]
    assert names == ["tempo", "pad", "bass", "pulse", "melody"], "a tempo map, then one named track per layer"
    tempos = [m for m in midi_file.tracks[0] if m.type == "set_tempo"]
    assert round(mido.tempo2bpm(tempos[0].tempo)) == 160, "the real tempo, not 120"
    programs = {
        names[i]: m.program for i, track in enumerate(midi_file.tracks) for m in track if m.type == "program_change"
    }
    assert programs == {"pad": 89, "bass": 32, "pulse": 0, "melody": 0}, "General MIDI: warm pad, bass, pianos"
    notes, now = [], 0.0
    for message in midi_file:  # times in seconds since the previous message, through the tempo map
        now += message.time
        if message.type == "note_on":
            notes.append((now, message.channel, message.note))
    pad_starts = sorted({round(t, 2) for t, channel, _ in notes if channel == 0})
    assert pad_starts[0] == 0.0 and all(round(b - a, 2) % 0.75 == 0 for a, b in itertools.pairwise(pad_starts))
    assert {channel for t, channel, _ in notes if t < 3.0} == {0, 1, 2}, "pad, bass and pulse"
    assert {channel for t, channel, _ in notes if t > 6.5} <= {0, 1}, "the script left pad and bass"


def test_the_midi_file_follows_tempo_changes(tmp_path: Path) -> None:
    script = tmp_path / "faster.json"
    script.write_text(json.dumps([{"t": 4, "set": {"tempo": 120}}]))
    out, midi = tmp_path / "out.wav", tmp_path / "out.mid"
    result = run_cli(
        "render", "--preset", "warm-piano", "--set", "tempo=60", "--script", str(script),
        "--duration", "12", "--no-ending", "--midi", str(midi), str(out),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    tempos = [round(mido.tempo2bpm(m.tempo), 1) for m in mido.MidiFile(str(midi)).tracks[0] if m.type == "set_tempo"]
    assert tempos[0] == 60.0 and tempos[-1] == pytest.approx(120.0, abs=0.5)
    assert len(tempos) > 5 and tempos == sorted(tempos), "the glide is in the tempo map, step by step"
    now, last_start = 0.0, 0.0
    for message in mido.MidiFile(str(midi)):
        now += message.time
        last_start = now if message.type == "note_on" else last_start
    assert 11.0 < last_start < 12.3, "played through the tempo map, the notes end where the audio does (to 2 %)"


def test_render_list_needs_nothing_else() -> None:
    result = run_cli("render", "--list")
    assert result.returncode == 0, result.stderr
    assert "calm-ambient" in result.stdout and "warm-piano" in result.stdout
    assert "melody: piano (warm piano)" in result.stdout and "nature: none, rain, stream, wind" in result.stdout
    assert_one_line_error(run_cli("render", "--preset", "calm-ambient"), "render needs --duration, OUT.wav")


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
    script.write_text('[{"t": NaN, "set": {"tempo": 90}}]')
    assert_one_line_error(run_cli(*base, "--script", str(script), out), "t=nan must be a number of seconds")
    assert_one_line_error(run_cli(*base, "--set", "instruments=melody=tuba", out), "'tuba' is an unknown instrument")
    preset_dir = tmp_path / "data" / "presets"
    preset_dir.mkdir(parents=True)
    (preset_dir / "mine.json").write_text(json.dumps({"params": {"instruments": {"pad": "kazoo"}, "tempo": "x"}}))
    env = {"STUDIO_DATA_DIR": str(tmp_path / "data")}
    assert_one_line_error(run_cli("render", "--preset", "mine", "--duration", "1", out, env=env), "mine.json")
    assert not (tmp_path / "out.wav").exists(), "nothing is rendered when an input is bad"
