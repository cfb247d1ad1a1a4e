"""Installing the real face model from a local file, and failing clearly without network or with a bad file."""

import os
from pathlib import Path

import pytest

from studio.models import FACE_MODEL_SHA256, ModelError, face_model_status, install_face_model, sha256_of


def reference_model() -> Path:
    """The official model file: STUDIO_FACE_MODEL, else the copy setup installed."""
    given = os.environ.get("STUDIO_FACE_MODEL")
    if given:
        return Path(given)
    from studio.paths import face_model_path

    return face_model_path()


def test_install_from_a_local_file_checks_and_stores_it(tmp_path):
    target = tmp_path / "models" / "face_landmarker.task"
    assert not face_model_status(target)[0]
    path = install_face_model(reference_model(), target=target)
    assert path == target and sha256_of(target) == FACE_MODEL_SHA256
    ok, text = face_model_status(target)
    assert ok and str(target) in text
    assert not list(target.parent.glob("*.part"))


def test_a_wrong_file_is_refused_and_nothing_is_installed(tmp_path):
    fake = tmp_path / "fake.task"
    fake.write_bytes(b"not a model")
    target = tmp_path / "models" / "face_landmarker.task"
    with pytest.raises(ModelError, match=r"is not the official face_landmarker\.task"):
        install_face_model(fake, target=target)
    assert not target.exists() and not list(target.parent.glob("*"))


def test_no_network_fails_with_one_clear_line(tmp_path):
    target = tmp_path / "face_landmarker.task"
    with pytest.raises(ModelError) as err:
        install_face_model(target=target, url="http://127.0.0.1:9/face_landmarker.task", timeout=2)
    message = str(err.value)
    assert "cannot download the face model" in message and "--from FILE" in message
    assert "\n" not in message
    assert not target.exists()


def test_a_damaged_install_is_reported_and_replaced(tmp_path):
    target = tmp_path / "face_landmarker.task"
    target.write_bytes(b"truncated")
    ok, text = face_model_status(target)
    assert not ok and "damaged" in text
    install_face_model(reference_model(), target=target)
    assert face_model_status(target)[0]


def test_missing_source_file(tmp_path):
    with pytest.raises(ModelError, match="does not exist"):
        install_face_model(tmp_path / "nope.task", target=tmp_path / "m.task")
