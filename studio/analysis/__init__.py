"""``affect-studio analyze KIND``: one module per kind (face, voice, eeg, physio), as in ``studio.commands``."""

from __future__ import annotations

from studio.kernel.errors import print_error


def note(text: str) -> None:
    """Tell the user on stderr about something an analysis left out or assumed; stdout keeps the results."""
    print_error(text, "note")
