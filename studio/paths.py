"""Where the studio keeps its files: the user's data directory (XDG), overridable with STUDIO_DATA_DIR."""

from __future__ import annotations

import os
from pathlib import Path


def data_dir() -> Path:
    """The studio's data directory: $STUDIO_DATA_DIR, else $XDG_DATA_HOME/affect-studio, else ~/.local/share/..."""
    override = os.environ.get("STUDIO_DATA_DIR")
    if override:
        return Path(override)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "affect-studio"


def face_model_path() -> Path:
    return data_dir() / "models" / "face_landmarker.task"


def default_store_path() -> Path:
    return data_dir() / "studio.sqlite"
