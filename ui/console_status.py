"""The console's status bar and the faults it turns into banners.

The bar shows each channel's health (a coloured dot, ok/degraded/down and the reason), the audio output,
the recording and the network outputs. A channel going down, recording stopping, or a note from the
database becomes a non-modal banner; nothing here ever opens a dialog.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QHBoxLayout, QLabel, QStatusBar, QWidget

from sensors.base import ChannelStatus, State
from studio.app import Studio
from studio.kernel.command import studio_command
from ui.banners import BannerArea
from ui.theme import MUTED, STATE_COLOURS, set_role

REASON_CHARS = 38  # the reason as shown in the bar; the tooltip has all of it
SHRUNK_WIDTH = 40  # pixels: the narrowest a part of the bar gets, so that it never widens the window
DOT = "\u25cf"


def short(text: str, limit: int = REASON_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def disk_free_gb(path: Path | None) -> float | None:
    """Free space (GB) where ``path`` is written, None if it cannot be told."""
    if path is None:
        return None
    try:
        return shutil.disk_usage(path.parent).free / 1e9
    except OSError:
        return None


def recording_text(studio: Studio) -> tuple[str, str]:
    """(short text for the bar, longer tooltip) about the recording: which session records, or that none does."""
    sid = studio.session_id
    if studio.recording_problem:
        return f"recording of session {sid} stopped", studio.recording_problem
    if studio.database is None:
        return "not recording", "This console has no session database: nothing is recorded."
    if not studio.recording:
        if sid is None:
            return "not recording · no session started", "Nothing is recorded before consent and the session's start."
        return f"not recording · session {sid} ended", f"Session {sid} is closed; New session starts the next client."
    free = disk_free_gb(studio.store)
    disk = f"{free:.1f} GB free" if free is not None else "free space unknown"
    client = studio.options.client
    who = "demo session" if studio.demo else "session"
    demo = " A demo records from its start: its person is the virtual listener, no real client." if studio.demo else ""
    return (
        f"{DOT} recording {who} {sid}{f' ({client})' if client else ''} · {disk}",
        f"Recording {who} {sid} to {studio.store} ({disk}).{demo}",
    )


def network_text(studio: Studio) -> tuple[str, str]:
    """(short text, tooltip) about LSL and OSC outputs and marker inputs."""
    outputs = studio.config.outputs
    parts = []
    if studio.publisher is not None and studio.publisher.outlets:
        parts.append(f"LSL {len(studio.publisher.outlets)} outlets")
    if studio.publisher is not None and studio.publisher.osc is not None:
        parts.append(f"OSC → {outputs.osc_host}:{outputs.osc_port}")
    if studio.marker_inputs:
        parts.append(f"{len(studio.marker_inputs)} marker input(s)")
    if studio.input_problems:
        parts.append("marker input failed")
    if not parts:
        return "network off", "Nothing is sent on the network (turn LSL or OSC on in the settings' [outputs])."
    sent = studio.publisher.sent if studio.publisher is not None else 0
    return "network: " + ", ".join(parts), f"{sent} LSL samples / OSC messages sent. " + " ".join(studio.input_problems)


def clock_text(studio: Studio) -> str:
    """The session's time (minutes:seconds; after its end, its length), ``--:--`` before any session."""
    if studio.session_id is None:
        return "--:--"
    minutes, seconds = divmod(int(studio.session_time()), 60)
    return f"{minutes:02d}:{seconds:02d}"


class SessionClock:
    """The console's one session clock: each of its labels (``label()`` finds it: a page rebuilt for the next
    session has a new one) shows the same reading, set in the same frame, as ``template`` with ``{time}`` in it
    (the status bar's says demo or live too)."""

    def __init__(self, studio: Studio, labels: list[tuple[Callable[[], QLabel], str]]) -> None:
        self._studio = studio
        self._labels = labels

    def refresh(self, now: float) -> None:
        time = clock_text(self._studio)
        for label, template in self._labels:
            label().setText(template.format(time=time))


