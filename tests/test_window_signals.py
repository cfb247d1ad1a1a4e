"""The window as a real process: logout, shutdown and `kill` (SIGTERM, SIGHUP) and Ctrl+C (SIGINT) end its
session cleanly, as closing the window does: status completed, with an end time."""

import os
import signal
import sqlite3
import subprocess
import sys

import pytest

from tests.waiting import recorded, wait_until


def recording_for(db_path, settings, seconds: float, proc: subprocess.Popen[str], deadline: float = 90.0) -> None:
    """Wait until the window is up (its ``settings`` file written) and its session has recorded ``seconds`` (the
    loop runs)."""

    def done() -> bool:
        assert proc.poll() is None, proc.communicate()[1]
        return settings.exists() and (recorded(db_path, "SELECT last_t FROM sessions") or 0.0) >= seconds

    wait_until(done, deadline, f"the window did not record {seconds} s", every=0.2)


@pytest.mark.slow  # the window as a real process
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT], ids=lambda s: s.name)
def test_a_signal_ends_the_windows_session_as_closing_the_window_does(tmp_path, signum):
    db_path = tmp_path / "studio.sqlite"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "config")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "studio", "--demo", "--audio", "silent", "--store", str(db_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        settings = tmp_path / "config" / "affect-studio" / "console.ini"
        recording_for(db_path, settings, 2.0, proc)
        assert "[layout]" not in settings.read_text()  # the layout is saved when the window closes
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    db = sqlite3.connect(db_path)
    status, ended, last_t = db.execute("SELECT status, ended_utc, last_t FROM sessions").fetchone()
    db.close()
    assert status == "completed" and ended is not None and last_t >= 2.0
    assert "[layout]" in settings.read_text()  # the window closed as the operator closes it: its layout was saved
