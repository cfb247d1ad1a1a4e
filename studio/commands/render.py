"""``affect-studio render``: render a preset (with changes) to a WAV file offline, faster than real time."""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

HELP = "render music offline to a WAV file: a preset, --set values and scripted changes"
MAX_DURATION = 4 * 3600.0  # seconds


def _seconds(text: str) -> float:
    from studio.kernel.errors import UsageError

    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0 or value > MAX_DURATION:
        raise UsageError(f"--duration {text} must be a number of seconds above 0 and at most {MAX_DURATION:g}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--list", action="store_true", help="list the presets, and the instruments each layer can play, then stop"
    )
    parser.add_argument("--preset", help="preset to start from (see --list)")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="PARAM=VALUE",
        help="override a parameter: tempo (BPM), mode, tension, register (semitones), brightness, density, "
        "volume (dBFS), space, layers (pad,bass,pulse,melody or none), instruments (melody=flute+harp,pad=choir), "
        "nature (none, rain, stream, wind)",
    )
    parser.add_argument(
        "--script", type=Path, metavar="CHANGES.json", help='timed changes: [{"t": seconds, "set": {param: value}}]'
    )
    parser.add_argument("--duration", metavar="S", help="length of the render in seconds")
    parser.add_argument("--transition", type=float, default=None, metavar="S", help="glide time of changes (s)")
    parser.add_argument("--seed", type=int, default=0, help="melody seed: the same seed renders the same notes")
    parser.add_argument("--midi", type=Path, metavar="OUT.mid", help="also write the notes played as a MIDI file")
    parser.add_argument(
        "--no-ending", action="store_true", help="stop where the music is instead of closing with a cadence and a fade"
    )
    parser.add_argument("out", type=Path, nargs="?", metavar="OUT.wav", help="the WAV file to write")


def print_catalogue() -> int:
    """Print every preset with its description, then the instruments of each layer and the nature beds."""
    from studio.kernel.errors import print_error
    from studio.music.instruments import CATALOGUE, NATURE_BEDS, instruments_for
    from studio.music.params import LAYERS
    from studio.music.presets import load_presets

    presets, problems = load_presets()
    print("presets:")
    for preset in presets:
        print(f"  {preset.name}{' (saved)' if preset.saved else ''}: {preset.description}")
    print("instruments:")
    for layer in LAYERS:
        print(f"  {layer}: " + ", ".join(f"{n} ({CATALOGUE[n].label})" for n in instruments_for(layer)))
    print(f"nature: {', '.join(NATURE_BEDS)}")
    for problem in problems:
        print_error(problem, "warning")
    return 0


def run(args: argparse.Namespace) -> int:
    from studio.kernel.errors import UsageError

    if args.list:
        return print_catalogue()
    missing = [
        name
        for name, value in (("--preset", args.preset), ("--duration", args.duration), ("OUT.wav", args.out))
        if value is None
    ]
    if missing:
        raise UsageError(f"render needs {', '.join(missing)} (or --list to see the presets)")
    from studio.music.params import updated
    from studio.music.patch import DEFAULT_TRANSITION_SECONDS, check_transition
    from studio.music.presets import load_preset
    from studio.music.render import check_output_path, render
    from studio.music.script import load_changes

    duration = _seconds(args.duration)
    preset = load_preset(args.preset)
    notes = list(preset.notes)
    values: dict[str, str] = {}
    for text in args.set:
        name, sep, value = text.partition("=")
        if not sep or not name:
            raise UsageError(f"cannot read --set {text}; write PARAM=VALUE, e.g. --set tempo=90")
        values[name.strip()] = value.strip()
    params, clamped = updated(preset.params, values, "--set")
    notes.extend(clamped)
    changes, clamped = load_changes(args.script, params, duration) if args.script else ([], [])
    notes.extend(clamped)
    transition = DEFAULT_TRANSITION_SECONDS if args.transition is None else args.transition
    try:
        check_transition(transition)
        check_output_path(args.out)
        if args.midi is not None:
            check_output_path(args.midi, "MIDI", (".mid", ".midi"))
    except (OSError, ValueError) as exc:
        raise UsageError(str(exc)) from None
    for note in notes:
        print(f"affect-studio: note: {note}", file=sys.stderr)

    recorder = None
    if args.midi is not None:
        from studio.music.midi import MidiFileRecorder

        recorder = MidiFileRecorder()
    try:
        result = render(
            params,
            duration,
            args.out,
            changes,
            transition=transition,
            seed=args.seed,
            listener=recorder,
            ending=not args.no_ending,
        )
    except OSError as exc:
        raise UsageError(str(exc)) from None
    if recorder is not None:
        recorder.save(args.midi)
    summary = {
        "out": str(result.path),
        "preset": preset.name,
        "params": params.as_dict(),
        "changes": [{"t": t, "set": p.as_dict()} for t, p in changes],
        "transition": transition,
        "seed": args.seed,
        "duration": round(result.duration, 3),
        "peak_dbfs": round(result.peak_dbfs, 2),
        "render_seconds": round(result.render_seconds, 3),
        "speed": round(result.duration / result.render_seconds, 1),
        "midi": str(args.midi) if args.midi is not None else None,
    }
    print(json.dumps(summary))
    return 0
