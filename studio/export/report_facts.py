"""What a recorded session was, as the report states it: demo, replayed recordings or live; the audio heard; the
goal, bounds and control mode in force over time; the modes, layers and presets played; the client's response
model as the session left it. Pure functions of the stored session, so that HTML and PDF say the same.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from studio.export.data import SessionData, Table
from studio.levers import lever_words
from studio.loop import MUSIC
from studio.music.params import LAYERS
from studio.session_channels import StateRow

RECORDED_BACKENDS = ("replay", "file", "wav file", "playback")  # channel backends that play recordings back
BOUND_WORDS = {
    "tempo_min": "tempo from",
    "tempo_max": "tempo to",
    "volume_ceiling": "volume at most",
    "max_change_per_min": "change per minute at most",
    "allowed_modes": "modes",
    "allowed_layers": "layers",
}


def clock(t: float) -> str:
    """Session seconds as minutes:seconds."""
    minutes, seconds = divmod(round(max(0.0, t)), 60)
    return f"{minutes}:{seconds:02d}"


@dataclass
class ReportData:
    """A session as the report reads it: its data, what it came to (None if it never ended cleanly) and each
    channel's health changes."""

    data: SessionData
    outcome: dict[str, Any] | None
    states: list[StateRow] = field(default_factory=list)


def session_kind(settings: Mapping[str, Any]) -> tuple[str, str]:
    """("demo" | "replayed recordings" | "live", a sentence saying what that means for the reader)."""
    if settings.get("demo"):
        return "demo", "A demo session: the client was the studio's virtual listener, not a person."
    channels = settings.get("channels") or {}
    recorded = sorted(ch for ch, backend in channels.items() if backend in RECORDED_BACKENDS)
    if recorded:
        return "replayed recordings", (
            f"A session run on recordings played back ({', '.join(recorded)}), not on a person present."
        )
    return "live", "A live session with a client present."


def audio_words(settings: Mapping[str, Any]) -> str:
    """The audio output, and that no audio was heard when it was silent."""
    detail = str(settings.get("audio", "not recorded"))
    kind = settings.get("audio_kind") or ("silent" if detail.startswith("silent") else "")
    if kind == "silent":
        return f"{detail}. No audio was heard: the music was computed but not played."
    return detail


@dataclass(frozen=True)
class Regime:
    """The operator's settings in force from ``start`` to ``end`` (session seconds)."""

    start: float
    end: float
    goal: str
    mode: str
    bounds: dict[str, str]

    def bounds_words(self) -> str:
        b = self.bounds
        parts = [f"tempo {b.get('tempo_min', '?')}-{b.get('tempo_max', '?')} BPM"]
        parts.append(f"volume at most {b.get('volume_ceiling', '?')} dBFS")
        parts.append(f"change at most {b.get('max_change_per_min', '?')} of a range per minute")
        for key in ("allowed_modes", "allowed_layers"):
            if key in b:
                parts.append(f"{BOUND_WORDS[key]} {b[key].replace(',', ', ')}")
        return "; ".join(parts)


def _number(value: object) -> str:
    return f"{value:g}" if isinstance(value, int | float) else str(value)


def regimes(data: SessionData) -> list[Regime]:
    """The goal, control mode and bounds in force over the session, from its start settings and every operator
    change in the control log; one Regime per stretch between changes."""
    settings = data.info.settings
    bounds_start = settings.get("bounds") or {}
    bounds = {k: ",".join(map(str, v)) if isinstance(v, list) else _number(v) for k, v in bounds_start.items()}
    point = settings.get("goal_point")
    goal = str(settings.get("goal", "unknown"))
    if isinstance(point, list) and len(point) == 2:
        goal = f"{goal} ({point[0]:+.2f}, {point[1]:+.2f})"
    mode = str(settings.get("mode", "unknown"))
    log = data.tables["control_log"].columns
    length = data.info.duration_s
    found: list[Regime] = []
    start = 0.0
    for t, param, new, who in zip(log["t"], log["param"], log["new"], log["who"], strict=True):
        if who != "operator" or not (param in ("goal", "control mode") or str(param).startswith("bound ")):
            continue
        if float(t) > start:
            found.append(Regime(start, float(t), goal, mode, dict(bounds)))
            start = float(t)
        if param == "goal":
            goal = str(new)
        elif param == "control mode":
            mode = str(new)
        else:
            value = str(new)
            with suppress(ValueError):
                value = f"{float(value):g}"
            bounds[str(param).removeprefix("bound ")] = value
    found.append(Regime(start, max(start, length), goal, mode, dict(bounds)))
    return found


