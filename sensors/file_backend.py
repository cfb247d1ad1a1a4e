"""A recorded file replayed in real time as if a board were streaming it, looping at its end."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sensors.body_backend import FloatArray, SourceDefaults, SourceEvent, SourceFault, nothing
from sensors.body_pipeline import ChannelLayout
from sensors.recordings import Recording, RecordingError, read_recording
from studio.kernel.clock import SessionClock


class FileBackend(SourceDefaults):
    """Replays ``path`` from its start at the moment of connecting; sample k is due at start + k / fs (the file's
    own stamps are not used live, so clock resets inside a recording do not disturb the replay). The file's own
    annotations and markers become events as their samples are played, and each loop's seam is an event too."""

    kind = "file"

    def __init__(self, path: Path, clock: SessionClock, board: str = "synthetic") -> None:
        self.path = Path(path)
        self.clock = clock
        self.board = board
        self.label = f"file {self.path.name}"
        self.recording: Recording | None = None
        self._start = 0.0
        self._sent = 0  # samples delivered since the start
        self._events: list[SourceEvent] = []

    def connect(self) -> ChannelLayout:
        if self.recording is None:
            try:
                self.recording = read_recording(self.path, self.board)
            except RecordingError as exc:
                raise SourceFault(str(exc)) from None
            if self.recording.notes:  # a file cut short, or with gaps, says so wherever the source is named
                self.label = f"file {self.path.name} ({'; '.join(self.recording.notes)})"
        self._start = self.clock.now()
        self._sent = 0
        rec = self.recording
        return ChannelLayout(rec.fs, rec.names, rec.kinds)

    def read(self) -> tuple[FloatArray, FloatArray]:
        rec = self.recording
        if rec is None:
            return nothing(0)
        due = int((self.clock.now() - self._start) * rec.fs) + 1
        if due <= self._sent:
            return nothing(len(rec.names))
        self._note_events(rec, self._sent, due)
        k = np.arange(self._sent, due)
        self._sent = due
        return self._start + k / rec.fs, rec.data[k % len(rec.data)]

    def _note_events(self, rec: Recording, first: int, end: int) -> None:
        """The events of samples ``first`` .. ``end`` - 1 (counted from the start, over every loop)."""
        n = len(rec.data)
        for loop in range(first // n, (end - 1) // n + 1):
            begin = self._start + loop * n / rec.fs
            if loop and first <= loop * n < end:
                self._events.append(
                    SourceEvent(
                        begin, f"{self.path.name} loops: playback starts again from its beginning", None, "body"
                    )
                )
            for onset, label, duration in rec.events:
                if first <= loop * n + round(onset * rec.fs) < end:
                    self._events.append(SourceEvent(begin + onset, label, duration))

    def take_events(self) -> list[SourceEvent]:
        events, self._events = self._events, []
        return events

    def disconnect(self) -> None:
        return None
