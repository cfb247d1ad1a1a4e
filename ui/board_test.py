"""Testing a board before a session: connect with the settings entered, stream on a kernel worker, and keep
the last seconds so that the dialog can show each channel's quality live; stop releases the board."""

from __future__ import annotations

import threading
from collections import deque

import numpy as np
from numpy.typing import NDArray

from fusion.channel_figures import ChannelFigures, channel_figures
from fusion.quality import QUALITY_LABELS, Quality, channel_quality
from sensors.board_backend import BoardBackend
from sensors.body_backend import BodyBackend, SourceFault
from sensors.body_pipeline import ChannelLayout, filter_eeg
from sensors.body_settings import BodySettings
from sensors.impedance import impedance_sweep, sweeps_impedance
from studio.kernel.worker import PeriodicWorker

FloatArray = NDArray[np.float64]
KEEP_S = 2.0  # seconds of samples the preview shows figures of
READ_EVERY_S = 0.1


class BoardTest:
    """Streams ``backend`` (a body backend: connect, read, disconnect) until ``stop()``; ``problem`` says in words
    why it could not connect or stopped. ``window()`` is the newest ``KEEP_S`` seconds (samples x columns)."""

    def __init__(self, backend: BodyBackend, label: str) -> None:
        self._backend = backend
        self.label = label
        self.layout: ChannelLayout | None = None
        self.problem = ""
        self.preview: list[tuple[str, str, str]] = []  # (channel, quality, figures) of the newest KEEP_S seconds
        self.samples = 0
        self._rows: deque[FloatArray] = deque()
        self.impedance: dict[str, float] = {}  # channel name -> Ω, as measured by the last sweep
        self.impedance_note = ""
        self._lock = threading.Lock()
        self._connected = False
        self._sweep_wanted = False
        self._halt = threading.Event()
        self._worker = PeriodicWorker("board-test", READ_EVERY_S, self._step)

    @property
    def measures_impedance(self) -> bool:
        """Whether this board's impedance can be measured here (the OpenBCI Cyton family)."""
        backend = self._backend
        return isinstance(backend, BoardBackend) and sweeps_impedance(backend.config.board_id)

    def check_impedance(self) -> None:
        """Measure every EEG channel's impedance on the test's thread, one channel after the other (about 2 s
        each); the streaming preview pauses meanwhile."""
        self._sweep_wanted = True

    def start(self) -> None:
        self._worker.start()

    def stop(self) -> None:
        self._halt.set()
        self._worker.stop(timeout=10)
        self._release()

    def _step(self) -> None:
        """Connect on the first step, then read what the board has sent; a fault ends the test, said in words."""
        backend = self._backend
        try:
            if not self._connected:
                self.layout = backend.connect()
                self._connected = True
                return
            _, data = backend.read()
        except SourceFault as exc:
            self.problem = (
                f"{self.label} stopped streaming: {exc}"
                if self._connected
                else f"Could not connect to {self.label}: {exc}. Check that it is switched on and charged, and "
                "that the port or address is the one it uses."
            )
            self._release()
            self._worker.stop()
            return
        if self._sweep_wanted:
            self._sweep_wanted = False
            self._sweep()
            return
        if len(data) and self.layout is not None:
            keep = int(KEEP_S * self.layout.fs)
            with self._lock:
                self._rows.append(np.asarray(data, dtype=np.float64))
                self.samples += len(data)
                while sum(len(r) for r in self._rows) - len(self._rows[0]) >= keep:
                    self._rows.popleft()
            window = self.window()
            if window is not None:  # the figures are computed here, not on the GUI thread
                self.preview = preview_rows(self.layout, window, BodySettings())

    def _sweep(self) -> None:
        backend, layout = self._backend, self.layout
        if not isinstance(backend, BoardBackend) or layout is None or not self.measures_impedance:
            self.impedance_note = f"{self.label} does not measure impedance here (OpenBCI Cyton boards do)"
            return
        eeg = layout.columns("eeg")
        self.impedance = {}
        try:
            for channel, ohms in impedance_sweep(
                backend, backend.config.board_id, len(eeg), lambda: backend.read()[1][:, eeg], self._halt.wait,
                layout.fs, BodySettings().notch_hz,
            ):  # fmt: skip
                self.impedance[layout.names[eeg[channel - 1]]] = ohms
                self.impedance_note = f"impedance: {channel} of {len(eeg)} channels measured"
        except SourceFault as exc:
            self.impedance_note = f"impedance not measured: {exc}"

    def _release(self) -> None:
        """Disconnect the board once, whichever ends the test first (a fault or ``stop``)."""
        with self._lock:
            connected, self._connected = self._connected, False
        if connected:
            self._backend.disconnect()

    def window(self) -> FloatArray | None:
        with self._lock:
            if not self._rows or self.layout is None:
                return None
            data = np.concatenate(list(self._rows))
        return data[-int(KEEP_S * self.layout.fs) :]


def preview_rows(layout: ChannelLayout, data: FloatArray, settings: BodySettings) -> list[tuple[str, str, str]]:
    """(channel, quality, figures) of each EEG channel in ``data`` (samples x columns of ``layout``), and the
    newest value of each other sensor (PPG, EDA, ...)."""
    eeg = [i for i, kind in enumerate(layout.kinds) if kind == "eeg"]
    rows: list[tuple[str, str, str]] = []
    if eeg and len(data) >= 16:
        raw = data[:, eeg].T
        filtered = filter_eeg(raw, layout.fs, settings)
        figures: ChannelFigures = channel_figures(raw, filtered)
        quality = channel_quality(raw, filtered, layout.fs, settings.notch_hz)
        for lane, column in enumerate(eeg):
            rows.append((layout.names[column], QUALITY_LABELS[Quality(int(quality[lane]))], figures.line(lane)))
    for column, kind in enumerate(layout.kinds):
        if kind != "eeg" and kind != "other":
            value = data[-1, column] if len(data) else np.nan
            rows.append((layout.names[column], kind, f"{value:.3g}" if np.isfinite(value) else "no value"))
    return rows
