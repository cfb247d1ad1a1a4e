"""Installing MediaPipe's Face Landmarker model: from its official address or a local file, sha256-checked."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from studio.kernel.command import studio_command
from studio.kernel.errors import StudioError
from studio.paths import face_model_path

FACE_MODEL_URL = (
    "https://storage.googleapis.com/mediapipe-models/face_landmarker/face_landmarker/float16/1/face_landmarker.task"
)
FACE_MODEL_SHA256 = "64184e229b263107bc2b804c6625db1341ff2bb731874b0bcc2fe6544e0bc9ff"
URL_ENV = "STUDIO_FACE_MODEL_URL"  # another download address, for tests only
CHUNK = 1 << 16
RETRY_AFTER = 24 * 3600.0  # seconds: after a failed download, ``models install --once-a-day`` waits this long


class ModelError(StudioError, RuntimeError):
    """The model could not be installed; the message says why and what to do."""


class DownloadError(ModelError):
    """The official address could not be reached or did not deliver; ``reason`` says why."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(
            f"cannot download the face model from {url} ({reason}); with no network, copy face_landmarker.task "
            f"to this machine and run: {studio_command()} models install --from FILE"
        )
        self.reason = reason


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def face_model_status(path: Path | None = None) -> tuple[bool, str]:
    """Whether the face model is installed and intact, with a sentence for the operator."""
    target = path or face_model_path()
    if not target.is_file():
        return False, f"face model not installed; run: {studio_command()} models install (expected at {target})"
    if sha256_of(target) != FACE_MODEL_SHA256:
        return False, f"face model at {target} is damaged (sha256 mismatch); run: {studio_command()} models install"
    return True, f"face model installed at {target}"


def face_model_url() -> str:
    """The official download address (``STUDIO_FACE_MODEL_URL`` replaces it in tests)."""
    return os.environ.get(URL_ENV) or FACE_MODEL_URL


def failure_stamp(target: Path) -> Path:
    """The file beside the model that remembers a failed download: its reason, and its time as the file's."""
    return target.with_name(f"{target.name}.download-failed")


def recent_failure(target: Path) -> tuple[float, str] | None:
    """How many seconds ago a download of ``target`` failed and why, if that was less than RETRY_AFTER ago."""
    stamp = failure_stamp(target)
    try:
        age = time.time() - stamp.stat().st_mtime
        reason = stamp.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return (age, reason) if 0 <= age < RETRY_AFTER else None


def _download(url: str, dest: Path, progress: Callable[[int, int], None], timeout: float) -> None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response, dest.open("wb") as out:
            total = int(response.headers.get("Content-Length") or 0)
            done = 0
            while block := response.read(CHUNK):
                out.write(block)
                done += len(block)
                progress(done, total)
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise DownloadError(url, str(getattr(exc, "reason", exc))) from None


def install_face_model(
    source: Path | None = None,
    target: Path | None = None,
    progress: Callable[[int, int], None] = lambda done, total: None,
    url: str | None = None,
    timeout: float = 30.0,
) -> Path:
    """Copy ``source`` (or download the official file), verify its sha256, and store it atomically.

    An already installed, intact model is kept as it is. A failed download is remembered beside the model
    (see recent_failure). Raises ModelError with a one-line reason.
    """
    dest = target or face_model_path()
    if dest.is_file() and sha256_of(dest) == FACE_MODEL_SHA256:
        return dest
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ModelError(f"cannot create {dest.parent}: {exc.strerror}") from None
    with tempfile.NamedTemporaryFile(dir=dest.parent, suffix=".part", delete=False) as tmp:
        part = Path(tmp.name)
    try:
        if source is not None:
            if not source.is_file():
                raise ModelError(f"model file {source} does not exist")
            shutil.copyfile(source, part)
        else:
            try:
                _download(url or face_model_url(), part, progress, timeout)
            except DownloadError as exc:
                with contextlib.suppress(OSError):  # without the stamp the next start only tries again
                    failure_stamp(dest).write_text(exc.reason, encoding="utf-8")
                raise
        digest = sha256_of(part)
        if digest != FACE_MODEL_SHA256:
            origin = source or url or face_model_url()
            raise ModelError(
                f"{origin} is not the official face_landmarker.task (sha256 {digest[:12]}..., "
                f"expected {FACE_MODEL_SHA256[:12]}...)"
            )
        part.replace(dest)
        failure_stamp(dest).unlink(missing_ok=True)
    finally:
        part.unlink(missing_ok=True)
    return dest
