"""How far the studio's estimate sits from the person's true state, across the plane, through the whole studio.

Each run is a real headless demo session on a simulated clock (--speed 0) with a virtual listener held still at
one point of a grid on the plane (no response to the music): the four demo channel pipelines read that state
(face, voice, typed text, body; each with the listener's noise), and the fusion loop fuses them. After the
first minute (the body's baseline, the smoothing) it prints, per point, the bias (mean reading minus the true
state) and spread of each channel and of the fused estimate, per axis; then each channel's RMS error per axis
over the grid (what ``fusion.fuse.AXIS_TRUST`` should reflect), and the fused estimate's mean and worst bias and
RMS error. A biased estimate calls a goal reached that the person never reached, and steers the loop wrong.

Run: .venv/bin/python -m benchmarks.estimate_accuracy [--minutes 3] [--jobs 2] [--span 0.9] [--step 0.3]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.closed_loop import record
from sensors.base import CHANNELS

SETTLE_S = 60.0  # readings before this session time are left out (body baseline, smoothing), seconds
NOISE = 0.1  # the listener's channel noise (sd on the plane), as the default listener's
SOURCES = (*CHANNELS, "fused")


def still_listener(folder: Path, valence: float, arousal: float) -> Path:
    """A listener file for a person who stays at (valence, arousal) whatever the music does."""
    path = folder / f"still_{valence:+.2f}_{arousal:+.2f}.toml"
    point = f"[{valence:.3f}, {arousal:.3f}]"
    path.write_text(f"[listener]\nstart = {point}\nrest = {point}\nlag_s = 10.0\nnoise = {NOISE}\n")
    return path


def readings(args: tuple[str, float]) -> dict[str, Any]:
    """Bias and spread of every channel and of the fused estimate for one still listener."""
    spec_path, minutes = args
    with tempfile.TemporaryDirectory() as tmp:
        store = str(Path(tmp) / "s.sqlite")
        summary = record(spec_path, "steady", "fixed", minutes, store, None)
        truth = np.array(summary["listener"]["final"], dtype=float)
        db = sqlite3.connect(store)
        rows = db.execute(
            "SELECT channel, valence, arousal FROM channel_affect WHERE t >= ? UNION ALL "
            "SELECT 'fused', valence, arousal FROM fused_affect WHERE t >= ?",
            (SETTLE_S, SETTLE_S),
        ).fetchall()
        db.close()
    out: dict[str, Any] = {"true": truth.tolist()}
    for source in SOURCES:
        values = np.array([(v, a) for c, v, a in rows if c == source], dtype=float)
        if len(values):
            out[source] = {"bias": (values.mean(0) - truth).tolist(), "sd": values.std(0).tolist()}
    return out


def cell(found: dict[str, list[float]]) -> str:
    """Bias and spread of one source at one point: "+0.01/-0.03 +-0.10/0.12"."""
    (bv, ba), (sv, sa) = found["bias"], found["sd"]
    return f"{bv:+.2f}/{ba:+.2f} +-{sv:.2f}/{sa:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=3.0, help="session length per point (simulated minutes)")
    parser.add_argument("--jobs", type=int, default=2, help="sessions run at once (processes)")
    parser.add_argument("--span", type=float, default=0.9, help="the grid spans -SPAN..SPAN on both axes")
    parser.add_argument("--step", type=float, default=0.3, help="grid step on the plane")
    args = parser.parse_args()
    axis = np.arange(-args.span, args.span + 1e-9, args.step)
    with tempfile.TemporaryDirectory() as folder:
        paths = [str(still_listener(Path(folder), v, a)) for v in axis for a in axis]
        with ProcessPoolExecutor(args.jobs) as pool:
            points = list(pool.map(readings, [(p, args.minutes) for p in paths]))
    print("bias (reading - true state) +- sd, valence / arousal, after the first minute")
    print(f"{'true state':14} | " + " | ".join(f"{s:^23}" for s in SOURCES))
    for p in points:
        cells = [cell(p[s]) if s in p else "-" for s in SOURCES]
        print(f"({p['true'][0]:+.2f}, {p['true'][1]:+.2f}) | " + " | ".join(f"{c:^23}" for c in cells))
    report: dict[str, Any] = {"benchmark": "estimate_accuracy", "points": len(points), "rms_error": {}}
    print("\nRMS error over the grid (sqrt of mean bias^2 + sd^2), valence / arousal")
    for source in SOURCES:
        found = [p[source] for p in points if source in p]
        bias = np.array([f["bias"] for f in found])
        sd = np.array([f["sd"] for f in found])
        rms = np.sqrt(np.mean(bias**2 + sd**2, axis=0))
        report["rms_error"][source] = [round(float(x), 3) for x in rms]
        print(f"  {source:6} {rms[0]:.3f} / {rms[1]:.3f}")
    fused = np.array([p["fused"]["bias"] for p in points])
    report["fused_mean_abs_bias"] = [round(float(x), 3) for x in np.abs(fused).mean(0)]
    report["fused_worst_abs_bias"] = [round(float(x), 3) for x in np.abs(fused).max(0)]
    print(
        f"fused estimate: mean |bias| {report['fused_mean_abs_bias'][0]:.3f} / {report['fused_mean_abs_bias'][1]:.3f}, "
        f"worst {report['fused_worst_abs_bias'][0]:.3f} / {report['fused_worst_abs_bias'][1]:.3f}"
    )
    print(json.dumps(report))


if __name__ == "__main__":
    main()
