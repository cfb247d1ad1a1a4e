"""Heart beats from PPG or ECG, and heart rate (bpm) and RMSSD (ms) from the beat times."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from fusion.filters import bandpass, fill_gaps

FloatArray = NDArray[np.float64]

PASS_BAND = {"ppg": (0.5, 5.0), "ecg": (5.0, 20.0)}  # Hz: the pulse wave, and the QRS complex
REFRACTORY = 0.27  # s: two beats are never closer than this (about 220 bpm)
MIN_INTERVAL, MAX_INTERVAL = 0.27, 2.0  # s: beat intervals outside 30-220 bpm are detection errors
INTERVAL_TOLERANCE = 0.3  # an interval further than this share from the median is an ectopic or a missed beat
MIN_COVERAGE = 0.5  # share of a window that clean intervals must cover for its heart rate to count
ENVELOPE_SECONDS = 2.0  # s: the detection threshold follows the signal's peak level over this span
DETECTION_RATE = 250.0  # Hz: faster signals are averaged down to about this rate first (4 ms beat resolution)
THRESHOLD = 0.2  # share of the local peak level a beat must reach (checked on PhysioNet a103l: ECG and PPG)


def _moving_peak(y: FloatArray, fs: float) -> FloatArray:
    """Each sample's local peak level: the maximum over blocks of 0.5 s, then over about ENVELOPE_SECONDS."""
    block = max(1, round(0.5 * fs))
    n_blocks = -(-y.size // block)
    padded = np.full(n_blocks * block, -np.inf)
    padded[: y.size] = y
    peaks = padded.reshape(n_blocks, block).max(axis=1)
    reach = max(1, round(ENVELOPE_SECONDS / 0.5 / 2))
    wide = peaks.copy()
    for k in range(1, reach + 1):
        wide[k:] = np.maximum(wide[k:], peaks[:-k])
        wide[:-k] = np.maximum(wide[:-k], peaks[k:])
    out: FloatArray = np.repeat(wide, block)[: y.size]
    return out


def _detection_signal(x: FloatArray, fs: float, kind: str) -> FloatArray:
    """PPG: the band-passed pulse wave. ECG: the squared slope of the band-passed QRS, smoothed over 0.1 s."""
    low, high = PASS_BAND[kind]
    y = bandpass(x, fs, low, high)
    if kind == "ppg":
        return y
    energy = np.gradient(y) ** 2
    width = max(1, round(0.1 * fs))
    out: FloatArray = np.convolve(energy, np.ones(width) / width, mode="same")
    return out


def beat_times(x: FloatArray, fs: float, kind: str) -> FloatArray:
    """Beat times in seconds from the first sample of a PPG (``kind="ppg"``) or ECG (``"ecg"``) trace at ``fs`` Hz.

    Candidates are local maxima of the detection signal above THRESHOLD of its local peak level; of two candidates
    closer than the refractory period the larger one wins. Non-finite samples are bridged by straight lines.
    """
    if kind not in PASS_BAND:
        raise ValueError(f"unknown cardiac signal {kind!r}; use ppg or ecg")
    x = np.asarray(x, dtype=np.float64)
    step = int(fs // DETECTION_RATE)
    if step > 1:  # beats need no more than DETECTION_RATE Hz: block means keep the work small at 1000 Hz
        x = x[: x.size - x.size % step].reshape(-1, step).mean(axis=1)
        fs = fs / step
    if x.size < 3 * fs:
        return np.zeros(0)
    x = fill_gaps(x)[0][0]
    y = _detection_signal(x, fs, kind)
    level = _moving_peak(y, fs)
    is_peak = (y[1:-1] > y[:-2]) & (y[1:-1] >= y[2:]) & (y[1:-1] > THRESHOLD * level[1:-1]) & (y[1:-1] > 0)
    candidates = np.flatnonzero(is_peak) + 1
    refractory = REFRACTORY * fs
    kept: list[int] = []
    for i in candidates:
        if kept and i - kept[-1] < refractory:
            if y[i] > y[kept[-1]]:
                kept[-1] = int(i)
            continue
        kept.append(int(i))
    if kind == "ecg":  # the smoothed energy peaks late and broadly: move each beat onto its R wave
        kept = _refine(bandpass(x, fs, *PASS_BAND["ecg"]), kept, round(0.08 * fs))
    return np.asarray(kept, dtype=np.float64) / fs


def _refine(y: FloatArray, beats: list[int], reach: int) -> list[int]:
    """Each beat moved to the largest |y| within ``reach`` samples before or after it."""
    out = []
    for i in beats:
        lo, hi = max(0, i - reach), min(y.size, i + reach + 1)
        out.append(lo + int(np.argmax(np.abs(y[lo:hi]))))
    return out


def clean_intervals(beats: FloatArray) -> FloatArray:
    """Beat-to-beat intervals (s) within 30-220 bpm and within 30% of the median interval."""
    intervals = np.diff(beats)
    intervals = intervals[(intervals >= MIN_INTERVAL) & (intervals <= MAX_INTERVAL)]
    if intervals.size == 0:
        return intervals
    median = float(np.median(intervals))
    out: FloatArray = intervals[np.abs(intervals - median) <= INTERVAL_TOLERANCE * median]
    return out


def heart_rate_bpm(beats: FloatArray, span: float = 0.0) -> float:
    """Heart rate (beats per minute) from the median clean interval. NaN with fewer than 2 clean intervals, or
    when clean intervals cover less than half of ``span`` seconds (a window where most beats were lost)."""
    intervals = clean_intervals(beats)
    if intervals.size < 2 or float(intervals.sum()) < MIN_COVERAGE * span:
        return math.nan
    return 60.0 / float(np.median(intervals))


def rmssd_ms(beats: FloatArray) -> float:
    """Root mean square of successive differences of consecutive clean intervals (ms); NaN with too few beats.

    Only differences between two adjacent intervals that both passed the checks are used.
    """
    intervals = np.diff(beats)
    median = float(np.median(intervals)) if intervals.size else math.nan
    ok = (
        (intervals >= MIN_INTERVAL)
        & (intervals <= MAX_INTERVAL)
        & (np.abs(intervals - median) <= INTERVAL_TOLERANCE * median)
    )
    pairs = ok[1:] & ok[:-1]
    if pairs.sum() < 2:
        return math.nan
    diffs = np.diff(intervals)[pairs]
    return 1000.0 * math.sqrt(float(np.mean(diffs**2)))
