"""``affect-studio models install|status``: the MediaPipe face model."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = "manage the face model"
NOT_DUE = 3  # exit status of ``install --once-a-day`` when a recent failed download is not tried again


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from studio.commands import OneLineParser

    msub = parser.add_subparsers(dest="models_command", parser_class=OneLineParser, required=True)
    install = msub.add_parser("install", help="download the official face model (or copy --from FILE), sha256-checked")
    install.add_argument("--from", dest="source", type=Path, help="install from this local file instead")
    install.add_argument(
        "--once-a-day",
        action="store_true",
        help="as the setup runs it: after a failed download, say so in one line and try again only a day later",
    )
    msub.add_parser("status", help="say whether the face model is installed")


def span(seconds: float) -> str:
    """A length of time for a message: whole hours, or minutes under an hour."""
    return f"{seconds / 3600:.0f} h" if seconds >= 3600 else f"{max(1.0, seconds / 60):.0f} min"


def run(args: argparse.Namespace) -> int:
    from studio.kernel.command import studio_command
    from studio.models import RETRY_AFTER, face_model_status, install_face_model, recent_failure
    from studio.paths import face_model_path

    ok, text = face_model_status()
    if args.models_command == "status":
        print(text)
        return 0 if ok else 1
    failed = recent_failure(face_model_path()) if args.once_a_day and args.source is None and not ok else None
    if failed is not None:
        age, reason = failed
        print(
            f"face model not installed: the download failed {span(age)} ago ({reason}); next try in "
            f"{span(RETRY_AFTER - age)}. Install it from a file: {studio_command()} models install --from FILE",
            file=sys.stderr,
        )
        return NOT_DUE

    def progress(done: int, total: int) -> None:
        if total and sys.stderr.isatty():
            print(f"\rdownloading face model: {100 * done // total}%", end="", file=sys.stderr, flush=True)

    path = install_face_model(args.source, progress=progress)
    print(f"face model ready at {path}")
    return 0
