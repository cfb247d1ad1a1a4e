"""The remote-control socket: a TCP line protocol for lab scripts (PsychoPy, a stimulus PC), like LabRecorder's.

One UTF-8 command per line; every command gets exactly one line back, ``ok ...`` (``status``: one JSON object) or
``error: ...``, and a bad command changes nothing:

- ``marker LABEL`` and ``marker LABEL CODE``: a marker now (a last word that is a whole number is its event code);
- ``status``: the session id, the session time (s), whether it records, and each channel's state;
- ``stop``: ends the recording cleanly (a headless run ends, as with Ctrl-C; the window stops recording);
- ``start``: starts recording (the window; a headless run records from its start and says so);
- ``filename {root:DIR} {template:NAME} ...``: LabRecorder's verb; the parts are kept with the session.

At most MAX_CLIENTS connect at once (the next one is told so and closed); a line longer than MAX_LINE bytes, bytes
that are not UTF-8, or a client that vanishes never stop the listener. It listens on 127.0.0.1 unless the settings
name another address, and only when ``[remote] port`` is not 0.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import selectors
import socket
from dataclasses import dataclass, field
from typing import Any, Protocol

from studio.kernel.events import event_code, is_code_text
from studio.kernel.worker import PeriodicWorker

log = logging.getLogger(__name__)
MAX_CLIENTS = 4
MAX_LINE = 1024  # bytes in one command line, its end included
WAIT = 0.2  # s a step waits for something to happen before the worker looks whether to stop
FILENAME_PART = re.compile(r"\{([a-z_]+):([^{}]*)\}")
FILENAME_KEYS = ("root", "template", "participant", "session", "run", "task", "acquisition", "modality")


class RemoteTarget(Protocol):
    """What the socket drives: each call returns the reply's text after ``ok`` or raises ValueError with what is
    wrong (the reply ``error: ...``), having changed nothing."""

    def marker(self, label: str, code: int | None) -> str: ...

    def status(self) -> dict[str, Any]: ...

    def start(self) -> str: ...

    def stop(self) -> str: ...

    def filename(self, parts: dict[str, str]) -> str: ...


def parse_filename(text: str) -> dict[str, str]:
    """LabRecorder's ``{key:value}`` parts; ValueError for anything else or an unknown key."""
    parts = dict(FILENAME_PART.findall(text))
    rest = FILENAME_PART.sub("", text).strip()
    if rest or not parts:
        raise ValueError("filename takes {key:value} parts, e.g. filename {root:/data} {template:sub-%p.xdf}")
    unknown = sorted(set(parts) - set(FILENAME_KEYS))
    if unknown:
        raise ValueError(f"filename: unknown part(s) {', '.join(unknown)}; known: {', '.join(FILENAME_KEYS)}")
    return parts


def answer(target: RemoteTarget, line: str) -> str:
    """The one reply line (without its end) to one command line."""
    verb, _, rest = line.strip().partition(" ")
    rest = rest.strip()
    try:
        if verb == "marker":
            words = rest.split()
            if not words:
                raise ValueError("marker needs a label: marker LABEL [CODE]")
            code = None
            if len(words) > 1 and is_code_text(words[-1]):
                code, words = event_code(words[-1]), words[:-1]
            return f"ok {target.marker(' '.join(words), code)}"
        if rest and verb in ("status", "start", "stop"):
            raise ValueError(f"{verb} takes nothing after it")
        if verb == "status":
            return json.dumps(target.status(), allow_nan=False)
        if verb == "start":
            return f"ok {target.start()}"
        if verb == "stop":
            return f"ok {target.stop()}"
        if verb == "filename":
            return f"ok {target.filename(parse_filename(rest))}"
    except ValueError as exc:
        return f"error: {' '.join(str(exc).split())}"
    return f"error: unknown command {verb[:40]!r}; known: marker, status, start, stop, filename"


@dataclass
class _Client:
    sock: socket.socket
    pending: bytearray = field(default_factory=bytearray)
    discarding: bool = False  # inside an over-long line: drop bytes up to its end


