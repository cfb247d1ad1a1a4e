"""``affect-studio analyze KIND``: one module per kind (face, voice, eeg, physio), as in ``studio.commands``."""

from __future__ import annotations

import sys


def note(text: str) -> None:
    """Tell the user on stderr about something an analysis left out or assumed; stdout keeps the results."""
    from studio.cli import PROG

    print(f"{PROG}: note: {text}", file=sys.stderr, flush=True)
