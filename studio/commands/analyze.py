"""``affect-studio analyze KIND PATH...``: offline analysis of recorded files, one JSON object per line."""

from __future__ import annotations

import argparse

import studio.analysis
from studio.commands import register

HELP = "analyse recorded files (face images or video, voice WAV, EEG, physiology) and print JSON lines"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from studio.commands import OneLineParser

    kinds = parser.add_subparsers(dest="analyze_kind", parser_class=OneLineParser, required=True, metavar="KIND")
    register(kinds, studio.analysis, dest="analyze_module")


def run(args: argparse.Namespace) -> int:
    code: int = args.analyze_module.run(args)
    return code
