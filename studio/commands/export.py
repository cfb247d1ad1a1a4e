"""``affect-studio export SESSION_ID|--latest --format csv|parquet|edf|bdf|report --out DIR``."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from studio.commands._store import add_session_argument, add_store_argument, open_store, session_id
from studio.export import write_into
from studio.session_export import FORMATS, read_export

HELP = "export a recorded session: tables (CSV, Parquet), signals (EDF+, BDF+) or a report (HTML and PDF)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_session_argument(parser)
    parser.add_argument("--format", choices=FORMATS, required=True, help="what to write")
    parser.add_argument(
        "--out", type=Path, required=True, help="folder to write into (made if needed; same-named files are replaced)"
    )
    parser.add_argument(
        "--include-client", action="store_true", help="add the client's code, notes and the date (default: none)"
    )
    add_store_argument(parser)


class StepProgress:
    """Progress on stderr for exports that take a while: one line per step with the time so far (rewriting
    one line when stderr is a terminal). Steps in the first ``quiet`` seconds are not shown."""

    def __init__(self, quiet: float = 1.0) -> None:
        self.start = time.monotonic()
        self.quiet = quiet
        self.tty = sys.stderr.isatty()
        self.shown = False

    def __call__(self, step: str) -> None:
        if time.monotonic() - self.start < self.quiet:
            return
        self.shown = True
        text = f"export: {time.monotonic() - self.start:5.1f} s  {step}"
        print(f"\r\033[K{text}" if self.tty else text, end="" if self.tty else "\n", file=sys.stderr, flush=True)

    def done(self) -> None:
        if self.tty and self.shown:
            print(file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    progress = StepProgress()
    files = write_into(args.out, lambda folder: write_export(args, folder, progress))
    progress("done")
    progress.done()
    for path in files:
        print(path)
    return 0


def write_export(args: argparse.Namespace, folder: Path, progress: StepProgress) -> list[Path]:
    """Read the chosen session and write its export in ``args.format`` into ``folder``; the files written."""
    store = open_store(args)
    try:
        write = read_export(store, session_id(args, store), args.format, args.include_client, progress)
    finally:
        store.close()
    return write(folder)
