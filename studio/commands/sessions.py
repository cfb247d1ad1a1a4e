"""``affect-studio sessions list|close|rate|notes``: the recorded sessions of a database."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from studio.commands._store import add_session_argument, add_store_argument, open_store, session_id
from studio.kernel.command import studio_command
from studio.store import PHASES, TEMPLATES

if TYPE_CHECKING:
    from studio.store import Store

HELP = "list recorded sessions; close an interrupted one; add self-reports and notes"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from studio.commands import OneLineParser

    sub = parser.add_subparsers(dest="sessions_command", parser_class=OneLineParser, required=True)
    listing = sub.add_parser("list", help="every session: id, start, status, length, client, consent")
    add_store_argument(listing)
    close = sub.add_parser("close", help="close an interrupted session (its end is its last data)")
    add_session_argument(close)
    add_store_argument(close)
    rate = sub.add_parser("rate", help="add a Self-Assessment Manikin rating (valence and arousal, 1-9)")
    add_session_argument(rate)
    rate.add_argument("--phase", choices=PHASES, required=True)
    rate.add_argument("--valence", type=int, required=True, help="1 (unhappy) to 9 (happy)")
    rate.add_argument("--arousal", type=int, required=True, help="1 (calm) to 9 (excited)")
    rate.add_argument("--at", type=float, help="session seconds (default: 0 before, the end after and during)")
    add_store_argument(rate)
    notes = sub.add_parser("notes", help="write the session note in a SOAP or DAP template")
    add_session_argument(notes)
    notes.add_argument("--template", choices=tuple(TEMPLATES), required=True)
    notes.add_argument(
        "--section", action="append", default=[], metavar="NAME=TEXT", help="e.g. Subjective='slept badly'"
    )
    add_store_argument(notes)


def run(args: argparse.Namespace) -> int:
    from studio.kernel.errors import UsageError

    store = open_store(args)
    try:
        for sid in store.interrupted:
            print(f"session {sid} was interrupted (its recording process ended without closing it)")
        if args.sessions_command == "list":
            print_sessions(store)
            return 0
        sid = session_id(args, store)
        if args.sessions_command == "close":
            info = store.close_session(sid)
            print(f"session {sid} closed: {info.status}, {info.duration_s:.1f} s recorded, ended {info.ended_utc}")
        elif args.sessions_command == "rate":
            info = store.session(sid)
            t = args.at if args.at is not None else (0.0 if args.phase == "before" else info.duration_s)
            store.add_self_report(sid, t, args.phase, args.valence, args.arousal)
            print(f"session {sid}: {args.phase} rating valence {args.valence}, arousal {args.arousal} at {t:.1f} s")
        else:
            sections = {}
            for item in args.section:
                name, sep, text = item.partition("=")
                if not sep:
                    raise UsageError(f"cannot read --section {item}; write NAME=TEXT, e.g. Plan='next week'")
                sections[name.strip()] = text
            store.save_notes(sid, args.template, sections)
            print(f"session {sid}: {args.template} note saved")
    finally:
        store.close()
    return 0


def print_sessions(store: Store) -> None:
    rows = store.sessions()
    if not rows:
        print(f"no sessions in {store.path}")
        return
    print(f"{'id':>4}  {'started (UTC)':<19}  {'status':<11}  {'length':>8}  {'client':<10}  consent")
    for s in rows:
        status = s.status + ("*" if s.status == "interrupted" and s.ended_utc is None else "")
        minutes, seconds = divmod(int(s.duration_s), 60)
        print(
            f"{s.id:>4}  {s.started_utc[:19].replace('T', ' '):<19}  {status:<11}  {minutes:>4}:{seconds:02d}"
            f"  {s.client_code or '-':<10}  {s.consent.describe()}"
        )
    if any(s.status == "interrupted" and s.ended_utc is None for s in rows):
        print(f"* not closed yet: {studio_command()} sessions close ID (or export it as it is)")
