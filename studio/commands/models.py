"""``affect-studio models install|status``: the MediaPipe face model."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = "manage the face model"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from studio.commands import OneLineParser

    msub = parser.add_subparsers(dest="models_command", parser_class=OneLineParser, required=True)
    install = msub.add_parser("install", help="download the official face model (or copy --from FILE), sha256-checked")
    install.add_argument("--from", dest="source", type=Path, help="install from this local file instead")
    msub.add_parser("status", help="say whether the face model is installed")


def run(args: argparse.Namespace) -> int:
    from studio.models import face_model_status, install_face_model

    if args.models_command == "status":
        ok, text = face_model_status()
        print(text)
        return 0 if ok else 1

    def progress(done: int, total: int) -> None:
        if total and sys.stderr.isatty():
            print(f"\rdownloading face model: {100 * done // total}%", end="", file=sys.stderr, flush=True)

    path = install_face_model(args.source, progress=progress)
    print(f"face model ready at {path}")
    return 0
