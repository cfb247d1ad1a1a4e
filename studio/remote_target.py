"""What the remote-control socket's commands do to a running studio (the protocol is in studio/remote.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Protocol

from sensors.base import ChannelStatus
from studio.kernel.events import Marker
from studio.session import SessionOptions
from studio.store import Consent, StoreError


class Studio(Protocol):
    """What of the studio (studio/app.py) the remote commands use."""

    options: SessionOptions
    wait_for_consent: bool
    awaiting_client: bool

    @property
    def recording(self) -> bool: ...

    @property
    def session_id(self) -> int | None: ...

    def session_time(self) -> float: ...

    def statuses(self) -> dict[str, ChannelStatus]: ...

    def add_marker(
        self,
        label: str,
        source: str = ...,
        t: float | None = ...,
        code: int | None = ...,
        duration: float | None = ...,
    ) -> Marker: ...

    def begin_session(self, client: str | None = ..., consent: Consent | None = ..., at: float | None = ...) -> int: ...

    def end_session(self, status: str = ...) -> dict[str, int]: ...

    def log_action(self, action: str, detail: str = ...) -> None: ...


class StudioRemote:
    """Markers, status, start, stop and LabRecorder's filename for one studio. ``on_stop`` ends the recording the
    way the caller runs the studio (a headless run ends as with Ctrl-C); by default the session recording ends and
    the studio goes on, as *End the session* does in the window."""

    def __init__(self, studio: Studio, on_stop: Callable[[], None] | None = None) -> None:
        self.studio = studio
        self.on_stop = on_stop
        self.filename_parts: dict[str, str] | None = None

    def marker(self, label: str, code: int | None) -> str:
        marker = self.studio.add_marker(label, "remote", code=code)
        return f"marker at {self.studio.session_time():.3f} s" + ("" if code is None else f" with code {marker.code}")

    def status(self) -> dict[str, Any]:
        studio = self.studio
        return {
            "session_id": studio.session_id,
            "time_s": round(studio.session_time(), 3),
            "recording": studio.recording,
            "channels": {ch: {"state": s.state.value, "detail": s.detail} for ch, s in studio.statuses().items()},
            "filename": self.filename_parts,
        }

    def start(self) -> str:
        """Record a session with the consent already given: in the window, the first session of a client starts
        from its session steps (consent first); ``start`` then records again for the same client."""
        if self.studio.recording:
            raise ValueError(f"session {self.studio.session_id} is already recording")
        if self.studio.wait_for_consent and self.studio.session_id is None:
            raise ValueError("no consent given yet: start the first session from the window's session steps")
        if self.studio.awaiting_client:
            raise ValueError(
                "the next client's consent is not given yet: start their session from the window's session steps"
            )
        try:
            session = self.studio.begin_session(self.studio.options.client, self.studio.options.consent)
        except StoreError as exc:
            raise ValueError(str(exc)) from None
        return f"recording session {session}"

    def stop(self) -> str:
        if not self.studio.recording:
            raise ValueError("no session is recording")
        session = self.studio.session_id
        if self.on_stop is not None:
            self.on_stop()
        else:
            self.studio.end_session("completed")
        return f"session {session} ends (completed)"

    def filename(self, parts: dict[str, str]) -> str:
        self.filename_parts = parts
        self.studio.log_action("remote filename", json.dumps(parts, sort_keys=True))
        where = f"session {self.studio.session_id}" if self.studio.recording else "the next session"
        return f"filename kept with {where} (the studio records into its database)"
