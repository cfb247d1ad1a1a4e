"""How a session is run beyond the studio's settings: for whom, with what consent, where it is stored."""

from __future__ import annotations

from dataclasses import dataclass, field

from studio.store import Consent


@dataclass(frozen=True)
class SessionOptions:
    """``client``: a pseudonymous client code (its stored baselines are reused and updated); ``consent``: what
    the client agreed to; ``passphrase``: encrypt the database (SQLCipher); ``markers``: (session seconds,
    label) to set during a headless run."""

    client: str | None = None
    consent: Consent = field(default_factory=Consent)
    passphrase: str | None = None
    markers: tuple[tuple[float, str], ...] = field(default=())


@dataclass(frozen=True)
class Outputs:
    """Live data published on the lab network (all off by default): LSL outlets and OSC messages."""

    lsl: bool = False
    lsl_prefix: str = "AffectStudio"
    osc: bool = False
    osc_host: str = "127.0.0.1"
    osc_port: int = 9000


@dataclass(frozen=True)
class RemoteSettings:
    """The remote-control socket (studio/remote.py): a TCP ``port`` (0: off) on the local ``address``."""

    port: int = 0
    address: str = "127.0.0.1"


@dataclass(frozen=True)
class MarkerSettings:
    """Marker buttons (labels, each with its keyboard shortcut and optionally an event code) and where else
    markers come from: an LSL marker stream by name ("" for none) and OSC ``/marker`` messages on a UDP port (0
    for none) of the local address ``osc_address`` (127.0.0.1: this machine only; 0.0.0.0: every interface)."""

    labels: tuple[str, ...] = ("start", "eyes closed", "eyes open", "music change", "event")
    keys: tuple[str, ...] = ("F2", "F3", "F4", "F5", "F6")
    lsl_stream: str = ""
    osc_port: int = 0
    osc_address: str = "127.0.0.1"
    codes: tuple[int, ...] = ()  # an event code per button label, in the same order (empty: none)

    def code_of(self, label: str) -> int | None:
        """The event code of a button's label, None when the buttons have no codes or the label is no button's."""
        return self.codes[self.labels.index(label)] if self.codes and label in self.labels else None
