"""The EEG view's per-channel figures from known signals: a 10 µV-RMS alpha wave, a railed and a clipped channel,
a lost one, and line noise on top of the EEG band."""

import numpy as np
import pytest

from fusion.channel_figures import channel_figures
from fusion.quality import QualityLimits

FS = 250.0
T = np.arange(int(2 * FS)) / FS


def test_amplitude_railed_share_and_noise_of_known_channels() -> None:
    alpha = 10.0 * np.sqrt(2) * np.sin(2 * np.pi * 10 * T)  # RMS 10 µV
    line = 5.0 * np.sqrt(2) * np.sin(2 * np.pi * 50 * T)  # RMS 5 µV of line noise
    railed = alpha.copy()
    railed[:100] = 2e5  # 100 of 500 samples at the rail
    clipped = np.clip(alpha, -8.0, 8.0)
    lost = np.full_like(alpha, np.nan)
    raw = np.vstack([alpha + 30.0, alpha + line, railed, clipped, lost])
    filtered = np.vstack([alpha, alpha, alpha, clipped, lost])  # the band-pass keeps the alpha, drops the rest
    figures = channel_figures(raw, filtered, QualityLimits(railed_above=1e5))
    assert figures.rms_uv[0] == pytest.approx(10.0, rel=0.02)  # the offset is not amplitude
    assert figures.rms_uv[1] == pytest.approx(np.hypot(10.0, 5.0), rel=0.02)
    assert figures.noise_uv[0] == pytest.approx(0.0, abs=0.2)
    assert figures.noise_uv[1] == pytest.approx(5.0, rel=0.05)
    assert figures.railed_pct[0] == figures.railed_pct[1] == 0.0
    assert figures.railed_pct[2] == pytest.approx(20.0, abs=0.5)
    assert figures.railed_pct[3] > 10.0  # flat tops held at the extreme
    assert np.isnan(figures.rms_uv[4]) and figures.railed_pct[4] == 100.0
    assert figures.line(0) == "10.0 µV · 0% railed · noise 0.0"
    assert figures.line(4) == "no signal · 100% railed"
