"""Form, phrasing, space and the parameters' meanings, measured on real renders and the MIDI written beside them.

Renders that only need pitch and rhythm run at 16 kHz (a third of the work of 44.1 kHz; chroma stops at 2 kHz).
Each measurement is also shown to catch the defect it looks for, on a doctored copy of the same audio.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from studio.music.midi import MidiFileRecorder
from studio.music.params import LAYERS, Instruments, MusicParams
from studio.music.presets import load_preset
from studio.music.render import render
from tests.audio_analysis import (
    beat_coverage,
    distinct_share,
    integrated_lufs,
    longest_repeat_run,
    mean_dissonance,
    melody_statistics,
    midi_notes,
    read_wav,
    read_wav_channels,
    spectral_centroid,
    stereo_correlation,
    to_dbfs,
    window_similarities,
)

ANALYSIS_SR = 16000


def test_harmony_over_ten_minutes_keeps_developing(tmp_path: Path) -> None:
    # calm-ambient once alternated two chords 315 times in 45 minutes. Its pad and bass carry the harmony.
    params = replace(load_preset("calm-ambient").params, layers=frozenset({"pad", "bass"}))
    samples, sr = read_wav(render(params, 600.0, tmp_path / "ten.wav", sr=ANALYSIS_SR).path)
    bar = 240.0 / params.tempo
    similarity = window_similarities(samples, sr, bar, bars=8)
    assert len(similarity) >= 16
    assert distinct_share(similarity) >= 0.5, "at least half of the 8-bar windows are unlike any before them"
    assert longest_repeat_run(similarity) <= 3, "no 8-bar pattern returns more than a few times in a row"
    # A loop of the first eight bars, as long as the render, would fail both.
    loop = np.tile(samples[: round(8 * bar * sr)], len(similarity))
    looped = window_similarities(loop, sr, bar, bars=8)
    assert distinct_share(looped) < 0.2 and longest_repeat_run(looped) == len(looped)


def test_the_melody_phrases(tmp_path: Path) -> None:
    # 3 minutes at 120 BPM (90 bars, a beat is 0.5 s), read back from the MIDI file a DAW would get.
    params = MusicParams(
        tempo=120.0, density=0.5, tension=0.4, space=0.2, layers=frozenset({"pad", "melody"}),
        instruments=Instruments(melody=("piano",)),
    )  # fmt: skip
    recorder = MidiFileRecorder()
    render(params, 180.0, tmp_path / "melody.wav", sr=ANALYSIS_SR, listener=recorder)
    recorder.save(tmp_path / "melody.mid")
    notes = midi_notes(tmp_path / "melody.mid")
    stats = melody_statistics(notes, beat=0.5)
    assert stats["notes"] > 100, stats
    assert stats["stepwise"] >= 0.6, "mostly stepwise"
    assert stats["leaps_resolved"] >= 0.7, "a leap turns back by step"
    assert stats["on_beat"] >= 0.25 and stats["off_beat"] >= 0.25, "notes on and off the beat"
    assert stats["lengths"] >= 4 and stats["velocity_range"] >= 25, "varied lengths and dynamics"
    assert stats["rest_windows"] >= 0.8, "a rest of a beat or more in at least 80 % of 8-bar windows"
    assert stats["stable_ends"] >= 0.75, "phrases end on a tone of the chord"
    # Motifs return: most two-bar units share their rhythm with another unit, but not all with one.
    melody = [n for n in notes if n.channel == 3]
    units: dict[int, tuple[int, ...]] = {}
    for note in melody:
        unit, step = divmod(round(note.start / 0.25), 16)  # two bars of eighth notes
        units[unit] = (*units.get(unit, ()), step)
    rhythms = list(units.values())
    shared = sum(1 for r in rhythms if rhythms.count(r) > 1) / len(rhythms)
    assert shared >= 0.25 and len(set(rhythms)) >= 0.25 * len(rhythms), (shared, len(set(rhythms)), len(rhythms))
    # The same statistics catch a melody of equal, off-beat, evenly loud notes with no rests (the old one).
    beat = 0.5
    flat = [
        replace(n, start=k * beat + beat / 2, end=(k + 1) * beat + beat / 2, velocity=64) for k, n in enumerate(melody)
    ]
    bad = melody_statistics([*flat, *(n for n in notes if n.channel == 0)], beat)
    assert bad["on_beat"] < 0.25 and bad["lengths"] < 4 and bad["velocity_range"] < 25 and bad["rest_windows"] < 0.8


def test_the_reverb_tail_is_wide(tmp_path: Path) -> None:
    # The layers stop at 5 s (over 0.5 s); what sounds from 6 s on is the room.
    playing = MusicParams(tempo=90.0, density=0.8, volume=-12.0, layers=frozenset({"pad", "pulse"}))
    tails = {}
    for space in (0.0, 1.0):
        start = replace(playing, space=space)
        stop = [(5.0, replace(start, layers=frozenset()))]
        frames, sr = read_wav_channels(render(start, 8.0, tmp_path / "room.wav", stop, transition=0.5).path)
        tails[space] = frames[6 * sr : int(7.5 * sr)]
    level = {space: to_dbfs(float(np.sqrt(np.mean(tail**2)))) for space, tail in tails.items()}
    assert level[1.0] > -60.0 and level[1.0] > level[0.0] + 20.0, f"space makes a tail: {level}"
    assert abs(stereo_correlation(tails[1.0])) < 0.3, "the tail is wide: left and right barely correlate"
    assert stereo_correlation(np.repeat(tails[1.0][:, :1], 2, axis=1)) > 0.99, "a mono room would show as 1"


def test_tension_adds_dissonance_in_the_audio(tmp_path: Path) -> None:
    base = MusicParams(tempo=90.0, space=0.0, volume=-12.0, density=0.5, layers=frozenset({"pad", "bass"}))
    values = []
    for tension in (0.0, 0.25, 0.5, 0.75, 1.0):
        path = render(replace(base, tension=tension), 40.0, tmp_path / "t.wav", sr=ANALYSIS_SR, ending=False).path
        samples, sr = read_wav(path)
        values.append(mean_dissonance(samples[4 * sr :], sr))
    assert all(b > a for a, b in itertools.pairwise(values)), f"monotonic: {values}"
    assert values[-1] > 1.3 * values[0], f"and by a clear margin: {values}"


def test_density_zero_has_no_beat(tmp_path: Path) -> None:
    base = MusicParams(tempo=90.0, space=0.3, volume=-12.0, layers=frozenset(LAYERS))
    coverage = {}
    for density in (0.0, 1.0):
        path = render(replace(base, density=density), 40.0, tmp_path / "d.wav", sr=ANALYSIS_SR, ending=False).path
        samples, sr = read_wav(path)
        coverage[density] = beat_coverage(samples[4 * sr :], sr, 90.0)  # 4 s is beat 6
    assert coverage[0.0] < 0.45, f"at density 0 most beats pass with nothing starting: {coverage}"
    assert coverage[1.0] > 0.9, f"at density 1 every beat sounds: {coverage}"


@pytest.mark.parametrize("name", ["reflective"])
def test_a_preset_ends_with_a_cadence_and_a_fade(tmp_path: Path, name: str) -> None:
    params = load_preset(name).params
    recorder = MidiFileRecorder()
    samples, sr = read_wav(render(params, 40.0, tmp_path / "end.wav", sr=ANALYSIS_SR, listener=recorder).path)
    recorder.save(tmp_path / "end.mid")
    notes = midi_notes(tmp_path / "end.mid")
    last_bass = max((n for n in notes if n.channel == 1), key=lambda n: n.start)
    last_melody = max((n for n in notes if n.channel == 3), key=lambda n: n.start)
    assert last_bass.pitch % 12 == last_melody.pitch % 12 == 50 % 12, "bass and melody end on the tonic (D)"
    assert last_bass.start > 30.0, "in the last bars, which the MIDI file holds too"
    tail = samples[-sr // 4 :]
    assert to_dbfs(float(np.sqrt(np.mean(tail**2)))) < -60.0, "faded out by the end of the render, not cut"
    levels = [to_dbfs(float(np.sqrt(np.mean(samples[int(t * sr) : int((t + 0.5) * sr)] ** 2)))) for t in (30, 33, 36)]
    assert levels[0] > levels[1] > levels[2], f"a fade, not a stop: {levels}"


def test_presets_at_the_same_volume_sound_equally_loud(tmp_path: Path) -> None:
    # Volume V dBFS aims at V - 14 LUFS; the leveller needs a few seconds, so the first 10 s are left out.
    loudness = {}
    for name in ("calm-ambient", "warm-piano", "uplifting", "grounding-pulse", "reflective"):
        params = replace(load_preset(name).params, volume=-18.0)
        frames, sr = read_wav_channels(render(params, 30.0, tmp_path / "p.wav", ending=False).path)
        loudness[name] = integrated_lufs(frames[10 * sr :], sr)
    assert max(loudness.values()) - min(loudness.values()) <= 3.0, loudness
    assert all(value == pytest.approx(-32.0, abs=2.0) for value in loudness.values()), loudness


def test_brightness_changes_the_timbre_not_the_loudness(tmp_path: Path) -> None:
    loudness, centroid = [], []
    for brightness in (0.0, 1.0):
        params = MusicParams(volume=-18.0, density=0.6, brightness=brightness, layers=frozenset(LAYERS))
        frames, sr = read_wav_channels(render(params, 30.0, tmp_path / "b.wav", ending=False).path)
        loudness.append(integrated_lufs(frames[10 * sr :], sr))
        centroid.append(spectral_centroid(frames[10 * sr :].mean(axis=1), sr))
    assert abs(loudness[1] - loudness[0]) <= 1.5, loudness
    assert centroid[1] > 2.0 * centroid[0], centroid
