"""Settings: the shipped defaults, overlaid by the user's TOML file, checked value by value."""

from __future__ import annotations

import ipaddress
import json
import math
import os
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from fusion.affect import real_number
from fusion.fuse import checked_weights
from sensors.base import CHANNELS
from sensors.boards import BoardConfig
from sensors.body_settings import BodySettings
from sensors.body_sources import board_for
from sensors.frames import FaceConfig
from sensors.voice_setup import MAX_BLOCK, MIN_BLOCK, VoiceConfig
from sensors.wav_input import MAX_RATE, MIN_RATE
from studio.goal_plan import Goal, Point
from studio.kernel.errors import StudioError
from studio.kernel.events import MAX_CODE, MIN_CODE
from studio.loop import LoopConfig
from studio.music.params import NUMERIC
from studio.policy import Bounds, ControlMode, PolicyKind
from studio.session import MarkerSettings, Outputs, RemoteSettings
from studio.store import Consent

AUDIO_BACKENDS = ("auto", "device", "jack", "silent")
MIN_CALIBRATION, MAX_CALIBRATION = 1.0, 600.0  # seconds: the shortest and longest resting baseline calibration

# The accepted range and unit of every number in the settings, by its dotted name (a table's name covers every
# number in it; a list's covers each of its items). Every number in default_config.toml has one.
SETTING_RANGES: dict[str, tuple[float, float, str]] = {
    "loop.rate_hz": (1.0, 100.0, "Hz"),
    "loop.smoothing_tau": (0.1, 60.0, "s"),
    "loop.suggest_interval": (1.0, 3600.0, "s"),
    "channels.weights": (0.0, 10.0, ""),
    "channels.stale_after": (0.1, 3600.0, "s"),
    "control.goal_point": (-1.0, 1.0, ""),
    "control.tempo_min": (NUMERIC["tempo"].low, NUMERIC["tempo"].high, "BPM"),
    "control.tempo_max": (NUMERIC["tempo"].low, NUMERIC["tempo"].high, "BPM"),
    "control.volume_ceiling": (NUMERIC["volume"].low, NUMERIC["volume"].high, "dBFS"),
    "control.max_change_per_min": (0.01, 10.0, "of a range per minute"),
    "control.iso_match_seconds": (1.0, 600.0, "s"),
    "control.iso_lead_per_min": (0.01, 2.0, "plane units per minute"),
    "session.calibration_seconds": (MIN_CALIBRATION, MAX_CALIBRATION, "s"),
    "face.width": (32, 7680, "pixels"),
    "face.height": (32, 4320, "pixels"),
    "face.fps": (1.0, 240.0, "frames per second"),
    "body.notch_hz": (0.0, 60.0, "Hz"),
    "body.band_low_hz": (0.0, 100.0, "Hz"),
    "body.band_high_hz": (1.0, 1000.0, "Hz"),
    "voice.device": (-1, 1023, "(an input index, -1 for the default input)"),
    "voice.rate": (MIN_RATE, MAX_RATE, "Hz"),
    "voice.block": (MIN_BLOCK, MAX_BLOCK, "samples"),
    "outputs.osc_port": (1, 65535, "(a UDP port)"),
    "markers.osc_port": (0, 65535, "(a UDP port, 0 for none)"),
    "remote.port": (0, 65535, "(a TCP port, 0 for none)"),
}


def shown(value: object, exact: bool = False) -> str:
    """A value for a message, spelt as in a settings file (``true``, ``'fast'``); a decimal number short
    (``1e+06``) unless ``exact`` (``16000.0``)."""
    if isinstance(value, bool):
        return str(value).lower()
    return f"{value:g}" if isinstance(value, float) and not exact else repr(value)


def checked_number(value: object, low: float, high: float, unit: str = "", written: str = "") -> float:
    """``value`` as a float when it is a finite real number from ``low`` to ``high`` (in ``unit``; infinite
    bounds accept any finite number), else ValueError naming the value (as ``written``, when given: the text
    it was read from) and what is accepted. The check of every number that comes from outside."""
    if real_number(value) and math.isfinite(value) and low <= value <= high:
        return float(value)
    unit = f" {unit}" if unit else ""
    bounded = math.isfinite(low) and math.isfinite(high)
    accepted = f"a number from {low:g} to {high:g}{unit}" if bounded else "a finite number"
    raise ValueError(f"{written or shown(value)} is not {accepted}")


