"""Small numpy-only measurements on WAV files for the music tests (levels in dBFS, times in seconds)."""

from __future__ import annotations

import itertools
import wave
from dataclasses import dataclass
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


@dataclass(frozen=True)
class MidiNote:
    """A note read back from a MIDI file: start and end (s, through the file's tempo map), channel (0-based),
    pitch and velocity (1-127)."""

    start: float
    end: float
    channel: int
    pitch: int
    velocity: int


def midi_notes(path: Path) -> list[MidiNote]:
    """Every note of a MIDI file, as a DAW plays it, in order of start."""
    import mido

    now = 0.0
    sounding: dict[tuple[int, int], list[tuple[float, int]]] = {}
    notes: list[MidiNote] = []
    for message in mido.MidiFile(str(path)):
        now += message.time
        if message.type == "note_on" and message.velocity > 0:
            sounding.setdefault((message.channel, message.note), []).append((now, message.velocity))
        elif message.type in ("note_off", "note_on"):
            started = sounding.get((message.channel, message.note))
            if started:
                start, velocity = started.pop(0)
                notes.append(MidiNote(start, now, message.channel, message.note, velocity))
    return sorted(notes, key=lambda n: (n.start, n.channel, n.pitch))


def silences(notes: list[MidiNote], start: float, stop: float) -> list[tuple[float, float]]:
    """The stretches (start, stop in s) between `start` and `stop` where none of `notes` sounds."""
    gaps: list[tuple[float, float]] = []
    edge = start
    for note in sorted(notes, key=lambda n: n.start):
        if note.start > edge:
            gaps.append((edge, min(note.start, stop)))
        edge = max(edge, note.end)
        if edge >= stop:
            break
    if edge < stop:
        gaps.append((edge, stop))
    return [(a, b) for a, b in gaps if b > a]


def melody_statistics(
    notes: list[MidiNote], beat: float, melody_channel: int = 3, pad_channel: int = 0
) -> dict[str, float]:
    """How a melody (the notes on `melody_channel`) phrases, at a steady beat of `beat` seconds:

    - ``stepwise``: share of intervals of at most two semitones;
    - ``leaps_resolved``: share of leaps (five semitones or more) followed by a step (at most two) the other way;
    - ``on_beat`` / ``off_beat``: shares of onsets within a tenth of a beat of a beat, and the rest;
    - ``lengths``: how many different lengths (in eighth notes) the notes have; ``velocity_range``: the
      difference between the loudest and the softest note (MIDI velocity);
    - ``rest_windows``: share of 8-bar windows (4 beats a bar) holding a rest of a beat or more;
    - ``stable_ends``: share of phrase ends (notes followed by a rest of a beat or more) on a tone of the pad's
      chord sounding then.
    """
    melody = [n for n in notes if n.channel == melody_channel]
    pad = [n for n in notes if n.channel == pad_channel]
    intervals = [b.pitch - a.pitch for a, b in itertools.pairwise(melody)]
    leaps = [i for i, step in enumerate(intervals[:-1]) if abs(step) >= 5]
    resolved = [i for i in leaps if 0 < abs(intervals[i + 1]) <= 2 and intervals[i + 1] * intervals[i] < 0]
    offsets = [abs(n.start / beat - round(n.start / beat)) for n in melody]
    lengths = {round((n.end - n.start) / (beat / 2)) for n in melody}
    velocities = [n.velocity for n in melody]
    window = 32 * beat
    end = max((n.end for n in notes), default=0.0)
    windows = int(end // window)
    rests = silences(melody, 0.0, end)
    with_rest = sum(
        1
        for w in range(windows)
        if any(min(b, (w + 1) * window) - max(a, w * window) >= beat * 0.999 for a, b in rests)
    )
    ends = [n for n, after in itertools.pairwise(melody) if after.start - n.end >= beat * 0.999]
    stable = sum(
        1 for n in ends if n.pitch % 12 in {p.pitch % 12 for p in pad if p.start <= n.start + 0.05 and p.end > n.start}
    )
    return {
        "notes": float(len(melody)),
        "stepwise": sum(1 for step in intervals if abs(step) <= 2) / max(1, len(intervals)),
        "leaps": float(len(leaps)),
        "leaps_resolved": len(resolved) / max(1, len(leaps)),
        "on_beat": sum(1 for x in offsets if x < 0.1) / max(1, len(offsets)),
        "off_beat": sum(1 for x in offsets if x >= 0.1) / max(1, len(offsets)),
        "lengths": float(len(lengths)),
        "velocity_range": float(max(velocities) - min(velocities)) if velocities else 0.0,
        "rest_windows": with_rest / max(1, windows),
        "stable_ends": stable / max(1, len(ends)),
    }


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


def onset_strength(samples: Samples, sr: int, hop: float = 0.01, frame: float = 0.04) -> Samples:
    """Spectral flux: for each `hop` (s), how much the log-magnitude spectrum of a `frame`-second Hann frame grew
    over the previous one (summed over frequency). Peaks mark note onsets, even over a sustained pad."""
    size, step = round(frame * sr), round(hop * sr)
    count = max(0, (len(samples) - size) // step)
    index = np.arange(size)[None, :] + step * np.arange(count)[:, None]
    magnitude = np.log1p(1000.0 * np.abs(np.fft.rfft(samples[index] * np.hanning(size), axis=1)))
    flux: Samples = np.maximum(np.diff(magnitude, axis=0), 0.0).sum(axis=1)
    return flux


def beat_coverage(samples: Samples, sr: int, bpm: float, hop: float = 0.01, tolerance: float = 0.04) -> float:
    """Share of the beats (every 60 / `bpm` s from the first sample) with an onset within `tolerance` s: a peak of
    the spectral flux above its median by three median absolute deviations. Music that pulses scores near 1."""
    flux = onset_strength(samples, sr, hop)
    median = float(np.median(flux))
    threshold = median + 3.0 * float(np.median(np.abs(flux - median)))
    inner = flux[1:-1]
    peaks = np.flatnonzero((inner > threshold) & (inner >= flux[:-2]) & (inner >= flux[2:])) + 1
    times = peaks * hop + 0.02  # a frame's change shows at its centre
    beats = np.arange(0.0, len(samples) / sr, 60.0 / bpm)
    return float(np.mean([np.any(np.abs(times - beat) < tolerance) for beat in beats]))
