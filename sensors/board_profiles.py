"""Named board profiles: BrainFlow board settings saved under a name in a small TOML file (``boards.toml``).

``synthetic`` always exists and needs no file. A profile table holds BoardConfig's fields, e.g.::

    [profiles.lab-cyton]
    board_id = 0
    serial_port = "/dev/ttyUSB0"
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import asdict, fields
from pathlib import Path

from sensors.boards import BoardConfig, BoardError

DEFAULT_PROFILE = "synthetic"
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
_FIELDS = {f.name: f.type for f in fields(BoardConfig)}


class ProfileError(BoardError):
    """A profiles file or profile that cannot be used."""


def _config(name: str, table: object, origin: str) -> BoardConfig:
    if not isinstance(table, dict):
        raise ProfileError(f"{origin}: profile {name!r} must be a table of board settings")
    defaults = asdict(BoardConfig())
    for key, value in table.items():
        if key not in defaults:
            raise ProfileError(f"{origin}: profile {name!r} has unknown setting {key!r}; known: {', '.join(defaults)}")
        if type(value) is not type(defaults[key]):
            kind = "whole number" if isinstance(defaults[key], int) else "text"
            raise ProfileError(f"{origin}: profile {name!r}: {key} = {value!r} must be a {kind}")
    return BoardConfig(**table)


def load_profiles(path: Path) -> dict[str, BoardConfig]:
    """Every profile in ``path`` (a missing file has none) plus ``synthetic``; ProfileError names a bad entry."""
    profiles = {DEFAULT_PROFILE: BoardConfig()}
    if not path.is_file():
        return profiles
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
        raise ProfileError(f"board profiles {path} cannot be read: {exc}") from None
    tables = data.get("profiles", {})
    if not isinstance(tables, dict):
        raise ProfileError(f"{path}: 'profiles' must be a table of named profiles")
    for name, table in tables.items():
        profiles[name] = _config(name, table, str(path))
    return profiles


def _toml_value(value: object) -> str:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else str(value)


def save_profile(path: Path, name: str, config: BoardConfig) -> None:
    """Add or replace profile ``name`` (only the settings that differ from the defaults are written)."""
    if not NAME_PATTERN.match(name) or name == DEFAULT_PROFILE:
        raise ProfileError(
            f"profile name {name!r}: use 1-40 letters, digits, '.', '_' or '-' (and not {DEFAULT_PROFILE!r})"
        )
    profiles = load_profiles(path)
    profiles[name] = config
    defaults = asdict(BoardConfig())
    lines = ["# Board profiles of Affect Studio (written by the board dialog; editing by hand is fine).", ""]
    for pname, pconfig in profiles.items():
        if pname == DEFAULT_PROFILE:
            continue
        lines.append(f"[profiles.{_toml_value(pname)}]")
        values = asdict(pconfig)
        lines += [f"{k} = {_toml_value(v)}" for k, v in values.items() if k == "board_id" or v != defaults[k]]
        lines.append("")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text("\n".join(lines), encoding="utf-8")
    tmp.replace(path)
