"""Replaying a recorded session as a read-only player: play, pause, seek and speed over what was recorded.

A replay reads the session's tables once (de-identified: no client code, notes or dates) and shows them at the
playback position; it records nothing, asks for no client or consent and steers no live music. Only when the
operator asks to hear the session's music does ``MusicFollower`` play the recorded settings, on a music engine of
the replay's own. A session that is still recording cannot be replayed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from studio.export.data import SessionData, load_session
from studio.export.plots import baseline_span
from studio.export.report_facts import layer_spans, regimes, session_kind
from studio.kernel.errors import UsageError
from studio.loop import FUSED, MUSIC, MusicSink
from studio.music.params import NUMERIC, MusicParams, updated
from studio.store import Store, StoreError, passphrase_from_env

MAX_SPEED = 32.0
SPEEDS = (0.5, 1.0, 2.0, 4.0, 8.0, 16.0)  # the player's speed choices, times real time
SEEK_STEP_S = 5.0  # the arrow keys move the playhead this far


@dataclass(frozen=True)
class Phase:
    """A stretch of the session on the timeline: ``start`` and ``end`` in session seconds, and what it was."""

    start: float
    end: float
    label: str


def checked_speed(speed: float) -> float:
    """A replay speed from 0.1 to MAX_SPEED times real time; UsageError otherwise."""
    if not 0.1 <= speed <= MAX_SPEED:
        raise UsageError(f"--replay-speed {speed:g} must be between 0.1 and {MAX_SPEED:g}")
    return speed


class RecordedSession:
    """A recorded session's tables, asked for what they held at any session time (seconds)."""

    def __init__(self, data: SessionData) -> None:
        self.data = data
        self.info = data.info
        self.length = max(data.info.duration_s, 1e-3)
        self.kind = session_kind(data.info.settings)[0]
        fused = data.tables[FUSED.name].columns
        self._fused_t = np.asarray(fused["t"], dtype=float)
        self.fused = (
            np.column_stack([fused[n] for n in ("valence", "arousal", "confidence")])
            if len(self._fused_t)
            else np.zeros((0, 3))
        )
        self._music = data.tables[MUSIC.name].columns
        self._layers = layer_spans(data)
        m = data.tables["markers"].columns
        self.markers = [(float(t), str(x)) for t, x in zip(m["t"], m["label"], strict=True)]
        self.baseline = baseline_span(data)  # (start, end) s of the resting calibration, or None
        self.phases = [Phase(r.start, r.end, f"{r.goal.split(' ')[0]}, {r.mode}") for r in regimes(data)]

    def _row(self, t_column: np.ndarray, t: float) -> int | None:
        """The index of the last row stamped at or before ``t``, None before the first."""
        i = int(np.searchsorted(t_column, t, side="right")) - 1
        return i if i >= 0 else None

    def affect_at(self, t: float) -> tuple[float, float, float] | None:
        """The fused (valence, arousal, confidence) at session time ``t``."""
        i = self._row(self._fused_t, t)
        return None if i is None else (float(self.fused[i, 0]), float(self.fused[i, 1]), float(self.fused[i, 2]))

    def trail(self, t: float, seconds: float) -> tuple[np.ndarray, np.ndarray]:
        """Fused rows from ``t - seconds`` to ``t``: (times, rows of valence, arousal, confidence)."""
        lo = int(np.searchsorted(self._fused_t, t - seconds, side="left"))
        hi = int(np.searchsorted(self._fused_t, t, side="right"))
        return self._fused_t[lo:hi], self.fused[lo:hi]

    def channel_at(self, channel: str, t: float) -> tuple[float, float, float] | None:
        """A channel's own (valence, arousal, confidence) at ``t`` (None when it had none yet)."""
        table = self.data.tables.get(f"affect.{channel}")
        if table is None or not len(table):
            return None
        i = self._row(np.asarray(table.columns["t"], dtype=float), t)
        if i is None:
            return None
        columns = table.columns
        return float(columns["valence"][i]), float(columns["arousal"][i]), float(columns["confidence"][i])

    def params_at(self, t: float) -> MusicParams | None:
        """The music playing at ``t`` as recorded (layers from the control log), None before its first row."""
        i = self._row(np.asarray(self._music["t"], dtype=float), t)
        if i is None:
            return None
        layers = frozenset(n for n, spans in self._layers.items() if any(a <= t < b for a, b in spans))
        values: dict[str, object] = {n: float(self._music[n][i]) for n in NUMERIC}
        values |= {"mode": str(self._music["mode"][i]), "layers": sorted(layers or MusicParams().layers)}
        return updated(MusicParams(), values)[0]

    def body_at(self, t: float) -> dict[str, float]:
        """The body's heart rate (BPM), skin conductance (µS) and EEG alpha share at ``t``, those recorded."""
        found: dict[str, float] = {}
        for table, column in (("body.features", "heart_rate_bpm"), ("body.features", "eda_tonic"),
                              ("body.band_relative", "alpha")):  # fmt: skip
            rows = self.data.tables.get(table)
            if rows is None or not len(rows) or column not in rows.columns:
                continue
            i = self._row(np.asarray(rows.columns["t"], dtype=float), t)
            if i is not None and np.isfinite(rows.columns[column][i]):
                found[column] = float(rows.columns[column][i])
        return found

    def marker_before(self, t: float) -> tuple[float, str] | None:
        """The newest marker at or before ``t``."""
        earlier = [m for m in self.markers if m[0] <= t]
        return earlier[-1] if earlier else None


