"""The body channel: any BrainFlow board (synthetic by default, playback files for replay) to EEG features."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from brainflow.board_shim import BoardIds, BoardShim, BrainFlowError, BrainFlowInputParams

from fusion.affect import NO_AFFECT
from fusion.eeg import BAND_NAMES, EegAffect, band_powers, relative, signal_ok
from sensors.base import Source, State
from studio.clock import SessionClock
from studio.streams import Stream, StreamHub

EEG_SECONDS = 30.0  # raw EEG kept in memory for plots and feature windows
FEATURE_WINDOW = 2.0  # seconds of EEG per feature window
FEATURE_HOP = 0.25  # seconds between feature windows


@dataclass(frozen=True)
class BoardConfig:
    """Which BrainFlow board to open and the connection parameters it needs (empty: not needed)."""

    board_id: int = BoardIds.SYNTHETIC_BOARD.value
    serial_port: str = ""
    mac_address: str = ""
    ip_address: str = ""
    ip_port: int = 0
    serial_number: str = ""
    other_info: str = ""
    timeout: int = 0
    file: str = ""  # playback file for the playback board
    master_board: int = -100  # the board that recorded a playback file (-100: none)

    def input_params(self) -> BrainFlowInputParams:
        p = BrainFlowInputParams()
        p.serial_port = self.serial_port
        p.mac_address = self.mac_address
        p.ip_address = self.ip_address
        p.ip_port = self.ip_port
        p.serial_number = self.serial_number
        p.other_info = self.other_info
        p.timeout = self.timeout
        p.file = self.file
        p.master_board = self.master_board
        return p

    @property
    def descr_board(self) -> int:
        """The board whose channel layout the data has (the master board for playback)."""
        return self.master_board if self.master_board != -100 else self.board_id


def board_name(board_id: int) -> str:
    try:
        return str(BoardIds(board_id).name).lower()
    except ValueError:
        return f"board {board_id}"


class BoardSource(Source):
    """Reads a BrainFlow board, maps its timestamps onto the session clock, and computes band powers.

    Raw EEG goes to ``body.eeg``; every 0.25 s a 2 s window gives ``body.band_power`` (mean absolute power
    per band, uV^2), ``body.band_relative`` (mean relative power) and an affect estimate.
    """

    channel = "body"
    period = 0.1

    def __init__(self, clock: SessionClock, config: BoardConfig | None = None) -> None:
        self.config = config or BoardConfig()
        self.backend = (
            "synthetic" if self.config.board_id == BoardIds.SYNTHETIC_BOARD.value else board_name(self.config.board_id)
        )
        super().__init__()
        self.clock = clock
        descr = self.config.descr_board
        self.fs = float(BoardShim.get_sampling_rate(descr))
        self.eeg_rows: list[int] = list(BoardShim.get_eeg_channels(descr))
        self.ts_row = int(BoardShim.get_timestamp_channel(descr))
        try:
            self.eeg_names: list[str] = list(BoardShim.get_eeg_names(descr))
        except BrainFlowError:
            self.eeg_names = [f"ch{i + 1}" for i in range(len(self.eeg_rows))]
        self._board: BoardShim | None = None
        self._estimator = EegAffect(self.eeg_names)
        self._next_feature_t: float | None = None
        self.eeg: Stream | None = None
        self.band_power: Stream | None = None
        self.band_relative: Stream | None = None

    def open(self, hub: StreamHub) -> None:
        super().open(hub)
        self.eeg = hub.add("body.eeg", self.eeg_names, int(EEG_SECONDS * self.fs))
        self.band_power = hub.add("body.band_power", BAND_NAMES, int(600 / FEATURE_HOP))
        self.band_relative = hub.add("body.band_relative", BAND_NAMES, int(600 / FEATURE_HOP))
        BoardShim.disable_board_logger()
        board = BoardShim(self.config.board_id, self.config.input_params())
        prepared = False
        try:
            board.prepare_session()
            prepared = True
            board.start_stream()
        except BrainFlowError as exc:
            self.set_status(State.DOWN, f"{board_name(self.config.board_id)} did not start: {exc}")
            if prepared:  # never release a session someone else prepared with the same board and parameters
                board.release_session()
            return
        self._board = board
        self.set_status(State.OK, f"{board_name(self.config.board_id)} streaming at {self.fs:g} Hz")

    def step(self, now: float) -> None:
        assert self.eeg is not None and self.band_power is not None and self.band_relative is not None
        if self._board is None:
            return
        data = self._board.get_board_data()
        if data.shape[1]:
            t = np.array([self.clock.from_unix(u) for u in data[self.ts_row]])
            eeg = np.nan_to_num(data[self.eeg_rows].T, nan=0.0, posinf=0.0, neginf=0.0)
            self.eeg.extend(t, eeg)
        if self._next_feature_t is None:
            self._next_feature_t = now + FEATURE_WINDOW
        while self._next_feature_t <= now:
            self._features(self._next_feature_t)
            self._next_feature_t += FEATURE_HOP

    def _features(self, t_end: float) -> None:
        assert self.eeg is not None and self.band_power is not None and self.band_relative is not None
        window = self.eeg.last(FEATURE_WINDOW, t_end)
        if len(window) < self.fs * FEATURE_WINDOW * 0.5:
            self.emit(t_end, NO_AFFECT)
            self.set_status(State.DEGRADED, "too few samples in the last 2 s")
            return
        x = window.values.T
        powers = band_powers(x, self.fs)
        ok = signal_ok(x)
        rel = relative(powers)
        self.band_power.append(t_end, powers[ok].mean(axis=0) if ok.any() else np.zeros(len(BAND_NAMES)))
        self.band_relative.append(t_end, rel[ok].mean(axis=0) if ok.any() else np.zeros(len(BAND_NAMES)))
        self.emit(t_end, self._estimator.update(powers, ok))
        bad = int((~ok).sum())
        if bad:
            self.set_status(State.DEGRADED, f"{bad} of {ok.size} channels flat or railed")
        else:
            self.set_status(State.OK, f"{board_name(self.config.board_id)} streaming at {self.fs:g} Hz")

    def close(self) -> None:
        board, self._board = self._board, None
        if board is not None:
            try:
                board.stop_stream()
            finally:
                board.release_session()
        super().close()