class RemoteControl:
    """Listens on ``address``:``port`` and answers each client's lines on one worker thread."""

    def __init__(self, address: str, port: int, target: RemoteTarget) -> None:
        self.target = target
        self.commands = 0
        self.errors = 0
        self._selector = selectors.DefaultSelector()
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self._listener.bind((address, port))
            self._listener.listen(MAX_CLIENTS)
        except OSError as exc:
            self._listener.close()
            raise OSError(f"cannot listen for remote control on {address} TCP port {port}: {exc.strerror}") from None
        self.port = int(self._listener.getsockname()[1])
        self.detail = f"listening on {address} TCP port {self.port}"
        self._listener.setblocking(False)
        self._selector.register(self._listener, selectors.EVENT_READ, None)
        self._clients: dict[socket.socket, _Client] = {}
        self._worker = PeriodicWorker("remote-control", WAIT, self.serve)
        self._worker.start()

    def serve(self) -> float:
        """Accept new clients and answer every complete line that arrived, waiting up to WAIT seconds."""
        for key, _ in self._selector.select(timeout=WAIT):
            if key.data is None:
                self._accept()
            else:
                self._read(key.data)
        return 0.0

    def _accept(self) -> None:
        try:
            sock, _ = self._listener.accept()
        except OSError:
            return
        if len(self._clients) >= MAX_CLIENTS:
            self._send(sock, f"error: at most {MAX_CLIENTS} clients at once; try again later")
            sock.close()
            return
        sock.setblocking(False)
        client = _Client(sock)
        self._clients[sock] = client
        self._selector.register(sock, selectors.EVENT_READ, client)

    def _read(self, client: _Client) -> None:
        try:
            data = client.sock.recv(4096)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self._drop(client)
            return
        client.pending += data
        while True:
            end = client.pending.find(b"\n")
            if end < 0:
                if len(client.pending) > MAX_LINE and not client.discarding:
                    client.discarding = True
                    self._reply(client, f"error: line longer than {MAX_LINE} bytes; ignored")
                if client.discarding:
                    client.pending.clear()
                return
            line, client.pending = bytes(client.pending[:end]), client.pending[end + 1 :]
            if client.discarding:  # the end of the over-long line
                client.discarding = False
                continue
            self._handle(client, line)

    def _handle(self, client: _Client, raw: bytes) -> None:
        if len(raw) > MAX_LINE:
            self._reply(client, f"error: line longer than {MAX_LINE} bytes; ignored")
            return
        try:
            line = raw.decode("utf-8").strip()
        except UnicodeDecodeError:
            self._reply(client, "error: the line is not UTF-8 text; ignored")
            return
        if not line:
            return
        try:
            reply = answer(self.target, line)
        except Exception as exc:  # a fault of the studio's, not of the command: still one line, the listener lives
            log.exception("remote command %r failed", line[:80])
            reply = f"error: the studio could not do that: {' '.join(str(exc).split())}"
        self._reply(client, reply)

    def _reply(self, client: _Client, text: str) -> None:
        self.commands += 1
        self.errors += text.startswith("error:")
        if not self._send(client.sock, text):
            self._drop(client)

    @staticmethod
    def _send(sock: socket.socket, text: str) -> bool:
        try:
            sock.settimeout(1.0)  # a reply is one short line: a client that reads nothing is let go
            sock.sendall(text.encode("utf-8") + b"\n")
            sock.setblocking(False)
        except OSError:
            return False
        return True

    def _drop(self, client: _Client) -> None:
        self._clients.pop(client.sock, None)
        with contextlib.suppress(KeyError, ValueError):  # already gone
            self._selector.unregister(client.sock)
        client.sock.close()

    @property
    def clients(self) -> int:
        """Clients connected now."""
        return len(self._clients)

    def summary(self) -> dict[str, Any]:
        return {"detail": self.detail, "commands": self.commands, "errors": self.errors}

    def close(self) -> None:
        self._worker.stop(timeout=2 * WAIT + 1)
        for client in list(self._clients.values()):
            self._drop(client)
        self._selector.close()
        self._listener.close()
