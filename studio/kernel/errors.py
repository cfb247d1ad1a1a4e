"""Errors the user sees as one line: the command line prints them and exits with status 2."""

from __future__ import annotations

import sys

from studio.kernel.command import PROGRAM


class StudioError(Exception):
    """A failure the user can act on; its message is one line naming the bad value and what to do."""


class UsageError(StudioError):
    """A command line, or an input it names, that cannot be used."""


def print_error(problem: object, kind: str = "error") -> None:
    """Say ``problem`` (an exception or a sentence) on stderr in one line, ``affect-studio: KIND: ...``
    (``kind``: error, warning or note); stdout keeps what a command prints as its results."""
    print(f"{PROGRAM}: {kind}: {problem}", file=sys.stderr, flush=True)
