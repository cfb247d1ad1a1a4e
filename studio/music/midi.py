"""MIDI out (mido): the notes the engine plays, to a MIDI file or a live MIDI port, so a DAW can double them.

Each layer has its own channel (pad 1, bass 2, pulse 3, melody 4 in 1-based numbering). Notes start at the
step the engine plays them (to within one audio buffer) and end a fixed number of steps later.
"""

from __future__ import annotations

import logging
import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mido

from studio.kernel.command import venv_command
from studio.kernel.errors import StudioError
from studio.music.theory import REST, STEPS_PER_BAR, Bar

log = logging.getLogger(__name__)

TICKS_PER_BEAT = 480
FILE_TEMPO = 500_000  # microseconds per beat (120 BPM): file ticks count plain seconds, 960 per second
PORT_APIS = {"jack": "UNIX_JACK", "alsa": "LINUX_ALSA"}
CLIENT_NAME = "affect-studio-midi"


class MidiError(StudioError):
    """A MIDI port or file that cannot be used."""


@dataclass(frozen=True)
class Note:
    """One note a layer starts on a step: channel 0-15, MIDI pitch, velocity 1-127, length in steps."""

    channel: int
    pitch: int
    velocity: int
    steps: int


_CHANNEL = {"pad": 0, "bass": 1, "pulse": 2, "melody": 3}


def step_notes(bar: Bar, step: int, layers: frozenset[str]) -> list[Note]:
    """The notes that start on `step` (0-7) of `bar` in the layers that play."""
    notes: list[Note] = []
    if step == 0 and "pad" in layers:
        notes.extend(Note(_CHANNEL["pad"], round(p), 48, STEPS_PER_BAR) for p in bar.pad)
    if step % 2 == 0 and "bass" in layers:
        notes.append(Note(_CHANNEL["bass"], round(bar.bass), 80, 2))
    if bar.pulse[step] != REST and "pulse" in layers:
        notes.append(Note(_CHANNEL["pulse"], round(bar.pulse[step]), 64, 1))
    if bar.melody[step] != REST and "melody" in layers:
        notes.append(Note(_CHANNEL["melody"], round(bar.melody[step]), 72, 2))
    return notes


class MidiNotes(ABC):
    """A step listener turning steps into note-on and note-off messages; subclasses say where they go."""

    def __init__(self) -> None:
        self._held: list[tuple[int, Note]] = []  # (steps left, note)
        self._lock = threading.Lock()
        self._last_t = 0.0

    @abstractmethod
    def emit(self, t: float, message: mido.Message) -> None:
        """Deliver one message stamped `t` seconds after the music started."""

    def on_step(self, t: float, bar: Bar, step: int, layers: frozenset[str], step_seconds: float) -> None:
        """End the notes due now, then start this step's notes (audio thread)."""
        with self._lock:
            self._last_t = t
            still: list[tuple[int, Note]] = []
            for left, note in self._held:
                if left <= 1:
                    self.emit(t, mido.Message("note_off", channel=note.channel, note=note.pitch))
                else:
                    still.append((left - 1, note))
            self._held = still
            for note in step_notes(bar, step, layers):
                self.emit(t, mido.Message("note_on", channel=note.channel, note=note.pitch, velocity=note.velocity))
                self._held.append((note.steps, note))

    def release(self) -> None:
        """End every sounding note now."""
        with self._lock:
            for _, note in self._held:
                self.emit(self._last_t, mido.Message("note_off", channel=note.channel, note=note.pitch))
            self._held = []


class MidiFileRecorder(MidiNotes):
    """Collects the notes with their times and writes them as a standard MIDI file (type 0)."""

    def __init__(self) -> None:
        super().__init__()
        self.messages: list[tuple[float, mido.Message]] = []

    def emit(self, t: float, message: mido.Message) -> None:
        self.messages.append((t, message))

    def save(self, path: Path) -> None:
        """Write the file; raises MidiError naming the path when it cannot be written."""
        self.release()
        track = mido.MidiTrack()
        track.append(mido.MetaMessage("set_tempo", tempo=FILE_TEMPO, time=0))
        previous = 0
        for t, message in self.messages:
            tick = round(mido.second2tick(t, TICKS_PER_BEAT, FILE_TEMPO))
            track.append(message.copy(time=tick - previous))
            previous = tick
        midi = mido.MidiFile(type=0, ticks_per_beat=TICKS_PER_BEAT)
        midi.tracks.append(track)
        try:
            midi.save(str(path))
        except OSError as exc:
            raise MidiError(f"cannot write MIDI file {path}: {exc.strerror or exc}") from None


class MidiPortOut(MidiNotes):
    """Sends the notes to a live MIDI port as they play. A failing port is closed and logged once; the music
    goes on without it (``problem`` says why)."""

    def __init__(self, port: Any) -> None:
        super().__init__()
        self._port = port
        self.problem = ""

    @classmethod
    def open(cls, api: str = "jack", port: str = "notes") -> MidiPortOut:
        """Open a virtual output port through rtmidi's `api` ("jack" or "alsa"): CLIENT_NAME:`port`."""
        if api not in PORT_APIS:
            raise MidiError(f"unknown MIDI api {api!r}; choose one of {', '.join(PORT_APIS)}")
        try:
            backend = mido.Backend(f"mido.backends.rtmidi/{PORT_APIS[api]}")
            return cls(backend.open_output(port, virtual=True, client_name=CLIENT_NAME))
        except ImportError:
            raise MidiError(f"MIDI ports need python-rtmidi: {venv_command('pip')} install python-rtmidi") from None
        except (OSError, SystemError, RuntimeError) as exc:
            raise MidiError(f"cannot open MIDI port {CLIENT_NAME}:{port} on {api}: {exc}") from None

    def emit(self, t: float, message: mido.Message) -> None:
        if self.problem:
            return
        try:
            self._port.send(message)
        except Exception as exc:  # a MIDI failure must never stop the audio thread
            self.problem = f"MIDI out stopped: {exc}"
            log.warning(self.problem)

    def close(self) -> None:
        """End sounding notes and close the port."""
        self.release()
        self._port.close()
