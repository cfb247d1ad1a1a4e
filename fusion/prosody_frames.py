"""The frame analysis every voice source shares: audio blocks in, 10 ms prosody frames out.

A live microphone, a WAV file and the scripted voice all push their samples through one ``ProsodyAnalyzer``;
frames come out in order, each with F0 (Hz, 0 = unvoiced), intensity (dB re 20 uPa with full scale = 1 Pa, as
Praat), voice activity and the noise floor. Frame k is centred ``k * 10 ms`` after the first sample.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import NDArray

from fusion.framing import FRAME_HOP, FrameSlicer
from fusion.pitch import AutocorrelationPitch, PathTracker, PitchSettings
from fusion.voice_activity import ActivitySettings, VoiceActivity

FloatArray = NDArray[np.float64]

REFERENCE_POWER = 4e-10  # (20 uPa)^2: intensity reference when a sample value of 1 means 1 Pa
DBFS_OFFSET = 10 * np.log10(1.0 / REFERENCE_POWER)  # intensity (dB) of a full-scale square wave: 94 dB
PEAK_MEMORY_S = 10.0  # seconds of the loudest recent frame that quiet frames are compared with
PEAK_FLOOR = 0.01  # the reference peak never drops below this (-40 dBFS), so silence stays unvoiced


@dataclass(frozen=True)
class ProsodyFrames:
    """Consecutive frames: ``index`` (frame numbers), ``f0_hz`` (0 = unvoiced), ``intensity_db``, ``activity``
    (``fusion.voice_activity.Activity`` values) and ``floor_db`` (the noise floor), all shape (n,)."""

    index: NDArray[np.int64]
    f0_hz: FloatArray
    intensity_db: FloatArray
    activity: NDArray[np.int64]
    floor_db: FloatArray

    def __len__(self) -> int:
        return int(self.index.size)

    @property
    def t(self) -> FloatArray:
        """Frame centres, seconds after the first sample."""
        return self.index.astype(np.float64) * FRAME_HOP

    @property
    def voiced(self) -> NDArray[np.bool_]:
        return self.f0_hz > 0

    @staticmethod
    def concat(parts: list[ProsodyFrames]) -> ProsodyFrames:
        if not parts:
            return empty_frames()
        return ProsodyFrames(
            np.concatenate([p.index for p in parts]),
            np.concatenate([p.f0_hz for p in parts]),
            np.concatenate([p.intensity_db for p in parts]),
            np.concatenate([p.activity for p in parts]),
            np.concatenate([p.floor_db for p in parts]),
        )


def empty_frames() -> ProsodyFrames:
    return ProsodyFrames(np.zeros(0, np.int64), np.zeros(0), np.zeros(0), np.zeros(0, np.int64), np.zeros(0))


def intensity_db(mean_square: FloatArray) -> FloatArray:
    """Intensity in dB from mean squared sample values (0 dB at and below the reference power)."""
    return 10 * np.log10(np.maximum(mean_square, REFERENCE_POWER) / REFERENCE_POWER)


class ProsodyAnalyzer:
    """Streaming analysis of mono samples (floats in [-1, 1]) at ``rate`` Hz; block sizes do not matter."""

    def __init__(
        self,
        rate: float,
        pitch: PitchSettings | None = None,
        activity: ActivitySettings | None = None,
    ) -> None:
        self.rate = float(rate)
        self.pitch = AutocorrelationPitch(rate, pitch)
        self.slicer = FrameSlicer(rate, self.pitch.length)
        self.path = PathTracker(self.pitch.settings)
        self.activity = VoiceActivity(activity)
        self._peaks = np.zeros(0)  # local peaks of the last PEAK_MEMORY_S seconds of frames
        self._pending: deque[float] = deque()  # intensities of frames whose F0 is not decided yet
        self._decided = 0  # frames handed out

    def push(self, samples: FloatArray) -> ProsodyFrames:
        """Analyse more samples; returns every frame that became final."""
        frames = self.slicer.push(samples)
        return self._analyse(frames, final=False)

    def finish(self) -> ProsodyFrames:
        """End of the stream: returns the remaining frames. The analyser cannot be used after this."""
        frames = self.slicer.flush()
        return self._analyse(frames, final=True)

    def _analyse(self, frames: FloatArray, final: bool) -> ProsodyFrames:
        if frames.shape[0]:
            x = frames - frames.mean(axis=1, keepdims=True)
            w = self.pitch.window
            self._pending.extend(intensity_db((x * x) @ w / w.sum()).tolist())
            f0 = self.path.push(self.pitch.candidates(frames, self._recent_peaks(np.abs(x).max(axis=1))))
        else:
            f0 = np.zeros(0)
        if final:
            f0 = np.concatenate([f0, self.path.finish()])
        n = f0.size
        if n == 0:
            return empty_frames()
        levels = np.array([self._pending.popleft() for _ in range(n)])
        labels, floors = self.activity.update(levels, f0 > 0)
        index = np.arange(self._decided, self._decided + n, dtype=np.int64)
        self._decided += n
        return ProsodyFrames(index, f0, levels, labels, floors)

    def _recent_peaks(self, local: FloatArray) -> FloatArray:
        """For each new frame, the loudest local peak over the last PEAK_MEMORY_S seconds (itself included)."""
        memory = int(PEAK_MEMORY_S / FRAME_HOP)
        history = np.concatenate([self._peaks, local])
        padded = np.concatenate([np.zeros(max(0, memory - 1 - self._peaks.size)), history])
        recent: FloatArray = sliding_window_view(padded[-(local.size + memory - 1) :], memory).max(axis=1)
        self._peaks = history[-(memory - 1) :]
        return np.maximum(recent, PEAK_FLOOR)
