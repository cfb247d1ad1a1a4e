"""The experimenter's panels: the marker log, and the outputs (recording with disk space, each LSL/OSC
stream with its measured rate and LSL clock offset, marker inputs)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from studio.app import Studio
from studio.kernel.events import EventLog, Marker
from ui.console_status import network_text, recording_text
from ui.control_log_view import EventLogView
from ui.theme import set_role


def marker_line(m: Marker) -> str:
    minutes, seconds = divmod(m.t, 60.0)
    return f"{int(minutes):02d}:{seconds:06.3f}  {m.label}  [{m.source}]"


def marker_log(markers: EventLog[Marker]) -> EventLogView[Marker]:
    """Every marker with its session time (to the millisecond) and where it came from; read-only."""
    return EventLogView(
        markers, marker_line, "Markers appear here: buttons, keys 1-9, LSL and OSC inputs, the studio itself."
    )


class OutputsView(QWidget):
    """Recording and network, refreshed a few times a second; rates are measured over the last refreshes."""

    def __init__(self, studio: Studio) -> None:
        super().__init__()
        self._studio = studio
        self.recording = QLabel("")
        self.recording.setWordWrap(True)
        self.network = QLabel("")
        self.network.setWordWrap(True)
        self.streams = QLabel("")
        set_role(self.streams, "readout")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        for label in (self.recording, self.network, self.streams):
            layout.addWidget(label)
        layout.addStretch(1)
        self._counts: dict[str, tuple[float, int, float | None]] = {}  # key -> (since, rows then, rate in Hz)

    def refresh(self, now: float) -> None:
        studio = self._studio
        self.recording.setText(recording_text(studio)[1])
        text, tip = network_text(studio)
        self.network.setText(f"{text}. {tip}")
        publisher = studio.publisher
        if publisher is None:
            self.streams.setText("")
            return
        lines = [f"LSL clock at session 0 s:\n  {publisher.offset:.3f} s (add it to a session time)"]
        for key, stream in publisher.streams.items():
            since, seen, rate = self._counts.get(key, (now, stream.count, None))
            if now - since >= 1.0:  # rows per second over the last second or so
                since, seen, rate = now, stream.count, (stream.count - seen) / (now - since)
            self._counts[key] = (since, seen, rate)
            outlet = "LSL" if key in publisher.outlets else "OSC"
            lines.append(f"{key:<8} {outlet}  " + ("measuring" if rate is None else f"{rate:7.1f} Hz"))
        self.streams.setText("\n".join(lines))
