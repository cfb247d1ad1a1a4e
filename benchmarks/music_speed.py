"""Music engine speed: offline render (x real time), live engine CPU (share of one core), change-to-audio latency.

Run: .venv/bin/python -m benchmarks.music_speed [--seconds 60] [--live-seconds 20]

- render: every shipped preset rendered for --seconds; x real time = audio seconds / wall seconds, and audio
  seconds / CPU seconds of the process (what the render would take on an idle core).
- live: the engine on the silent backend (a pacing worker computes each buffer in real time, as JACK would)
  for --live-seconds while the parameters change at 20 Hz, playing the richest preset (the one that rendered
  slowest by CPU time); CPU time of the process / wall time.
- latency: two renders that differ by one volume change requested at a time between buffers; the first
  sample that differs, counted from the request, is the wait for the next buffer plus the limiter's lookahead;
  the change then glides over the transition time (the ramp).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from studio.music.backend import Backend
from studio.music.engine import MusicEngine
from studio.music.params import MusicParams
from studio.music.patch import DEFAULT_TRANSITION_SECONDS, LOOKAHEAD_SECONDS
from studio.music.presets import load_preset, preset_names
from studio.music.render import BUFFER_SIZE, render
from tests.audio_analysis import read_wav

SAMPLE_RATE = 44100


def render_speeds(seconds: float, folder: Path) -> tuple[dict[str, float], dict[str, float]]:
    """x real time of each preset's render: by the wall clock, and by the CPU time the process spent (which other
    work on a busy machine does not stretch)."""
    speeds, cpu_speeds = {}, {}
    for name in preset_names():
        cpu = time.process_time()
        result = render(load_preset(name).params, seconds, folder / f"{name}.wav")
        speeds[name] = round(result.duration / result.render_seconds, 1)
        cpu_speeds[name] = round(result.duration / (time.process_time() - cpu), 1)
    return speeds, cpu_speeds


def live_cpu_share(seconds: float, preset: str) -> float:
    """CPU time per wall second of a live engine playing `preset` while being steered at 20 Hz."""
    engine = MusicEngine(Backend("silent", "benchmark"))
    params = load_preset(preset).params
    engine.apply(params)
    engine.start()
    try:
        time.sleep(1.0)
        cpu0, wall0 = os.times(), time.monotonic()
        while time.monotonic() - wall0 < seconds:
            swing = 0.5 + 0.5 * np.sin(time.monotonic())
            engine.apply(replace(params, brightness=float(swing), tempo=90.0 + 20.0 * float(swing)))
            time.sleep(0.05)
        cpu1, wall1 = os.times(), time.monotonic()
    finally:
        engine.stop()
    return (cpu1.user - cpu0.user + cpu1.system - cpu0.system) / (wall1 - wall0)


def change_latency(folder: Path) -> float:
    """Seconds from a requested change to the first output sample it alters."""
    params = MusicParams(volume=-12.0)
    at = 4.0 + 100 / SAMPLE_RATE  # between two buffer starts
    steady, _ = read_wav(render(params, 5.0, folder / "steady.wav").path)
    changed, sr = read_wav(render(params, 5.0, folder / "changed.wav", [(at, replace(params, volume=0.0))]).path)
    first = int(np.flatnonzero(np.abs(steady - changed) > 1e-6)[0])
    return first / sr - at


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60.0, help="length of each preset render (s)")
    parser.add_argument("--live-seconds", type=float, default=20.0, help="how long to run the live engine (s)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        speeds, cpu_speeds = render_speeds(args.seconds, Path(tmp))
        latency = change_latency(Path(tmp))
    richest = min(cpu_speeds, key=lambda name: cpu_speeds[name])
    cpu = live_cpu_share(args.live_seconds, richest)
    buffer_ms = 1000.0 * BUFFER_SIZE / SAMPLE_RATE
    print(
        json.dumps(
            {
                "benchmark": "music_speed",
                "load_average_1min": round(os.getloadavg()[0], 2),
                "cores": os.cpu_count(),
                "render_x_real_time": speeds,
                "render_x_real_time_min": min(speeds.values()),
                "render_x_real_time_median": statistics.median(speeds.values()),
                "render_x_real_time_by_cpu_time": cpu_speeds,
                "render_x_real_time_by_cpu_time_min": min(cpu_speeds.values()),
                "live_preset": richest,
                "live_cpu_share_of_one_core": round(cpu, 4),
                "change_to_audio_ms": round(1000.0 * latency, 2),
                "bound_ms": round(buffer_ms + 1000.0 * LOOKAHEAD_SECONDS, 2),
                "buffer_ms": round(buffer_ms, 2),
                "limiter_lookahead_ms": 1000.0 * LOOKAHEAD_SECONDS,
                "ramp_seconds": DEFAULT_TRANSITION_SECONDS,
            }
        )
    )


if __name__ == "__main__":
    main()
