"""The console's own settings (workspace layouts, theme, font scale, first-run and privacy choices) in one
INI file read through QSettings. A file that cannot be read, or a value that makes no sense, is set aside
beside the original (``console.ini.bad``) and the defaults are used; ``problem`` says what happened."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from ui.face_preview import PRIVACY_MODES
from ui.theme import FONT_SCALES, THEMES
from ui.workspaces import WORKSPACES


def default_settings_path() -> Path:
    """``$XDG_CONFIG_HOME/affect-studio/console.ini`` (``~/.config/...`` by default)."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "affect-studio" / "console.ini"


class ConsoleSettings:
    """Typed access to the console's settings; every getter returns a valid value (the default if need be)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_settings_path()
        self.problem = ""  # what was wrong with the file and where it was put, for a message
        self._open()

    def _open(self) -> None:
        self._qs = QSettings(str(self.path), QSettings.Format.IniFormat)
        reason = self._unreadable()
        if reason:
            self._set_aside(reason)

    def _unreadable(self) -> str:
        if not self.path.exists():
            return ""
        try:
            text = self.path.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            return f"cannot be read ({exc.__class__.__name__})"
        if "\0" in text or self._qs.status() != QSettings.Status.NoError:
            return "is not a settings file"
        return ""

    def _set_aside(self, reason: str) -> None:
        """Move the bad file aside, start again from the defaults, and say so in ``problem``."""
        aside = self.path.with_name(self.path.name + ".bad")
        try:
            shutil.move(self.path, aside)
            kept = f"kept as {aside}"
        except OSError as exc:
            kept = f"could not be moved aside ({exc.strerror})"
        self.problem = f"Console settings {self.path} {reason}: using the defaults; the old file is {kept}."
        self._qs = QSettings(str(self.path), QSettings.Format.IniFormat)

    def reject(self, what: str) -> None:
        """A value read from the file turned out unusable (a layout Qt refused): set the whole file aside."""
        self._qs.sync()
        self._set_aside(f"has an unusable {what}")

    def sync(self) -> None:
        self._qs.sync()

    # --- values ---------------------------------------------------------------------------------------------
    def _choice(self, key: str, choices: tuple[str, ...] | list[str], default: str) -> str:
        value = self._qs.value(key, default)
        if value in choices:
            return str(value)
        self.reject(f"{key} ({value!r})")
        return default

    @property
    def workspace(self) -> str:
        names = [w.name for w in WORKSPACES]
        return self._choice("workspace", names, names[0])

    @workspace.setter
    def workspace(self, name: str) -> None:
        self._qs.setValue("workspace", name)

    def layout(self, key: str) -> QByteArray | None:
        """The saved dock layout under ``key`` (a workspace and screen size, ``lab/compact``), None if there is
        none (an unusable value sets the file aside)."""
        value = self._qs.value(f"layout/{key}")
        if value is None:
            return None
        if isinstance(value, QByteArray) and not value.isEmpty():
            return value
        self.reject(f"layout {key}")
        return None

    def set_layout(self, key: str, state: QByteArray) -> None:
        self._qs.setValue(f"layout/{key}", state)

    @property
    def theme(self) -> str:
        return self._choice("theme", list(THEMES), "light")

    @theme.setter
    def theme(self, name: str) -> None:
        self._qs.setValue("theme", name)

    @property
    def font_scale(self) -> float:
        value = self._qs.value("font_scale", 1.0)
        try:
            scale = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            scale = -1.0
        if FONT_SCALES[0] <= scale <= FONT_SCALES[1]:
            return scale
        self.reject(f"font_scale ({value!r})")
        return 1.0

    @font_scale.setter
    def font_scale(self, scale: float) -> None:
        self._qs.setValue("font_scale", round(min(max(scale, FONT_SCALES[0]), FONT_SCALES[1]), 2))

    @property
    def privacy(self) -> str:
        """How the camera preview shows the face by default: blur (the default), show or hide."""
        return self._choice("privacy/preview", PRIVACY_MODES, PRIVACY_MODES[0])

    @privacy.setter
    def privacy(self, mode: str) -> None:
        self._qs.setValue("privacy/preview", mode)

    @property
    def first_run_done(self) -> bool:
        return str(self._qs.value("first_run_done", "false")).lower() == "true"

    @first_run_done.setter
    def first_run_done(self, done: bool) -> None:
        self._qs.setValue("first_run_done", "true" if done else "false")
