"""A studio that nothing runs by itself, for window and channel tests: demo mode on a manual clock, started with
``run_workers=False``, its music engine computing no audio. ``Stepper`` moves it on tick by tick and draws its
window frame by frame, so a test decides when time passes and never waits for it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from studio.app import Studio
from studio.config import load_config
from studio.kernel.clock import ManualClock

TICK = 0.05  # session seconds per step: one tick of the fusion loop at its 20 Hz


class Stepper:
    """Drives a studio started with ``run_workers=False``: each tick moves the clock on by TICK, steps the studio
    (every channel, the loop, LSL/OSC, the recorder) and draws one frame of ``window`` when there is one."""

    def __init__(self, studio: Studio, clock: ManualClock) -> None:
        self.studio = studio
        self.clock = clock
        self.window: Any = None  # the MainWindow drawn on each tick

    def show(self, window: Any) -> Any:
        """Show ``window`` and draw it on each tick from now on."""
        self.window = shown(window)
        return window

    def tick(self) -> None:
        self.studio.advance(self.clock.advance(TICK))
        if self.window is not None:
            self.draw()

    def draw(self) -> None:
        """One turn of the window's event loop and one frame; the EEG traces handed to their filter in it are drawn by
        the next frame."""
        QApplication.processEvents()
        self.window.draw_frame()
        pending = self.window.eeg.pending
        if pending is not None:
            pending.result()

    def run(self, seconds: float) -> None:
        """``seconds`` of session time, tick by tick."""
        for _ in range(round(seconds / TICK)):
            self.tick()

    def until(self, condition: Callable[[], object], seconds: float) -> None:
        """Tick until ``condition`` holds; fail if it does not within ``seconds`` of session time."""
        ticks_until(condition, seconds, self.tick)


def ticks_until(condition: Callable[[], object], seconds: float, tick: Callable[[], object]) -> None:
    """Call ``tick`` (one TICK of session time) until ``condition`` holds; fail if it does not within ``seconds`` of
    session time."""
    for _ in range(round(seconds / TICK)):
        if condition():
            return
        tick()
    assert condition(), f"not within {seconds:g} s of session time"


def shown(window: QWidget) -> QWidget:
    """``window`` on show, exposed and active, as on a desktop."""
    window.show()
    QTest.qWaitForWindowExposed(window)
    window.activateWindow()
    return window


def dispose(window: QWidget) -> None:
    """Close ``window`` and delete it (its plots) now, not during interpreter shutdown."""
    window.close()
    window.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def stepped_demo(store: Path | None = None, **changes: Any) -> Stepper:
    """A demo studio (the demo person on every channel, silent music) on a manual clock, started; ``changes`` replace
    settings of the configuration (outputs, calibration_seconds, ...)."""
    config = replace(load_config(), audio_backend="silent", **changes)
    clock = ManualClock()
    studio = Studio(config, demo=True, store=store, clock=clock, realtime=False)
    studio.start(run_workers=False)
    return Stepper(studio, clock)
