"""Settings: the shipped defaults, overlaid by the user's TOML file, checked value by value."""

from __future__ import annotations

import math
import os
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from sensors.biosignal import BoardConfig
from studio.errors import StudioError
from studio.loop import LoopConfig
from studio.policy import Bounds, ControlMode, Goal
from studio.session import MarkerSettings, Outputs
from studio.store import Consent

AUDIO_BACKENDS = ("auto", "device", "jack", "silent")


class ConfigError(StudioError, ValueError):
    """A settings file or value that cannot be used; the message names it and says what would work."""


def default_settings() -> dict[str, Any]:
    text = resources.files("resources").joinpath("default_config.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def user_config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "affect-studio" / "config.toml"


def _merge(defaults: dict[str, Any], given: dict[str, Any], where: str, origin: str) -> dict[str, Any]:
    """Overlay ``given`` on ``defaults``; every key must exist there with a value of the same type."""
    out = dict(defaults)
    for key, value in given.items():
        name = f"{where}.{key}" if where else key
        if key not in defaults:
            known = ", ".join(sorted(defaults))
            raise ConfigError(f"{origin}: unknown setting {name!r}; known here: {known}")
        default = defaults[key]
        if isinstance(default, dict):
            if not isinstance(value, dict):
                raise ConfigError(f"{origin}: {name} must be a table of settings, got {value!r}")
            out[key] = _merge(default, value, name, origin)
        elif isinstance(default, float):
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                raise ConfigError(f"{origin}: {name} = {value!r} must be a number")
            out[key] = float(value)
        elif isinstance(default, bool) or not isinstance(value, type(default)) or isinstance(value, bool):
            kind = type(default).__name__.replace("str", "text").replace("int", "whole number")
            raise ConfigError(f"{origin}: {name} = {value!r} must be a {kind}")
        else:
            out[key] = value
    return out


@dataclass(frozen=True)
class Config:
    loop: LoopConfig
    goal: Goal
    mode: ControlMode
    bounds: Bounds
    audio_backend: str
    board: BoardConfig
    source: str  # where the settings came from, for messages
    consent: Consent = field(default_factory=Consent)
    outputs: Outputs = field(default_factory=Outputs)
    markers: MarkerSettings = field(default_factory=MarkerSettings)


def load_config(path: Path | None = None) -> Config:
    """Defaults, then ``path`` (or the user's config file when it exists); raises ConfigError."""
    settings = default_settings()
    origin = "defaults"
    candidate = path if path is not None else user_config_path()
    if path is not None and not path.is_file():
        raise ConfigError(f"config file {path} does not exist")
    if candidate.is_file():
        origin = str(candidate)
        try:
            given = tomllib.loads(candidate.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{origin} is not valid TOML: {exc}") from None
        settings = _merge(settings, given, "", origin)
    return build_config(settings, origin)


def build_config(s: dict[str, Any], origin: str) -> Config:
    """Turn merged settings into typed objects, checking ranges and choices."""
    loop = s["loop"]
    for key in ("rate_hz", "smoothing_tau", "decision_interval"):
        if loop[key] <= 0:
            raise ConfigError(f"{origin}: loop.{key} = {loop[key]:g} must be above 0")
    weights = s["channels"]["weights"]
    for channel, w in weights.items():
        if w < 0:
            raise ConfigError(f"{origin}: channels.weights.{channel} = {w:g} must be 0 or more")
    if not any(w > 0 for w in weights.values()):
        raise ConfigError(f"{origin}: channels.weights are all 0; give at least one channel a weight above 0")
    stale = s["channels"]["stale_after"]
    for channel, seconds in stale.items():
        if seconds <= 0:
            raise ConfigError(f"{origin}: channels.stale_after.{channel} = {seconds:g} s must be above 0")
    c = s["control"]
    try:
        goal = Goal(c["goal"])
    except ValueError:
        raise ConfigError(f"{origin}: control.goal = {c['goal']!r}; choose one of {', '.join(Goal)}") from None
    try:
        mode = ControlMode(c["mode"])
    except ValueError:
        raise ConfigError(f"{origin}: control.mode = {c['mode']!r}; choose one of {', '.join(ControlMode)}") from None
    try:
        bounds = Bounds(c["tempo_min"], c["tempo_max"], c["volume_ceiling"], c["max_change_per_min"]).validated()
    except ValueError as exc:
        raise ConfigError(f"{origin}: control: {exc}") from None
    audio = s["audio"]["backend"]
    if audio not in AUDIO_BACKENDS:
        raise ConfigError(f"{origin}: audio.backend = {audio!r}; choose one of {', '.join(AUDIO_BACKENDS)}")
    return Config(
        loop=LoopConfig(
            rate_hz=loop["rate_hz"],
            smoothing_tau=loop["smoothing_tau"],
            decision_interval=loop["decision_interval"],
            stale_after=dict(stale),
            weights=dict(weights),
        ),
        goal=goal,
        mode=mode,
        bounds=bounds,
        audio_backend=audio,
        board=BoardConfig(**s["body"]),
        source=origin,
        consent=Consent(**s["consent"]),
        outputs=Outputs(**s["outputs"]),
        markers=marker_settings(s["markers"], origin),
    )


def marker_settings(m: dict[str, Any], origin: str) -> MarkerSettings:
    labels, keys = m["labels"], m["keys"]
    if not all(isinstance(x, str) and x.strip() for x in [*labels, *keys]) or len(labels) != len(keys):
        raise ConfigError(f"{origin}: markers.labels and markers.keys must be lists of text of the same length")
    for name in ("osc_port",):
        if not 0 <= m[name] <= 65535:
            raise ConfigError(f"{origin}: markers.{name} = {m[name]} must be a UDP port (0-65535)")
    return MarkerSettings(tuple(labels), tuple(keys), m["lsl_stream"], m["osc_port"])
