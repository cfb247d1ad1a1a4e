"""Installing MediaPipe's Face Landmarker model: from its official address or a local file, sha256-checked."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from studio.kernel.errors import StudioError
from studio.paths import face_model_path

FACE_MODEL_URL = (
    "https://storage.googleapis.com/mediapipe-models/face_landmarker/face_landmarker/float16/1/face_landmarker.task"
)
FACE_MODEL_SHA256 = "64184e229b263107bc2b804c6625db1341ff2bb731874b0bcc2fe6544e0bc9ff"
CHUNK = 1 << 16


class ModelError(StudioError, RuntimeError):
    """The model could not be installed; the message says why and what to do."""


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
        return False, f"face model not installed; run: affect-studio models install (expected at {target})"
    if sha256_of(target) != FACE_MODEL_SHA256:
        return False, f"face model at {target} is damaged (sha256 mismatch); run: affect-studio models install"
    return True, f"face model installed at {target}"


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
        reason = getattr(exc, "reason", exc)
        raise ModelError(
            f"cannot download the face model from {url} ({reason}); with no network, "
            "copy face_landmarker.task to this machine and run: affect-studio models install --from FILE"
        ) from None


def install_face_model(
    source: Path | None = None,
    target: Path | None = None,
    progress: Callable[[int, int], None] = lambda done, total: None,
    url: str = FACE_MODEL_URL,
    timeout: float = 30.0,
) -> Path:
    """Copy ``source`` (or download the official file), verify its sha256, and store it atomically.

    An already installed, intact model is kept as it is. Raises ModelError with a one-line reason.
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
            _download(url, part, progress, timeout)
        digest = sha256_of(part)
        if digest != FACE_MODEL_SHA256:
            origin = source or url
            raise ModelError(
                f"{origin} is not the official face_landmarker.task (sha256 {digest[:12]}..., "
                f"expected {FACE_MODEL_SHA256[:12]}...)"
            )
        part.replace(dest)
    finally:
        part.unlink(missing_ok=True)
    return dest
