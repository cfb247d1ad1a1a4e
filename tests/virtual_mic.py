"""A private PulseAudio daemon with a null sink whose monitor is the default input: a microphone for CI.

WAVs played into the sink with ``paplay --device=vmic`` arrive on PortAudio's ``pulse``/``default`` input.
The daemon runs in its own runtime folder and is stopped by its PID, whatever happens in the test.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SINK = "vmic"


@contextmanager
def pulse_server(runtime: Path) -> Iterator[dict[str, str]]:
    """Start the daemon (stopped on exit); yields the environment that points clients at it."""
    runtime.mkdir(mode=0o700, parents=True, exist_ok=True)
    env = {**os.environ, "XDG_RUNTIME_DIR": str(runtime)}
    pid_file = runtime / "pulse" / "pid"
    subprocess.run(
        [
            "pulseaudio",
            "--daemonize=yes",
            "--exit-idle-time=-1",
            "-n",
            "--load=module-native-protocol-unix",
            f"--load=module-null-sink sink_name={SINK}",
        ],
        env=env,
        check=True,
        capture_output=True,
        timeout=30,
    )
    pid = int(pid_file.read_text().strip())
    try:
        subprocess.run(["pactl", "set-default-source", f"{SINK}.monitor"], env=env, check=True, timeout=10)
        yield {"XDG_RUNTIME_DIR": str(runtime), "PULSE_SERVER": f"unix:{runtime / 'pulse' / 'native'}"}
    finally:
        stop(pid)


def stop(pid: int, timeout: float = 5.0) -> None:
    """Stop the daemon with this PID and wait until it is gone (killed if it takes longer than ``timeout`` s)."""
    try:
        handle = os.pidfd_open(pid)  # readable once the process has ended; immune to the PID being reused
    except ProcessLookupError:
        return
    try:
        signal.pidfd_send_signal(handle, signal.SIGTERM)
        if not select.select([handle], [], [], timeout)[0]:
            signal.pidfd_send_signal(handle, signal.SIGKILL)
    except ProcessLookupError:
        pass  # it ended meanwhile
    finally:
        os.close(handle)


@contextmanager
def client_env(env: dict[str, str]) -> Iterator[None]:
    """Point this process's PortAudio (through ALSA's pulse plugin) at the daemon for the duration."""
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def play(path: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """Start playing ``path`` into the null sink."""
    return subprocess.Popen(["paplay", f"--device={SINK}", str(path)], env={**os.environ, **env})
