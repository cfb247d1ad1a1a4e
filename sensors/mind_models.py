"""BrainFlow's pretrained mindfulness and restfulness models (MLModel), run offline on EEG windows."""

from __future__ import annotations

import math
import threading

import numpy as np
from brainflow.board_shim import BrainFlowError
from brainflow.ml_model import BrainFlowClassifiers, BrainFlowMetrics, BrainFlowModelParams, MLModel
from numpy.typing import NDArray

METRICS = {"mindfulness": BrainFlowMetrics.MINDFULNESS, "restfulness": BrainFlowMetrics.RESTFULNESS}
# The bands of BrainFlow's get_avg_band_powers, whose output the models were trained on (Hz).
MODEL_BANDS = ((2.0, 4.0), (4.0, 8.0), (8.0, 13.0), (13.0, 30.0), (30.0, 45.0))


def model_features(freqs: NDArray[np.float64], psd: NDArray[np.float64]) -> NDArray[np.float64]:
    """BrainFlow's model input from a PSD (channels x frequencies), laid out as ``DataFilter.get_avg_band_powers``
    lays it out: the mean over channels of each band's power divided by the sum of those means, then each band's
    spread over channels divided by its mean. (BrainFlow's own call recomputes the spectrum: about 20 ms for 16
    channels at 1000 Hz, four times the budget of the whole channel; the PSD is already at hand here.)"""
    powers = np.stack([psd[:, (freqs >= lo) & (freqs < hi)].sum(axis=1) for lo, hi in MODEL_BANDS], axis=1)
    mean = powers.mean(axis=0)
    spread = powers.std(axis=0)
    total = float(mean.sum())
    if total <= 0 or not (mean > 0).all():
        return np.full(2 * len(MODEL_BANDS), np.nan)
    return np.concatenate((mean / total, spread / mean))


class MindModels:
    """Both models; ``predict`` scores one window's model features in [0, 1] each.

    BrainFlow allows one prepared classifier of each kind per process, so every body pipeline (two studios in
    one process, a replay beside a live session) shares one instance: ``acquire`` it, ``release`` it when done;
    the models are released with their last user.
    """

    _lock = threading.Lock()
    _shared: MindModels | None = None
    _users = 0

    def __init__(self) -> None:
        self._models: dict[str, MLModel] = {}
        for name, metric in METRICS.items():
            model = MLModel(BrainFlowModelParams(metric.value, BrainFlowClassifiers.DEFAULT_CLASSIFIER.value))
            model.prepare()
            self._models[name] = model

    @classmethod
    def acquire(cls) -> MindModels:
        with cls._lock:
            if cls._shared is None:
                cls._shared = cls()
            cls._users += 1
            return cls._shared

    def predict(self, features: NDArray[np.float64]) -> dict[str, float]:
        if not np.isfinite(features).all():
            return {name: math.nan for name in METRICS}
        try:
            with MindModels._lock:
                return {name: float(np.ravel(m.predict(features))[0]) for name, m in self._models.items()}
        except BrainFlowError:
            return {name: math.nan for name in METRICS}

    def release(self) -> None:
        with MindModels._lock:
            MindModels._users -= 1
            if MindModels._users > 0:
                return
            MindModels._shared = None
            models, self._models = self._models, {}
        for model in models.values():
            model.release()
