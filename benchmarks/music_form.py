"""Listening through analysis: every shipped preset rendered for --seconds (10 minutes by default) and measured as
an independent listener would, with the figures printed and the plots written for a person to look at.

Per preset it prints harmony variety (share of 8-bar windows unlike every earlier one, and the longest run of
alike windows, from chroma), melody statistics read back from the type 1 MIDI file (stepwise share, leaps
resolved, rests, phrase ends on chord tones), integrated loudness (pyloudnorm, LUFS), short-term loudness spread
(3 s windows, LU), spectral centroid (Hz, mean and the largest jump between 10 s windows), energy below 60 Hz and
above 2 kHz, and the stereo correlation. For each preset a PNG shows the 8-bar chroma self-similarity matrix and
the short-term loudness and centroid over time.

Run: .venv/bin/python -m benchmarks.music_form [--seconds 600] [--out out/music_form]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from studio.music.midi import MidiFileRecorder
from studio.music.presets import load_preset, preset_names
from studio.music.render import render
from tests.audio_analysis import (
    Samples,
    band_share,
    distinct_share,
    integrated_lufs,
    longest_repeat_run,
    melody_statistics,
    midi_notes,
    read_wav_channels,
    spectral_centroid,
    stereo_correlation,
    window_similarities,
)

SR = 22050


def short_term(frames: Samples, sr: int, seconds: float) -> tuple[Samples, Samples]:
    """Loudness (LUFS, pyloudnorm on each window) and spectral centroid (Hz) of consecutive `seconds` windows."""
    import pyloudnorm

    meter = pyloudnorm.Meter(sr, block_size=min(0.4, seconds))
    size = round(seconds * sr)
    loud, centroid = [], []
    for start in range(0, len(frames) - size + 1, size):
        window = frames[start : start + size]
        loud.append(meter.integrated_loudness(window))
        centroid.append(spectral_centroid(window.mean(axis=1), sr))
    return np.array(loud), np.array(centroid)


def plot(name: str, similarity: Samples, loud: Samples, centroid: Samples, out: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (a, b, c) = plt.subplots(1, 3, figsize=(14, 4))
    a.imshow(similarity, vmin=0.5, vmax=1.0, cmap="magma", origin="lower")
    a.set_title(f"{name}: 8-bar chroma self-similarity")
    a.set_xlabel("8-bar window")
    minutes = np.arange(len(loud)) * 3.0 / 60.0
    b.plot(minutes, loud)
    b.set_title("short-term loudness (LUFS, 3 s)")
    b.set_xlabel("minutes")
    c.plot(minutes, centroid)
    c.set_title("spectral centroid (Hz, 3 s)")
    c.set_xlabel("minutes")
    fig.tight_layout()
    path = out / f"{name}.png"
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def measure(name: str, seconds: float, out: Path, work: Path) -> dict[str, Any]:
    params = load_preset(name).params
    recorder = MidiFileRecorder()
    started = time.perf_counter()
    result = render(params, seconds, work / f"{name}.wav", sr=SR, listener=recorder)
    render_s = time.perf_counter() - started
    recorder.save(work / f"{name}.mid")
    frames, sr = read_wav_channels(result.path)
    mono = frames.mean(axis=1)
    similarity = window_similarities(mono, sr, 240.0 / params.tempo, bars=8)
    loud, centroid = short_term(frames, sr, 3.0)
    audible = loud[np.isfinite(loud) & (loud > -70)]
    tens = [spectral_centroid(mono[i : i + 10 * sr], sr) for i in range(0, len(mono) - 10 * sr + 1, 10 * sr)]
    figures: dict[str, Any] = {
        "render_x_real_time": round(seconds / render_s, 1),
        "harmony_distinct_8bar_share": round(distinct_share(similarity), 3),
        "harmony_longest_alike_run": longest_repeat_run(similarity),
        "integrated_lufs": round(integrated_lufs(frames, sr), 2),
        "short_term_lu_p10_p90": round(float(np.percentile(audible, 90) - np.percentile(audible, 10)), 2),
        "centroid_hz_mean": round(float(np.mean(tens)), 1),
        "centroid_largest_jump_10s_hz": round(float(np.max(np.abs(np.diff(tens)))), 1),
        "below_60hz_share": round(band_share(mono, sr, 20.0, 60.0), 4),
        "above_2khz_share": round(band_share(mono, sr, 2000.0, sr / 2), 4),
        "stereo_correlation": round(stereo_correlation(frames), 3),
        "plot": str(plot(name, similarity, loud, centroid, out)),
    }
    if "melody" in params.layers:
        stats = melody_statistics(midi_notes(work / f"{name}.mid"), beat=60.0 / params.tempo)
        figures["melody"] = {k: round(v, 3) for k, v in stats.items()}
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=600.0, help="render length per preset (s)")
    parser.add_argument("--out", type=Path, default=Path("out/music_form"), help="folder for the plots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        for name in preset_names():
            figures = measure(name, args.seconds, args.out, Path(work))
            print(
                json.dumps({"benchmark": "music_form", "preset": name, "seconds": args.seconds, **figures}), flush=True
            )


if __name__ == "__main__":
    main()
