"""``affect-studio clients add|list``: pseudonymous client codes, with optional notes."""

from __future__ import annotations

import argparse

from studio.commands._store import add_store_argument, open_store

HELP = "add or list clients (pseudonymous codes, never names)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from studio.commands import OneLineParser

    sub = parser.add_subparsers(dest="clients_command", parser_class=OneLineParser, required=True)
    add = sub.add_parser("add", help="register a client code")
    add.add_argument("code", help="a pseudonym: 1-32 letters, digits, '_', '.' or '-'")
    add.add_argument("--notes", default="", help="optional notes (kept out of exports unless included)")
    add_store_argument(add)
    listing = sub.add_parser("list", help="every client code, with its sessions")
    add_store_argument(listing)


def run(args: argparse.Namespace) -> int:
    store = open_store(args, create=args.clients_command == "add")
    try:
        if args.clients_command == "add":
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
