"""What the session commands share: the ``--store`` option, opening the database to read, choosing a session."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from studio.kernel.command import studio_command
from studio.kernel.errors import UsageError

if TYPE_CHECKING:
    from studio.store import Store

MAX_SESSION_ID = 2**63 - 1  # SQLite's largest INTEGER


def add_store_argument(parser: argparse.ArgumentParser) -> None:
    """``--store PATH`` after the command; given before it (``affect-studio --store X export``) works too."""
    parser.add_argument(
        "--store", type=Path, default=argparse.SUPPRESS, help="session database (default: the studio's own)"
    )


def add_session_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("session", nargs="?", help=f"session id (see: {studio_command()} sessions list)")
    parser.add_argument("--latest", action="store_true", help="the most recent session")


def open_store(args: argparse.Namespace, create: bool = False) -> Store:
    """The database named by ``--store`` (else the studio's default), opened to read; StoreError if unusable."""
    from studio.paths import default_store_path
    from studio.store import Store, passphrase_from_env

    path = getattr(args, "store", None) or default_store_path()
    return Store.open(path, create=create, passphrase=passphrase_from_env())


def session_id(args: argparse.Namespace, store: Store) -> int:
    """The session chosen by ``SESSION_ID`` or ``--latest`` (exactly one of them)."""
    if args.latest == (args.session is not None):
        raise UsageError("give a session id or --latest (one of them)")
    if args.latest:
        return int(store.latest().id)
    return int(store.session(parse_session_id(args.session)).id)


def parse_session_id(text: str) -> int:
    """A session id as typed: a whole number from 1 to SQLite's largest integer; UsageError otherwise."""
    try:
        sid = int(text)
    except ValueError:
        sid = 0
    if not 1 <= sid <= MAX_SESSION_ID:
        raise UsageError(
            f"session id {text!r} is not a number from 1 to {MAX_SESSION_ID}; see: {studio_command()} sessions list"
        )
    return sid
