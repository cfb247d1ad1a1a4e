"""The virtual listener: the demo person, whose true state answers the music with a lag.

Its true (valence, arousal) moves towards

    rest + sum over p of response[p] * (x_p - 0.5) + modes[mode]

clipped to the plane, with a first-order lag of ``lag_s`` seconds; x_p is parameter p on 0..1 of its range
(NUMERIC low..high), or 1 while layer p plays and 0 while it does not. The demo's four channels read the true
state, each with its own noise (sd ``noise``) and rate. A listener file (``--listener FILE.toml``) says it all:

    [listener]
    start = [-0.2, 0.6]   # true (valence, arousal) at t = 0
    rest = [0.0, 0.1]     # where the person settles when every parameter is at mid-range and no mode is set
    lag_s = 20.0          # first-order time constant of the response, seconds
    noise = 0.1           # sd of each channel's reading around the true state
    [listener.response]   # (valence, arousal) shift per unit of the parameter's normalised range
    tempo = [0.0, 1.6]
    [listener.modes]      # (valence, arousal) shift while a mode plays
    major = [0.3, 0.0]

Missing tables mean no effect; a malformed file is refused in one line naming the key.
"""

from __future__ import annotations

import math
import threading
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from studio.goal_plan import Point
from studio.kernel.errors import StudioError
from studio.levers import position
from studio.music.params import LAYERS, MODES, NUMERIC, MusicParams

PATH_EVERY_S = 5.0  # the true state is kept every this many session seconds
MAX_LAG_S = 3600.0
MAX_NOISE = 1.0
SCALARS = {"lag_s": (0.1, MAX_LAG_S), "noise": (0.0, MAX_NOISE)}


class ListenerError(StudioError, ValueError):
    """A listener file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class ListenerSpec:
    """Who the virtual listener is: see the module's docstring for every field."""

    start: Point = (-0.2, 0.6)
    rest: Point = (0.0, 0.1)
    lag_s: float = 20.0
    noise: float = 0.1
    response: Mapping[str, Point] = field(default_factory=dict)
    modes: Mapping[str, Point] = field(default_factory=dict)
    name: str = "typical listener"

    def settles_at(self, params: MusicParams) -> Point:
        """Where this listener's true state settles while ``params`` play."""
        v, a = self.rest
        for name, (dv, da) in self.response.items():
            x = position(name, params.numeric(name)) if name in NUMERIC else float(name in params.layers)
            v, a = v + dv * (x - 0.5), a + da * (x - 0.5)
        dv, da = self.modes.get(params.mode, (0.0, 0.0))
        return (clip_plane(v + dv), clip_plane(a + da))


SHIPPED = "resources/listeners"  # listener files that come with the studio (typical.toml is the demo's default)


def typical_listener() -> ListenerSpec:
    """The demo's default person: a typical responsive listener (``resources/listeners/typical.toml``)."""
    text = resources.files("resources").joinpath("listeners", "typical.toml").read_text(encoding="utf-8")
    return parse_listener(tomllib.loads(text), "typical.toml", "typical listener")


def clip_plane(x: float) -> float:
    return max(-1.0, min(1.0, x))


class Listener:
    """The true state of a ``spec`` listener over session time; ``advance`` moves it while the music plays."""

    def __init__(self, spec: ListenerSpec) -> None:
        self.spec = spec
        self.state: Point = spec.start  # read from any thread (a tuple is replaced whole)
        self.path: list[tuple[float, float, float]] = [(0.0, *spec.start)]
        self._t = 0.0
        self._lock = threading.Lock()

    def advance(self, t: float, params: MusicParams) -> Point:
        """Move the true state to session time ``t`` (seconds) under ``params``; returns it."""
        with self._lock:
            dt = t - self._t
            if dt <= 0:
                return self.state
            target = self.spec.settles_at(params)
            share = 1.0 - math.exp(-dt / self.spec.lag_s)
            v, a = self.state
            self.state = (v + share * (target[0] - v), a + share * (target[1] - a))
            self._t = t
            while self.path[-1][0] + PATH_EVERY_S <= t:
                self.path.append((self.path[-1][0] + PATH_EVERY_S, *self.state))
            return self.state

    def now(self, _t: float = 0.0) -> Point:
        """The true state now (any thread); the time argument lets it stand in for a Person."""
        return self.state

    def summary(self) -> dict[str, object]:
        """The headless summary's ``listener`` entry: the final true state and its path every 5 s."""
        with self._lock:
            return {
                "name": self.spec.name,
                "final": [round(x, 4) for x in self.state],
                "path": [[round(x, 4) for x in row] for row in self.path],
            }


def _point(value: object, where: str) -> Point:
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x) for x in value)
    ):
        raise ListenerError(f"{where} must be two finite numbers [valence, arousal], got {value!r}")
    return (float(value[0]), float(value[1]))


def _table(data: dict[str, object], key: str, allowed: tuple[str, ...], origin: str) -> dict[str, Point]:
    table = data.pop(key, {})
    if not isinstance(table, dict):
        raise ListenerError(f"{origin}: [listener.{key}] must be a table")
    out = {}
    for name, value in table.items():
        if name not in allowed:
            raise ListenerError(f"{origin}: listener.{key}.{name} is not known; use {', '.join(allowed)}")
        out[name] = _point(value, f"{origin}: listener.{key}.{name}")
    return out


def parse_listener(document: Mapping[str, object], origin: str, name: str) -> ListenerSpec:
    """A listener from a decoded TOML document; ListenerError names the bad key."""
    if set(document) != {"listener"} or not isinstance(document["listener"], dict):
        raise ListenerError(f"{origin}: needs exactly one [listener] table (found {', '.join(document) or 'none'})")
    data = dict(document["listener"])
    response = _table(data, "response", (*NUMERIC, *LAYERS), origin)
    modes = _table(data, "modes", MODES, origin)
    values: dict[str, object] = {}
    for key in ("start", "rest"):
        if key in data:
            point = _point(data.pop(key), f"{origin}: listener.{key}")
            if not all(-1.0 <= x <= 1.0 for x in point):
                raise ListenerError(f"{origin}: listener.{key} {list(point)} lies outside the plane [-1, 1]")
            values[key] = point
    for key, (low, high) in SCALARS.items():
        if key in data:
            value = data.pop(key)
            if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
                raise ListenerError(f"{origin}: listener.{key} = {value!r} must be a number in {low:g}..{high:g}")
            values[key] = float(value)
    if data:
        raise ListenerError(f"{origin}: listener.{sorted(data)[0]} is not known; use start, rest, lag_s, noise")
    return ListenerSpec(response=response, modes=modes, name=name, **values)  # type: ignore[arg-type]


def load_listener(path: Path) -> ListenerSpec:
    """Read a listener file; ListenerError with one line when it cannot be used."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ListenerError(f"listener file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ListenerError(f"cannot read listener file {path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ListenerError(f"listener file {path} is not valid TOML: {exc}") from None
    return parse_listener(document, str(path), path.stem)
