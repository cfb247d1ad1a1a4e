"""Scripted parameter changes for offline renders: a JSON list of ``{"t": seconds, "set": {param: value}}``.

Each change applies on top of the parameters before it; values are checked and clamped like a preset's.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from studio.kernel.errors import StudioError
from studio.music.params import MusicParams, ParamError, updated


class ScriptError(StudioError, ValueError):
    """A changes file that cannot be used; the message names the file, the entry and the problem."""


def parse_changes(
    data: Any, base: MusicParams, duration: float, origin: str
) -> tuple[list[tuple[float, MusicParams]], list[str]]:
    """Turn decoded JSON into (time in s, full parameters) pairs in time order, plus clamping notes."""
    if not isinstance(data, list):
        raise ScriptError(f'{origin} must be a JSON list of {{"t": seconds, "set": {{param: value}}}}')
    entries: list[tuple[float, dict[str, Any], str]] = []
    for index, entry in enumerate(data, start=1):
        where = f"{origin} entry {index}"
        if not isinstance(entry, dict) or set(entry) != {"t", "set"}:
            raise ScriptError(f'{where} must be an object with exactly "t" and "set", got {json.dumps(entry)[:80]}')
        t, values = entry["t"], entry["set"]
        if isinstance(t, bool) or not isinstance(t, int | float) or not math.isfinite(t):
            raise ScriptError(f"{where}: t={t!r} must be a number of seconds")
        if not 0.0 <= t <= duration:
            raise ScriptError(f"{where}: t={t:g} s lies outside the render (0..{duration:g} s)")
        if not isinstance(values, dict):
            raise ScriptError(f"{where}: set must be an object of parameter values, got {json.dumps(values)[:80]}")
        entries.append((float(t), values, where))
    changes: list[tuple[float, MusicParams]] = []
    notes: list[str] = []
    current = base
    for t, values, where in sorted(entries, key=lambda e: e[0]):
        try:
            current, clamped = updated(current, values, where)
        except ParamError as exc:
            raise ScriptError(str(exc)) from None
        changes.append((t, current))
        notes.extend(clamped)
    return changes, notes


def load_changes(path: Path, base: MusicParams, duration: float) -> tuple[list[tuple[float, MusicParams]], list[str]]:
    """Read a changes file (see parse_changes); raises ScriptError with one line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScriptError(f"changes file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScriptError(f"cannot read changes file {path}: {exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ScriptError(f"changes file {path} is not valid JSON: {exc}") from None
    return parse_changes(data, base, duration, str(path))
