"""The remote-control socket, driven by real TCP clients: against a stepped demo studio and a headless run."""

import json
import socket
import sqlite3
from dataclasses import replace

import pytest

from studio.config import ConfigError, load_config
from studio.remote import MAX_CLIENTS, MAX_LINE
from studio.session import RemoteSettings
from tests.stepped import stepped_demo
from tests.test_headless import start
from tests.waiting import wait_until


def free_tcp_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Client:
    """A lab script's side of the socket: one line out, one line back."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.file = self.sock.makefile("rb")

    def send(self, data: bytes) -> str:
        self.sock.sendall(data)
        return self.file.readline().decode("utf-8").rstrip("\n")

    def ask(self, line: str) -> str:
        return self.send(line.encode("utf-8") + b"\n")

    def close(self) -> None:
        self.file.close()
        self.sock.close()


def test_the_remote_port_is_off_by_default_and_checked(tmp_path):
    assert load_config().remote == RemoteSettings(0, "127.0.0.1")
    settings = tmp_path / "c.toml"
    settings.write_text("[remote]\nport = 70000\n")
    with pytest.raises(ConfigError, match=r"remote\.port"):
        load_config(settings)
    settings.write_text('[remote]\nport = 5000\naddress = "anywhere"\n')
    with pytest.raises(ConfigError, match=r"remote\.address = 'anywhere' must be an IPv4 address"):
        load_config(settings)


@pytest.mark.slow  # the socket's own thread answers: the test waits for it
def test_commands_markers_status_stop_and_start_over_a_real_socket(tmp_path):
    port = free_tcp_port()
    run = stepped_demo(tmp_path / "s.sqlite", remote=RemoteSettings(port))
    studio = run.studio
    clients: list[Client] = []
    try:
        run.run(1.0)
        assert studio.remote is not None and f"127.0.0.1 TCP port {port}" in studio.remote.detail
        lab = Client(port)
        clients.append(lab)
        assert lab.ask("marker block 1 start").startswith("ok marker at 1.000 s")
        assert lab.ask("marker stimulus 12") == "ok marker at 1.000 s with code 12"
        status = json.loads(lab.ask("status"))
        assert status["session_id"] == studio.session_id and status["recording"] is True
        assert status["time_s"] == 1.0 and set(status["channels"]) == {"face", "voice", "text", "body"}
        bad = {
            "dance": "error: unknown command 'dance'",
            "marker": "error: marker needs a label",
            "marker x 99999999999": "error: event code 99999999999 is outside",
            "status now": "error: status takes nothing after it",
            "filename root": "error: filename takes {key:value} parts",
            "filename {colour:red}": "error: filename: unknown part(s) colour",
            "start": f"error: session {studio.session_id} is already recording",
        }
        for line, reply in bad.items():
            assert lab.ask(line).startswith(reply), line
        assert lab.send(b"marker \xff\xfe\n") == "error: the line is not UTF-8 text; ignored"
        assert lab.send(b"x" * (MAX_LINE * 5) + b"\n") == f"error: line longer than {MAX_LINE} bytes; ignored"
        assert lab.ask("filename {root:/data/study} {template:sub-%p.xdf} {participant:P07}").startswith("ok filename")
        with socket.create_connection(("127.0.0.1", port), timeout=10) as piped:  # as `printf ... | nc -N` does
            piped.sendall(b"marker piped 1\nstatus\n")
            piped.shutdown(socket.SHUT_WR)
            replies = piped.makefile("rb").read().decode().splitlines()
        assert replies[0].startswith("ok marker at") and json.loads(replies[1])["recording"] is True
        wait_until(lambda: studio.remote.clients == 1, 5, "the piped client is not let go")
        others = [Client(port) for _ in range(MAX_CLIENTS - 1)]
        clients += others
        assert all(c.ask("marker from a client").startswith("ok") for c in others)  # a few at once
        assert Client(port).file.readline().decode().startswith(f"error: at most {MAX_CLIENTS} clients")
        others[0].sock.sendall(b"marker half a li")  # then the client vanishes mid-line
        others[0].close()
        clients.remove(others[0])
        first = studio.session_id
        assert lab.ask("stop") == f"ok session {first} ends (completed)"
        assert not studio.recording and lab.ask("stop") == "error: no session is recording"
        assert lab.ask("start") == f"ok recording session {first + 1}"
        run.run(1.0)
    finally:
        for c in clients:
            c.close()
        studio.stop()
    db = sqlite3.connect(tmp_path / "s.sqlite")
    rows = db.execute("SELECT label, code, source FROM markers WHERE session_id = ? ORDER BY rowid", (first,))
    remote = [(label, code) for label, code, source in rows if source == "remote"]
    assert remote[:2] == [("block 1 start", None), ("stimulus", 12)] and len(remote) == 2 + MAX_CLIENTS - 1 + 1
    assert db.execute("SELECT status FROM sessions WHERE id = ?", (first,)).fetchone() == ("completed",)
    (parts,) = db.execute("SELECT detail FROM operator_actions WHERE action = 'remote filename'").fetchone()
    assert json.loads(parts)["participant"] == "P07"


@pytest.mark.slow  # the socket's own thread answers
def test_the_window_starts_nothing_remotely_before_consent_is_given(tmp_path):
    from studio.app import Studio
    from studio.kernel.clock import ManualClock

    port = free_tcp_port()
    config = replace(load_config(), audio_backend="silent", remote=RemoteSettings(port))
    studio = Studio(config, demo=True, store=tmp_path / "s.sqlite", clock=ManualClock(), wait_for_consent=True)
    studio.start(run_workers=False)
    client = Client(port)
    try:
        assert (
            client.ask("start")
            == "error: no consent given yet: start the first session from the window's session steps"
        )
        assert not studio.recording and json.loads(client.ask("status"))["session_id"] is None
        first = studio.begin_session("P07")  # the session steps: consent, then Start
        studio.end_session()
        assert client.ask("start") == f"ok recording session {first + 1}"  # the same client again
        studio.end_session()
        studio.expect_next_client()  # New session: the steps begin for the next client
        assert client.ask("start") == (
            "error: the next client's consent is not given yet: start their session from the window's session steps"
        )
        assert not studio.recording
    finally:
        client.close()
        studio.stop()


def test_a_port_in_use_is_a_problem_the_session_goes_on_without(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = stepped_demo(None, remote=RemoteSettings(port))
        try:
            assert run.studio.remote is None
            problems = run.studio.marker_input_summary()["problems"]
            assert isinstance(problems, list) and f"TCP port {port}" in problems[0]
        finally:
            run.studio.stop()


@pytest.mark.slow  # a headless run in real time, in its own process
def test_a_headless_run_is_driven_and_stopped_over_the_socket(tmp_path):
    port = free_tcp_port()
    config = tmp_path / "c.toml"
    config.write_text(f"[remote]\nport = {port}\n")
    proc = start(tmp_path, "--duration", "120", "--audio", "silent", "--config", str(config))
    client = None
    try:
        first = json.loads(proc.stdout.readline())
        assert first["remote"] == f"listening on 127.0.0.1 TCP port {port}"
        client = Client(port)
        wait_until(lambda: json.loads(client.ask("status"))["time_s"] > 1.0, 30, "the run does not advance")
        assert client.ask("marker stimulus 7").startswith("ok marker at")
        assert client.ask("stop") == f"ok session {first['session_id']} ends (completed)"
        out, err = proc.communicate(timeout=60)
    finally:
        if client is not None:
            client.close()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    summary = json.loads(out.strip().splitlines()[-1])
    assert (
        summary["status"] == "completed" and summary["ended_by"] == "remote stop" and summary["remote"]["errors"] == 0
    )
    db = sqlite3.connect(tmp_path / "session.sqlite")
    assert db.execute("SELECT status FROM sessions").fetchone() == ("completed",)
    assert db.execute("SELECT label, code FROM markers WHERE source = 'remote'").fetchall() == [("stimulus", 7)]
