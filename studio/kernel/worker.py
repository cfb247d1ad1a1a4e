"""A background thread that calls one function at a fixed period, and survives its failures."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)


class PeriodicWorker:
    """Calls ``fn`` every ``period`` seconds on its own daemon thread until ``stop``.

    A call that raises is logged and handed to ``on_error``; the worker keeps running, so one faulty
    source never stops the session. Calls never overlap; a late call is not repeated to catch up.
    """

    def __init__(
        self,
        name: str,
        period: float,
        fn: Callable[[], None],
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        if period <= 0:
            raise ValueError(f"worker {name!r} needs a positive period in seconds, got {period}")
        self.name = name
        self.period = period
        self._fn = fn
        self._on_error = on_error
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        next_due = time.monotonic()
        while not self._stop.is_set():
            try:
                self._fn()
            except Exception as exc:  # a worker must outlive the faults of what it drives
                log.exception("worker %s failed", self.name)
                if self._on_error is not None:
                    self._on_error(exc)
            next_due += self.period
            delay = next_due - time.monotonic()
            if delay < 0:
                next_due = time.monotonic()
                delay = 0.0
            self._stop.wait(delay)
