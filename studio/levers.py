"""The music levers the closed loop learns and steers, as numbers: music parameters <-> lever vectors.

A numeric lever is its parameter on 0..1 of its NUMERIC range, minus 0.5; a mode lever is 1 while that mode
plays (major is the reference, so it has none); a layer lever is 1 while that layer plays. Register and space
stay the operator's and are not levers.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from fusion.response import FloatArray, ResponseModel
from studio.music.params import LAYERS, MODES, NUMERIC, MusicParams

NUMERIC_LEVERS = ("tempo", "density", "brightness", "volume", "tension")
MODE_LEVERS = tuple(f"mode {m}" for m in MODES if m != "major")
LAYER_LEVERS = tuple(f"layer {name}" for name in LAYERS)
LEVERS = (*NUMERIC_LEVERS, *MODE_LEVERS, *LAYER_LEVERS)
VOLUME_SPAN_DB = 12.0  # the loop keeps the volume within this many dB under the operator's ceiling

# What most listeners do (valence, arousal per unit of each lever), from music-psychology findings: faster,
# denser, louder and brighter music raises arousal; dissonance and the darker modes lower valence; a melody
# lifts it a little. The prior's spread lets one person's data overrule it within a session.
POPULATION: dict[str, tuple[float, float]] = {
    "tempo": (0.0, 1.2),
    "density": (0.0, 0.6),
    "brightness": (0.2, 0.3),
    "volume": (0.0, 0.8),
    "tension": (-0.6, 0.2),
    "mode minor": (-0.3, 0.0),
    "mode dorian": (-0.1, 0.0),
    "mode lydian": (0.1, 0.05),
    "layer pad": (0.05, -0.05),
    "layer bass": (0.0, 0.05),
    "layer pulse": (0.0, 0.15),
    "layer melody": (0.1, 0.05),
}
# How far one person's effects stray from these: a numeric lever's spread grows with the size of its usual effect
# (PRIOR_SCALE times it, at least PRIOR_FLOOR), so that when the music that moves most listeners fails to move
# this one, the model suspects the levers expected to do most; modes and layers have their own spreads.
PRIOR_SCALE, PRIOR_FLOOR = 1.0, 0.5
PRIOR_SD = {"mode": 0.3, "layer": 0.25}


def position(name: str, value: float) -> float:
    """A numeric parameter's value on 0..1 of its NUMERIC range."""
    rng = NUMERIC[name]
    return (value - rng.low) / (rng.high - rng.low)


def value_at(name: str, x: float) -> float:
    """The parameter value at ``x`` (0..1 of its NUMERIC range)."""
    rng = NUMERIC[name]
    return rng.low + x * (rng.high - rng.low)


def lever_vector(params: MusicParams) -> FloatArray:
    """The lever vector of a music setting (length len(LEVERS))."""
    numeric = [position(name, params.numeric(name)) - 0.5 for name in NUMERIC_LEVERS]
    modes = [float(params.mode == m.removeprefix("mode ")) for m in MODE_LEVERS]
    layers = [float(name in params.layers) for name in LAYERS]
    return np.array([*numeric, *modes, *layers], dtype=np.float64)


def discrete_vector(mode: str, layers: frozenset[str]) -> FloatArray:
    """The mode and layer part of a lever vector."""
    modes = [float(mode == m.removeprefix("mode ")) for m in MODE_LEVERS]
    return np.array([*modes, *(float(name in layers) for name in LAYERS)], dtype=np.float64)


def numeric_box(limits: dict[str, tuple[float, float]]) -> tuple[FloatArray, FloatArray]:
    """Lowest and highest numeric lever values allowed by parameter limits (name -> (low, high) values)."""
    low = np.array([position(n, limits[n][0]) - 0.5 for n in NUMERIC_LEVERS])
    high = np.array([position(n, limits[n][1]) - 0.5 for n in NUMERIC_LEVERS])
    return low, high


def with_numeric(params: MusicParams, levers: FloatArray) -> MusicParams:
    """``params`` with its numeric levers set to ``levers`` (values in lever units)."""
    values = [value_at(name, float(x) + 0.5) for name, x in zip(NUMERIC_LEVERS, levers, strict=True)]
    tempo, density, brightness, volume, tension = values
    return replace(params, tempo=tempo, density=density, brightness=brightness, volume=volume, tension=tension)


def new_model() -> ResponseModel:
    """A response model that knows only what most listeners do."""
    mean = np.array([POPULATION[name] for name in LEVERS]).T
    kinds = ["mode"] * len(MODE_LEVERS) + ["layer"] * len(LAYER_LEVERS)
    numeric = np.maximum(PRIOR_FLOOR, PRIOR_SCALE * np.abs(mean[:, : len(NUMERIC_LEVERS)]))
    discrete = np.tile([PRIOR_SD[k] for k in kinds], (2, 1))
    return ResponseModel(LEVERS, mean, np.hstack([numeric, discrete]))


def lever_words(name: str) -> str:
    """A lever as a therapist would say it: 'tempo', 'the minor mode', 'the melody'."""
    if name.startswith("mode "):
        return f"the {name.removeprefix('mode ')} mode"
    if name.startswith("layer "):
        return f"the {name.removeprefix('layer ')}"
    return name


def working_levers(model: ResponseModel, least: float = 0.2) -> list[tuple[str, int, float, float]]:
    """The levers this person's model is sure move them: (lever, axis 0 valence / 1 arousal, effect per unit,
    its sd), strongest first; an effect counts when it is at least ``least`` per unit and three sds from 0 after
    the lever moved three times or more."""
    found = []
    for effect in model.effects():
        for axis in (0, 1):
            mean, sd = effect.mean[axis], effect.sd[axis]
            if effect.moves >= 3 and abs(mean) >= least and abs(mean) >= 3.0 * sd:
                found.append((effect.lever, axis, mean, sd))
    return sorted(found, key=lambda item: -abs(item[2]))


def response_words(model: ResponseModel) -> str:
    """What the model knows, in a few words: the levers sure to move this person, or that none is known yet."""
    working = working_levers(model)
    if not working:
        return "no lever known yet to move this person"
    parts = []
    for lever, axis, mean, _ in working[:3]:
        way = "raises" if mean > 0 else "lowers"
        parts.append(f"more {lever_words(lever)} {way} {('valence', 'arousal')[axis]}")
    return "; ".join(parts)


def response_summary(model: ResponseModel) -> dict[str, object]:
    """What the model knows, for a summary or a report: its lag (s), how much it saw, the working levers
    (effect per unit of the lever on valence or arousal, with its sd), every lever's effect on both axes with
    its sd and how often it moved, and the working levers in words."""
    return {
        "lag_s": model.lag_s,
        "observations": model.observations,
        "earlier_sessions": model.sessions,
        "working": [
            {"lever": lever, "axis": ("valence", "arousal")[axis], "per_unit": round(mean, 3), "sd": round(sd, 3)}
            for lever, axis, mean, sd in working_levers(model)
        ],
        "effects": [
            {
                "lever": effect.lever,
                "valence": round(effect.mean[0], 3),
                "valence_sd": round(effect.sd[0], 3),
                "arousal": round(effect.mean[1], 3),
                "arousal_sd": round(effect.sd[1], 3),
                "moves": effect.moves,
            }
            for effect in model.effects()
        ],
        "words": response_words(model),
    }
