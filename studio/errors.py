"""Errors the user sees as one line: the command line prints them and exits with status 2."""

from __future__ import annotations


class StudioError(Exception):
    """A failure the user can act on; its message is one line naming the bad value and what to do."""


class UsageError(StudioError):
    """A command line, or an input it names, that cannot be used."""
