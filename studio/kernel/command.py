"""How the user types the studio's command: the bare name in an activated environment, else the path of the
installed script (``.venv/bin/affect-studio``), so that every hint the studio prints can be run as printed."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

PROGRAM = "affect-studio"  # the command this package installs


def venv_command(name: str) -> str:
    """The script ``name`` of this installation (beside its Python) as the user can type it in the current
    folder: the bare name when that name on PATH is this very script (an activated venv), else its path,
    relative when it lies below the current folder (``.venv/bin/affect-studio``), else absolute."""
    script = Path(os.path.abspath(Path(sys.executable).parent / name))  # symlinks kept: the venv's python is one
    found = shutil.which(name)
    if found and Path(found).resolve() == script.resolve():
        return name
    try:
        relative = str(script.relative_to(Path.cwd()))
    except (OSError, ValueError):  # no current folder, or the script lies outside it
        return str(script)
    return relative if os.sep in relative else f".{os.sep}{relative}"


def studio_command() -> str:
    """``affect-studio`` as the user can type it here (see venv_command); ``python -m studio`` with this
    interpreter when the script is not installed."""
    if (Path(sys.executable).parent / PROGRAM).is_file():
        return venv_command(PROGRAM)
    return f"{venv_command(Path(sys.executable).name)} -m studio"