def checked_calibration(seconds: float) -> float:
    """A calibration length in seconds, or ValueError saying what would be accepted."""
    try:
        return checked_number(seconds, MIN_CALIBRATION, MAX_CALIBRATION, "s")
    except ValueError as exc:
        raise ValueError(f"calibration of {exc}") from None


class ConfigError(StudioError, ValueError):
    """A settings file or value that cannot be used; the message names it and says what would work."""


def default_settings() -> dict[str, Any]:
    text = resources.files("resources").joinpath("default_config.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def user_config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "affect-studio" / "config.toml"


def _merge(defaults: dict[str, Any], given: dict[str, Any], where: str, origin: str) -> dict[str, Any]:
    """Overlay ``given`` on ``defaults``; every key must exist there with a value of the same type (a whole
    number is accepted where the default is a decimal number, never the other way round)."""
    out = dict(defaults)
    for key, value in given.items():
        name = f"{where}.{key}" if where else key
        if key not in defaults:
            known = ", ".join(sorted(defaults))
            raise ConfigError(f"{origin}: unknown setting {name!r}; known here: {known}")
        default = defaults[key]
        if isinstance(default, dict):
            if not isinstance(value, dict):
                raise ConfigError(f"{origin}: {name} must be a table of settings, got {shown(value)}")
            out[key] = _merge(default, value, name, origin)
            continue
        if isinstance(default, bool):
            fits, kind = isinstance(value, bool), "true or false"
        elif isinstance(default, float):
            fits, kind = real_number(value), "a number"
        elif isinstance(default, int):
            fits, kind = real_number(value) and isinstance(value, int), "a whole number"
        else:
            fits, kind = isinstance(value, type(default)), "text" if isinstance(default, str) else "a list"
        if not fits:
            raise ConfigError(f"{origin}: {name} = {shown(value, exact=True)} must be {kind}")
        out[key] = float(value) if isinstance(default, float) else value
    return out


def check_ranges(settings: dict[str, Any], origin: str, where: str = "") -> None:
    """Every number in ``settings`` lies in its range of SETTING_RANGES; ConfigError names the first that does not."""
    for key, value in settings.items():
        name = f"{where}.{key}" if where else key
        if isinstance(value, dict):
            check_ranges(value, origin, name)
            continue
        limits = SETTING_RANGES.get(name) or SETTING_RANGES.get(where)
        if limits is None:  # text, true/false, a list of names
            continue
        for index, item in enumerate(value if isinstance(value, list) else [value]):
            try:
                checked_number(item, *limits)
            except ValueError as exc:
                label = f"{name}[{index}]" if isinstance(value, list) else name
                raise ConfigError(f"{origin}: {label} = {exc}") from None


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
    remote: RemoteSettings = field(default_factory=RemoteSettings)


def load_config(path: Path | None = None) -> Config:
    """Defaults, then ``path`` (or the user's config file when it exists); raises ConfigError."""
    candidate = path if path is not None else user_config_path()
    if path is not None and not path.is_file():
        raise ConfigError(f"config file {path} does not exist")
    origin = str(candidate) if candidate.is_file() else "defaults"
    return build_config(_merge(default_settings(), user_settings(candidate), "", origin), origin)


def build_config(s: dict[str, Any], origin: str) -> Config:
    """Turn merged settings into typed objects, checking ranges and choices."""
    check_ranges(s, origin)
    loop = s["loop"]
    try:
        weights = checked_weights(s["channels"]["weights"], CHANNELS)
    except ValueError as exc:
        raise ConfigError(f"{origin}: channels.weights: {exc}") from None
    stale = s["channels"]["stale_after"]
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
        policy = PolicyKind(c["policy"])
    except ValueError:
        raise ConfigError(
            f"{origin}: control.policy = {c['policy']!r}; choose one of {', '.join(PolicyKind)}"
        ) from None
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
        goal_point = (float(point[0]), float(point[1])) if point else None
    except ValueError as exc:
        raise ConfigError(f"{origin}: control: {exc}") from None
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
            policy=policy,
        ),
        goal_point=goal_point,
        goal=goal,
        mode=mode,
        bounds=bounds,
        audio_backend=audio,
        body=body,
        calibration_seconds=s["session"]["calibration_seconds"],
        voice=voice,
        face=face,
        source=origin,
        audio_device=s["audio"]["device"].strip(),
        consent=Consent(**s["consent"]),
        outputs=Outputs(**s["outputs"]),
        markers=marker_settings(s["markers"], origin),
        remote=RemoteSettings(s["remote"]["port"], local_address(s["remote"]["address"], "remote.address", origin)),
    )