def load_recorded(store_path: Path, session_id: int) -> RecordedSession:
    """Read session ``session_id`` of the database at ``store_path`` for replay (de-identified); StoreError for
    an unknown session or one that is still recording."""
    store = Store.open(store_path, create=False, passphrase=passphrase_from_env())
    try:
        info = store.session(session_id)
        if info.status == "running":
            raise StoreError(
                f"session {session_id} is still recording; it can be replayed once it has ended (End session)"
            )
        data = load_session(store, session_id, include_client=False, progress=lambda _step: None)
    finally:
        store.close()
    return RecordedSession(data)


class Playback:
    """Where a replay stands: ``position`` (session seconds, 0 to ``length``) moves at ``speed`` times real time
    while playing and stops at the end. ``subscribe`` hears every change of state (play, pause, seek, speed);
    time passing is not an event: views read ``position``."""

    def __init__(self, length: float, speed: float = 1.0, now: Callable[[], float] = time.monotonic) -> None:
        self.length = length
        self.speed = checked_speed(speed)
        self._now = now
        self._at = 0.0  # the position when the clock was last read
        self._since: float | None = None  # wall time (s) since which it plays; None while paused
        self._subscribers: list[Callable[[], None]] = []

    def subscribe(self, callback: Callable[[], None]) -> None:
        self._subscribers.append(callback)

    def _changed(self) -> None:
        for callback in self._subscribers:
            callback()

    @property
    def playing(self) -> bool:
        if self._since is not None and self._unclamped() >= self.length:  # reached the end: it stops there
            self._at, self._since = self.length, None
        return self._since is not None

    def _unclamped(self) -> float:
        return self._at if self._since is None else self._at + (self._now() - self._since) * self.speed

    @property
    def position(self) -> float:
        """Session seconds shown now."""
        return min(self.length, max(0.0, self._unclamped()))

    def play(self) -> None:
        """Play from the position (from the start again when at the end)."""
        if self.playing:
            return
        if self._at >= self.length:
            self._at = 0.0
        self._since = self._now()
        self._changed()

    def pause(self) -> None:
        if not self.playing:
            return
        self._at, self._since = self.position, None
        self._changed()

    def toggle(self) -> None:
        """Play when paused, pause when playing."""
        if self.playing:
            self.pause()
        else:
            self.play()

    def seek(self, t: float) -> None:
        """Jump to session time ``t`` (clamped to the session); playing goes on from there."""
        self._at = min(self.length, max(0.0, t))
        if self._since is not None:
            self._since = self._now()
        self._changed()

    def set_speed(self, speed: float) -> None:
        """Play ``speed`` times faster than real time from now on (0.1 to MAX_SPEED)."""
        speed = checked_speed(speed)
        self._at = self.position
        if self._since is not None:
            self._since = self._now()
        self.speed = speed
        self._changed()


class MusicFollower:
    """Plays the recorded music at the playback position through ``sink`` (a music engine of the replay's own),
    sending a setting only when it changes."""

    def __init__(self, recorded: RecordedSession, sink: MusicSink) -> None:
        self._recorded = recorded
        self._sink = sink
        self._last: MusicParams | None = None

    def step(self, position: float) -> None:
        params = self._recorded.params_at(position)
        if params is not None and params != self._last:
            self._sink.apply(params)
            self._last = params
