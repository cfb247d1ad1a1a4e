"""Settings: the shipped defaults, overlaid by the user's TOML file, checked value by value."""

from __future__ import annotations

import math
import os
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from fusion.fuse import checked_weights
from sensors.base import CHANNELS
from sensors.boards import BoardConfig
from sensors.body_settings import BodySettings
from sensors.body_sources import board_for
from sensors.frames import FaceConfig
from sensors.voice_setup import VoiceConfig
from studio.errors import StudioError
from studio.loop import LoopConfig
from studio.policy import Bounds, ControlMode, Goal, Point, checked_point
from studio.session import MarkerSettings, Outputs
from studio.store import Consent

AUDIO_BACKENDS = ("auto", "device", "jack", "silent")
MAX_CALIBRATION = 600.0  # seconds: the longest resting baseline calibration


def checked_calibration(seconds: float) -> float:
    """A calibration length in seconds, or ValueError saying what would be accepted."""
    if not (0 < seconds <= MAX_CALIBRATION):
        raise ValueError(f"calibration of {seconds:g} s: choose more than 0 and at most {MAX_CALIBRATION:g} s")
    return seconds


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
    goal_point: Point | None  # None: the goal's own point
    mode: ControlMode
    bounds: Bounds
    audio_backend: str
    body: BodySettings
    calibration_seconds: float
    voice: VoiceConfig
    face: FaceConfig
    source: str  # where the settings came from, for messages
    audio_device: str = ""  # output device: index or part of its name; empty for the system default

    @property
    def profiles_path(self) -> Path:
        """The board profiles file: ``[body] profiles_file``, else boards.toml beside the user's settings."""
        return Path(self.body.profiles_file) if self.body.profiles_file else user_config_path().parent / "boards.toml"

    @property
    def board(self) -> BoardConfig:
        """The BrainFlow board the body channel opens (the synthetic board for files and LSL streams)."""
        return board_for(self.body, self.profiles_path) or BoardConfig()

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
    for key in ("rate_hz", "smoothing_tau", "suggest_interval"):
        if loop[key] <= 0:
            raise ConfigError(f"{origin}: loop.{key} = {loop[key]:g} must be above 0")
    try:
        weights = checked_weights(s["channels"]["weights"], CHANNELS)
    except ValueError as exc:
        raise ConfigError(f"{origin}: channels.weights: {exc}") from None
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
    for key in ("iso_match_seconds", "iso_lead_per_min"):
        if c[key] <= 0:
            raise ConfigError(f"{origin}: control.{key} = {c[key]:g} must be above 0")
    try:
        bounds = Bounds(
            c["tempo_min"],
            c["tempo_max"],
            c["volume_ceiling"],
            c["max_change_per_min"],
            tuple(str(m) for m in c["allowed_modes"]),
            frozenset(str(layer) for layer in c["allowed_layers"]),
        ).validated()
        point = c["goal_point"]
        if point and len(point) != 2:
            raise ValueError(f"goal_point {point!r} must be [valence, arousal]")
        goal_point = checked_point((float(point[0]), float(point[1]))) if point else None
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"{origin}: control: {exc}") from None
    try:
        calibration = checked_calibration(s["session"]["calibration_seconds"])
    except ValueError as exc:
        raise ConfigError(
            f"{origin}: session.calibration_seconds = {s['session']['calibration_seconds']:g}: {exc}"
        ) from None
    audio = s["audio"]["backend"]
    if audio not in AUDIO_BACKENDS:
        raise ConfigError(f"{origin}: audio.backend = {audio!r}; choose one of {', '.join(AUDIO_BACKENDS)}")
    try:
        voice = VoiceConfig(**s["voice"]).validated()
    except ValueError as exc:
        raise ConfigError(f"{origin}: {exc}") from None
    try:
        face = FaceConfig(**s["face"]).checked(origin)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    try:
        body = BodySettings.from_table(s["body"])
    except ValueError as exc:
        raise ConfigError(f"{origin}: {exc}") from None
    return Config(
        loop=LoopConfig(
            rate_hz=loop["rate_hz"],
            smoothing_tau=loop["smoothing_tau"],
            suggest_interval=loop["suggest_interval"],
            stale_after=dict(stale),
            weights=weights,
            iso_match_seconds=c["iso_match_seconds"],
            iso_lead_per_min=c["iso_lead_per_min"],
        ),
        goal_point=goal_point,
        goal=goal,
        mode=mode,
        bounds=bounds,
        audio_backend=audio,
        body=body,
        calibration_seconds=calibration,
        voice=voice,
        face=face,
        source=origin,
        audio_device=s["audio"]["device"].strip(),
        consent=Consent(**s["consent"]),
        outputs=Outputs(**s["outputs"]),
        markers=marker_settings(s["markers"], origin),
    )


def marker_settings(m: dict[str, Any], origin: str) -> MarkerSettings:
    import ipaddress

    labels, keys = m["labels"], m["keys"]
    if not all(isinstance(x, str) and x.strip() for x in [*labels, *keys]) or len(labels) != len(keys):
        raise ConfigError(f"{origin}: markers.labels and markers.keys must be lists of text of the same length")
    for name in ("osc_port",):
        if not 0 <= m[name] <= 65535:
            raise ConfigError(f"{origin}: markers.{name} = {m[name]} must be a UDP port (0-65535)")
    try:
        address = str(ipaddress.IPv4Address(m["osc_address"].strip()))
    except ValueError:
        raise ConfigError(
            f"{origin}: markers.osc_address = {m['osc_address']!r} must be an IPv4 address of this machine: "
            "127.0.0.1 (this machine only), 0.0.0.0 (every interface) or one interface's address"
        ) from None
    return MarkerSettings(tuple(labels), tuple(keys), m["lsl_stream"], m["osc_port"], address)
