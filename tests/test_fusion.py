import math

import numpy as np
import pytest

from fusion.affect import Affect
from fusion.eeg import BAND_NAMES, band_powers, relative
from fusion.face import affect_from_blendshapes
from fusion.fuse import AXIS_TRUST, ChannelReading, Smoother, freshness, fuse
from fusion.text import affect_from_sentiment
from fusion.voice import affect_from_prosody

STALE = {"face": 2.0, "voice": 2.0, "text": 60.0, "body": 2.0}


def test_confidence_weighted_mean():
    readings = {
        "face": ChannelReading(10.0, Affect(0.8, 0.0, 0.9)),
        "voice": ChannelReading(10.0, Affect(-0.4, 0.6, 0.3)),
    }
    fused = fuse(readings, 10.0, STALE, {})
    voice_valence = 0.3 * AXIS_TRUST["voice"][0]  # prosody says little about valence
    assert fused.affect.valence == pytest.approx((0.9 * 0.8 - voice_valence * 0.4) / (0.9 + voice_valence))
    assert fused.affect.arousal == pytest.approx(0.3 * 0.6 / 1.2)
    shares = {c.channel: c.share for c in fused.contributions}
    assert shares["face"] == pytest.approx(0.75)


def test_typed_words_count_for_valence_more_than_for_arousal():
    readings = {
        "face": ChannelReading(10.0, Affect(0.0, -0.6, 0.5)),
        "text": ChannelReading(10.0, Affect(0.6, 0.2, 0.5)),
    }
    fused = fuse(readings, 10.0, STALE, {})
    assert fused.affect.valence == pytest.approx(0.3)  # text counts fully for valence
    text_arousal = AXIS_TRUST["text"][1]
    assert fused.affect.arousal == pytest.approx((-0.6 + text_arousal * 0.2) / (1.0 + text_arousal))
    assert fused.affect.arousal < -0.4  # the emotional wording barely lifts the face's low arousal


def test_operator_weights_and_absent_channels():
    readings = {
        "face": ChannelReading(0.0, Affect(1.0, 0.0, 1.0)),
        "body": ChannelReading(0.0, Affect(-1.0, 0.0, 1.0)),
        "voice": None,
    }
    fused = fuse(readings, 0.0, STALE, {"face": 0.0, "body": 1.0, "voice": 1.0})
    assert fused.affect.valence == pytest.approx(-1.0)
    reasons = {c.channel: c.reason for c in fused.contributions}
    assert reasons["face"] == "weight set to 0"
    assert reasons["voice"] == "no data"
    # Half of the possible weight is missing, so the estimate cannot be fully confident.
    assert fused.affect.confidence < 1.0


def test_stale_channel_counts_for_nothing():
    readings = {
        "face": ChannelReading(0.0, Affect(1.0, 1.0, 1.0)),
        "voice": ChannelReading(9.9, Affect(-0.5, -0.5, 0.5)),
    }
    fused = fuse(readings, 10.0, STALE, {})
    assert fused.affect.valence == pytest.approx(-0.5)
    assert "stale" in {c.channel: c.reason for c in fused.contributions}["face"]
    assert freshness(0.9, 2.0) == 1.0  # fresh for the first half
    assert freshness(1.5, 2.0) == pytest.approx(0.5)
    assert freshness(2.0, 2.0) == 0.0


def test_nothing_present_gives_zero_confidence():
    fused = fuse({"face": None, "voice": None}, 0.0, STALE, {})
    assert fused.affect == Affect(0.0, 0.0, 0.0)


def test_smoother_time_constant():
    s = Smoother(tau=2.0)
    s.update(0.0, Affect(0.0, 0.0, 1.0))
    out = s.update(2.0, Affect(1.0, 1.0, 1.0))
    assert out.valence == pytest.approx(1 - math.exp(-1), rel=1e-6)


def test_smoother_ignores_estimates_without_confidence():
    s = Smoother(tau=1.0)
    s.update(0.0, Affect(0.5, 0.5, 1.0))
    out = s.update(5.0, Affect(-1.0, -1.0, 0.0))
    assert out.valence == pytest.approx(0.5)
    assert out.confidence < 0.01


def sine(freq: float, fs: float = 250.0, seconds: float = 2.0, amp: float = 10.0) -> np.ndarray:
    t = np.arange(int(fs * seconds)) / fs
    return amp * np.sin(2 * np.pi * freq * t)


def test_band_powers_find_the_band_of_a_sine():
    x = np.vstack([sine(10.0), sine(20.0), sine(6.0)])
    rel = relative(band_powers(x, 250.0))
    assert [BAND_NAMES[i] for i in rel.argmax(axis=1)] == ["alpha", "beta", "theta"]
    assert rel.sum(axis=1) == pytest.approx(np.ones(3), abs=1e-9)
    # A sine of amplitude A has power A^2 / 2, almost all of it in its band.
    assert band_powers(sine(10.0)[None, :], 250.0)[0, BAND_NAMES.index("alpha")] == pytest.approx(50.0, rel=0.05)


def test_text_sentiment_mapping():
    happy = affect_from_sentiment({"compound": 0.8, "pos": 0.6, "neu": 0.4, "neg": 0.0})
    sad = affect_from_sentiment({"compound": -0.7, "pos": 0.0, "neu": 0.5, "neg": 0.5})
    flat = affect_from_sentiment({"compound": 0.0, "pos": 0.0, "neu": 1.0, "neg": 0.0})
    assert happy.valence > 0.5 > -0.5 > sad.valence
    assert flat.confidence < happy.confidence


def test_face_smile_raises_valence_and_baseline_removes_resting_face():
    neutral = affect_from_blendshapes({})
    smile = affect_from_blendshapes({"mouthSmileLeft": 0.8, "mouthSmileRight": 0.8})
    assert smile.valence > neutral.valence + 0.5
    resting_sad = {"mouthFrownLeft": 0.4, "mouthFrownRight": 0.4}
    assert affect_from_blendshapes(resting_sad).valence < -0.3
    assert affect_from_blendshapes(resting_sad, baseline=resting_sad).valence == pytest.approx(0.0)
    wide = affect_from_blendshapes({"eyeWideLeft": 0.7, "eyeWideRight": 0.7, "jawOpen": 0.5})
    assert wide.arousal > 0.5


def test_voice_arousal_and_silence():
    excited = affect_from_prosody(4.0, 6.0, 8.0, 1.3, 0.6)
    quiet = affect_from_prosody(-2.0, -3.0, -6.0, 0.8, 0.6)
    assert excited.arousal > 0.5 and quiet.arousal < -0.3
    assert affect_from_prosody(0, 0, 0, 1, 0.0).confidence == 0.0


def test_middle_is_the_column_median():
    import numpy as np

    from fusion.outliers import middle

    rows = np.random.default_rng(3).normal(size=(5, 2))
    assert np.allclose(middle(rows), np.median(rows, axis=0))
    assert np.allclose(middle(rows[:4]), np.median(rows[:4], axis=0))
