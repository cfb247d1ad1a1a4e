"""Music parameters: names, units, ranges, and clamping. No audio code here, so anything may import it."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from studio.kernel.errors import StudioError
from studio.music.instruments import CATALOGUE, DEFAULT_INSTRUMENTS, NATURE_BEDS, instruments_for

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


MAX_PALETTE = 3  # instruments a layer may take turns with


@dataclass(frozen=True)
class Instruments:
    """What each layer plays: the first instrument named for a layer plays throughout the first section,
    the others (at most MAX_PALETTE in all) take turns with it from section to section."""

    pad: tuple[str, ...] = DEFAULT_INSTRUMENTS["pad"]
    bass: tuple[str, ...] = DEFAULT_INSTRUMENTS["bass"]
    pulse: tuple[str, ...] = DEFAULT_INSTRUMENTS["pulse"]
    melody: tuple[str, ...] = DEFAULT_INSTRUMENTS["melody"]

    def of(self, layer: str) -> tuple[str, ...]:
        """The instruments of `layer` (one of LAYERS)."""
        names: tuple[str, ...] = getattr(self, layer)
        return names

    def as_dict(self) -> dict[str, list[str]]:
        return {layer: list(self.of(layer)) for layer in LAYERS}


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
    instruments: Instruments = Instruments()
    nature: str = "none"

    def numeric(self, name: str) -> float:
        value: float = getattr(self, name)
        return value

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        out["layers"] = sorted(self.layers)
        out["instruments"] = self.instruments.as_dict()
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
    for layer in LAYERS:
        _palette(layer, params.instruments.of(layer))
    if params.nature not in NATURE_BEDS:
        raise ValueError(f"unknown nature bed {params.nature!r}; choose one of {', '.join(NATURE_BEDS)}")
    return replace(params, **changes), notes


PARAM_NAMES = (*NUMERIC, "mode", "layers", "instruments", "nature")


class ParamError(StudioError, ValueError):
    """A music parameter name or value that cannot be used; the message says what would be accepted."""


def _palette(layer: str, value: Any) -> tuple[str, ...]:
    """One layer's instruments: a name or a list of 1..MAX_PALETTE names the layer may play."""
    names = [value] if isinstance(value, str) else value
    allowed = instruments_for(layer)
    if not isinstance(names, list | tuple) or not 1 <= len(names) <= MAX_PALETTE:
        raise ParamError(f"instruments.{layer}={value!r} must be an instrument name or a list of 1 to {MAX_PALETTE}")
    for name in names:
        if not isinstance(name, str):
            raise ParamError(f"instruments.{layer}: {name!r} is not an instrument name")
        if name not in allowed:
            problem = "not an instrument the " + layer + " can play" if name in CATALOGUE else "an unknown instrument"
            raise ParamError(f"instruments.{layer}: {name!r} is {problem}; choose from {', '.join(allowed)}")
    return tuple(names)


def parse_instruments(value: Any) -> dict[str, tuple[str, ...]]:
    """The layers' instruments named in a preset (an object of layer -> name or list of names) or on a
    command line ("melody=flute+harp,pad=choir"); layers left out keep theirs."""
    if isinstance(value, str):
        pairs = [part.partition("=") for part in value.split(",") if part.strip()]
        if any(not sep for _, sep, _ in pairs):
            raise ParamError(f"instruments={value!r}: write LAYER=NAME[+NAME],..., e.g. melody=flute+harp,pad=choir")
        value = {layer.strip(): [n.strip() for n in names.split("+")] for layer, _, names in pairs}
    if not isinstance(value, dict):
        raise ParamError(f"instruments={value!r} must map layers ({', '.join(LAYERS)}) to instrument names")
    unknown = set(value) - set(LAYERS)
    if unknown:
        raise ParamError(
            f"instruments: unknown layer(s) {', '.join(sorted(map(str, unknown)))}; the layers are {', '.join(LAYERS)}"
        )
    return {layer: _palette(layer, names) for layer, names in value.items()}


def parse_value(name: str, value: Any) -> float | str | frozenset[str] | dict[str, tuple[str, ...]]:
    """Check one parameter value from a preset, a command line or a changes file (text or JSON).

    Numbers may be given as text; layers as a list or as text joined with "," or "+" ("none" for none);
    instruments as in parse_instruments. Raises ParamError; out-of-range numbers are accepted here and
    clamped by clamp_params.
    """
    if name in NUMERIC:
        number = value
        if isinstance(value, str):
            try:
                number = float(value)
            except ValueError:
                number = None
        if isinstance(number, bool) or not isinstance(number, int | float) or not math.isfinite(number):
            raise ParamError(f"{name}={value!r} must be a number ({NUMERIC[name].unit or '0..1'})")
        return float(number)
    if name == "mode":
        if value not in MODES:
            raise ParamError(f"mode={value!r} is not a mode; choose one of {', '.join(MODES)}")
        return str(value)
    if name == "layers":
        if isinstance(value, str):
            value = [] if value.strip() in ("", "none") else value.replace("+", ",").split(",")
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise ParamError(f"layers={value!r} must be a list of layer names ({', '.join(LAYERS)})")
        names = {v.strip() for v in value}
        unknown = names - set(LAYERS)
        if unknown:
            raise ParamError(f"unknown layer(s) {', '.join(sorted(unknown))}; choose from {', '.join(LAYERS)}")
        return frozenset(names)
    if name == "instruments":
        return parse_instruments(value)
    if name == "nature":
        if value not in NATURE_BEDS:
            raise ParamError(f"nature={value!r} is not a nature bed; choose one of {', '.join(NATURE_BEDS)}")
        return str(value)
    raise ParamError(f"unknown parameter {name!r}; the parameters are {', '.join(PARAM_NAMES)}")


def updated(base: MusicParams, values: Mapping[str, Any], where: str = "") -> tuple[MusicParams, list[str]]:
    """`base` with `values` (name -> value as in parse_value) set and clamped into range.

    Returns the new parameters and one note per clamped value; raises ParamError, prefixed with `where`.
    """
    prefix = f"{where}: " if where else ""
    try:
        parsed: dict[str, Any] = {name: parse_value(name, value) for name, value in values.items()}
    except ParamError as exc:
        raise ParamError(f"{prefix}{exc}") from None
    if "instruments" in parsed:
        parsed["instruments"] = replace(base.instruments, **parsed["instruments"])
    params, notes = clamp_params(replace(base, **parsed))
    return params, [f"{prefix}{note}" for note in notes]


def db_to_amp(db: float) -> float:
    """Decibels (relative to full scale) to linear amplitude."""
    return float(10.0 ** (db / 20.0))
