"""Installing the real face model from a local file, and failing clearly without network or with a bad file."""

import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from studio.commands.models import NOT_DUE
from studio.models import (
    FACE_MODEL_SHA256,
    RETRY_AFTER,
    URL_ENV,
    ModelError,
    face_model_status,
    failure_stamp,
    install_face_model,
    sha256_of,
)

ROOT = Path(__file__).resolve().parents[1]


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


@pytest.fixture
def unavailable_server():
    """A real HTTP server on 127.0.0.1 that answers every request 503; yields (url, list of request paths)."""
    requests: list[str] = []

    class Unavailable(BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            self.send_response(503)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Unavailable)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/face_landmarker.task", requests
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def offline_env(tmp_path, url):
    env = {k: v for k, v in os.environ.items() if k != "STUDIO_FACE_MODEL"}
    return env | {"STUDIO_DATA_DIR": str(tmp_path / "data"), URL_ENV: url}


def models_cli(env, *args):
    return subprocess.run(
        [sys.executable, "-m", "studio", "models", *args], capture_output=True, text=True, timeout=120, env=env
    )


def test_a_failed_download_is_tried_again_only_a_day_later_unless_asked(tmp_path, unavailable_server):
    url, requests = unavailable_server
    env = offline_env(tmp_path, url)
    stamp = failure_stamp(tmp_path / "data" / "models" / "face_landmarker.task")

    first = models_cli(env, "install", "--once-a-day")
    assert first.returncode == 2 and len(requests) == 1
    assert "cannot download the face model" in first.stderr and "models install --from FILE" in first.stderr
    assert stamp.is_file()

    again = models_cli(env, "install", "--once-a-day")
    assert again.returncode == NOT_DUE and len(requests) == 1, again.stderr  # not tried again
    (line,) = again.stderr.strip().splitlines()
    assert line.startswith("face model not installed: the download failed") and "models install --from FILE" in line

    asked = models_cli(env, "install")  # asked for by hand: tried at once
    assert asked.returncode == 2 and len(requests) == 2

    day_old = time.time() - RETRY_AFTER - 60
    os.utime(stamp, (day_old, day_old))
    next_day = models_cli(env, "install", "--once-a-day")
    assert next_day.returncode == 2 and len(requests) == 3

    from_file = models_cli(env, "install", "--once-a-day", "--from", str(reference_model()))
    assert from_file.returncode == 0, from_file.stderr
    assert not stamp.exists() and models_cli(env, "status").returncode == 0


def test_setup_without_network_says_it_once_then_one_line_per_start(tmp_path, unavailable_server):
    """The setup's model step, as ./run.sh runs it on every start, on a machine where the download fails."""
    url, requests = unavailable_server
    env = offline_env(tmp_path, url)

    def setup(purpose):
        done = subprocess.run(
            ["scripts/setup.sh", purpose],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,  # in the order a user sees them
            text=True,
            timeout=300,
            env=env,
        )
        return done.returncode, done.stdout.strip().splitlines()

    code, first = setup("run")
    assert code == 0 and len(requests) == 1
    assert sum("cannot download the face model" in line for line in first) == 1
    assert any("continuing without the face model" in line for line in first)

    for _ in range(2):
        code, later = setup("run")
        assert code == 0 and len(requests) == 1  # no new attempt
        assert len(later) == 1 and "models install --from FILE" in later[0], later

    code, tests = setup("test")
    assert code == 1 and "STUDIO_FACE_MODEL" in tests[-1] and len(requests) == 1

    env["STUDIO_FACE_MODEL"] = str(reference_model())
    code, given = setup("run")
    assert code == 0 and len(requests) == 1 and "face model ready" in given[-1]
