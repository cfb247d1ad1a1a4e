"""Samples from any BrainFlow board (synthetic, playback and streaming included), stamped on the session clock."""

from __future__ import annotations

import contextlib

import numpy as np
from brainflow.board_shim import BoardShim, BrainFlowError

from sensors.boards import PLAYBACK, SYNTHETIC, BoardConfig, BoardError, board_layout, board_name
from sensors.body_backend import FloatArray, SourceFault, nothing
from sensors.body_pipeline import ChannelLayout
from studio.kernel.clock import SessionClock

BUFFER_SECONDS = 60.0  # BrainFlow's ring buffer, in seconds of samples


class Board(BoardShim):  # type: ignore[misc]  # BrainFlow ships no type hints
    """A BoardShim whose finaliser leaves sessions alone. BrainFlow keys a session by board and parameters, so
    the finaliser of a board released long ago (collected late, from a reference cycle) would release a newer
    session of the same board: a reconnected synthetic board died with BOARD_NOT_CREATED. BoardBackend releases
    what it prepared itself, in ``disconnect``."""

    def __del__(self) -> None:
        return None


class BoardBackend:
    """One BrainFlow board. BrainFlow's Unix timestamps are mapped onto the session clock; a playback file
    loops, so a recording can stand in for a live board for as long as the session lasts."""

    def __init__(self, config: BoardConfig, clock: SessionClock) -> None:
        self.config = config
        self.clock = clock
        self.label = board_name(config.board_id)
        self.kind = (
            "synthetic" if config.board_id == SYNTHETIC else "playback" if config.board_id == PLAYBACK else "board"
        )
        self.board: Board | None = None
        self._rows: list[int] = []
        self._ts_row = 0

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
        t = np.asarray(data[self._ts_row] - self.clock.unix_start, dtype=np.float64)
        return t, np.asarray(data[self._rows].T, dtype=np.float64)

    def disconnect(self) -> None:
        board, self.board = self.board, None
        if board is None:
            return
        for action in (board.stop_stream, board.release_session):
            with contextlib.suppress(BrainFlowError):  # a board that went away cannot be stopped; release anyway
                action()
