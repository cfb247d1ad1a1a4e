"""Proof by listening instruments: real pyo renders, analysed as a listener would measure them."""

from __future__ import annotations

from dataclasses import replace
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from studio.music.params import LAYERS, Instruments, MusicParams
from studio.music.patch import SILENCE_DBFS
from studio.music.render import BUFFER_SIZE, render
from tests.audio_analysis import (
    PITCH_CLASSES,
    chroma,
    high_band_bursts,
    integrated_lufs,
    loudness_steps,
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
CALMEST = MusicParams(
    tempo=40.0, tension=0.0, brightness=0.0, density=0.0, volume=-30.0, space=1.0, layers=frozenset({"pad"})
)
MOST_ENERGETIC = MusicParams(
    tempo=160.0, tension=1.0, brightness=1.0, density=1.0, volume=0.0, space=0.0, layers=ALL_LAYERS
)


def only(*layers: str, **changes: Any) -> MusicParams:
    """Dry parameters at -6 dBFS with just the given layers (and any other `changes`)."""
    return replace(DRY, layers=frozenset(layers), **changes)


def rms_dbfs(samples: np.ndarray, sr: int, start: float, stop: float) -> float:
    """RMS level (dBFS) between `start` and `stop` seconds."""
    part = samples[int(start * sr) : int(stop * sr)]
    return to_dbfs(float(np.sqrt(np.mean(part**2))))


def test_limiter_keeps_peaks_under_minus_1_dbfs(tmp_path: Path) -> None:
    loudest = MusicParams(volume=0.0, layers=ALL_LAYERS, brightness=1.0, density=1.0, tension=1.0, space=1.0)
    result = render(loudest, 8.0, tmp_path / "loud.wav")
    channels, _ = read_wav_channels(result.path)
    assert np.all(np.isfinite(channels))
    assert peak_dbfs(channels) < -1.0
    assert peak_dbfs(channels) > -12.0, "the loudest setting should be loud"
    assert rms_dbfs(channels.mean(axis=1), 44100, 6.0, 8.0) > -30.0, "and keep playing (no filter blew up)"
    assert result.peak_dbfs == pytest.approx(peak_dbfs(channels), abs=0.05)
    assert result.duration == pytest.approx(8.0, abs=0.01)


def test_render_fades_in(tmp_path: Path) -> None:
    samples, sr = read_wav(render(MusicParams(), 6.0, tmp_path / "start.wav").path)
    assert rms_dbfs(samples, sr, 0.0, 0.1) < rms_dbfs(samples, sr, 4.0, 6.0) - 15.0
    seconds = rms_envelope(samples[: 3 * sr], sr).reshape(3, 20).mean(axis=1)  # 50 ms windows, per second
    assert np.all(np.diff(seconds) > 0.0)


@pytest.mark.parametrize("bpm", [60.0, 90.0, 120.0])
def test_bass_pulse_follows_tempo(tmp_path: Path, bpm: float) -> None:
    samples, sr = read_wav(
        render(only("bass", tempo=bpm, density=1.0), 12.0, tmp_path / "tempo.wav", ending=False).path
    )
    onsets = onset_times(samples[3 * sr :], sr)
    assert len(onsets) == pytest.approx(9.0 * bpm / 60.0, abs=1)
    assert tempo_from_onsets(onsets) == pytest.approx(bpm, rel=0.02)


def test_tempo_change_glides_to_the_new_tempo(tmp_path: Path) -> None:
    faster = [(4.0, only("bass", tempo=120.0, density=1.0))]
    result = render(only("bass", tempo=60.0, density=1.0), 12.0, tmp_path / "glide.wav", changes=faster, ending=False)
    samples, sr = read_wav(result.path)
    assert tempo_from_onsets(onset_times(samples[7 * sr :], sr)) == pytest.approx(120.0, rel=0.02)
    intervals = np.diff(onset_times(samples[3 * sr :], sr))
    assert np.all(np.diff(intervals) < 0.05), "the beat may only speed up, and gradually"


def test_brightness_raises_spectral_centroid_monotonically(tmp_path: Path) -> None:
    centroids = []
    for brightness in (0.0, 0.25, 0.5, 0.75, 1.0):
        params = replace(DRY, layers=ALL_LAYERS, brightness=brightness)
        samples, sr = read_wav(render(params, 7.0, tmp_path / "b.wav").path)
        centroids.append(spectral_centroid(samples[3 * sr :], sr))
    assert all(later > 1.05 * earlier for earlier, later in pairwise(centroids)), centroids
    assert centroids[-1] > 1.8 * centroids[0], centroids


def test_density_sets_the_share_of_pulse_steps(tmp_path: Path) -> None:
    counts = []
    for density in (0.25, 1.0):
        samples, sr = read_wav(render(only("pulse", tempo=60.0, density=density), 12.0, tmp_path / "d.wav").path)
        counts.append(len(onset_times(samples[4 * sr :], sr)))
    assert counts[0] == 4 and counts[1] == pytest.approx(16, abs=1)  # 8 s at 60 BPM = 16 eighths: a quarter, then all


def test_a_key_change_waits_for_the_phrase_boundary(tmp_path: Path) -> None:
    # At 120 BPM a bar lasts 2 s. Transposing up 5 semitones at 1 s keeps D as the bass's home for the first
    # four-bar unit of the phrase (8 s); from then on the music is in G.
    up = [(1.0, only("bass", "pad", register=5.0, density=1.0, tempo=120.0))]
    start = only("bass", "pad", density=1.0, tempo=120.0)
    samples, sr = read_wav(render(start, 20.0, tmp_path / "key.wav", changes=up, ending=False).path)
    c, c_sharp = PITCH_CLASSES.index("C"), PITCH_CLASSES.index("C#")
    before, after = chroma(samples[1 * sr : 7 * sr], sr), chroma(samples[10 * sr : 20 * sr], sr)
    assert before[c_sharp] > 2.0 * before[c], "D major has C#"
    assert after[c] > 2.0 * after[c_sharp], "G major has C"


def test_layers_fade_out_instead_of_cutting(tmp_path: Path) -> None:
    silence = [(4.0, only())]
    samples, sr = read_wav(render(only("pad", "bass"), 8.0, tmp_path / "off.wav", changes=silence, transition=1.5).path)
    assert rms_dbfs(samples, sr, 4.0, 4.25) > -45.0
    assert rms_dbfs(samples, sr, 4.75, 5.0) < rms_dbfs(samples, sr, 4.0, 4.25) - 6.0
    assert rms_dbfs(samples, sr, 6.0, 8.0) == SILENCE_DBFS
    assert max_step(samples[4 * sr : 6 * sr]) <= max_step(samples[3 * sr : 4 * sr])


def test_volume_ceiling_holds_over_the_loudest_setting(tmp_path: Path) -> None:
    loudest = replace(MOST_ENERGETIC, space=1.0)
    channels, sr = read_wav_channels(render(loudest, 8.0, tmp_path / "c.wav", ceiling=-20.0, ending=False).path)
    assert peak_dbfs(channels) <= -20.0
    # The volume (0 dBFS: -14 LUFS) is held under the ceiling too, so the music sits at -34 LUFS, not at silence.
    assert integrated_lufs(channels[4 * sr :], sr) == pytest.approx(-20.0 - 14.0, abs=3.0)


def test_calmest_to_most_energetic_glides_without_a_jolt(tmp_path: Path) -> None:
    at, transition = 6.0, 3.0
    result = render(CALMEST, 16.0, tmp_path / "jump.wav", [(at, MOST_ENERGETIC)], transition=transition, ending=False)
    samples, sr = read_wav(result.path)
    hop = 0.05
    steps = loudness_steps(samples[int((at - 1.0) * sr) :], sr, window=0.4, hop=hop)
    assert np.max(np.abs(steps)) < 3.0, "no level step over 3 dB within 50 ms"
    before = rms_dbfs(samples, sr, at - 2.0, at)
    halfway = rms_dbfs(samples, sr, at + transition / 2 - 0.25, at + transition / 2 + 0.25)
    after = rms_dbfs(samples, sr, at + transition + 1.0, 16.0)
    assert after > before + 20.0
    assert before + 6.0 < halfway < after - 3.0, "halfway through the transition the level is on its way"
    assert rms_dbfs(samples, sr, at + transition + 1.0, at + transition + 2.0) == pytest.approx(after, abs=2.0)
    assert spectral_centroid(samples[int((at + transition + 1.0) * sr) :], sr) > 2.0 * spectral_centroid(
        samples[int((at - 3.0) * sr) : int(at * sr)], sr
    )


def test_major_and_minor_show_in_the_third_above_the_tonic(tmp_path: Path) -> None:
    # D is the tonic: the major third is F#, the minor third F. At 120 BPM a bar lasts 2 s.
    minor = [(9.0, only("pad", "bass", tempo=120.0, tension=0.0, mode="minor"))]
    start = only("pad", "bass", tempo=120.0, tension=0.0, mode="major")
    samples, sr = read_wav(render(start, 26.0, tmp_path / "modes.wav", minor, ending=False).path)
    f, f_sharp = PITCH_CLASSES.index("F"), PITCH_CLASSES.index("F#")
    major_profile = chroma(samples[2 * sr : 8 * sr], sr)
    minor_profile = chroma(samples[18 * sr : 26 * sr], sr)
    assert major_profile[f_sharp] > 4.0 * major_profile[f]
    assert minor_profile[f] > 4.0 * minor_profile[f_sharp]


def test_a_change_reaches_the_audio_in_the_buffer_it_is_applied(tmp_path: Path) -> None:
    at = 4.0
    steady, _ = read_wav(render(DRY, 5.0, tmp_path / "a.wav", ending=False).path)
    changed, sr = read_wav(render(DRY, 5.0, tmp_path / "b.wav", [(at, replace(DRY, volume=0.0))], ending=False).path)
    first_buffer = int(np.ceil(at * sr / BUFFER_SIZE)) * BUFFER_SIZE
    assert np.array_equal(steady[:first_buffer], changed[:first_buffer]), "renders are reproducible"
    differs = np.flatnonzero(np.abs(steady - changed) > 1e-6)
    assert first_buffer <= differs[0] < first_buffer + BUFFER_SIZE


def test_instruments_swapped_back_and_forth_are_all_heard(tmp_path: Path) -> None:
    # At 120 BPM a bar lasts 2 s; each instrument plays from the bar after its change. More instruments than the
    # layer's spare slots take turns, and the harp comes back after three others took the slots.
    order = ["piano", "harp", "kalimba", "marimba", "bells", "piano", "harp"]
    start = only("pulse", tempo=120.0, density=1.0, instruments=Instruments(pulse=(order[0],)))
    changes = [(4.0 * i - 0.5, replace(start, instruments=Instruments(pulse=(name,)))) for i, name in enumerate(order)]
    result = render(start, 4.0 * len(order), tmp_path / "swap.wav", changes[1:], ending=False, transition=0.5)
    samples, sr = read_wav(result.path)
    levels = [rms_dbfs(samples, sr, 4.0 * i + 2.0, 4.0 * i + 3.5) for i in range(len(order))]
    assert min(levels) > max(levels) - 12.0, dict(zip(order, levels, strict=True))


def test_a_nature_bed_fades_into_the_next_one(tmp_path: Path) -> None:
    beds = only(nature="rain")
    changes = [(6.0, replace(beds, nature="wind")), (12.0, replace(beds, nature="stream"))]
    samples, sr = read_wav(render(beds, 18.0, tmp_path / "beds.wav", changes, ending=False).path)
    steps = loudness_steps(samples[4 * sr :], sr, window=0.4, hop=0.05)
    assert np.max(np.abs(steps)) < 3.0, "the beds cross-fade: no level step over 3 dB within 50 ms"
    assert rms_dbfs(samples, sr, 16.0, 18.0) > -50.0, "and the stream is heard"


def test_notes_start_and_end_without_clicks(tmp_path: Path) -> None:
    # Long-ringing struck instruments on every eighth, dry and bright: their voices are taken while they still
    # sound, and each note comes with a humanised delay. Their partials stay below 8 kHz; a click would not.
    params = only(
        "bass", "pulse", "melody", tempo=120.0, density=1.0, brightness=1.0,
        instruments=Instruments(pulse=("bells",), melody=("harp",), bass=("pluck-bass",)),
    )  # fmt: skip
    samples, sr = read_wav(render(params, 14.0, tmp_path / "clicks.wav", ending=False).path)
    music = samples[2 * sr :]
    assert np.max(high_band_bursts(music, sr)) < -48.0, "no broadband burst at any note boundary"
    stepped = music.copy()
    stepped[len(music) // 2 :] += 0.1 * np.sqrt(np.mean(music**2))
    assert np.max(high_band_bursts(stepped, sr)) > -48.0, "a jump of a tenth of the music's RMS would be caught"
