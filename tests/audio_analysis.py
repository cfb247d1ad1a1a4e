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


def chroma_frames(samples: Samples, sr: int, frame: float = 0.5, low: float = 60.0, high: float = 2000.0) -> Samples:
    """Pitch-class profiles of consecutive `frame`-second Hann frames, shape (frames, 12), C first: spectral
    power between `low` and `high` Hz, each bin credited to its nearest equal-tempered pitch class; each row sums
    to 1 (or is all zero in silence)."""
    size = round(frame * sr)
    freqs = np.fft.rfftfreq(size, 1.0 / sr)
    band = (freqs >= low) & (freqs <= high)
    classes = np.round(12.0 * np.log2(freqs[band] / 440.0) + 69.0).astype(int) % 12
    count = len(samples) // size
    frames = samples[: count * size].reshape(count, size) * np.hanning(size)
    power = np.abs(np.fft.rfft(frames, axis=1))[:, band] ** 2
    profiles = (
        np.stack([np.bincount(classes, weights=row, minlength=12) for row in power]) if count else np.zeros((0, 12))
    )
    totals = profiles.sum(axis=1, keepdims=True)
    result: Samples = np.divide(profiles, totals, out=np.zeros_like(profiles), where=totals > 0)
    return result


def chroma(samples: Samples, sr: int, low: float = 60.0, high: float = 2000.0, frame: float = 0.5) -> Samples:
    """Pitch-class profile of the whole signal (12 values summing to 1, C first), power-weighted over frames."""
    size = round(frame * sr)
    usable = samples[: len(samples) // size * size].reshape(-1, size) if len(samples) >= size else samples[None, :0]
    weights = np.sum(usable**2, axis=1)
    profile = (chroma_frames(samples, sr, frame, low, high) * weights[:, None]).sum(axis=0)
    total = float(profile.sum())
    result: Samples = profile / total if total > 0 else profile
    return result


# How rough each interval class (0-6 semitones) sounds, from consonant to dissonant: unisons and fifths/fourths
# smooth, thirds and sixths mild, seconds and sevenths and the tritone rough.
INTERVAL_ROUGHNESS = (0.0, 1.0, 0.6, 0.25, 0.2, 0.08, 0.8)


def dissonance(profile: Samples) -> float:
    """Dissonance of a pitch-class profile (12 values): each pair of classes sounding together weighs by the
    product of their shares and the roughness of their interval class."""
    total = 0.0
    for a in range(12):
        for b in range(a + 1, 12):
            total += float(profile[a] * profile[b]) * INTERVAL_ROUGHNESS[min(b - a, 12 - (b - a))]
    return total


def mean_dissonance(samples: Samples, sr: int, frame: float = 0.25) -> float:
    """Mean dissonance of `frame`-second chroma frames (notes sounding together), weighted by frame energy."""
    profiles = chroma_frames(samples, sr, frame)
    size = round(frame * sr)
    energy = np.sum(samples[: len(profiles) * size].reshape(len(profiles), size) ** 2, axis=1)
    values = np.array([dissonance(p) for p in profiles])
    return float(np.sum(values * energy) / np.sum(energy))


def window_similarities(samples: Samples, sr: int, bar_seconds: float, bars: int = 8) -> Samples:
    """Cosine similarity between every pair of consecutive, non-overlapping `bars`-bar windows, each window being
    its bars' chroma profiles (one per bar) end to end; shape (windows, windows)."""
    per_bar = np.stack(
        [
            chroma(samples[round(i * bar_seconds * sr) : round((i + 1) * bar_seconds * sr)], sr)
            for i in range(int(len(samples) / sr / bar_seconds))
        ]
    )
    count = len(per_bar) // bars
    windows = per_bar[: count * bars].reshape(count, bars * 12)
    unit = windows / np.maximum(np.linalg.norm(windows, axis=1, keepdims=True), 1e-12)
    similarity: Samples = unit @ unit.T
    return similarity


def distinct_share(similarity: Samples, same: float = 0.9) -> float:
    """Share of windows unlike every window before them (similarity below `same`)."""
    count = len(similarity)
    distinct = sum(1 for i in range(count) if i == 0 or float(np.max(similarity[i, :i])) < same)
    return distinct / count


def longest_repeat_run(similarity: Samples, same: float = 0.9) -> int:
    """How many windows in a row are alike (each similar to the one before it above `same`)."""
    longest = run = 1
    for i in range(1, len(similarity)):
        run = run + 1 if similarity[i, i - 1] >= same else 1
        longest = max(longest, run)
    return longest


def stereo_correlation(frames: Samples) -> float:
    """Pearson correlation of the left and right channels (1: mono, 0: fully decorrelated)."""
    return float(np.corrcoef(frames[:, 0], frames[:, 1])[0, 1])


def integrated_lufs(frames: Samples, sr: int) -> float:
    """Integrated loudness (LUFS, ITU-R BS.1770-4 with its gating) of stereo frames, by pyloudnorm."""
    import pyloudnorm

    return float(pyloudnorm.Meter(sr).integrated_loudness(frames))


def band_share(samples: Samples, sr: int, low: float, high: float) -> float:
    """Share of the signal's spectral power between `low` and `high` Hz."""
    power = np.abs(np.fft.rfft(samples)) ** 2
    freqs = np.fft.rfftfreq(len(samples), 1.0 / sr)
    return float(power[(freqs >= low) & (freqs < high)].sum() / power.sum())


def click_score(samples: Samples, sr: int, window: float = 0.002, context: float = 0.05) -> float:
    """How far the largest sample jump stands out from its surroundings: the biggest ratio, over `window`-second
    windows, of the window's largest step to the RMS step of the `context` seconds around it. A click (a jump
    with no attack) scores high; smooth attacks and ringing tones score low."""
    steps = np.abs(np.diff(samples))
    size, around = max(1, round(window * sr)), max(1, round(context * sr))
    count = len(steps) // size
    peaks = steps[: count * size].reshape(count, size).max(axis=1)
    energy = np.concatenate(([0.0], np.cumsum(steps**2)))
    starts = np.clip(np.arange(count) * size - around // 2, 0, len(steps) - around)
    rms = np.sqrt((energy[starts + around] - energy[starts]) / around)
    return float(np.max(peaks / np.maximum(rms, 1e-4)))


def loudness_steps(samples: Samples, sr: int, window: float = 0.4, hop: float = 0.05) -> Samples:
    """Changes (dB) of the short-term level (RMS over `window` s) from one `hop` to the next: how fast the
    loudness moves, blind to the attacks of single notes inside a window."""
    levels = 20.0 * np.log10(np.maximum(sliding_rms(samples, sr, window, hop), 1e-6))
    steps: Samples = np.diff(levels)
    return steps


def high_band_bursts(samples: Samples, sr: int, cutoff: float = 8000.0, window: float = 0.001) -> Samples:
    """Level (dB relative to the whole signal's RMS) of the signal above `cutoff` Hz in consecutive `window`-second
    windows, leaving out the first and last 10 ms (the filter's edges). A click, a jump in the waveform or its
    envelope, is a burst of broadband energy: in music whose partials stay below `cutoff` it stands out."""
    spectrum = np.fft.rfft(samples * np.hanning(len(samples)) ** 0.01)  # tapered to 0 in the last few samples
    spectrum[np.fft.rfftfreq(len(samples), 1.0 / sr) < cutoff] = 0.0
    high = np.fft.irfft(spectrum, len(samples))[round(0.01 * sr) : -round(0.01 * sr)]
    size = max(1, round(window * sr))
    count = len(high) // size
    levels = np.sqrt(np.mean(high[: count * size].reshape(count, size) ** 2, axis=1))
    total = float(np.sqrt(np.mean(samples**2)))
    bursts: Samples = 20.0 * np.log10(np.maximum(levels, 1e-12) / max(total, 1e-12))
    return bursts
