"""Music presets: named parameter sets shipped in resources/presets and saved by the operator.

A preset is a JSON file named after the preset (``calm-ambient.json``) holding ``{"description": text,
"params": {name: value}}``; parameters left out keep their defaults. Operator presets live in the user data
folder (``<data dir>/presets``); they may not take a shipped preset's name.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from studio.kernel.errors import StudioError
from studio.music.params import MusicParams, ParamError, updated
from studio.paths import data_dir

NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
SUFFIX = ".json"


class PresetError(StudioError, ValueError):
    """A preset that cannot be found, read or saved; the message names it and says what to do."""


@dataclass(frozen=True)
class Preset:
    """A named parameter set; `saved` is True for the operator's own presets, `notes` lists clamped values."""

    name: str
    description: str
    params: MusicParams
    saved: bool
    notes: tuple[str, ...] = ()


def user_preset_dir() -> Path:
    """Folder of the operator's saved presets."""
    return data_dir() / "presets"


def _shipped_files() -> dict[str, str]:
    """Shipped preset names -> JSON text."""
    folder = resources.files("resources").joinpath("presets")
    return {
        entry.name[: -len(SUFFIX)]: entry.read_text(encoding="utf-8")
        for entry in folder.iterdir()
        if entry.name.endswith(SUFFIX)
    }


def _saved_files() -> dict[str, Path]:
    """Saved preset names -> file."""
    folder = user_preset_dir()
    if not folder.is_dir():
        return {}
    return {path.stem: path for path in folder.glob(f"*{SUFFIX}") if NAME_PATTERN.fullmatch(path.stem)}


def parse_preset(name: str, text: str, origin: str, saved: bool) -> Preset:
    """Read a preset's JSON text; raises PresetError naming `origin` and the problem."""
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PresetError(f"{origin} is not valid JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("params"), dict):
        raise PresetError(f'{origin} must be an object with "params": {{name: value}} (and a "description")')
    extra = set(data) - {"description", "params"}
    if extra:
        raise PresetError(f"{origin}: unknown key(s) {', '.join(sorted(extra))}; a preset has description and params")
    description = data.get("description", "")
    if not isinstance(description, str):
        raise PresetError(f"{origin}: description must be text")
    try:
        params, notes = updated(MusicParams(), data["params"], origin)
    except ParamError as exc:
        raise PresetError(str(exc)) from None
    return Preset(name, description, params, saved, tuple(notes))


def preset_names() -> list[str]:
    """Every preset name, shipped and saved, sorted."""
    return sorted(set(_shipped_files()) | set(_saved_files()))


def load_preset(name: str) -> Preset:
    """The shipped or saved preset called `name`; raises PresetError if there is none or it cannot be read."""
    shipped = _shipped_files()
    if name in shipped:
        return parse_preset(name, shipped[name], f"preset {name}", saved=False)
    saved = _saved_files()
    if name in saved:
        path = saved[name]
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise PresetError(f"cannot read preset {name} ({path}): {exc}") from None
        return parse_preset(name, text, str(path), saved=True)
    raise PresetError(f"unknown preset {name!r}; presets: {', '.join(preset_names())}")


def load_presets() -> tuple[list[Preset], list[str]]:
    """Every preset that can be read, and one line per preset that cannot (so one bad file hides nothing else)."""
    found: list[Preset] = []
    problems: list[str] = []
    for name in preset_names():
        try:
            found.append(load_preset(name))
        except PresetError as exc:
            problems.append(str(exc))
    return found, problems


def save_preset(name: str, params: MusicParams, description: str = "") -> Path:
    """Save the operator's preset `name` (replacing their earlier one of that name); returns its file."""
    if not NAME_PATTERN.fullmatch(name):
        raise PresetError(
            f"preset name {name!r} must be 1-40 lower-case letters, digits or dashes, starting with a letter or digit"
        )
    if name in _shipped_files():
        raise PresetError(f"{name!r} is a shipped preset; save yours under another name")
    folder = user_preset_dir()
    body = {"description": description, "params": params.as_dict()}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=folder, suffix=".tmp", delete=False, encoding="utf-8") as tmp:
            json.dump(body, tmp, indent=2)
            tmp.write("\n")
        path = folder / f"{name}{SUFFIX}"
        os.replace(tmp.name, path)
    except OSError as exc:
        raise PresetError(f"cannot save preset {name} in {folder}: {exc.strerror or exc}") from None
    return path
