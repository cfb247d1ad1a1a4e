"""A seeded panel of random virtual listeners, written as listener files for the closed-loop benchmark.

The hand-made panel (resources/listeners) has one listener per kind of person, so its "median listener" is
whichever kind happens to sit in the middle. A drawn panel gives a population median instead. Each listener's
effects are drawn around what most listeners do (``studio.levers.POPULATION``) with the spread the studio's own
prior allows (SPREAD times it), so the panel is a population as the response model expects it; lags are
log-uniform in LAG_S, channel noise uniform in NOISE, and the starting state anywhere in the inner plane.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from studio.levers import MODE_LEVERS, NUMERIC_LEVERS, POPULATION, PRIOR_FLOOR, PRIOR_SCALE, PRIOR_SD
from studio.music.params import LAYERS

SPREAD = 1.0  # times the prior's spread of each effect
LAG_S = (8.0, 60.0)  # seconds, log-uniform
NOISE = (0.05, 0.3)  # sd of each channel's reading
START = 0.7  # the starting state is uniform on [-START, START] on each axis
REST_SD = 0.15  # sd of where the person settles with every parameter at mid-range


def _pair(values: np.ndarray) -> str:
    return f"[{values[0]:.3f}, {values[1]:.3f}]"


def draw(rng: np.random.Generator) -> str:
    """One random listener as the text of a listener file."""
    lines = ["[listener]"]
    lines.append(f"start = {_pair(rng.uniform(-START, START, 2))}")
    lines.append(f"rest = {_pair(np.clip(rng.normal(0.0, REST_SD, 2), -1.0, 1.0))}")
    lines.append(f"lag_s = {math.exp(rng.uniform(*np.log(LAG_S))):.1f}")
    lines.append(f"noise = {rng.uniform(*NOISE):.3f}")
    lines.append("[listener.response]")
    for name in NUMERIC_LEVERS:
        usual = np.array(POPULATION[name])
        spread = np.maximum(PRIOR_FLOOR, PRIOR_SCALE * np.abs(usual))
        lines.append(f"{name} = {_pair(rng.normal(usual, SPREAD * spread))}")
    for name in LAYERS:
        usual = np.array(POPULATION[f"layer {name}"])
        lines.append(f"{name} = {_pair(rng.normal(usual, SPREAD * PRIOR_SD['layer']))}")
    lines.append("[listener.modes]")
    for lever in MODE_LEVERS:
        usual = np.array(POPULATION[lever])
        lines.append(f"{lever.removeprefix('mode ')} = {_pair(rng.normal(usual, SPREAD * PRIOR_SD['mode']))}")
    return "\n".join(lines) + "\n"


def write_panel(count: int, seed: int, folder: Path) -> list[str]:
    """Write ``count`` random listeners (random-00.toml, ...) into ``folder``; their paths, sorted."""
    rng = np.random.default_rng(seed)
    paths = []
    for index in range(count):
        path = folder / f"random-{index:02d}.toml"
        path.write_text(draw(rng), encoding="utf-8")
        paths.append(str(path))
    return paths
