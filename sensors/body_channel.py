"""The body channel as a studio source: any backend, one processing pipeline, honest status, reconnection."""

from __future__ import annotations

import threading
from collections.abc import Callable

from fusion.body_affect import BodyAffect
from fusion.quality import describe
from sensors.base import Source, State
from sensors.body_backend import BodyBackend, SourceEvent, SourceFault
from sensors.body_pipeline import BODY_STREAMS, BodyPipeline, WindowResult
from sensors.body_settings import BodySettings
from sensors.frames import Backoff
from studio.kernel.clock import SessionClock
from studio.kernel.streams import StreamHub, StreamSpec

STALL_SECONDS = 2.0  # no samples for this long means the device is gone
FIRST_RETRY = 1.0  # s before the first reconnection attempt; doubled after each failure
LAST_RETRY = 30.0  # s: the longest wait between attempts


class BodyChannel(Source):
    """EEG and physiology from one backend, processed by a BodyPipeline into features and an affect estimate.

    When no sample arrives for STALL_SECONDS the channel goes down, reports the gap through ``on_gap`` (the
    Studio marks it in the session), releases the device and reconnects with backoff (1, 2, 4 ... 30 s);
    streaming resumes in the same session. A backend that cannot start at all is retried the same way.
    """

    channel = "body"
    period = 0.05  # features are due within 100 ms of their window's end

    def __init__(self, backend: BodyBackend, clock: SessionClock, settings: BodySettings | None = None) -> None:
        self.source = backend
        self.backend = backend.kind
        super().__init__()
        self.clock = clock
        self.settings = settings or BodySettings()
        self.on_gap: Callable[[str], object] | None = None
        self.on_event: Callable[[SourceEvent], object] | None = None  # a file's annotations, a playback's seams
        self.pipeline: BodyPipeline | None = None
        self._hub: StreamHub | None = None
        self._estimator = BodyAffect()
        self._lock = threading.Lock()  # calibration requests come from other threads
        self._connected = False
        self._retry_at = 0.0
        self._backoff = Backoff(FIRST_RETRY, LAST_RETRY)
        self._last_data = 0.0
        self._gap_from: float | None = None
        self._nonfinite = 0

    # --- lifecycle --------------------------------------------------------------------------------------
    def specs(self) -> tuple[StreamSpec, ...]:
        return (*super().specs(), *BODY_STREAMS)

    def open(self, hub: StreamHub) -> None:
        super().open(hub)
        self._hub = hub
        self._connect(self.clock.now())

    @property
    def fs(self) -> float:
        """The connected source's sampling rate (Hz); 0 before it first connects."""
        return self.pipeline.layout.fs if self.pipeline is not None else 0.0

    def close(self) -> None:
        self.source.disconnect()
        self._connected = False
        if self.pipeline is not None:
            self.pipeline.close()
        super().close()

    def _connect(self, now: float) -> None:
        assert self._hub is not None, "open() the channel before stepping it"
        try:
            layout = self.source.connect()
            if self.pipeline is None or self.pipeline.layout != layout:
                if self.pipeline is not None:
                    self.pipeline.close()
                self.pipeline = BodyPipeline(self._hub, layout, self.settings)
        except (SourceFault, ValueError) as exc:
            self.source.disconnect()
            delay = self._backoff.next_delay()
            self._retry_at = now + delay
            self.set_status(State.DOWN, f"{self.source.label} did not start: {exc}; retrying in {delay:g} s")
            return
        self._connected = True
        self._last_data = now
        self.set_status(State.OK, self._streaming())

    def _lost(self, now: float, why: str) -> None:
        self.source.disconnect()
        self._connected = False
        if self._gap_from is None:
            self._gap_from = self._last_data
            self._report(f"body: {why} ({self.source.label}) since {self._gap_from:.1f} s; reconnecting")
        delay = self._backoff.next_delay()
        self._retry_at = now + delay
        self.set_status(State.DOWN, f"{why}; reconnecting in {delay:g} s")

    def _report(self, label: str) -> None:
        if self.on_gap is not None:
            self.on_gap(label)

    # --- acquisition ------------------------------------------------------------------------------------
    def step(self, now: float) -> None:
        if not self._connected:
            if now >= self._retry_at:
                self._connect(now)
            return
        assert self.pipeline is not None
        try:
            t, data = self.source.read()
        except SourceFault as exc:
            self._lost(now, str(exc))
            return
        if t.size:
            self._arrived(now)
            self._nonfinite += self.pipeline.ingest(t, data)
            self.pipeline.lost(self.source.take_gaps())
            for event in self.source.take_events():
                if self.on_event is not None:
                    self.on_event(event)
        elif now - self._last_data >= STALL_SECONDS:
            self._lost(now, f"no samples for {STALL_SECONDS:g} s")
            return
        for result in self.pipeline.process():
            self._estimate(result)

    def _arrived(self, now: float) -> None:
        self._last_data = now
        self._backoff.reset()
        if self._gap_from is not None:
            self._report(f"body: streaming resumed after a {now - self._gap_from:.1f} s gap")
            self._gap_from = None

    def _estimate(self, result: WindowResult) -> None:
        with self._lock:
            affect = self._estimator.update(result.t, result.features)
            left = self._estimator.seconds_left(result.t) if self._estimator.calibrating else 0.0
        self.emit(result.t, affect)
        assert self.pipeline is not None
        problems = [result.problem, describe(result.quality, self.pipeline.eeg_names)]
        if self._nonfinite:
            problems.append(f"{self._nonfinite} NaN or infinite values from {self.source.label} (shown as gaps)")
            self._nonfinite = 0
        problem = "; ".join(p for p in problems if p)
        calibrating = f" · calibrating ({left:.0f} s left)" if left > 0 else ""
        if problem:
            self.set_status(State.DEGRADED, problem + calibrating)
        else:
            self.set_status(State.OK, self._streaming() + calibrating)

    def _streaming(self) -> str:
        fs = self.pipeline.layout.fs if self.pipeline is not None else 0.0
        return f"{self.source.label} streaming at {fs:g} Hz"

    # --- calibration contract ---------------------------------------------------------------------------
    def calibrate(self, seconds: float) -> None:
        with self._lock:
            self._estimator.calibrate(seconds)
        if self.status.state is not State.DOWN:
            self.set_status(self.status.state, f"{self._streaming()} · calibrating ({seconds:.0f} s left)")

    def baseline(self) -> dict[str, float] | None:
        with self._lock:
            return self._estimator.baseline()

    def load_baseline(self, values: dict[str, float]) -> None:
        with self._lock:
            self._estimator.load_baseline(values)

    def forget_baseline(self) -> None:
        with self._lock:
            self._estimator.forget()
