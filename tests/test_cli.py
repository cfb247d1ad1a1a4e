"""The command line as a user meets it: real subprocesses, one clear line for every bad input."""

import os
import subprocess
import sys

import pytest

from studio.cli import main


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


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["run", "--duration", "nan"], ["argument --duration: nan is not a number from 0.1 to 86400 s"]),
        (["run", "--duration", "inf"], ["argument --duration: inf is not a number from 0.1 to 86400 s"]),
        (["run", "--duration", "1e400"], ["argument --duration: 1e400 is not a number"]),
        (["run", "--duration", "0"], ["argument --duration: 0 is not a number from 0.1"]),
        (["run", "--calibrate", "nan"], ["argument --calibrate: nan is not a number from 1 to 600 s"]),
        (["run", "--duration", "10", "--calibrate", "20"], ["--calibrate 20 must be shorter than --duration 10"]),
        (["run", "--marker", "nan:x"], ["--marker nan:x: its time nan is not a number from 0 to 86400 s"]),
        (["run", "--marker", "inf:x"], ["--marker inf:x: its time inf is not a number"]),
        (["run", "--marker", "1e400:x"], ["--marker 1e400:x: its time 1e400 is not a number"]),
        (["run", "--marker=-1:x"], ["--marker -1:x: its time -1 is not a number from 0"]),
        (["run", "--marker", "soon:x"], ["--marker soon:x: its time soon is not a number"]),
        (["run", "--duration", "10", "--marker", "11:late"], ["--marker 11:late comes after the end of the run"]),
        (["run", "--bound", "tempo=nan:80"], ["--bound tempo=nan:80", "outside 40..160 BPM"]),
        (["run", "--bound", "volume=-inf"], ["--bound volume=-inf", "outside -60..0"]),
        (["run", "--bound", "change=1e400"], ["--bound change=1e400", "must be in (0, 10]"]),
        (["run", "--goal-point", "nan,0"], ["--goal-point nan,0", "outside the valence-arousal plane"]),
        (["run", "--goal-point", "0,1e400"], ["--goal-point 0,1e400", "outside the valence-arousal plane"]),
        (["--replay-speed", "nan", "--replay", "1"], ["argument --replay-speed: nan is not a finite number"]),
        (["--replay", "99999999999999999999"], ["session id '99999999999999999999' is not a number from 1 to"]),
        (["sessions", "rate", "--latest", "--phase", "after", "--valence", "5", "--arousal", "5", "--at", "inf"],
         ["argument --at: inf is not a finite number"]),
        (["render", "--preset", "calm-ambient", "--duration", "5", "--transition", "nan", "x.wav"],
         ["argument --transition: nan is not a finite number"]),
        (["render", "--preset", "calm-ambient", "--duration", "nan", "x.wav"], ["--duration nan"]),
        (["analyze", "eeg", "x.edf", "--notch", "nan"], ["argument --notch: nan is not a finite number"]),
    ],
)  # fmt: skip
def test_every_number_on_the_command_line_is_finite_and_sane(tmp_path, capsys, args, fragments):
    """Each bad number ends in one line naming it and what is accepted, before anything runs or is written."""
    store = tmp_path / "s.sqlite"
    headless = ["--headless", "--demo", "--audio", "silent", "--out", str(tmp_path)] if args[0] == "run" else []
    code = main([*args, *headless, "--store", str(store)] if args[0] in ("run", "sessions") else args)
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1 and err.startswith("affect-studio: error: "), err
    for fragment in fragments:
        assert fragment in err
    assert not store.exists() and not (tmp_path / "session.sqlite").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["sessions", "close", "99999999999999999999"],
        ["sessions", "rate", "0", "--phase", "after", "--valence", "5", "--arousal", "5"],
        ["export", "99999999999999999999", "--format", "csv", "--out", "x"],
    ],
)
def test_a_session_id_too_large_for_the_database_is_refused(tmp_path, capsys, args):
    store = tmp_path / "s.sqlite"
    assert main(["clients", "add", "P01", "--store", str(store)]) == 0
    capsys.readouterr()
    assert main([*args, "--store", str(store)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("affect-studio: error: session id ") and "is not a number from 1 to" in err
    assert len(err.strip().splitlines()) == 1