def local_address(value: str, setting: str, origin: str) -> str:
    """A listening socket's local IPv4 address; ConfigError naming ``setting`` otherwise."""
    try:
        return str(ipaddress.IPv4Address(value.strip()))
    except ValueError:
        raise ConfigError(
            f"{origin}: {setting} = {value!r} must be an IPv4 address of this machine: "
            "127.0.0.1 (this machine only), 0.0.0.0 (every interface) or one interface's address"
        ) from None


RESERVED_KEYS = {
    "f1": "Help",
    "f11": "full screen",
    "escape": "fading the music out",
    "esc": "fading the music out",
    "space": "accepting a suggestion",
}  # the console's own keys, never a marker's


def marker_settings(m: dict[str, Any], origin: str) -> MarkerSettings:
    labels, keys = m["labels"], m["keys"]
    if not all(isinstance(x, str) and x.strip() for x in [*labels, *keys]) or len(labels) != len(keys):
        raise ConfigError(f"{origin}: markers.labels and markers.keys must be lists of text of the same length")
    for key in keys:
        if key.strip().lower() in RESERVED_KEYS:
            raise ConfigError(
                f"{origin}: markers.keys has {key!r}, the console's key for {RESERVED_KEYS[key.strip().lower()]}: "
                "choose another (F2-F10, for example)"
            )
    address = local_address(m["osc_address"], "markers.osc_address", origin)
    codes = m.get("codes", [])
    if codes and (len(codes) != len(labels) or not all(isinstance(c, int) and not isinstance(c, bool) for c in codes)):
        raise ConfigError(
            f"{origin}: markers.codes = {codes!r} must be [] or one whole number per label ({len(labels)})"
        )
    if any(not MIN_CODE <= c <= MAX_CODE for c in codes):
        raise ConfigError(f"{origin}: markers.codes = {codes!r}: each code must lie in {MIN_CODE}..{MAX_CODE}")
    return MarkerSettings(tuple(labels), tuple(keys), m["lsl_stream"], m["osc_port"], address, tuple(codes))


def comma_separated(text: str) -> list[str]:
    """``"start, eyes closed"`` as ``["start", "eyes closed"]`` (empty parts dropped)."""
    return [part.strip() for part in text.split(",") if part.strip()]


def user_settings(path: Path) -> dict[str, Any]:
    """The settings a user's file gives (only those: the rest are the defaults'), {} when there is no file;
    ConfigError when it is not TOML."""
    if not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None


def check_settings(given: dict[str, Any], origin: str) -> dict[str, Any]:
    """``given`` over the defaults, checked exactly as a settings file is (ConfigError naming the bad value);
    returns the merged settings."""
    settings = _merge(default_settings(), given, "", origin)
    build_config(settings, origin)
    return settings


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise ConfigError(f"a setting of {value!r} cannot be written to a settings file")


def settings_toml(settings: dict[str, Any], header: str = "") -> str:
    """``settings`` (tables of values, as read from a settings file) as the text of a settings file."""
    lines = [f"# {line}" for line in header.splitlines()]

    def table(name: str, values: dict[str, Any]) -> None:
        scalars = {k: v for k, v in values.items() if not isinstance(v, dict)}
        if scalars:
            lines.extend(["", f"[{name}]"] if lines else [f"[{name}]"])
            lines.extend(f"{key} = {_toml_value(value)}" for key, value in scalars.items())
        for key, value in values.items():
            if isinstance(value, dict):
                table(f"{name}.{key}", value)

    for name, values in settings.items():
        if not isinstance(values, dict):
            raise ConfigError(f"setting {name!r} must be in a table")
        table(name, values)
    return "\n".join(lines) + "\n"
