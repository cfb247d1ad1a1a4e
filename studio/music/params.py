"""Music parameters: names, units, ranges, and clamping. No audio code here, so anything may import it."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

MODES = ("major", "minor", "dorian", "lydian")
LAYERS = ("pad", "bass", "pulse", "melody")


@dataclass(frozen=True)
class Range:
    low: float
    high: float
    unit: str
    doc: str

    def clamp(self, value: float) -> float:
        return max(self.low, min(self.high, value))


NUMERIC: dict[str, Range] = {
    "tempo": Range(40.0, 160.0, "BPM", "beats per minute of the pulse and arpeggio"),
    "tension": Range(0.0, 1.0, "", "0 consonant triads .. 1 added sevenths, ninths and suspensions"),
    "register": Range(-12.0, 12.0, "semitones", "transposition of every layer from the home key"),
    "brightness": Range(0.0, 1.0, "", "low-pass cutoff and harmonic richness"),
    "density": Range(0.0, 1.0, "", "share of pulse steps that sound"),
    "volume": Range(-60.0, 0.0, "dBFS", "master level before the limiter"),
    "space": Range(0.0, 1.0, "", "reverb mix and room size"),
}


@dataclass(frozen=True)
class MusicParams:
    """One complete setting of the music engine; ranges in NUMERIC, modes in MODES, layers in LAYERS."""

    tempo: float = 72.0
    mode: str = "major"
    tension: float = 0.2
    register: float = 0.0
    brightness: float = 0.4
    density: float = 0.5
    volume: float = -18.0
    space: float = 0.4
    layers: frozenset[str] = frozenset({"pad", "bass", "pulse"})

    def numeric(self, name: str) -> float:
        value: float = getattr(self, name)
        return value

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        out["layers"] = sorted(self.layers)
        return out


def clamp_params(params: MusicParams) -> tuple[MusicParams, list[str]]:
    """Clamp every value into its range; returns the clamped params and one message per changed value."""
    notes: list[str] = []
    changes: dict[str, Any] = {}
    for name, rng in NUMERIC.items():
        value = params.numeric(name)
        clamped = rng.clamp(value)
        if clamped != value:
            notes.append(f"{name}={value:g} is outside {rng.low:g}..{rng.high:g} {rng.unit}; using {clamped:g}")
            changes[name] = clamped
    if params.mode not in MODES:
        raise ValueError(f"unknown mode {params.mode!r}; choose one of {', '.join(MODES)}")
    unknown = set(params.layers) - set(LAYERS)
    if unknown:
        raise ValueError(f"unknown layer(s) {', '.join(sorted(unknown))}; choose from {', '.join(LAYERS)}")
    return replace(params, **changes), notes


def db_to_amp(db: float) -> float:
    """Decibels (relative to full scale) to linear amplitude."""
    return float(10.0 ** (db / 20.0))
