"""Test-wide environment: Qt draws off screen and pyo prints no wx banner (set before either is imported)."""

import fcntl
import json
import os
import sqlite3
import tempfile
from contextlib import closing
from pathlib import Path

import pytest

# Off screen on a 1920x1080 screen (Qt's offscreen platform otherwise has an 800x800 one): the console fits itself
# to its screen, and the window tests size it up to a desktop's.
OFFSCREEN = f"offscreen:configfile={Path(__file__).resolve().parents[1] / 'scripts' / 'offscreen-screen.json'}"
if os.environ.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":
    os.environ["QT_QPA_PLATFORM"] = OFFSCREEN
os.environ.setdefault("PYO_GUI_WX", "0")
# The operator's own settings (config.toml, the console's layouts) are neither read nor written by tests.
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="studio-test-config-")


def running_in_ci() -> bool:
    """Whether this is a CI run (``CI=true``), where the reference data is always given."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1")


def reference_data_missing() -> str:
    """Why the reference recordings cannot be used, in one line saying how to point at them ("" when they can)."""
    from benchmarks import reference_data_folder

    path = reference_data_folder()
    if (path / "README.md").is_file():
        return ""
    return (
        f"reference data not found at {path}; set STUDIO_REFERENCE_DATA to the folder of reference "
        "recordings (README: Quick start)"
    )


def pytest_report_header() -> str:
    """One line at the top of every run saying which reference data the tests use."""
    from benchmarks import reference_data_folder

    missing = reference_data_missing()
    if not missing:
        return f"reference data: {reference_data_folder()}"
    return f"{missing}; {'CI=true: tests that need it fail' if running_in_ci() else 'tests that need it are skipped'}"


@pytest.fixture(scope="session")
def reference_data() -> Path:
    """The shared reference recordings: ``STUDIO_REFERENCE_DATA``, else ``../shared/data`` beside the checkout.

    A test that needs them is skipped, with one reason saying where they were looked for and how to point at
    them, when they are not there; under ``CI=true`` it fails instead.
    """
    from benchmarks import reference_data_folder

    missing = reference_data_missing()
    if missing and running_in_ci():
        pytest.fail(f"{missing}; CI=true needs it")
    if missing:
        pytest.skip(missing)
    return reference_data_folder()


@pytest.fixture(scope="session")
def recorded_session(tmp_path_factory) -> tuple[Path, int]:
    """A real 6-second headless demo session of client P01 (research consent, two command-line markers,
    self-reports and a SOAP note), recorded once per run for every test that reads sessions (with pytest-xdist, by
    the first worker that needs it); each test process reads its own copy: (database, session id)."""
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):  # the workers' temporary folders share one parent
        shared = shared.parent
    done = shared / "recorded-once.json"  # where it is and its id, written once everything is recorded
    with (shared / "recorded-once.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # held until the file closes
        if not done.exists():
            original = Path(tempfile.mkdtemp(prefix="recorded-", dir=shared)) / "studio.sqlite"
            done.write_text(json.dumps({"store": str(original), "session_id": record_session(original)}))
    found = json.loads(done.read_text())
    store = tmp_path_factory.mktemp("recorded") / "studio.sqlite"
    with closing(sqlite3.connect(found["store"])) as source, closing(sqlite3.connect(store)) as copy:
        source.backup(copy)
    return store, found["session_id"]


def record_session(store: Path) -> int:
    """Record the session of ``recorded_session`` into ``store``; returns its id."""
    from tests.test_cli import run_cli

    def cli(*args: str) -> str:
        done = run_cli(*args, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout

    cli("clients", "add", "P01", "--notes", "likes cello", "--store", str(store))
    out = cli(
        "run", "--demo", "--headless", "--audio", "silent", "--duration", "6", "--store", str(store),
        "--client", "P01", "--consent", "features,research",
        "--marker", "1.5:eyes closed", "--marker", "4:music change",
    )  # fmt: skip
    sid: int = json.loads(out.splitlines()[0])["session_id"]
    cli("sessions", "rate", str(sid), "--phase", "before", "--valence", "4", "--arousal", "7", "--store", str(store))
    cli("sessions", "rate", "--latest", "--phase", "after", "--valence", "7", "--arousal", "3", "--store", str(store))
    cli(
        "sessions", "notes", str(sid), "--template", "SOAP", "--store", str(store),
        "--section", "Subjective=Arrived tense after a long week.", "--section", "Plan=Repeat the calm programme.",
    )  # fmt: skip
    return sid
