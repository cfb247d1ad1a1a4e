"""Views subscribe to the studio's state changes (goal, mode, bounds) through a Relay: the emitter may fire on
any thread, the view's slot always runs on the GUI thread (at once when the change was made there, queued when
another thread made it), and the subscription ends when the view goes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from studio.kernel.events import Emitter


class Relay(QObject):
    """Calls ``slot(value)`` on the GUI thread for each value ``emitter`` emits, while ``owner`` lives."""

    fired = Signal(object)

    def __init__(self, emitter: Emitter[Any], slot: Callable[[Any], None], owner: QObject) -> None:
        super().__init__(owner)
        self._slot = slot
        self.fired.connect(self._deliver)
        emit = self.fired.emit
        emitter.connect(emit)
        self.destroyed.connect(lambda *_: emitter.disconnect(emit))

    @Slot(object)
    def _deliver(self, value: object) -> None:
        self._slot(value)
