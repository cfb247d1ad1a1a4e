"""Offline rendering of the music Patch to a WAV file, faster than real time and with no audio device."""

from __future__ import annotations

import gc
import math
import os
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from studio.music.engine import new_server
from studio.music.params import MusicParams, clamp_params
from studio.music.patch import (
    BUILD_LOCK,
    DEFAULT_TRANSITION_SECONDS,
    ENDING_FADE_SECONDS,
    FADE_IN_SECONDS,
    LIMIT_DBFS,
    Patch,
    StepListener,
    amplitude_to_dbfs,
)

BUFFER_SIZE = 256
_PCM_24_BIT = 1
_WAV = 0


@dataclass(frozen=True)
class RenderResult:
    """A finished render: the file, its length (s), its sample peak (dBFS) and the wall time it took (s)."""

    path: Path
    duration: float
    peak_dbfs: float
    render_seconds: float


def check_output_path(path: Path, kind: str = "WAV", suffixes: tuple[str, ...] = (".wav",)) -> None:
    """Raise ValueError or OSError, naming the path, unless a `kind` file can be written there."""
    if path.suffix.lower() not in suffixes:
        raise ValueError(f"this writes {kind} files; give it a {suffixes[0]} name instead of {path.name!r}")
    folder = path.parent
    if not folder.is_dir():
        raise OSError(f"cannot write {path}: folder {folder} does not exist; create it first")
    if path.is_dir():
        raise OSError(f"cannot write {path}: it is a folder; give a file name ending in {suffixes[0]}")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise OSError(f"cannot write {path}: permission denied; choose a folder you can write to")


def ending_start(duration: float, changes: Sequence[tuple[float, MusicParams]]) -> float | None:
    """When (s) a render of `duration` s must start closing so that its cadence (at most a bar's wait, then a bar
    on the dominant) and the tonic's fade (ENDING_FADE_SECONDS) end within it; `changes` are (time, params) in
    time order from time 0. None when the render is too short to close after its fade-in."""

    def start_at(tempo: float) -> float:
        return duration - 2.0 * 240.0 / tempo - ENDING_FADE_SECONDS - 0.25

    def tempo_at(t: float) -> float:
        return next((p.tempo for at, p in reversed(changes) if at <= t), changes[0][1].tempo)

    start = start_at(tempo_at(start_at(tempo_at(duration))))
    return start if start >= FADE_IN_SECONDS else None


def render(
    params: MusicParams,
    duration: float,
    path: Path,
    changes: Sequence[tuple[float, MusicParams]] = (),
    sr: int = 44100,
    *,
    transition: float = DEFAULT_TRANSITION_SECONDS,
    ceiling: float = LIMIT_DBFS,
    seed: int = 0,
    listener: StepListener | None = None,
    ending: bool = True,
) -> RenderResult:
    """Render `duration` seconds of music to a stereo 24-bit WAV at `path` (sample rate `sr`, Hz).

    `changes` are (time in seconds from the start, parameters) pairs, applied to the Patch when the render
    reaches that time (to within one 256-sample buffer), exactly as the live engine would apply them.
    With `ending`, a render long enough for it ends musically (see ending_start); without, it stops where the
    music is (measurements of steady playing use that). `transition`, `ceiling`, `seed` and `listener` are the
    Patch's.
    """
    if not math.isfinite(duration) or duration <= 0.0:
        raise ValueError(f"duration={duration!r} must be a positive number of seconds")
    if not 8000 <= sr <= 192000:
        raise ValueError(f"sample rate {sr!r} Hz is not supported; use 8000 to 192000 Hz (e.g. 44100)")
    for at, later in changes:
        if not 0.0 <= at <= duration:
            raise ValueError(f"change at {at!r} s lies outside the render (0..{duration:g} s)")
        clamp_params(later)
    clamp_params(params)
    path = Path(path)
    check_output_path(path)

    began = time.perf_counter()
    schedule = sorted(changes, key=lambda change: change[0])
    closing = ending_start(duration, [(0.0, params), *schedule]) if ending else None
    buffers = math.ceil(duration * sr / BUFFER_SIZE)
    with BUILD_LOCK:
        server = new_server("manual", sr, BUFFER_SIZE)
        server.boot()
        try:
            server.setServer()
            patch = Patch(server, params, seed=seed, transition=transition, ceiling=ceiling, listener=listener)
        except BaseException:
            server.shutdown()
            raise
    peak = 0.0
    try:
        server.recordOptions(dur=-1, filename=str(path), fileformat=_WAV, sampletype=_PCM_24_BIT)
        server.start()
        server.recstart(str(path))
        for index in range(buffers):
            now = index * BUFFER_SIZE / sr
            while schedule and schedule[0][0] <= now:
                patch.apply(schedule.pop(0)[1])
            if closing is not None and now >= closing:
                patch.close(ENDING_FADE_SECONDS)
                closing = None
            server.process()
            if index > 0:
                peak = max(peak, patch.peak_amplitude())
        # The peak follower reports the buffer before the one just computed: one more buffer reads the last.
        server.recstop()
        server.process()
        peak = max(peak, patch.peak_amplitude())
        server.stop()
        if patch.error is not None:  # raised without its traceback, which would keep the patch alive
            where = traceback.extract_tb(patch.error.__traceback__)[-1]
            failure = f"{patch.error!r} at {Path(where.filename).name}:{where.lineno}"
            patch.error = None
            raise RuntimeError(f"the music stopped composing during the render: {failure}")
    finally:
        server.shutdown()
        del patch
        gc.collect()  # the patch's reference cycles, freed now rather than during another server's life
    if not path.is_file():
        raise OSError(f"pyo did not write {path}; check the free space and permissions of {path.parent}")
    return RenderResult(path, buffers * BUFFER_SIZE / sr, amplitude_to_dbfs(peak), time.perf_counter() - began)
