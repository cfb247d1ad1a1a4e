"""MIDI out (mido): the notes the engine plays, to a MIDI file or a live MIDI port, so a DAW can double them.

Each layer has its own channel (pad 1, bass 2, pulse 3, melody 4 in 1-based numbering) and, in a file, its own
named track; each instrument its General MIDI program (sent again when a section changes instrument). A file is
type 1: a first track holds the tempo map (a set_tempo wherever the tempo moved), the others the layers' notes,
placed in beats, so a DAW shows the bars as they were played.
"""

from __future__ import annotations

import logging
import math
import threading
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any

import mido

from studio.kernel.command import venv_command
from studio.kernel.errors import StudioError
from studio.music.composer import Note, StepEvent
from studio.music.params import LAYERS
from studio.music.theory import STEPS_PER_BEAT

log = logging.getLogger(__name__)

TICKS_PER_BEAT = 480
TICKS_PER_STEP = TICKS_PER_BEAT // STEPS_PER_BEAT
TEMPO_RESOLUTION_BPM = 0.01  # a tempo that moved less than this since the last set_tempo is not written again
PORT_APIS = {"jack": "UNIX_JACK", "alsa": "LINUX_ALSA"}
CLIENT_NAME = "affect-studio-midi"
CHANNELS = {layer: index for index, layer in enumerate(LAYERS)}


class MidiError(StudioError):
    """A MIDI port or file that cannot be used."""


def velocity_of(note: Note) -> int:
    """A note's MIDI velocity (1-127) from its velocity (0-1)."""
    return max(1, min(127, round(127 * note.velocity)))


class MidiNotes(ABC):
    """A step listener turning steps into program changes, note-ons and note-offs; subclasses say where they go."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._programs: dict[str, int] = {}

    def on_step(self, event: StepEvent) -> None:
        """Program changes for layers whose instrument changed, then this step's notes (audio thread)."""
        with self._lock:
            self.step_started(event)
            for layer, program in event.programs.items():
                if self._programs.get(layer) != program:
                    self._programs[layer] = program
                    self.message(
                        event, layer, 0.0, mido.Message("program_change", channel=CHANNELS[layer], program=program)
                    )
            for note in event.notes:
                self.note(event, note)

    @abstractmethod
    def step_started(self, event: StepEvent) -> None:
        """A step begins (before its messages): a place for tempo changes and due note-offs."""

    @abstractmethod
    def message(self, event: StepEvent, layer: str, delay: float, message: mido.Message) -> None:
        """Deliver one message of `layer` at `event`'s step, `delay` seconds after it."""

    @abstractmethod
    def note(self, event: StepEvent, note: Note) -> None:
        """Start a note at `event`'s step; its end is the subclass's to schedule."""


class MidiFileRecorder(MidiNotes):
    """Collects notes, programs and tempo in beats and writes them as a type 1 standard MIDI file."""

    def __init__(self) -> None:
        super().__init__()
        self.tempo: list[tuple[int, float]] = []  # (tick, BPM)
        self.events: dict[str, list[tuple[int, int, mido.Message]]] = {layer: [] for layer in LAYERS}

    def step_started(self, event: StepEvent) -> None:
        if not self.tempo or abs(self.tempo[-1][1] - event.tempo) >= TEMPO_RESOLUTION_BPM:
            self.tempo.append((event.step * TICKS_PER_STEP, event.tempo))

    def _tick(self, event: StepEvent, delay: float) -> int:
        return event.step * TICKS_PER_STEP + round(delay * event.tempo / 60.0 * TICKS_PER_BEAT)

    def message(self, event: StepEvent, layer: str, delay: float, message: mido.Message) -> None:
        self.events[layer].append((self._tick(event, delay), 1, message))

    def note(self, event: StepEvent, note: Note) -> None:
        start = self._tick(event, note.delay)
        end = start + max(1, round(note.steps * TICKS_PER_STEP))
        channel, velocity = CHANNELS[note.layer], velocity_of(note)
        self.events[note.layer].append(
            (start, 2, mido.Message("note_on", channel=channel, note=note.pitch, velocity=velocity))
        )
        self.events[note.layer].append((end, 0, mido.Message("note_off", channel=channel, note=note.pitch)))

    def midi_file(self) -> mido.MidiFile:
        """The recording as a type 1 file: the tempo map first, then one named track per layer."""
        midi = mido.MidiFile(type=1, ticks_per_beat=TICKS_PER_BEAT)
        conductor = [(0, 0, mido.MetaMessage("track_name", name="tempo"))]
        conductor += [(tick, 1, mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(bpm))) for tick, bpm in self.tempo]
        midi.tracks.append(_track(conductor))
        for layer in LAYERS:
            named = [(0, -1, mido.MetaMessage("track_name", name=layer))]
            midi.tracks.append(_track(named + self.events[layer]))
        return midi

    def save(self, path: Path) -> None:
        """Write the file; raises MidiError naming the path when it cannot be written."""
        with self._lock:
            midi = self.midi_file()
        try:
            midi.save(str(path))
        except OSError as exc:
            raise MidiError(f"cannot write MIDI file {path}: {exc.strerror or exc}") from None


def _track(events: list[tuple[int, int, Any]]) -> mido.MidiTrack:
    """A track from (absolute tick, order at the same tick, message): note-offs before programs before note-ons."""
    track = mido.MidiTrack()
    previous = 0
    for tick, _, message in sorted(events, key=lambda e: (e[0], e[1])):
        track.append(message.copy(time=tick - previous))
        previous = tick
    return track


class MidiPortOut(MidiNotes):
    """Sends the notes to a live MIDI port as they play. A failing port is closed and logged once; the music
    goes on without it (``problem`` says why)."""

    def __init__(self, port: Any) -> None:
        super().__init__()
        self._port = port
        self._held: list[tuple[int, int, int]] = []  # (step it ends on, channel, pitch)
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

    def step_started(self, event: StepEvent) -> None:
        due = [held for held in self._held if held[0] <= event.step]
        self._held = [held for held in self._held if held[0] > event.step]
        for _, channel, pitch in due:
            self._send(mido.Message("note_off", channel=channel, note=pitch))

    def message(self, event: StepEvent, layer: str, delay: float, message: mido.Message) -> None:
        self._send(message)

    def note(self, event: StepEvent, note: Note) -> None:
        channel = CHANNELS[note.layer]
        self._send(mido.Message("note_on", channel=channel, note=note.pitch, velocity=velocity_of(note)))
        self._held.append((event.step + max(1, math.ceil(note.steps)), channel, note.pitch))

    def _send(self, message: mido.Message) -> None:
        if self.problem:
            return
        try:
            self._port.send(message)
        except Exception as exc:  # a MIDI failure must never stop the audio thread
            self.problem = f"MIDI out stopped: {exc}"
            log.warning(self.problem)

    def close(self) -> None:
        """End sounding notes and close the port."""
        with self._lock:
            for _, channel, pitch in self._held:
                self._send(mido.Message("note_off", channel=channel, note=pitch))
            self._held = []
        self._port.close()
