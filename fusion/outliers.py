"""Outlier rejection for one channel's affect readings: a Hampel test against the channel's recent past."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

HISTORY = 4  # earlier readings the newest one is judged against
K = 3.0  # how many robust standard deviations count as an outlier
FLOOR = 0.15  # smallest robust spread assumed, so a very steady channel may still move by small steps
MAD_TO_SD = 1.4826  # median absolute deviation -> standard deviation for normal data


def middle(rows: NDArray[np.float64]) -> NDArray[np.float64]:
    """Column medians of a few rows (np.median's general machinery costs more than the sort at this size)."""
    ordered: NDArray[np.float64] = np.sort(rows, axis=0)
    n = len(ordered)
    mid: NDArray[np.float64] = ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2
    return mid


def is_outlier(history: NDArray[np.float64], latest: NDArray[np.float64]) -> bool:
    """Whether ``latest`` (valence, arousal) lies more than K robust deviations from the median of ``history``.

    ``history`` holds the channel's previous readings, shape (n, 2). With fewer than HISTORY readings there
    is no past to judge against and nothing is rejected. A genuine step passes once half of the history has
    moved with it (after HISTORY / 2 readings); a single spike never does.
    """
    if len(history) < HISTORY:
        return False
    recent = history[-HISTORY:]
    median = middle(recent)
    spread = np.maximum(MAD_TO_SD * middle(np.abs(recent - median)), FLOOR)
    return bool(np.any(np.abs(latest - median) > K * spread))
