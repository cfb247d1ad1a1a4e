"""The command line: the window (default), headless runs, and the subcommands in ``studio.commands``."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import studio.commands
from sensors.voice_setup import with_voice_option
from studio.commands import OneLineParser, number_option, parse_number, register
from studio.config import AUDIO_BACKENDS, MAX_CALIBRATION, MIN_CALIBRATION, Config, load_config
from studio.goal_plan import Goal, Point, checked_point
from studio.kernel.command import studio_command
from studio.kernel.errors import StudioError, UsageError, print_error
from studio.listener import ListenerSpec, load_listener
from studio.policy import Bounds, ControlMode, PolicyKind
from studio.session import SessionOptions
from studio.store import Consent, passphrase_from_env

MAX_DURATION = 24 * 3600.0  # seconds: the longest headless run
MAX_SPEED = 1000.0  # session seconds per wall second on a simulated clock (0 stands for: as fast as possible)
RECORDED_BODY = ("file", "lsl", "playback")  # body sources that deliver in real time, whatever the clock says


def parse_bound(text: str, bounds: Bounds) -> Bounds:
    """Apply one ``--bound`` value: ``tempo=MIN:MAX`` (BPM), ``volume=CEILING`` (dBFS), ``change=SHARE``,
    ``modes=NAME,...`` or ``layers=NAME,...``."""
    name, sep, value = text.partition("=")
    try:
        if not sep:
            raise ValueError
        if name == "tempo":
            low, colon, high = value.partition(":")
            if not colon:
                raise ValueError
            new = replace(bounds, tempo_min=float(low), tempo_max=float(high))
        elif name == "volume":
            new = replace(bounds, volume_ceiling=float(value))
        elif name == "change":
            new = replace(bounds, max_change_per_min=float(value))
        elif name == "modes":
            new = replace(bounds, allowed_modes=tuple(m for m in value.split(",") if m))
        elif name == "layers":
            new = replace(bounds, allowed_layers=frozenset(x for x in value.split(",") if x))
        else:
            raise UsageError(
                f"unknown bound {name!r} in --bound {text}; "
                "use tempo=MIN:MAX, volume=DBFS, change=SHARE, modes=A,B or layers=A,B"
            )
    except ValueError:
        raise UsageError(f"cannot read --bound {text}; write tempo=60:80, volume=-12 or change=0.3") from None
    try:
        return new.validated()
    except ValueError as exc:
        raise UsageError(f"--bound {text}: {exc}") from None


def parse_point(text: str) -> Point:
    """``--goal-point V,A`` as a point on the valence-arousal plane."""
    try:
        v, a = (float(x) for x in text.split(","))
    except ValueError:
        raise UsageError(f"cannot read --goal-point {text}; write valence,arousal such as 0.3,-0.6") from None
    try:
        return checked_point((v, a))
    except ValueError as exc:
        raise UsageError(f"--goal-point {text}: {exc}") from None


def add_session_options(parser: argparse.ArgumentParser, defaults: bool) -> None:
    """Options of a session, on the top level (with defaults) and again after ``run`` (without, so that a
    value given before ``run`` is not reset by the subcommand)."""

    def default(value: object) -> object:
        return value if defaults else argparse.SUPPRESS

    parser.add_argument(
        "--demo", action="store_true", default=default(False), help="no hardware: synthetic face, voice, text, EEG"
    )
    parser.add_argument("--config", type=Path, default=default(None), help="settings file (TOML)")
    parser.add_argument("--audio", choices=AUDIO_BACKENDS, default=default(None), help="audio output")
    parser.add_argument("--goal", choices=[g.value for g in Goal], default=default(None), help="what the music aims at")
    parser.add_argument(
        "--mode", choices=[m.value for m in ControlMode], default=default(None), help="auto: the policy steers"
    )
    parser.add_argument(
        "--bound",
        action="append",
        default=default([]),
        metavar="NAME=VALUE",
        help="operator bound: tempo=MIN:MAX (BPM), volume=DBFS (ceiling), change=SHARE (per minute), "
        "modes=major,dorian (allowed modes), layers=pad,bass (allowed layers)",
    )
    parser.add_argument(
        "--goal-point",
        metavar="V,A",
        default=default(None),
        help="the point the goal leads to: valence,arousal, each -1..1 (for iso: the target)",
    )
    parser.add_argument(
        "--voice", default=default(None), metavar="SOURCE", help="voice input: a microphone's index or a WAV file"
    )
    parser.add_argument(
        "--face",
        default=default(None),
        metavar="SOURCE",
        help="face input: a camera index (0), or a video file, an image or a folder of images",
    )
    parser.add_argument("--store", type=Path, default=default(None), help="session database file")
    parser.add_argument(
        "--board",
        default=default(None),
        metavar="SOURCE",
        help="body channel source: synthetic, a board profile, playback:FILE[@BOARD], file:PATH or lsl:NAME",
    )
    parser.add_argument(
        "--demo-faults",
        default=default(None),
        metavar="LIST",
        help="demo training: faults injected into the demo's EEG: line-noise, railed, flat, noisy, dropout",
    )
    parser.add_argument(
        "--listener",
        type=Path,
        default=default(None),
        metavar="FILE.toml",
        help="demo: the virtual listener whose true state answers the music (default: a typical responsive one)",
    )
    parser.add_argument(
        "--policy",
        choices=[p.value for p in PolicyKind],
        default=default(None),
        help="adaptive: learn what moves this person; fixed: what moves a typical listener",
    )
    parser.add_argument("--client", default=default(None), metavar="CODE", help="pseudonymous client code")
    parser.add_argument(
        "--consent",
        default=default(None),
        metavar="LIST",
        help="what the client agreed to: features (default), raw_audio, raw_video, research (comma-separated)",
    )
    parser.add_argument(
        "--marker",
        action="append",
        default=default([]),
        metavar="SECONDS:LABEL",
        help="headless: set a marker at this session time (repeatable)",
    )
    parser.add_argument("--replay", default=default(None), metavar="SESSION_ID", help="replay a session")
    parser.add_argument(
        "--replay-speed", type=float, default=default(1.0), metavar="X", help="replay speed (0.1 to 32)"
    )
    parser.add_argument("-v", "--verbose", action="store_true", default=default(False), help="log what happens")


def build_parser() -> OneLineParser:
    parser = OneLineParser(
        prog=studio_command(), description="Affect Studio: live affect sensing that steers generative music."
    )
    add_session_options(parser, defaults=True)
    sub = parser.add_subparsers(dest="command", parser_class=OneLineParser)

    run = sub.add_parser("run", help="run a session (with --headless: no window)")
    run.add_argument("--headless", action="store_true", help="no window; record and print a JSON summary")
    run.add_argument(
        "--duration",
        type=number_option(0.1, MAX_DURATION, "s"),
        default=60.0,
        help=f"seconds to run headless (default 60, at most {MAX_DURATION:g})",
    )
    run.add_argument("--out", type=Path, help="headless: folder for session.sqlite")
    run.add_argument(
        "--speed",
        type=number_option(0.0, MAX_SPEED, "x"),
        default=1.0,
        metavar="X",
        help="headless demo: X session seconds per wall second on a simulated clock, audio silent (0: as fast as "
        "the machine can; default 1, real time)",
    )
    run.add_argument(
        "--calibrate",
        type=number_option(MIN_CALIBRATION, MAX_CALIBRATION, "s"),
        metavar="SECONDS",
        help="headless: begin with a resting baseline calibration of this many seconds",
    )
    add_session_options(run, defaults=False)

    register(sub, studio.commands, dest="command_module")
    return parser


def settings_from(args: argparse.Namespace) -> Config:
    config = load_config(args.config)
    bounds = config.bounds
    for text in args.bound:
        bounds = parse_bound(text, bounds)
    return replace(
        config,
        bounds=bounds,
        goal_point=parse_point(args.goal_point) if args.goal_point else config.goal_point,
        goal=Goal(args.goal) if args.goal else config.goal,
        mode=ControlMode(args.mode) if args.mode else config.mode,
        loop=replace(config.loop, policy=PolicyKind(args.policy)) if args.policy else config.loop,
        audio_backend=args.audio or config.audio_backend,
        voice=with_voice_option(config.voice, args.voice) if args.voice else config.voice,
        face=replace(config.face, source=args.face) if args.face else config.face,
        body=replace(config.body, source=args.board or config.body.source, demo_faults=demo_faults(args)),
    )


def demo_faults(args: argparse.Namespace) -> tuple[str, ...]:
    """The ``--demo-faults`` asked for (none without the option)."""
    from sensors.body_demo import parse_faults

    try:
        return parse_faults(args.demo_faults) if args.demo_faults is not None else ()
    except ValueError as exc:
        raise UsageError(f"--demo-faults {args.demo_faults}: {exc}") from None


def parse_marker(text: str) -> tuple[float, str]:
    """One ``--marker SECONDS:LABEL`` value."""
    when, sep, label = text.partition(":")
    if not sep or not label.strip():
        raise UsageError(f"cannot read --marker {text}; write SECONDS:LABEL, e.g. --marker '30:eyes closed'")
    try:
        t = parse_number(when, 0.0, MAX_DURATION, "s")
    except ValueError as exc:
        raise UsageError(f"--marker {text}: its time {exc}") from None
    return t, label.strip()


def session_options(args: argparse.Namespace, config: Config) -> SessionOptions:
    """Client, consent, passphrase (from the environment) and scheduled markers of a session."""
    try:
        consent = Consent.parse(args.consent) if args.consent is not None else config.consent
    except ValueError as exc:
        raise UsageError(f"--consent {args.consent}: {exc}") from None
    return SessionOptions(
        client=args.client,
        consent=consent,
        passphrase=passphrase_from_env(),
        markers=tuple(parse_marker(m) for m in args.marker),
    )


def listener_from(args: argparse.Namespace, demo: bool) -> ListenerSpec | None:
    """The ``--listener`` file's virtual listener (None without the option); it is the demo's person only."""
    if args.listener is None:
        return None
    if not demo:
        raise UsageError(f"--listener {args.listener} needs --demo: the virtual listener is the demo person")
    return load_listener(args.listener)


def simulated(config: Config, args: argparse.Namespace, demo: bool, speed: float) -> Config:
    """The settings of a run at ``--speed`` other than 1: a headless demo whose channels are all the demo
    person's (recordings and streams run in real time), with the audio silent."""
    if args.command != "run" or not args.headless:
        raise UsageError(f"--speed {speed:g} works with run --headless only; the window runs in real time")
    if not demo:
        raise UsageError(f"--speed {speed:g} needs --demo: live devices run in real time")
    if config.voice.file or config.body.source.partition(":")[0] in RECORDED_BODY:
        raise UsageError(
            f"--speed {speed:g} needs every channel to be the demo person's; recordings and streams "
            "(--voice FILE, --board playback:/file:/lsl:) run in real time"
        )
    return replace(config, audio_backend="silent")


