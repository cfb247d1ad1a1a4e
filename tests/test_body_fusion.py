"""Body channel numerics: filters, band powers, quality, asymmetry, heart rate, EDA and the estimate."""

import math

import numpy as np
import pytest

from fusion.body_affect import BodyAffect, BodyFeatures
from fusion.cardiac import beat_times, heart_rate_bpm, rmssd_ms
from fusion.eda import eda_features
from fusion.eeg import (
    BAND_NAMES,
    alpha_asymmetry,
    band_powers,
    engagement,
    parse_pairs,
    rate_problem,
    resolve_pairs,
    welch_psd,
)
from fusion.filters import bandpass, detrend, fill_gaps
from fusion.quality import Quality, QualityLimits, channel_quality, describe
from tests.test_fusion import sine

FS = 250.0


def test_notch_and_band_pass_remove_what_they_should_and_keep_the_rest():
    n = int(10 * FS)
    x = sine(10.0, seconds=10) + sine(50.0, amp=40.0, seconds=10) + sine(0.2, amp=100.0, seconds=10) + np.arange(n) / n
    y = bandpass(x, FS, 1.0, 45.0, notch=50.0)
    freqs, psd = welch_psd(y[None, :], FS)
    power = {f: psd[0, np.argmin(np.abs(freqs - f))] for f in (10.0, 50.0)}
    assert power[50.0] < 1e-3 * power[10.0]
    assert np.std(y) == pytest.approx(np.std(sine(10.0)), rel=0.05)  # 10 Hz passes untouched, drift is gone
    # The 60 Hz notch removes 60 Hz instead.
    z = bandpass(sine(10.0) + sine(60.0, amp=40.0), FS, 1.0, 100.0, notch=60.0)
    assert np.std(z) == pytest.approx(np.std(sine(10.0)), rel=0.05)


def test_detrend_and_gap_filling():
    ramp = np.vstack([np.arange(100.0) * 2 + 5, np.ones(100)])
    assert np.abs(detrend(ramp)).max() < 1e-9
    x = np.vstack([np.arange(10.0), np.arange(10.0)])
    x[0, 3] = np.nan
    x[1, 5] = np.inf
    filled, which = fill_gaps(x)
    assert filled[0, 3] == pytest.approx(3.0) and filled[1, 5] == pytest.approx(5.0)
    assert which.tolist() == [True, True]


def test_band_powers_of_a_sine_and_relative_engagement():
    powers = band_powers(np.vstack([sine(10.0), sine(20.0)]), FS)
    assert [BAND_NAMES[i] for i in powers.argmax(axis=1)] == ["alpha", "beta"]
    assert powers[0, BAND_NAMES.index("alpha")] == pytest.approx(50.0, rel=0.05)  # A^2 / 2
    both = np.array([True, True])
    assert engagement(powers, both) == pytest.approx(1.0, rel=0.1)  # equal alpha and beta
    assert math.isnan(engagement(powers, np.array([False, False])))


def test_a_spectrum_of_too_few_samples_is_refused_with_a_reason():
    """Two samples made a Hann window of zeros and a ZeroDivisionError (empty_streams.xdf at 1 Hz)."""
    for n in (0, 2, 7):
        with pytest.raises(ValueError, match=f"a spectrum needs at least 8 samples; the window holds {n}"):
            welch_psd(np.ones((1, n)), 1.0)
    freqs, psd = welch_psd(np.sin(np.arange(8.0)), 1.0)
    assert psd.shape == (1, freqs.size) and np.isfinite(psd).all()
    assert rate_problem(1.0) == "EEG sampled at 1 Hz: band powers need at least 26 Hz" and rate_problem(125.0) == ""


def test_quality_flags_flat_railed_line_noise_noisy_and_non_finite():
    good = sine(10.0) + np.random.default_rng(0).normal(0, 2, 500)
    rows = [
        good,
        np.full(500, 3.0),  # flat
        np.full(500, 2e5) + good,  # beyond the rail
        good + sine(50.0, amp=60.0),  # mains hum
        good * 40,  # 280 µV standard deviation -> noisy against 300? use factor with many channels below
        np.where(np.arange(500) == 7, np.nan, good),  # a lost sample
        np.clip(good * 3, -20, 20),  # clipped at the amplifier's limit
        good,
    ]
    raw = np.vstack(rows)
    filtered = bandpass(np.nan_to_num(raw), FS, 1.0, 45.0, 50.0)
    q = channel_quality(raw, filtered, FS, 50.0, QualityLimits())
    expected = [Quality.OK, Quality.FLAT, Quality.RAILED, Quality.LINE_NOISE, Quality.NOISY, Quality.RAILED]
    assert q[:6].tolist() == [int(e) for e in expected]
    assert q[6] == Quality.RAILED and q[7] == Quality.OK
    names = [f"c{i}" for i in range(8)]
    assert describe(q, names).startswith("6 of 8 channels unusable: c1 flat, c2 railed, c3 line noise, c4 noisy")
    # No line-noise test when the mains frequency is above Nyquist or switched off.
    assert channel_quality(raw[3:4], filtered[3:4], FS, 0.0)[0] == Quality.OK


