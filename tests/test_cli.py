"""The command line as a user meets it: real subprocesses, one clear line for every bad input."""

import os
import subprocess
import sys


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "studio", *args], capture_output=True, text=True, timeout=timeout, env=full_env
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("affect-studio: error: ")
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def test_unknown_option():
    assert_one_line_error(run_cli("--frobnicate"), "unrecognized arguments: --frobnicate", "--help")


def test_bad_config_value(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text("[control]\ntempo_max = 'quick'\n")
    assert_one_line_error(run_cli("--config", str(cfg), "run", "--headless", "--out", str(tmp_path)), "tempo_max")


def test_bad_bounds():
    result = run_cli("run", "--headless", "--demo", "--bound", "tempo=90:60", "--out", "x")
    assert_one_line_error(result, "--bound tempo=90:60", "minimum above the maximum")
    assert_one_line_error(run_cli("run", "--bound", "speed=3"), "unknown bound 'speed'")


def test_unusable_audio_backend(tmp_path):
    result = run_cli("run", "--headless", "--demo", "--audio", "device", "--duration", "1", "--out", str(tmp_path))
    assert_one_line_error(result, "no audio output device")


def test_headless_needs_an_output_folder():
    assert_one_line_error(run_cli("run", "--headless", "--demo"), "--out DIR")


def test_window_without_a_display_says_what_to_do():
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    result = subprocess.run(
        [sys.executable, "-m", "studio", "--demo"], capture_output=True, text=True, timeout=60, env=env
    )
    assert_one_line_error(result, "no display", "--headless")


def test_models_install_from_a_bad_file(tmp_path):
    bad = tmp_path / "x.task"
    bad.write_bytes(b"nope")
    result = run_cli("models", "install", "--from", str(bad), env={"STUDIO_DATA_DIR": str(tmp_path / "data")})
    assert_one_line_error(result, "is not the official face_landmarker.task")


def test_help_lists_the_commands():
    result = run_cli("--help")
    assert result.returncode == 0
    assert "run" in result.stdout and "models" in result.stdout