def choose_demo(args: argparse.Namespace, config: Config) -> bool:
    """Demo when asked, or when no camera, microphone or board is present (said on stderr)."""
    if args.demo:
        return True
    if config.face.camera is None:  # a recording given as the face input is live input enough
        return False
    from sensors.hardware import detect

    found = detect(config.board)
    if not found.any:
        print("no camera, microphone or board found: starting in demo mode", file=sys.stderr)
        return True
    return False


def require_display() -> None:
    """Refuse to open the window where there is no screen, instead of letting Qt abort the process."""
    display_vars = ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    if sys.platform.startswith("linux") and not any(os.environ.get(v) for v in display_vars):
        raise UsageError(
            "no display to open the window on (DISPLAY is not set); run it on a desktop, under xvfb-run, "
            f"or headless: {studio_command()} run --headless --demo --duration 60 --out out/"
        )


def dispatch(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(message)s")
    command = getattr(args, "command_module", None)
    if command is not None:
        code: int = command.run(args)
        return code
    config = settings_from(args)
    if args.replay is not None:
        from studio.commands._store import parse_session_id
        from studio.replay import checked_speed

        session = parse_session_id(args.replay)
        checked_speed(args.replay_speed)
        require_display()
        from studio.paths import default_store_path
        from ui.replay import run_replay

        return int(run_replay(config, args.store or default_store_path(), session, args.replay_speed))
    demo = choose_demo(args, config)
    options = session_options(args, config)
    listener = listener_from(args, demo)
    speed = getattr(args, "speed", 1.0)
    if speed != 1.0:
        config = simulated(config, args, demo, speed)
    if args.command == "run" and args.headless:
        if args.out is None and args.store is None:
            raise UsageError("run --headless needs --out DIR (or --store FILE) for the session database")
        if args.calibrate is not None and args.calibrate >= args.duration:
            raise UsageError(f"--calibrate {args.calibrate:g} must be shorter than --duration {args.duration:g}")
        late = [f"{t:g}:{label}" for t, label in options.markers if t > args.duration]
        if late:
            raise UsageError(f"--marker {late[0]} comes after the end of the run (--duration {args.duration:g})")
        from studio.headless import run_headless

        database = args.store or args.out / "session.sqlite"
        summary = run_headless(
            config, demo, args.duration, database, options=options, calibrate=args.calibrate, speed=speed,
            listener=listener,
        )  # fmt: skip
        return 1 if summary["status"] == "stopped" else 0  # recording stopped early (disk full)
    require_display()
    from ui.app import run_gui

    return int(run_gui(config, demo, args.store, options, listener))


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``affect-studio``; every known failure ends in one line on stderr and exit status 2."""
    try:
        return dispatch(argv)
    except StudioError as exc:
        print_error(exc)
        return 2
    except KeyboardInterrupt:
        return 130
