"""The studio's two kinds of thread: a periodic worker that calls one step at a fixed period, and a
newest-item worker that handles only the newest item offered, dropping stale ones (``Jobs`` runs a window's slow
calls on one, with a Future for each).

Both outlive the failures of what they drive, and both expose their single step, so that tests and offline
runs drive the same code by hand, on the caller's thread, with no thread at all.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from functools import partial
from typing import Any, Generic, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")
OnError = Callable[[BaseException], None]


class PeriodicWorker:
    """Calls ``step`` every ``period`` seconds on its own daemon thread until ``stop``.

    A step may return how many seconds to wait before the next one instead (a reconnection backoff, a file
    paced at its frame rate); None keeps the period. A step that raises is logged and handed to ``on_error``;
    the worker keeps running, so one faulty source never stops the session. Steps never overlap; a late
    step is not repeated to catch up.
    """

    def __init__(
        self, name: str, period: float, step: Callable[[], float | None], on_error: OnError | None = None
    ) -> None:
        if not period > 0:
            raise ValueError(f"worker {name!r} needs a positive period in seconds, got {period}")
        self.name = name
        self.period = period
        self.step = step
        self._on_error = on_error
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Ask the thread to end after its current step and wait for it (seconds at most)."""
        self._stop.set()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        next_due = time.monotonic()
        while not self._stop.is_set():
            wait: float | None = None
            try:
                wait = self.step()
            except Exception as exc:  # a worker must outlive the faults of what it drives
                log.exception("worker %s failed", self.name)
                if self._on_error is not None:
                    self._on_error(exc)
            now = time.monotonic()
            next_due = now + wait if wait is not None else next_due + self.period
            if next_due < now:
                next_due = now
            self._stop.wait(next_due - now)


@dataclass
class ItemCounts:
    """What a newest-item worker saw: items offered, handled, and dropped because a newer one came first."""

    offered: int = 0
    handled: int = 0
    dropped: int = 0


class NewestItemWorker(Generic[T]):
    """Calls ``handle(item)`` on its own daemon thread, always on the newest item offered.

    ``offer`` never blocks its caller (a capture thread): it replaces an item still waiting, which is dropped.
    ``step`` handles the waiting item on the caller's thread instead (tests, offline analysis).
    """

    def __init__(self, name: str, handle: Callable[[T], None], on_error: OnError | None = None) -> None:
        self.name = name
        self._handle = handle
        self._on_error = on_error
        self._slot: T | None = None
        self._cond = threading.Condition()
        self._stopped = False
        self._busy = False
        self.counts = ItemCounts()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def offer(self, item: T) -> None:
        """Hand over an item; one still waiting is dropped."""
        with self._cond:
            self.counts.offered += 1
            if self._slot is not None:
                self.counts.dropped += 1
            self._slot = item
            self._cond.notify()

    def step(self) -> bool:
        """Handle the waiting item now, on this thread; False when none was waiting."""
        with self._cond:
            item = self._take()
        if item is None:
            return False
        self._handle_one(item)
        return True

    def idle(self, timeout: float = 5.0) -> bool:
        """Wait until no item is waiting or being handled; False on timeout (seconds)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._slot is not None or self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
        return True

    def stop(self, timeout: float = 5.0) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _take(self) -> T | None:
        """The waiting item, marking the worker busy with it; the caller holds the condition."""
        item, self._slot = self._slot, None
        if item is not None:
            self._busy = True
        return item

    def _run(self) -> None:
        while True:
            with self._cond:
                while self._slot is None and not self._stopped:
                    self._cond.wait()
                if self._stopped:
                    return
                item = self._take()
            assert item is not None
            self._handle_one(item)

    def _handle_one(self, item: T) -> None:
        try:
            self._handle(item)
            with self._cond:
                self.counts.handled += 1
        except Exception as exc:  # the worker outlives a bad item; whoever drives it shows the fault
            log.exception("worker %s failed on an item", self.name)
            if self._on_error is not None:
                self._on_error(exc)
        finally:
            with self._cond:
                self._busy = False
                self._cond.notify_all()


Worker = PeriodicWorker | NewestItemWorker[Any]  # every thread of the studio is one of these


R = TypeVar("R")


class Jobs:
    """Runs calls on one NewestItemWorker thread of its own and hands back each result as a Future: the way a
    window runs work too slow for its own thread (a report, a display filter, an export). A call still waiting
    when a newer one is submitted is cancelled: only the newest request matters. The thread starts with the first
    call."""

    def __init__(self, name: str) -> None:
        self._worker: NewestItemWorker[tuple[Future[Any], Callable[[], Any]]] = NewestItemWorker(name, self._run)
        self._lock = threading.Lock()
        self._started = False
        self._waiting: Future[Any] | None = None

    def submit(self, call: Callable[..., R], *args: Any) -> Future[R]:
        """Run ``call(*args)`` on the thread; its Future holds the result or the exception it raised."""
        future: Future[R] = Future()
        with self._lock:
            if self._waiting is not None:
                self._waiting.cancel()
            self._waiting = future
            if not self._started:
                self._worker.start()
                self._started = True
        self._worker.offer((future, partial(call, *args)))
        return future

    def shutdown(self, wait: bool = True) -> None:
        """Stop the thread after the call it runs (waiting for it when ``wait``); a waiting call is cancelled."""
        with self._lock:
            if self._waiting is not None:
                self._waiting.cancel()
        self._worker.stop(timeout=5.0 if wait else 0.0)

    def _run(self, job: tuple[Future[Any], Callable[[], Any]]) -> None:
        future, call = job
        with self._lock:
            if self._waiting is future:
                self._waiting = None
        if not future.set_running_or_notify_cancel():
            return
        try:
            future.set_result(call())
        except BaseException as exc:  # the caller's Future carries it
            future.set_exception(exc)
