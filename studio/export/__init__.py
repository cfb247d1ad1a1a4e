"""Exporting a recorded session: tables (CSV, Parquet), EDF+/BDF signals, and a report (HTML, PDF)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from studio.kernel.errors import StudioError

Writer = Callable[[Path], list[Path]]  # writes an export's files into the folder it is given; returns them


class ExportError(StudioError, OSError):
    """An export that cannot be written where it was asked to go; the message names the place and why."""


def write_into(out: Path, write: Writer) -> list[Path]:
    """Let ``write`` put its files into a fresh staging folder inside the folder ``out`` (made if needed), then
    move them into ``out``; returns their paths there. On any failure nothing is left behind: no staging
    folder, no file of this export, no folder made for it. ExportError when ``out`` cannot be written."""
    in_the_way = next((p for p in (out, *out.parents) if p.exists() and not p.is_dir()), None)
    if in_the_way is not None:
        what = "it is" if in_the_way == out else f"{in_the_way} is"
        raise ExportError(f"cannot export into {out}: {what} a file, not a folder; choose a folder")
    made = [p for p in (out, *out.parents) if not p.exists()]  # deepest first
    try:
        return _staged(out, write)
    except BaseException:
        for folder in made:
            try:
                folder.rmdir()  # only when empty
            except OSError:
                break
        raise


def _staged(out: Path, write: Writer) -> list[Path]:
    try:
        out.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".export-", dir=out))
    except OSError as exc:
        reason = (exc.strerror or str(exc)).lower()
        raise ExportError(f"cannot export into {out}: {reason}; choose a folder you can write to") from None
    try:
        moves = [(path, out / path.relative_to(staging)) for path in write(staging)]
        for _, target in moves:
            if target.is_dir():
                raise ExportError(f"cannot export into {out}: {target} is a folder; move it away or choose a folder")
        for path, target in moves:
            path.replace(target)
        return [target for _, target in moves]
    except ExportError:
        raise
    except OSError as exc:
        raise ExportError(f"cannot export into {out}: {exc.strerror or exc}; nothing was written") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
