"""The same music in any process: a render must not depend on what else the process did or where its memory lies.

pyo reads whatever memory an object points at; a graph that reads past a table or an uninitialised buffer sounds
fine in one process and blows up (NaN, silence, limiter-saturated noise) in another. These tests render every
shipped preset and a graph with every instrument, nature bed and change in fresh subprocesses started in different
ways, including with Python's debug allocator (new memory filled with 0xCD, freed memory with 0xDD) and glibc's
malloc perturbation, and in this process after other renders: the audio must be bit-identical everywhere, finite,
and as loud in both channels as the music asks.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from studio.music.instruments import CATALOGUE, NATURE_BEDS
from studio.music.params import LAYERS, Instruments, MusicParams
from studio.music.presets import load_preset
from studio.music.render import render
from tests.audio_analysis import integrated_lufs, read_wav_channels

SHIPPED = ("calm-ambient", "warm-piano", "uplifting", "grounding-pulse", "reflective")
ROOT = Path(__file__).resolve().parent.parent

# Every instrument and nature bed, swapped in while the music plays (into the patch's spare slots), at 48 kHz.
_EVERYTHING = MusicParams(
    tempo=100.0, tension=0.9, brightness=1.0, density=0.8, volume=-8.0, space=1.0, layers=frozenset(LAYERS),
    instruments=Instruments(("strings", "choir", "warm-pad"), ("soft-bass", "pluck-bass"),
                            ("piano", "electric-piano", "harp"), ("flute", "marimba", "kalimba")),
    nature="rain",
)  # fmt: skip
_SWAPPED = replace(
    _EVERYTHING,
    tension=0.0, brightness=0.0, density=0.0, mode="dorian", register=5.0, nature="wind",
    instruments=Instruments(("choir",), ("pluck-bass",), ("guitar", "bells", "vibraphone"), ("soft-pluck",)),
)  # fmt: skip
_BACK = replace(_SWAPPED, nature="stream", mode="lydian", tempo=40.0, instruments=_EVERYTHING.instruments)


def scenarios() -> dict[str, tuple[MusicParams, float, list[tuple[float, MusicParams]], int]]:
    """name -> (parameters, seconds, changes, sample rate)."""
    found: dict[str, tuple[MusicParams, float, list[tuple[float, MusicParams]], int]] = {
        name: (load_preset(name).params, 6.0, [], 44100) for name in SHIPPED
    }
    found["everything"] = (_EVERYTHING, 12.0, [(4.0, _SWAPPED), (8.0, _BACK)], 48000)
    return found


def fingerprints() -> dict[str, dict[str, float | str]]:
    """Render every scenario; name -> the audio's sha256, integrated loudness (LUFS), each channel's RMS (dBFS)
    and its count of non-finite samples."""
    result: dict[str, dict[str, float | str]] = {}
    with tempfile.TemporaryDirectory(prefix="music-robustness-") as folder:
        for name, (params, seconds, changes, sr) in scenarios().items():
            path = render(params, seconds, Path(folder) / f"{name}.wav", changes, sr, transition=0.5).path
            frames, rate = read_wav_channels(path)
            rms = np.sqrt(np.mean(frames**2, axis=0))
            result[name] = {
                "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                "lufs": integrated_lufs(frames, rate),
                "left_dbfs": float(20.0 * np.log10(max(float(rms[0]), 1e-9))),
                "right_dbfs": float(20.0 * np.log10(max(float(rms[1]), 1e-9))),
                "non_finite": int(np.count_nonzero(~np.isfinite(frames))),
            }
    return result


def print_fingerprints() -> None:
    """The subprocess's side: fingerprints as one JSON line."""
    print(json.dumps(fingerprints()))


_CODE = "from tests.test_music_robustness import print_fingerprints; print_fingerprints()"


def in_subprocess(how: str, env: dict[str, str]) -> dict[str, dict[str, float | str]]:
    """Fingerprints from a fresh interpreter started `how` ("-c" or "stdin") with extra `env`."""
    command = [sys.executable, "-c", _CODE] if how == "-c" else [sys.executable, "-"]
    done = subprocess.run(
        command,
        input=None if how == "-c" else _CODE,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env={**os.environ, "PYO_GUI_WX": "0", **env},
    )
    assert done.returncode == 0, done.stderr
    found: dict[str, dict[str, float | str]] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def test_the_scenarios_cover_every_instrument_and_nature_bed() -> None:
    played = {
        name
        for params, _, changes, _ in scenarios().values()
        for p in [params, *(c for _, c in changes)]
        for layer in LAYERS
        for name in p.instruments.of(layer)
    }
    beds = {p.nature for params, _, changes, _ in scenarios().values() for p in [params, *(c for _, c in changes)]}
    assert played == set(CATALOGUE)
    assert beds | {"none"} == set(NATURE_BEDS)


def test_a_render_is_the_same_in_any_process_and_after_other_renders(tmp_path: Path) -> None:
    runs = {
        "python -c": in_subprocess("-c", {}),
        "python - (stdin)": in_subprocess("stdin", {}),
        "PYTHONMALLOC=debug": in_subprocess("-c", {"PYTHONMALLOC": "debug"}),
        "MALLOC_PERTURB_": in_subprocess("-c", {"PYTHONMALLOC": "malloc", "MALLOC_PERTURB_": "165"}),
    }
    for name in ("uplifting", "calm-ambient", "grounding-pulse"):  # other renders in this process first
        render(load_preset(name).params, 3.0, tmp_path / "before.wav")
    runs["pytest, after other renders"] = fingerprints()
    reference = runs["python -c"]
    for name, values in reference.items():
        assert values["non_finite"] == 0, name
        assert -40.0 < float(values["lufs"]) < -10.0, (name, values)
        assert abs(float(values["left_dbfs"]) - float(values["right_dbfs"])) < 6.0, (name, values)
    for how, found in runs.items():
        differing = [name for name in reference if found[name]["sha256"] != reference[name]["sha256"]]
        assert not differing, f"{how}: {differing} differ: {[(found[n], reference[n]) for n in differing]}"


@pytest.mark.parametrize("preset", ["reflective"])
def test_a_long_render_after_others_keeps_its_loudness(tmp_path: Path, preset: str) -> None:
    # The blow-up first heard: a reflective render after two others sat near -1 LUFS instead of about -25.
    for other in ("calm-ambient", "uplifting"):
        render(load_preset(other).params, 4.0, tmp_path / "other.wav")
    params = load_preset(preset).params
    frames, sr = read_wav_channels(render(params, 60.0, tmp_path / "long.wav").path)
    assert np.all(np.isfinite(frames))
    target = params.volume - 14.0
    assert integrated_lufs(frames, sr) == pytest.approx(target, abs=3.0)
    per_ten = [integrated_lufs(frames[i : i + 10 * sr], sr) for i in range(10 * sr, 50 * sr, 10 * sr)]
    assert max(per_ten) - min(per_ten) < 4.0, per_ten
