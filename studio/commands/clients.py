"""``affect-studio clients add|list|report``: pseudonymous client codes, with optional notes, and a client's
progress across visits (HTML and PDF)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from studio.commands._store import add_store_argument, open_store

HELP = "add or list clients (pseudonymous codes, never names); report a client's progress across visits"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from studio.commands import OneLineParser

    sub = parser.add_subparsers(dest="clients_command", parser_class=OneLineParser, required=True)
    add = sub.add_parser("add", help="register a client code")
    add.add_argument("code", help="a pseudonym: 1-32 letters, digits, '_', '.' or '-'")
    add.add_argument("--notes", default="", help="optional notes (kept out of exports unless included)")
    add_store_argument(add)
    listing = sub.add_parser("list", help="every client code, with its sessions")
    add_store_argument(listing)
    report = sub.add_parser(
        "report", help="the client's progress over every visit, oldest first, as HTML and PDF (de-identified)"
    )
    report.add_argument("code", help="the client's code (see: clients list)")
    report.add_argument(
        "--out", type=Path, required=True, help="folder to write into (made if needed; same-named files are replaced)"
    )
    report.add_argument(
        "--include-client", action="store_true", help="add the client's code, notes and the dates (default: none)"
    )
    add_store_argument(report)


def run(args: argparse.Namespace) -> int:
    if args.clients_command == "report":
        return report(args)
    from studio.store import name_warning

    store = open_store(args, create=args.clients_command == "add")
    try:
        if args.clients_command == "add":
            warning = name_warning(args.code)
            if warning:
                print(f"warning: {warning}", file=sys.stderr)
            client = store.add_client(args.code, args.notes)
            print(f"client {client.code} added to {store.path}")
            return 0
        sessions = store.sessions()
        clients = store.clients()
        if not clients:
            print(f"no clients in {store.path}")
        for c in clients:
            ids = [str(s.id) for s in sessions if s.client_code == c.code]
            print(f"{c.code:<12} sessions: {', '.join(ids) or '-'}{'  notes: ' + c.notes if c.notes else ''}")
    finally:
        store.close()
    return 0


def report(args: argparse.Namespace) -> int:
    """``clients report CODE --out DIR``: the client's progress as HTML and PDF; prints the files written."""
    from studio.export import write_into
    from studio.export.progress import export_progress, load_progress

    store = open_store(args)
    try:
        progress = load_progress(store, args.code, args.include_client)
    finally:
        store.close()
    for path in write_into(args.out, lambda folder: export_progress(progress, folder, lambda _step: None)):
        print(path)
    return 0
