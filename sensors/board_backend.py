"""Samples from any BrainFlow board (synthetic, playback and streaming included), stamped on the session clock."""

from __future__ import annotations

import contextlib
from pathlib import Path

import numpy as np
from brainflow.board_shim import BoardShim, BrainFlowError

from sensors.boards import PLAYBACK, REFERENCES, SYNTHETIC, BoardConfig, BoardError, board_layout, board_name
from sensors.body_backend import FloatArray, SourceEvent, SourceFault, nothing
from sensors.body_pipeline import ChannelLayout
from sensors.sample_clock import ClockFit, PacketCounter
from studio.kernel.clock import SessionClock

BUFFER_SECONDS = 60.0  # BrainFlow's ring buffer, in seconds of samples


def playback_rows(path: str) -> int:
    """Samples in a BrainFlow CSV playback file (its lines), 0 when it cannot be read (BrainFlow says why)."""
    try:
        with open(path, "rb") as f:
            return sum(1 for line in f if line.strip())
    except OSError:
        return 0


class Board(BoardShim):  # type: ignore[misc]  # BrainFlow ships no type hints
    """A BoardShim whose finaliser leaves sessions alone. BrainFlow keys a session by board and parameters, so
    the finaliser of a board released long ago (collected late, from a reference cycle) would release a newer
    session of the same board: a reconnected synthetic board died with BOARD_NOT_CREATED. BoardBackend releases
    what it prepared itself, in ``disconnect``."""

    def __del__(self) -> None:
        return None


class BoardBackend:
    """One BrainFlow board. Samples are passed on as the board delivered them (order, rate, values as float64);
    their times are BrainFlow's Unix timestamps mapped onto the session clock by a robust linear fit in the sample
    index (``ClockFit``), counting the samples the board's package counter says were lost (``take_gaps``). A
    playback file loops, so a recording can stand in for a live board for as long as the session lasts."""

    def __init__(self, config: BoardConfig, clock: SessionClock) -> None:
        self.config = config
        self.clock = clock
        self.label = board_name(config.board_id)
        self.kind = (
            "synthetic" if config.board_id == SYNTHETIC else "playback" if config.board_id == PLAYBACK else "board"
        )
        self.reference = REFERENCES.get(board_name(config.descr_board), "")  # the EEG reference, "" when not known
        self.board: Board | None = None
        self._rows: list[int] = []
        self._ts_row = 0
        self._counter_row: int | None = None
        self._counter = PacketCounter()
        self._fit: ClockFit | None = None
        self._next_index = 0
        self._gaps: list[tuple[float, int]] = []
        self._events: list[SourceEvent] = []
        self._file_rows = 0  # samples in a playback file, to mark where it loops (0: not a playback board)
        self._delivered = 0  # samples delivered since connecting

    def connect(self) -> ChannelLayout:
        try:
            layout = board_layout(self.config.checked().descr_board)
        except BoardError as exc:
            raise SourceFault(str(exc)) from None
        BoardShim.disable_board_logger()
        board = Board(self.config.board_id, self.config.input_params())
        prepared = False
        try:
            board.prepare_session()
            prepared = True
            if self.config.board_id == PLAYBACK:
                board.config_board("loopback_true")
            # get_board_data drains the buffer every step, so a minute of samples is ample; BrainFlow's
            # default (450,000 samples) only fills the process's memory over the first half hour.
            board.start_stream(int(layout.fs * BUFFER_SECONDS))
        except BrainFlowError as exc:
            if prepared:  # never release a session someone else prepared with the same board and parameters
                board.release_session()
            raise SourceFault(str(exc)) from None
        self.board = board
        self._rows = list(layout.rows)
        self._ts_row = layout.timestamp_row
        self._counter_row = layout.counter_row
        self._counter = PacketCounter()
        self._fit = ClockFit(layout.fs)  # a new session of the board: a new line, its own counter
        self._next_index = 0
        self._delivered = 0
        if self.config.board_id == PLAYBACK:
            self._file_rows = playback_rows(self.config.file)
        return ChannelLayout(layout.fs, layout.names, layout.kinds)

    def read(self) -> tuple[FloatArray, FloatArray]:
        if self.board is None:
            return nothing(len(self._rows))
        try:
            data = self.board.get_board_data()
        except BrainFlowError as exc:
            raise SourceFault(str(exc)) from None
        if data.shape[1] == 0:
            return nothing(len(self._rows))
        stamps = np.asarray(data[self._ts_row] - self.clock.unix_start, dtype=np.float64)
        n = stamps.size
        lost = self._counter.lost(data[self._counter_row]) if self._counter_row is not None else np.zeros(n, int)
        index = self._next_index + np.arange(n) + np.cumsum(lost)
        self._next_index = int(index[-1]) + 1
        assert self._fit is not None
        t = self._fit.map(index, stamps)
        period = self._fit.period
        self._gaps += [(float(t[i] - lost[i] * period), int(lost[i])) for i in np.flatnonzero(lost)]
        if self._file_rows:
            first = -self._delivered % self._file_rows or (self._file_rows if self._delivered == 0 else 0)
            seams = np.arange(first, n, self._file_rows)
            name = Path(self.config.file).name
            self._events += [
                SourceEvent(float(t[i]), f"{name} loops: playback starts again", None, "body") for i in seams
            ]
        self._delivered += n
        return t, np.asarray(data[self._rows].T, dtype=np.float64)

    def config_board(self, command: str) -> str:
        """Send one of the board's own commands (BrainFlow's ``config_board``) and return its answer; SourceFault
        when the board is not connected or refuses it."""
        if self.board is None:
            raise SourceFault(f"{self.label} is not connected")
        try:
            return str(self.board.config_board(command))
        except BrainFlowError as exc:
            raise SourceFault(f"{self.label} refused {command!r}: {exc}") from None

    def take_events(self) -> list[SourceEvent]:
        """Where a playback file starts again from its beginning (the sample that begins each new loop)."""
        events, self._events = self._events, []
        return events

    def take_gaps(self) -> list[tuple[float, int]]:
        """The losses found since the last call: (session time of the first lost sample in s, samples lost)."""
        gaps, self._gaps = self._gaps, []
        return gaps

    def disconnect(self) -> None:
        board, self.board = self.board, None
        if board is None:
            return
        for action in (board.stop_stream, board.release_session):
            with contextlib.suppress(BrainFlowError):  # a board that went away cannot be stopped; release anyway
                action()
