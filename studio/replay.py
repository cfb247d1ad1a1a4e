"""Replaying a recorded session through the live studio, at 1x or faster, for workshops and review.

Each channel's recorded estimates and features (and the body channel's raw EEG) come back through a
``ReplaySource`` at their recorded session times; the fusion loop runs on them as it did live, the recorded
music parameters drive the music engine (the loop in manual mode), and the recorded markers reappear.
The session clock runs ``speed`` times faster than real time. Nothing is recorded during a replay.
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np

from sensors.affect_replay import Cue
from sensors.base import CHANNELS, Source, State, affect_spec
from studio.app import Studio
from studio.config import Config
from studio.export.data import SessionData, Table, load_session
from studio.goal_plan import Goal
from studio.kernel.clock import SessionClock
from studio.kernel.errors import UsageError
from studio.kernel.events import Marker
from studio.kernel.streams import Stream, StreamHub, StreamSpec
from studio.kernel.worker import PeriodicWorker
from studio.loop import MUSIC
from studio.music.params import NUMERIC
from studio.policy import Bounds, ControlMode
from studio.store import Store

MAX_SPEED = 32.0
HISTORY = 600.0  # session seconds kept in each replayed stream of features
RAW_SECONDS = 30.0  # session seconds kept in each replayed raw signal


class ScaledClock(SessionClock):
    """Session seconds that advance ``speed`` times faster than real time."""

    def __init__(self, speed: float) -> None:
        super().__init__(source=lambda: time.monotonic() * speed)


class TableCue(Cue):
    """A recorded table's rows handed out in time order, with the table, its field names and the spec of the
    stream it plays back into (raw signals keep 30 s in memory, features the replay's HISTORY)."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.fields = [n for n in table.columns if n != "t"]
        t = table.columns["t"]
        super().__init__(t, np.column_stack([table.columns[n] for n in self.fields]) if len(t) else np.zeros((0, 0)))
        units = tuple(table.units.get(n, "") for n in self.fields)
        self.spec = StreamSpec(table.name, tuple(self.fields), units, RAW_SECONDS if table.rate_hz else HISTORY)
        self.rate_hz = table.rate_hz or (len(t) / max(1.0, float(t[-1] - t[0])) if len(t) > 1 else 1.0)


class ReplaySource(Source):
    """One channel of a recorded session: its affect estimates and its feature and raw streams."""

    backend = "replay"

    def __init__(self, channel: str, session_id: int, affect: Table, streams: list[Table]) -> None:
        self.channel = channel
        super().__init__()
        self._session_id = session_id
        self._affect = TableCue(affect)
        self._cues = [TableCue(t) for t in streams]
        self._outputs: list[tuple[TableCue, Stream]] = []

    def specs(self) -> tuple[StreamSpec, ...]:
        return (*super().specs(), *(cue.spec for cue in self._cues))

    def open(self, hub: StreamHub) -> None:
        super().open(hub)
        for cue in self._cues:
            self._outputs.append((cue, hub.open(cue.spec, cue.rate_hz)))
        self.set_status(State.OK, f"replaying session {self._session_id}")

    def step(self, now: float) -> None:
        assert self.affect is not None
        t, v = self._affect.due(now)
        if len(t):
            self.affect.extend(t, v)
        for cue, stream in self._outputs:
            t, v = cue.due(now)
            if len(t):
                stream.extend(t, v)
        if self._affect.finished and all(c.finished for c, _ in self._outputs):
            self.set_status(State.OK, f"session {self._session_id} replayed to its end")


class Replayer:
    """Recorded markers back into the studio's marker log, recorded music settings back into the loop."""

    def __init__(self, studio: Studio, data: SessionData) -> None:
        self._studio = studio
        self._markers = data.tables["markers"].columns
        self._next_marker = 0
        self._music = TableCue(data.tables[MUSIC.name])
        self._last: dict[str, float | str] = {}

    def step(self) -> None:
        now = self._studio.clock.now()
        t, labels, sources = self._markers["t"], self._markers["label"], self._markers["source"]
        while self._next_marker < len(t) and t[self._next_marker] <= now:
            i = self._next_marker
            self._studio.markers.append(Marker(float(t[i]), str(labels[i]), str(sources[i])))
            self._next_marker += 1
        times, rows = self._music.due(now)
        if len(times):
            values = dict(zip(self._music.fields, rows[-1], strict=True))
            wanted = {n: float(values[n]) for n in NUMERIC} | {"mode": str(values["mode"])}
            if wanted != self._last:
                self._studio.loop.set_manual(now, **wanted)
                self._last = wanted


def replay_studio(config: Config, store_path: object, session_id: int, speed: float) -> tuple[Studio, Replayer]:
    """A studio (not yet started) that plays session ``session_id`` of ``store_path`` at ``speed`` x."""
    from pathlib import Path

    from studio.store import passphrase_from_env

    if not 0.1 <= speed <= MAX_SPEED:
        raise UsageError(f"--replay-speed {speed:g} must be between 0.1 and {MAX_SPEED:g}")
    store = Store.open(Path(str(store_path)), create=False, passphrase=passphrase_from_env())
    try:
        data = load_session(store, session_id, include_client=False, progress=lambda _step: None)
    finally:
        store.close()
    settings = data.info.settings
    try:  # sessions recorded before the allowed modes and layers were stored as lists fall back to the config
        recorded = settings["bounds"]
        modes, layers = tuple(recorded["allowed_modes"]), frozenset(recorded["allowed_layers"])
        bounds = Bounds(**{**recorded, "allowed_modes": modes, "allowed_layers": layers}).validated()
        goal = Goal(settings["goal"])
    except (KeyError, TypeError, ValueError):
        bounds, goal = config.bounds, config.goal
    config = replace(config, bounds=bounds, goal=goal, mode=ControlMode.MANUAL)
    sources: dict[str, Source] = {}
    for ch in CHANNELS:
        name = affect_spec(ch).name
        affect = data.tables.get(name) or Table(name, {})
        streams = [t for name, t in data.tables.items() if name.startswith(f"{ch}.") and len(t)]
        sources[ch] = ReplaySource(ch, session_id, _or_empty(affect), streams)
    studio = Studio(config, demo=False, store=None, clock=ScaledClock(speed), sources=sources)
    replayer = Replayer(studio, data)
    studio.extra_workers.append(PeriodicWorker("replay", 0.05, replayer.step))
    return studio, replayer


def _or_empty(table: Table) -> Table:
    if table.columns:
        return table
    return Table(table.name, {n: np.zeros(0) for n in ("t", "valence", "arousal", "confidence")})
