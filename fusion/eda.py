"""Electrodermal activity: the tonic level and the phasic skin-conductance responses of a window."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from fusion.filters import bandpass
from fusion.outliers import MAD_TO_SD

FloatArray = NDArray[np.float64]

SMOOTH_HZ = 1.0  # responses are slower than this; faster wiggles are noise
RESPONSE_MIN = 0.02  # smallest response counted (µS, the usual convention is 0.01-0.05)
NOISE_FACTOR = 4.0  # ... and at least this many times the trace's own sample-to-sample noise
RATE_HZ = 10.0  # responses are found on the smoothed trace resampled to this rate


@dataclass(frozen=True)
class EdaFeatures:
    """Tonic level (median of the smoothed trace, in the input's units, µS for boards), the number of phasic
    responses and their rate per minute."""

    tonic: float
    responses: int
    per_minute: float


def _smoothed(x: FloatArray, fs: float, step: int) -> FloatArray:
    """The trace resampled near RATE_HZ (block means of ``step`` samples) and low-passed below SMOOTH_HZ."""
    usable: FloatArray = x[: x.size - x.size % step].reshape(-1, step).mean(axis=1)
    rate = fs / step
    if usable.size < 4:
        return usable
    smooth: FloatArray = bandpass(usable, rate, 0.0, min(SMOOTH_HZ, 0.45 * rate)) + usable.mean()
    return smooth


def eda_features(x: FloatArray, fs: float) -> EdaFeatures:
    """Tonic level and phasic responses of one EDA trace sampled at ``fs`` Hz.

    A response is a rise of the smoothed trace, from a trough to the next peak, of at least RESPONSE_MIN
    (and clearly above the trace's own noise). Non-finite samples are dropped.
    """
    x = np.asarray(x, dtype=np.float64)
    x = x[np.isfinite(x)]
    if x.size < fs:
        return EdaFeatures(math.nan, 0, math.nan)
    step = max(1, int(fs // RATE_HZ))
    y = _smoothed(x, fs, step)
    tonic = float(np.median(y))
    raw_step = np.diff(x[: x.size - x.size % step])
    noise = MAD_TO_SD * float(np.median(np.abs(raw_step - np.median(raw_step)))) if raw_step.size else 0.0
    threshold = max(RESPONSE_MIN, NOISE_FACTOR * noise)
    slope = np.sign(np.diff(y))
    turns = [int(i) for i in np.flatnonzero(np.diff(slope) != 0) + 1]
    troughs = [i for i in turns if slope[i - 1] < 0 <= slope[i]]
    responses = 0
    for start in [0, *troughs]:
        peak = next((i for i in turns if i > start and slope[i - 1] > 0 >= slope[i]), None)
        if peak is not None and y[peak] - y[start] >= threshold:
            responses += 1
    minutes = x.size / fs / 60.0
    return EdaFeatures(tonic, responses, responses / minutes)
