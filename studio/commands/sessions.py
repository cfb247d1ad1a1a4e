"""``affect-studio sessions list|close|rate|notes``: the recorded sessions of a database."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from studio.commands._store import add_session_argument, add_store_argument, open_store, session_id
from studio.config import checked_number
from studio.kernel.command import studio_command
from studio.kernel.errors import UsageError
from studio.store import PHASES, TEMPLATES

if TYPE_CHECKING:
    from studio.store import Notes, Store

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
    rate.add_argument(
        "--at", type=float, help="session seconds, 0 to its length (default: 0 before, the end after and during)"
    )
    add_store_argument(rate)
    notes = sub.add_parser(
        "notes", help="show the session note, or write sections of it (SOAP or DAP); every version is kept"
    )
    add_session_argument(notes)
    notes.add_argument(
        "--template", choices=tuple(TEMPLATES), help="the note's template (default: the note's own, else SOAP)"
    )
    notes.add_argument(
        "--section",
        action="append",
        default=[],
        metavar="NAME=TEXT",
        help="replace one section, e.g. Subjective='slept badly' (the other sections are kept)",
    )
    notes.add_argument("--history", action="store_true", help="show every saved version, oldest first")
    add_store_argument(notes)


def run(args: argparse.Namespace) -> int:
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
            t = rating_time(args.at, args.phase, info.duration_s)
            store.add_self_report(sid, t, args.phase, args.valence, args.arousal)
            print(f"session {sid}: {args.phase} rating valence {args.valence}, arousal {args.arousal} at {t:.1f} s")
        else:
            notes_command(store, sid, args)
    finally:
        store.close()
    return 0


def rating_time(at: float | None, phase: str, length: float) -> float:
    """The session time (s) of a rating: ``at`` (``--at``) when given, from 0 to the session's recorded
    ``length`` (s), else 0 before the session and its end during and after; UsageError outside the session."""
    if at is None:
        return 0.0 if phase == "before" else length
    try:
        return checked_number(at, 0.0, length, "s", written=f"--at {at:g}")
    except ValueError as exc:
        raise UsageError(f"{exc} (the session's length)") from None


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


def notes_command(store: Store, sid: int, args: argparse.Namespace) -> None:
    """Write the ``--section``s given into the note (the others are kept), or show it (``--history``: every
    version)."""
    current = store.notes(sid)
    if not args.section:
        if args.template is not None:
            raise UsageError("--template needs --section NAME=TEXT to write; without both the note is shown")
        history = store.note_history(sid) if args.history else [current] if current else []
        if not history:
            print(f"session {sid} has no note yet; write one with --section NAME=TEXT")
        for i, notes in enumerate(history):
            print_note(sid, notes, history[i - 1] if args.history and i else None)
        return
    template = args.template or (current.template if current else next(iter(TEMPLATES)))
    sections = {}
    for item in args.section:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep:
            raise UsageError(f"cannot read --section {item}; write NAME=TEXT, e.g. Plan='next week'")
        if name not in TEMPLATES[template]:
            raise UsageError(
                f"--section {item}: {template} notes have no section {name!r}; "
                f"its sections are {', '.join(TEMPLATES[template])}"
            )
        sections[name] = text
    notes = store.save_notes(sid, template, sections, source="command line")
    if current is not None and notes.version == current.version:
        print(f"session {sid}: the note is unchanged (version {notes.version})")
    else:
        kept = [n for n, text in notes.sections.items() if text and n not in sections]
        print(
            f"session {sid}: {notes.template} note saved as version {notes.version}; wrote {', '.join(sections)}"
            + (f", kept {', '.join(kept)}" if kept else "")
        )


def print_note(sid: int, notes: Notes, before: Notes | None) -> None:
    """One version of a note: its header, then every section (``before`` given: only those that changed)."""
    saved = notes.saved_utc[:19].replace("T", " ")
    where = f" ({notes.source})" if notes.source else ""
    print(f"session {sid}: {notes.template} note, version {notes.version}, saved {saved} UTC{where}")
    for name, text in notes.sections.items():
        if before is not None and before.sections.get(name, "") == text:
            continue
        lines = text.splitlines() or ["-"]
        other = notes.template_of(name)
        print(f"  {name}{f' ({other})' if other != notes.template else ''}: {lines[0]}")
        for line in lines[1:]:
            print(f"    {line}")
