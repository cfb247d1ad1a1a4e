"""Subcommands of ``affect-studio`` besides running a session, one module each.

A command module defines ``HELP`` (one line), ``add_arguments(parser)`` and ``run(args) -> int``; the module's
name is the command's name (``export.py`` is ``affect-studio export``). Modules must import quickly: heavy
libraries (MediaPipe, pyo, BrainFlow) are imported inside ``run``.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
from types import ModuleType
from typing import NoReturn, Protocol, TypeVar, cast

from studio.kernel.errors import UsageError

P = TypeVar("P", bound=argparse.ArgumentParser)


class OneLineParser(argparse.ArgumentParser):
    """argparse that reports a bad command line in one line, without a usage block or traceback."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see {self.prog} --help)")


class Command(Protocol):
    HELP: str

    def add_arguments(self, parser: argparse.ArgumentParser) -> None: ...

    def run(self, args: argparse.Namespace) -> int: ...


def discover(package: ModuleType) -> dict[str, Command]:
    """The command modules inside ``package``, by name, in alphabetical order."""
    names = sorted(info.name for info in pkgutil.iter_modules(package.__path__) if not info.name.startswith("_"))
    return {name: cast(Command, importlib.import_module(f"{package.__name__}.{name}")) for name in names}


def register(sub: argparse._SubParsersAction[P], package: ModuleType, dest: str) -> dict[str, Command]:
    """Add one subparser per command module in ``package``, storing the chosen module in ``args.<dest>``."""
    commands = discover(package)
    for name, command in commands.items():
        parser = sub.add_parser(name, help=command.HELP, description=command.HELP)
        command.add_arguments(parser)
        parser.set_defaults(**{dest: command})
    return commands
