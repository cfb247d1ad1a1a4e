"""The ``reference_data`` fixture on a machine without the reference recordings: skipped with one reason,
except under CI=true, where the data is always given and its absence is a failure."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TESTS = """
def test_needs_the_recordings(reference_data):
    assert (reference_data / "README.md").is_file()


def test_needs_nothing():
    assert True
"""


def run_pytest(tmp_path: Path, data: Path, ci: str | None) -> subprocess.CompletedProcess[str]:
    """pytest on a tiny test file, with this project's fixtures (tests/conftest.py as a plugin)."""
    test_file = tmp_path / "test_tiny.py"
    test_file.write_text(TESTS)
    env = {k: v for k, v in os.environ.items() if k != "CI"} | {"STUDIO_REFERENCE_DATA": str(data)}
    if ci is not None:
        env["CI"] = ci
    command = [sys.executable, "-m", "pytest", "-p", "tests.conftest", "-p", "no:cacheprovider", "-rsf"]
    return subprocess.run(
        [*command, "--rootdir", str(tmp_path), str(test_file)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("ci", [None, "false", ""])
def test_without_the_data_a_test_that_needs_it_is_skipped_with_one_reason(tmp_path, ci):
    missing = tmp_path / "no-data-here"
    result = run_pytest(tmp_path, missing, ci)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed, 1 skipped" in result.stdout
    reasons = [line for line in result.stdout.splitlines() if line.startswith("SKIPPED")]
    assert len(reasons) == 1, result.stdout
    assert f"reference data not found at {missing}" in reasons[0] and "STUDIO_REFERENCE_DATA" in reasons[0]
    assert "tests that need it are skipped" in result.stdout  # said once at the top, too


@pytest.mark.parametrize("ci", ["true", "TRUE", "1"])
def test_under_ci_a_missing_data_folder_fails(tmp_path, ci):
    missing = tmp_path / "no-data-here"
    result = run_pytest(tmp_path, missing, ci)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 passed, 1 error" in result.stdout  # a fixture that fails is an error of the test
    assert f"reference data not found at {missing}" in result.stdout and "CI=true needs it" in result.stdout
    assert "CI=true: tests that need it fail" in result.stdout


@pytest.mark.parametrize("ci", [None, "true"])
def test_with_the_data_the_test_runs(tmp_path, ci):
    data = tmp_path / "data"
    data.mkdir()
    (data / "README.md").write_text("reference recordings")
    result = run_pytest(tmp_path, data, ci)
    assert result.returncode == 0 and "2 passed" in result.stdout, result.stdout + result.stderr
    assert f"reference data: {data}" in result.stdout