def test_asymmetry_pairs_are_configurable_and_fall_back_to_the_nearest_frontal_pair():
    assert parse_pairs("F4/F3, F8/F7") == (("F4", "F3"), ("F8", "F7"))
    with pytest.raises(ValueError, match="RIGHT/LEFT"):
        parse_pairs("F4-F3")
    assert resolve_pairs(["F3", "F4", "O1"], [("F4", "F3")]) == [(1, 0)]
    cyton = ["Fp1", "Fp2", "C3", "C4", "P7", "P8", "O1", "O2"]
    assert resolve_pairs(cyton, [("F4", "F3")]) == [(1, 0)]  # Fp2/Fp1 stands in
    muse = ["TP9", "AF7", "AF8", "TP10"]
    assert resolve_pairs(muse, [("F4", "F3")]) == [(2, 1)]
    assert resolve_pairs(["O1", "O2"], [("F4", "F3")]) == []
    powers = band_powers(np.vstack([sine(10.0, amp=10), sine(10.0, amp=20)]), FS)  # left F3, right F4
    ok = np.array([True, True])
    assert alpha_asymmetry(powers, [(1, 0)], ok) == pytest.approx(math.log(4.0), rel=0.01)
    assert math.isnan(alpha_asymmetry(powers, [(1, 0)], np.array([True, False])))


def test_heart_rate_and_rmssd_of_a_known_beat_train():
    fs = 250.0
    intervals = np.tile([0.8, 0.84], 20)  # 73.2 bpm mean, successive differences of 40 ms
    beats = np.concatenate(([1.0], 1.0 + np.cumsum(intervals)))
    t = np.arange(0, beats[-1] + 1, 1 / fs)
    ecg = sum(np.exp(-(((t - b) / 0.01) ** 2)) for b in beats)  # narrow R waves
    found = beat_times(ecg + 0.01 * np.random.default_rng(1).normal(size=t.size), fs, "ecg")
    assert found.size == beats.size
    assert np.abs(found - beats).max() < 0.02
    assert heart_rate_bpm(found) == pytest.approx(60 / 0.82, abs=2.0)
    assert rmssd_ms(found) == pytest.approx(40.0, abs=8.0)
    assert math.isnan(heart_rate_bpm(found[:2]))
    with pytest.raises(ValueError, match="ppg or ecg"):
        beat_times(ecg, fs, "emg")


def test_eda_tonic_level_and_phasic_responses():
    fs = 50.0
    t = np.arange(0, 60, 1 / fs)
    y = 2.0 + 0.002 * np.random.default_rng(2).normal(size=t.size)
    for onset in (10.0, 30.0, 45.0):
        after = t > onset
        y[after] += 0.3 * (1 - np.exp(-(t[after] - onset) / 1.0)) * np.exp(-(t[after] - onset) / 6.0)
    f = eda_features(y, fs)
    assert f.responses == 3
    assert f.per_minute == pytest.approx(3.0)
    assert 2.0 < f.tonic < 2.2
    assert eda_features(np.full(int(fs * 30), 2.0), fs).responses == 0


def test_estimate_is_relative_to_the_baseline_with_modest_confidence():
    est = BodyAffect()
    rest = BodyFeatures(log_engagement=-0.5, asymmetry=0.0, heart_rate_bpm=70, eda_tonic=2.0, eda_responses_per_min=1)
    est.calibrate(5.0)
    early = est.update(0.0, rest)
    assert early.confidence < 0.2  # no baseline yet
    for k in range(1, 25):
        jitter = 0.02 * (-1) ** k
        est.update(k * 0.25, BodyFeatures(-0.5 + jitter, jitter, 70 + 10 * jitter, 2.0 + jitter, 1.0))
    assert not est.calibrating
    baseline = est.baseline()
    assert baseline is not None and baseline["heart_rate_bpm_mean"] == pytest.approx(70.0, abs=0.5)
    aroused = est.update(10.0, BodyFeatures(0.3, 0.4, 90, 2.4, 4.0))
    assert aroused.arousal > 0.6 and aroused.valence > 0.6
    assert 0.3 < aroused.confidence <= 0.45
    calm = est.update(10.25, BodyFeatures(-0.8, -0.4, 62, 1.8, 0.0))
    assert calm.arousal < -0.5 and calm.valence < -0.5
    # Bad EEG lowers confidence; a source with physiology only has no valence.
    assert est.update(10.5, BodyFeatures(0.3, 0.4, 90, 2.4, 4.0, eeg_quality=0.25)).confidence < 0.15
    physio_only = est.update(10.75, BodyFeatures(heart_rate_bpm=90))
    assert physio_only.valence == 0.0 and physio_only.confidence < aroused.confidence
    # A stored baseline is reused as it is; a damaged one is refused with a clear message.
    other = BodyAffect()
    other.load_baseline(baseline)
    assert other.baseline() == baseline and not other.calibrating
    with pytest.raises(ValueError, match="heart_rate_bpm_std"):
        other.load_baseline({"heart_rate_bpm_mean": 70.0})
    with pytest.raises(ValueError, match="finite number"):
        other.load_baseline({"heart_rate_bpm_mean": math.nan, "heart_rate_bpm_std": 1.0})


def test_first_seconds_are_the_baseline_when_no_calibration_is_asked():
    est = BodyAffect(auto_seconds=2.0)
    for k in range(12):
        est.update(k * 0.25, BodyFeatures(log_engagement=0.0 + 0.01 * (-1) ** k))
    assert est.baseline() is not None
    assert est.update(3.0, BodyFeatures(log_engagement=0.5)).arousal > 0.7
