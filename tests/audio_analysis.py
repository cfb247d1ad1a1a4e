"""Small numpy-only measurements on WAV files for the music tests (levels in dBFS, times in seconds)."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import numpy.typing as npt

Samples = npt.NDArray[np.float64]
SILENCE_DBFS = -120.0


def read_wav_channels(path: Path) -> tuple[Samples, int]:
    """Read a 16-, 24- or 32-bit PCM WAV; returns (samples in -1..1 shaped (frames, channels), rate in Hz)."""
    with wave.open(str(path), "rb") as wav:
        channels, width, rate = wav.getnchannels(), wav.getsampwidth(), wav.getframerate()
        raw = np.frombuffer(wav.readframes(wav.getnframes()), dtype=np.uint8)
    if width == 3:
        triples = raw.reshape(-1, 3).astype(np.int32)
        ints = triples[:, 0] | (triples[:, 1] << 8) | (triples[:, 2] << 16)
        values = np.where(ints >= 1 << 23, ints - (1 << 24), ints).astype(np.float64) / float(1 << 23)
    elif width in (2, 4):
        values = np.frombuffer(raw.tobytes(), dtype=f"<i{width}").astype(np.float64) / float(1 << (8 * width - 1))
    else:
        raise ValueError(f"{path}: {8 * width}-bit samples are not supported; use 16, 24 or 32-bit PCM")
    frames: Samples = values.reshape(-1, channels)
    return frames, rate


def read_wav(path: Path) -> tuple[Samples, int]:
    """Read a PCM WAV as mono (the mean of its channels); returns (samples in -1..1, rate in Hz)."""
    frames, rate = read_wav_channels(path)
    mono: Samples = frames.mean(axis=1)
    return mono, rate


def to_dbfs(amplitude: float) -> float:
    """Linear amplitude to dBFS, floored at SILENCE_DBFS."""
    return 20.0 * float(np.log10(amplitude)) if amplitude > 1e-6 else SILENCE_DBFS


def peak_dbfs(samples: Samples) -> float:
    """Largest absolute sample, in dBFS."""
    return to_dbfs(float(np.max(np.abs(samples)))) if samples.size else SILENCE_DBFS


def rms_envelope(samples: Samples, sr: int, window: float = 0.05) -> Samples:
    """RMS level (linear) in consecutive windows of `window` seconds."""
    size = max(1, round(window * sr))
    usable = samples[: len(samples) // size * size].reshape(-1, size)
    rms: Samples = np.sqrt(np.mean(usable**2, axis=1))
    return rms


def sliding_rms(samples: Samples, sr: int, window: float = 0.02, hop: float = 0.002) -> Samples:
    """RMS level (linear) of `window`-second windows starting every `hop` seconds."""
    size, step = max(1, round(window * sr)), max(1, round(hop * sr))
    energy = np.concatenate(([0.0], np.cumsum(samples**2)))
    starts = np.arange(0, len(samples) - size + 1, step)
    rms: Samples = np.sqrt((energy[starts + size] - energy[starts]) / size)
    return rms


def onset_times(samples: Samples, sr: int, threshold: float = 0.4, hop: float = 0.002) -> Samples:
    """Onset times (s) of separate notes: where a 20 ms sliding RMS rises through `threshold` of its 99th
    percentile, counted again only after it has fallen below half that level (hysteresis)."""
    envelope = sliding_rms(samples, sr, hop=hop)
    high = threshold * float(np.percentile(envelope, 99))
    onsets: list[float] = []
    armed = True
    for index, value in enumerate(envelope):
        if armed and value >= high:
            onsets.append(index * hop)
            armed = False
        elif value < 0.5 * high:
            armed = True
    return np.asarray(onsets, dtype=np.float64)


def tempo_from_onsets(onsets: Samples) -> float:
    """Tempo (BPM) from the median interval between onsets (s); one onset per beat is assumed."""
    if len(onsets) < 3:
        raise ValueError(f"need at least 3 onsets to measure a tempo, got {len(onsets)}")
    return 60.0 / float(np.median(np.diff(onsets)))


def spectral_centroid(samples: Samples, sr: int) -> float:
    """Power-weighted mean frequency (Hz) of the whole signal's magnitude spectrum (Hann window)."""
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    freqs = np.fft.rfftfreq(len(samples), 1.0 / sr)
    power = spectrum**2
    return float(np.sum(freqs * power) / np.sum(power))


def max_step(samples: Samples) -> float:
    """Largest absolute difference between consecutive samples (a click shows as a big step)."""
    return float(np.max(np.abs(np.diff(samples)))) if len(samples) > 1 else 0.0


def dominant_frequency(samples: Samples, sr: int, low: float = 20.0, high: float = 2000.0) -> float:
    """Frequency (Hz) of the strongest spectral peak between `low` and `high` Hz (Hann window)."""
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    freqs = np.fft.rfftfreq(len(samples), 1.0 / sr)
    band = (freqs >= low) & (freqs <= high)
    return float(freqs[band][np.argmax(spectrum[band])])


PITCH_CLASSES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")


def chroma(samples: Samples, sr: int, low: float = 60.0, high: float = 2000.0, frame: float = 0.5) -> Samples:
    """Pitch-class profile (12 values summing to 1, C first): spectral power of `frame`-second Hann frames
    between `low` and `high` Hz, each bin credited to its nearest equal-tempered pitch class."""
    size = round(frame * sr)
    freqs = np.fft.rfftfreq(size, 1.0 / sr)
    band = (freqs >= low) & (freqs <= high)
    classes = np.round(12.0 * np.log2(freqs[band] / 440.0) + 69.0).astype(int) % 12
    window = np.hanning(size)
    profile = np.zeros(12)
    for start in range(0, len(samples) - size + 1, size):
        power = np.abs(np.fft.rfft(samples[start : start + size] * window))[band] ** 2
        profile += np.bincount(classes, weights=power, minlength=12)
    total = float(profile.sum())
    result: Samples = profile / total if total > 0 else profile
    return result


def loudness_steps(samples: Samples, sr: int, window: float = 0.4, hop: float = 0.05) -> Samples:
    """Changes (dB) of the short-term level (RMS over `window` s) from one `hop` to the next: how fast the
    loudness moves, blind to the attacks of single notes inside a window."""
    levels = 20.0 * np.log10(np.maximum(sliding_rms(samples, sr, window, hop), 1e-6))
    steps: Samples = np.diff(levels)
    return steps