class ChannelChip(QLabel):
    """``● face ok`` in the state's colour, the reason after it; the tooltip has the full detail."""

    def __init__(self, channel: str) -> None:
        super().__init__()
        self.channel = channel
        self._shown: ChannelStatus | None = None

    def show_status(self, status: ChannelStatus) -> None:
        if status == self._shown:
            return
        self._shown = status
        colour = STATE_COLOURS.get(status.state, MUTED)
        reason = f" · {short(status.detail)}" if status.state is not State.OK and status.detail else ""
        self.setText(f'<span style="color:{colour}">{DOT}</span> {self.channel} {status.state.value}{reason}')
        self.setToolTip(f"{self.channel}: {status.state.value} ({status.backend})\n{status.detail}")


class FaultBanners:
    """Turns faults into banners: a channel down, recording stopped, a note from the session database, what the
    operator should know about the session (a damaged stored response model ignored).
    Not a widget, so it watches in every workspace (Presentation hides the status bar)."""

    def __init__(self, studio: Studio, banners: BannerArea) -> None:
        self._studio = studio
        self._banners = banners

    def refresh(self, now: float) -> None:
        studio = self._studio
        for channel, status in studio.statuses().items():
            key = f"channel:{channel}"
            if status.state is State.DOWN:
                self._banners.show_message(key, f"The {channel} channel is down: {status.detail}", "error")
            else:
                self._banners.withdraw(key)
        if studio.recording_problem:
            self._banners.show_message("recording", f"Recording stopped: {studio.recording_problem}", "error")
        for number, notice in enumerate(studio.notices):
            self._banners.show_message(f"notice:{number}", notice, "warning")
        database = studio.database
        if database is not None and database.notice:
            self._banners.show_message("database", database.notice, "warning")
        if database is not None and database.interrupted:
            gone = ", ".join(map(str, database.interrupted))
            self._banners.show_message(
                "interrupted", f"Session {gone} was interrupted (see: {studio_command()} sessions list)", "info"
            )


class ConsoleStatusBar(QStatusBar):
    """Channel chips on the left; session step, audio, recording and network on the right."""

    def __init__(self, studio: Studio, where: Callable[[], str]) -> None:
        """``where()`` says where the session stands in its steps."""
        super().__init__()
        self._studio = studio
        self._where = where
        chips = QWidget()
        row = QHBoxLayout(chips)
        row.setContentsMargins(4, 0, 4, 0)
        row.setSpacing(14)
        self.chips = {ch: ChannelChip(ch) for ch in studio.statuses()}
        for chip in self.chips.values():
            chip.setMinimumWidth(SHRUNK_WIDTH)
            row.addWidget(chip)
        self.addWidget(chips)
        self.step = QLabel("")
        self.clock = QLabel("")
        self.audio = QLabel("")
        self.recording = QLabel("")
        self.network = QLabel("")
        for label in (self.step, self.clock, self.audio, self.recording, self.network):
            label.setContentsMargins(10, 0, 10, 0)
            label.setMinimumWidth(SHRUNK_WIDTH)  # larger text cuts a part short (its tooltip has it all)
            self.addPermanentWidget(label)
        self.step.setToolTip("Where the session stands in its steps (the Session flow panel leads through them)")
        self.clock.setToolTip("Session time (minutes:seconds; after the end, its length) and whether demo or live")
        self.clock_template = "{time} · " + ("demo" if studio.demo else "live")  # SessionClock sets it

    def refresh(self, now: float) -> None:
        studio = self._studio
        for channel, status in studio.statuses().items():
            self.chips[channel].show_status(status)
        self.step.setText(f"steps: {self._where()}")
        backend = studio.engine.backend
        self.audio.setText(f"audio: {backend.kind}" + ("" if studio.playing else " (faded out)"))
        self.audio.setToolTip(backend.detail)
        text, tip = recording_text(studio)
        self.recording.setText(text)
        self.recording.setToolTip(tip)
        set_role(self.recording, "recording" if studio.recording else "muted")
        text, tip = network_text(studio)
        self.network.setText(text)
        self.network.setToolTip(tip)