def mode_times(data: SessionData) -> dict[str, float]:
    """Seconds each mode played (from the recorded music, one row per loop tick)."""
    music = data.tables[MUSIC.name].columns
    t, modes = music["t"], music["mode"]
    if len(t) < 2:
        return {}
    dt = np.diff(t, append=t[-1])
    found: dict[str, float] = {}
    for mode, seconds in zip(modes, dt, strict=True):
        found[str(mode)] = found.get(str(mode), 0.0) + float(seconds)
    return found


def layer_spans(data: SessionData) -> dict[str, list[tuple[float, float]]]:
    """When each layer played: (start, end) session seconds, from the layers at the start and the control log's
    changes of them. Empty when the session did not keep its starting layers (recorded before they were kept)."""
    start_layers = (data.info.settings.get("music") or {}).get("layers")
    if start_layers is None:
        return {}
    log = data.tables["control_log"].columns
    changes = [
        (float(t), str(new)) for t, p, new in zip(log["t"], log["param"], log["new"], strict=True) if p == "layers"
    ]
    playing = set(start_layers)
    since = dict.fromkeys(playing, 0.0)
    spans: dict[str, list[tuple[float, float]]] = {name: [] for name in LAYERS}
    for t, new in changes:
        now = {x for x in new.split(",") if x}
        for name in playing - now:
            spans[name].append((since.pop(name), t))
        for name in now - playing:
            since[name] = t
        playing = now
    for name, t0 in since.items():
        spans[name].append((t0, data.info.duration_s))
    return {name: s for name, s in spans.items() if s}


def presets_played(data: SessionData) -> list[tuple[float, str]]:
    """(session seconds, preset name) of every preset the operator played."""
    actions = data.tables["operator_actions"].columns
    return [
        (float(t), str(d))
        for t, a, d in zip(actions["t"], actions["action"], actions["detail"], strict=True)
        if a == "preset played"
    ]


def lever_rows(response: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """The working levers of a stored response summary as (lever, what it does, how sure): "tempo", "raises
    arousal by 0.12 per tenth of its range", "sd 0.02"."""
    rows = []
    for item in response.get("working") or []:
        lever = str(item.get("lever", "?"))
        per_unit, sd = float(item.get("per_unit", 0.0)), float(item.get("sd", 0.0))
        numeric = not lever.startswith(("mode ", "layer "))
        scale, unit = (0.1, " per tenth of its range") if numeric else (1.0, " while it plays")
        way = "raises" if per_unit > 0 else "lowers"
        rows.append(
            (
                lever_words(lever),
                f"{way} {item.get('axis', '?')} by {abs(per_unit) * scale:.2f}{unit}",
                f"± {sd * scale:.2f}",
            )
        )
    return rows


def following_words(outcome: Mapping[str, Any]) -> str:
    """Whether the client followed the music and how long the goal took, in one sentence."""
    reached = outcome.get("time_to_goal_s")
    goal = outcome.get("goal", "the goal")
    following = outcome.get("following")
    if reached is not None:
        return f"The estimate reached the goal ({goal}) {clock(float(reached))} after it was set, and stayed."
    if following is False:
        return f"The client did not follow the music towards {goal}: the studio held a calm, safe setting."
    if following:
        return f"The goal ({goal}) was not reached, but a music lever was found to move the client."
    return f"The goal ({goal}) was not reached, and no lever was yet known to move the client."


def table_or_empty(data: SessionData, name: str) -> Table | None:
    """A recorded table with rows, or None."""
    table = data.tables.get(name)
    return table if table is not None and len(table) else None


def finite_column(table: Table | None, name: str) -> tuple[np.ndarray, np.ndarray] | None:
    """(t, values) of a column's finite values, or None when it has none."""
    if table is None or name not in table.columns:
        return None
    values = np.asarray(table.columns[name], dtype=float)
    keep = np.isfinite(values)
    if not keep.any():
        return None
    return np.asarray(table.columns["t"], dtype=float)[keep], values[keep]


def shares_text(seconds: Mapping[str, float], total: float, names: Sequence[str] | None = None) -> str:
    """ "major 72% (3:36), dorian 28% (1:24)": each name's share of ``total`` seconds, largest first."""
    items = [(n, s) for n, s in seconds.items() if s > 0 and (names is None or n in names)]
    items.sort(key=lambda item: -item[1])
    return ", ".join(f"{n} {100 * s / total:.0f}% ({clock(s)})" for n, s in items) if total > 0 else ""
