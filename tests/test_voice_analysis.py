"""The voice analysis on real recordings (laryngograph reference) and on signals with a known answer."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.voice_pitch_accuracy import pooled, scores
from fusion.prosody_features import jitter_proxy, summarize, syllable_nuclei
from fusion.prosody_frames import REFERENCE_POWER, ProsodyAnalyzer, ProsodyFrames
from fusion.voice import VoiceBaseline, affect_from_prosody, voice_affect
from fusion.voice_activity import Activity
from sensors.voice_file import analyse_wav
from sensors.wav_input import WavAudio, read_wav

RATE = 16000


def tone(f0, seconds, db=65.0, rate=RATE, jitter=0.0, seed=1):
    """A harmonic voice-like tone at ``f0`` Hz and ``db`` dB (Praat scale), optionally with period jitter."""
    rng = np.random.default_rng(seed)
    n = int(seconds * rate)
    f = np.full(n, float(f0))
    if jitter:
        cycles = int(seconds * f0) + 2
        per_cycle = f0 * (1 + jitter * rng.standard_normal(cycles))
        f = per_cycle[np.minimum((np.arange(n) / rate * f0).astype(int), cycles - 1)]
    phase = 2 * np.pi * np.cumsum(f) / rate
    x = sum(np.sin(h * phase) / h for h in range(1, 9))
    return x / x.std() * np.sqrt(REFERENCE_POWER * 10 ** (db / 10))


def noise(seconds, db, rate=RATE, seed=2):
    return np.random.default_rng(seed).standard_normal(int(seconds * rate)) * np.sqrt(REFERENCE_POWER * 10 ** (db / 10))


def analyse(x, rate=RATE) -> ProsodyFrames:
    return analyse_wav(WavAudio(np.asarray(x, dtype=np.float64), rate, ()))


def test_pitch_matches_the_laryngograph_reference(reference_data):
    folder = reference_data / "speech" / "fda_ue_pitch_reference"
    results = []
    for wav in sorted(folder.glob("*.wav")):
        r = scores(analyse_wav(read_wav(wav)).f0_hz, np.loadtxt(wav.with_suffix(".f0ref")))
        assert r["voicing_agreement"] >= 0.88, wav.name
        assert r["median_abs_error_hz"] <= 3.0, wav.name
        assert r["gpe"] <= 0.05, wav.name
        results.append(r)
    assert len(results) == 4
    overall = pooled(results, 0.0)
    assert overall["voiced_frames"] > 200
    assert overall["gpe"] <= 0.05 and overall["median_abs_error_hz"] <= 3.0 and overall["voicing_agreement"] >= 0.88


def test_analysis_does_not_depend_on_block_size(reference_data):
    wav = read_wav(reference_data / "speech" / "fda_ue_pitch_reference" / "sb002.wav")
    whole = analyse_wav(wav)
    analyzer = ProsodyAnalyzer(wav.rate)
    parts = [analyzer.push(wav.samples[i : i + 333]) for i in range(0, wav.samples.size, 333)]
    blocks = ProsodyFrames.concat([*parts, analyzer.finish()])
    assert np.array_equal(whole.index, np.arange(len(whole)))
    assert np.array_equal(whole.f0_hz, blocks.f0_hz)
    assert np.array_equal(whole.activity, blocks.activity)
    assert len(whole) == round(wav.duration_s / 0.01)


@pytest.mark.parametrize(("f0", "rate"), [(110.0, 16000), (220.0, 44100), (330.0, 8000)])
def test_a_steady_tone_gives_its_pitch_and_speech(f0, rate):
    frames = analyse(np.concatenate([noise(0.5, 25, rate), tone(f0, 1.0, rate=rate) + noise(1.0, 25, rate)]), rate)
    voiced = frames.f0_hz[60:140]
    assert (voiced > 0).all()
    assert np.median(np.abs(voiced - f0)) < 0.5
    assert (frames.activity[60:140] == Activity.SPEECH).all()
    assert (frames.activity[5:45] == Activity.SILENCE).all() and (frames.f0_hz[5:45] == 0).all()


def test_loud_noise_is_noise_not_speech_and_the_floor_adapts():
    x = np.concatenate([noise(1.0, 30), noise(1.0, 60, seed=3), noise(30.0, 50, seed=4)])
    frames = analyse(x)
    assert (frames.f0_hz[110:190] == 0).all()
    assert (frames.activity[130:190] == Activity.NOISE).all()  # a door slam, not speech
    assert frames.floor_db[150] < 40
    assert frames.floor_db[-1] > 45  # the room got louder; the floor followed
    assert (frames.activity[-100:] == Activity.SILENCE).all()


def test_speaking_rate_counts_syllable_nuclei():
    # 4 syllables a second: 150 ms voiced with a rising-falling loudness, 100 ms of quiet between
    syllables = []
    for k in range(12):
        s = tone(180 + 5 * (k % 3), 0.15)
        syllables += [s * np.hanning(s.size) ** 0.5, noise(0.1, 35, seed=k)]
    x = np.concatenate([noise(0.5, 35), *syllables, noise(0.5, 35, seed=99)])
    frames = analyse(x)
    nuclei = syllable_nuclei(frames.intensity_db, frames.voiced, frames.floor_db)
    assert nuclei.size == 12
    summary = summarize(frames)
    assert 3.0 < summary.rate_syll_per_s < 5.0


def test_jitter_and_shimmer_proxies_rise_with_irregular_voice():
    steady = summarize(analyse(tone(150, 2.0)))
    rough = summarize(analyse(tone(150, 2.0, jitter=0.03)))
    assert steady.jitter < 0.005 < rough.jitter
    assert np.isnan(jitter_proxy(np.zeros(10)))
    wobbly = tone(150, 2.0) * (1 + 0.5 * np.sign(np.sin(2 * np.pi * 25 * np.arange(32000) / RATE)))
    assert summarize(analyse(wobbly)).shimmer_db > steady.shimmer_db + 0.5


def test_arousal_follows_loudness_pitch_and_rate_relative_to_the_baseline():
    calm = summarize(analyse(tone(120, 3.0, db=60)))
    baseline = VoiceBaseline.from_summary(calm)
    assert baseline is not None
    excited = summarize(analyse(tone(170, 3.0, db=72)))
    assert voice_affect(excited, baseline).arousal > 0.5
    assert abs(voice_affect(calm, baseline).arousal) < 0.05
    assert voice_affect(summarize(analyse(noise(3.0, 30))), baseline).confidence == 0.0
    assert voice_affect(excited, None).confidence == 0.0


def test_confidence_grows_with_voiced_speech():
    little = affect_from_prosody(0, 0, 0, 1, 0.1)
    more = affect_from_prosody(0, 0, 0, 1, 0.4)
    assert 0 < little.confidence < more.confidence
    excited = affect_from_prosody(4.0, 6.0, 8.0, 1.3, 0.6)
    quiet = affect_from_prosody(-2.0, -3.0, -6.0, 0.8, 0.6)
    assert excited.arousal > 0.5 and quiet.arousal < -0.3
    assert abs(excited.valence) <= 0.3  # valence from prosody stays weak


def test_a_stored_baseline_is_checked():
    good = {"f0_median_hz": 120.0, "f0_range_st": 4.0, "intensity_db": 60.0, "rate_syll_per_s": 4.0}
    assert VoiceBaseline.from_dict(good).as_dict() == good
    with pytest.raises(ValueError, match="missing"):
        VoiceBaseline.from_dict({"f0_median_hz": 120.0})
    with pytest.raises(ValueError, match="not a voice"):
        VoiceBaseline.from_dict(good | {"f0_median_hz": 5.0})
    with pytest.raises(ValueError, match="finite number"):
        VoiceBaseline.from_dict(good | {"intensity_db": "loud"})  # type: ignore[arg-type]
