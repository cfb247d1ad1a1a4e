"""Choosing the body channel's source from one line: ``synthetic``, a saved profile's name, ``playback:FILE``,
``file:PATH`` or ``lsl:NAME`` (the ``[body] source`` setting and the ``--board`` option)."""

from __future__ import annotations

from pathlib import Path

from sensors.board_backend import BoardBackend
from sensors.board_profiles import DEFAULT_PROFILE, load_profiles
from sensors.boards import PLAYBACK, BoardConfig, BoardError, board_id_from_name
from sensors.body_backend import BodyBackend
from sensors.body_channel import BodyChannel
from sensors.body_demo import DemoBoard
from sensors.body_listener import ListenerBoard
from sensors.body_settings import BodySettings
from sensors.file_backend import FileBackend
from sensors.lsl_backend import LslBackend
from sensors.person import Person, resting
from studio.kernel.clock import SessionClock

SOURCE_FORMS = "synthetic, a board profile's name, playback:FILE[@BOARD], file:PATH[@BOARD] or lsl:NAME"


class BodySourceError(BoardError):
    """A body source line that names nothing usable."""


def _split_board(text: str) -> tuple[str, str]:
    """``PATH@BOARD`` -> (PATH, BOARD); the board defaults to synthetic (for BrainFlow files)."""
    path, at, board = text.rpartition("@")
    return (path, board) if at and board and "/" not in board else (text, "synthetic")


def board_for(settings: BodySettings, profiles_path: Path) -> BoardConfig | None:
    """The BrainFlow board the source line opens (None for files and LSL); BodySourceError if it names nothing."""
    source = settings.source
    kind, colon, rest = source.partition(":")
    if colon and kind in ("file", "lsl"):
        if not rest.strip():
            raise BodySourceError(f"body source {source!r} names no {'file' if kind == 'file' else 'stream'}")
        return None
    if colon and kind == "playback":
        path, board = _split_board(rest)
        if not path.strip():
            raise BodySourceError(f"body source {source!r} names no file; write playback:FILE[@BOARD]")
        return BoardConfig(board_id=PLAYBACK, file=path, master_board=board_id_from_name(board))
    profiles = load_profiles(profiles_path)
    if source in profiles:
        return profiles[source]
    known = ", ".join(sorted(profiles))
    raise BodySourceError(f"body source {source!r} is not a saved board profile ({known}); or use {SOURCE_FORMS}")


def make_backend(settings: BodySettings, clock: SessionClock, profiles_path: Path) -> BodyBackend:
    board = board_for(settings, profiles_path)
    if board is not None:
        return BoardBackend(board, clock)
    kind, _, rest = settings.source.partition(":")
    if kind == "file":
        path, board_name = _split_board(rest)
        return FileBackend(Path(path), clock, board_name)
    return LslBackend(rest, clock)


def make_body_channel(
    settings: BodySettings,
    clock: SessionClock,
    profiles_path: Path,
    demo: bool,
    person: Person = resting,
    noise: float = 0.0,
) -> BodyChannel:
    """The body channel for a session. In demo mode the synthetic board or a hardware board gives way to the
    demo board (``person``'s synthesised body with its own ``noise``, starting from their resting profile, with
    the training faults asked for), while recordings and LSL streams (no hardware of this machine) are kept;
    demo faults need the demo board."""
    board = board_for(settings, profiles_path)
    if demo and board is not None and board.board_id != PLAYBACK:
        body = ListenerBoard(clock, person, noise)
        neutral = body.calibrate_to(settings)
        channel = BodyChannel(DemoBoard(body, clock, settings.notch_hz, settings.demo_faults), clock, settings)
        channel.load_baseline(neutral)
        return channel
    if settings.demo_faults:
        where = "outside demo mode" if not demo else f"with the body source {settings.source!r}"
        raise BodySourceError(f"demo faults need the demo's synthetic board; they cannot be used {where}")
    return BodyChannel(make_backend(settings, clock, profiles_path), clock, settings)


__all__ = ["DEFAULT_PROFILE", "SOURCE_FORMS", "BodySourceError", "board_for", "make_body_channel"]
