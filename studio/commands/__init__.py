"""Subcommands of ``affect-studio`` besides running a session, one module each.

A command module defines ``HELP`` (one line), ``add_arguments(parser)`` and ``run(args) -> int``; the module's
name is the command's name (``export.py`` is ``affect-studio export``). Modules must import quickly: heavy
libraries (MediaPipe, pyo, BrainFlow) are imported inside ``run``.
"""

from __future__ import annotations

import argparse
import importlib
import math
import pkgutil
from collections.abc import Callable
from types import ModuleType
from typing import Any, NoReturn, Protocol, TypeVar, cast

from studio.config import checked_number
from studio.kernel.errors import UsageError

P = TypeVar("P", bound=argparse.ArgumentParser)


def parse_number(text: str, low: float = -math.inf, high: float = math.inf, unit: str = "") -> float:
    """A number written on the command line, finite and from ``low`` to ``high``; ValueError saying what
    is accepted."""
    try:
        value: object = float(text)
    except ValueError:
        value = text
    return checked_number(value, low, high, unit, written=text)


def number_option(low: float = -math.inf, high: float = math.inf, unit: str = "") -> Callable[[str], float]:
    """An argparse ``type``: a finite number from ``low`` to ``high`` (``unit`` for the message)."""

    def number(text: str) -> float:
        try:
            return parse_number(text, low, high, unit)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return number


class OneLineParser(argparse.ArgumentParser):
    """argparse that reports a bad command line in one line, without a usage block or traceback.

    Every ``type=float`` option of it (and of its subcommands) takes only finite numbers: nan, inf and 1e400
    are refused with the option's name."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.register("type", float, number_option())

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
