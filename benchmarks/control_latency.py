"""Event-to-sound latency of the closed loop, and the fusion tick's cost with all four channels.

A studio runs in real time (its own worker threads, the real loop, a silent pyo engine) on replayed affect
tracks for face (15 Hz), voice (10 Hz), body (4 Hz) and text. The goal is "steady", so the music follows the
person. Every few seconds the face track steps between low and high arousal. For each step the benchmark
measures, on the session clock:

- onset -> target: from the first sample of the step to the first engine target (``apply``) that moves the
  tempo in the step's direction;
- accepted -> target: the same from the first sample the outlier test lets through (the third reading of a
  step: two readings of deliberate confirmation), i.e. the pipeline's own latency;
- target -> audible: one audio buffer plus the limiter's look-ahead (the engine applies a target in the
  next buffer; benchmarks.music_speed measures it), after which the change glides over its ramp.

The deliberate delays are reported separately: the smoothing time constant, the outlier confirmation, and
the operator's rate bound (set to its widest here so that the music settles between steps).

Run: .venv/bin/python -m benchmarks.control_latency [--steps 12]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from fusion.outliers import HISTORY
from sensors.affect_replay import AffectReplay, constant_track
from sensors.base import CHANNELS, Source
from studio.app import Studio
from studio.config import build_config, default_settings
from studio.goal_plan import Goal
from studio.music.params import MusicParams
from studio.music.patch import LOOKAHEAD_SECONDS

FACE_HZ = 15.0
STEP_EVERY = 6.0  # seconds between steps
LOW, HIGH = -0.5, 0.8  # face arousal before and after each step


def face_track(steps: int, lead_in: float) -> tuple[np.ndarray, list[tuple[float, int]]]:
    """Alternating arousal plateaus; returns the track and each step's (time, direction)."""
    parts = [constant_track(0.2, LOW, 0.9, lead_in, FACE_HZ)]
    onsets: list[tuple[float, int]] = []
    t = lead_in
    for k in range(steps):
        arousal = HIGH if k % 2 == 0 else LOW
        onsets.append((t, 1 if arousal == HIGH else -1))
        parts.append(constant_track(0.2, arousal, 0.9, STEP_EVERY, FACE_HZ, start=t))
        t += STEP_EVERY
    return np.vstack(parts), onsets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=12, help="how many steps to inject")
    args = parser.parse_args()
    lead_in = 8.0
    track, onsets = face_track(args.steps, lead_in)
    seconds = lead_in + args.steps * STEP_EVERY
    defaults = build_config(default_settings(), "defaults")
    # The operator's rate bound is deliberate too: at its widest (10 ranges per minute) the music settles
    # between steps, so what is measured is the pipeline, not the bound.
    bounds = replace(defaults.bounds, max_change_per_min=10.0)
    config = replace(defaults, audio_backend="silent", goal=Goal.STEADY, bounds=bounds)
    face = AffectReplay("face", track)
    sources: dict[str, Source] = {
        "face": face,
        "voice": AffectReplay("voice", constant_track(0.2, 0.0, 0.6, seconds + 5, 10)),
        "text": AffectReplay("text", []),
        "body": AffectReplay("body", constant_track(0.2, 0.0, 0.4, seconds + 5, 4)),
    }
    applied: list[tuple[float, float]] = []
    ticks: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        studio = Studio(config, demo=False, store=Path(tmp) / "session.sqlite", sources=sources)
        engine_apply, step = studio.engine.apply, studio.step

        def recording_apply(params: MusicParams) -> None:
            applied.append((studio.clock.now(), params.tempo))
            engine_apply(params)

        def timed_step(now: float) -> None:
            t0 = time.perf_counter()
            step(now)
            ticks.append(time.perf_counter() - t0)

        studio.engine.apply = recording_apply  # type: ignore[method-assign]
        studio.step = timed_step  # type: ignore[method-assign]
        studio.start()
        time.sleep(seconds + 1.0)
        studio.stop()
        buffer_s = studio.engine.buffer_seconds
    assert face._start is not None
    times = np.array([t for t, _ in applied])
    tempos = np.array([tempo for _, tempo in applied])
    onset_ms, accepted_ms = [], []
    confirm = (HISTORY // 2) / FACE_HZ
    for t_track, direction in onsets:
        onset = face._start + t_track
        later = np.flatnonzero(times > onset)
        moves = [i for i in later if i > 0 and direction * (tempos[i] - tempos[i - 1]) > 0]
        if moves:
            onset_ms.append(1000 * (times[moves[0]] - onset))
            accepted_ms.append(1000 * (times[moves[0]] - onset - confirm))
    tick_ms = np.array(ticks[int(len(ticks) * 0.1) :]) * 1000

    def pct(values: list[float], q: float) -> float:
        return round(float(np.percentile(values, q)), 1)

    print(
        json.dumps(
            {
                "benchmark": "control_latency",
                "steps_measured": len(onset_ms),
                "steps_injected": len(onsets),
                "onset_to_target_ms": {"p50": pct(onset_ms, 50), "p95": pct(onset_ms, 95), "max": pct(onset_ms, 100)},
                "accepted_to_target_ms": {
                    "p50": pct(accepted_ms, 50),
                    "p95": pct(accepted_ms, 95),
                    "max": pct(accepted_ms, 100),
                },
                "target_to_audible_ms": round(1000 * (buffer_s + LOOKAHEAD_SECONDS), 1),
                "deliberate": {
                    "outlier_confirmation_ms": round(1000 * confirm, 1),
                    "smoothing_time_constant_s": config.loop.smoothing_tau,
                    "loop_tick_s": 1.0 / config.loop.rate_hz,
                    "max_change_per_min": bounds.max_change_per_min,
                },
                "fusion_tick_ms": {
                    "p50": round(float(np.percentile(tick_ms, 50)), 3),
                    "p99": round(float(np.percentile(tick_ms, 99)), 3),
                },
                "channels": list(CHANNELS),
            }
        )
    )


if __name__ == "__main__":
    main()
