"""A client's progress across visits: one row per session, oldest first (length, goal, the Self-Assessment Manikin
before and after and its change, time to goal, the music levers known to work), plots over the visits, and the
same as an HTML page and a PDF for the clinic. De-identified unless asked: no code, dates or notes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio.export.data import Progress
from studio.export.report import Block, Figure, Heading, Para, TableBlock, write_both
from studio.export.report_facts import clock, lever_rows
from studio.store import SessionInfo, Store

MISSING = "-"


@dataclass(frozen=True)
class Visit:
    """One session of the client as the progress report shows it. SAM values are 1-9 (None: not given);
    ``time_to_goal_s`` is None when the goal was not reached, ``kept`` False when the session's outcome was not
    stored (it did not end cleanly)."""

    number: int
    session_id: int
    started_utc: str
    status: str
    length_s: float
    goal: str
    before: tuple[int, int] | None  # (valence, arousal)
    after: tuple[int, int] | None
    time_to_goal_s: float | None
    kept: bool
    levers: tuple[str, ...]

    def change(self) -> tuple[int, int] | None:
        """(valence, arousal) after minus before, when both were given."""
        if self.before is None or self.after is None:
            return None
        return self.after[0] - self.before[0], self.after[1] - self.before[1]

    def cells(self) -> tuple[str, ...]:
        """The row's cells, in the order of COLUMNS."""
        change = self.change()
        reached = clock(self.time_to_goal_s) if self.time_to_goal_s is not None else "not reached"
        return (
            str(self.number),
            clock(self.length_s),
            self.goal,
            _sam(self.before),
            _sam(self.after),
            f"{change[0]:+d} / {change[1]:+d}" if change else MISSING,
            reached if self.kept else "not kept",
            ("; ".join(self.levers) or "none known yet") if self.kept else "not kept",
        )


COLUMNS = (
    "visit",
    "length",
    "goal",
    "SAM before",
    "SAM after",
    "change",
    "time to goal",
    "levers that worked",
)


def _sam(pair: tuple[int, int] | None) -> str:
    return f"{pair[0]} / {pair[1]}" if pair else MISSING


@dataclass(frozen=True)
class ClientProgress:
    """Every visit of one client, oldest first; ``code`` and ``notes`` only when the client is included."""

    visits: list[Visit]
    include_client: bool
    code: str
    notes: str = ""


def _goal(store: Store, info: SessionInfo) -> str:
    """The goal at the session's start and every goal the operator set during it: "calm then energise"."""
    goals = [str(info.settings.get("goal", "unknown"))]
    rows = store.query(
        "SELECT new FROM control_log WHERE session_id = ? AND param = 'goal' AND who = 'operator' ORDER BY t",
        (info.id,),
    )
    goals += [str(new).split(" ")[0] for (new,) in rows]
    return " then ".join(dict.fromkeys(goals))


def _visit(store: Store, number: int, info: SessionInfo) -> Visit:
    reports = store.self_reports(info.id)
    before = [r for r in reports if r.phase == "before"]
    after = [r for r in reports if r.phase == "after"]
    outcome: dict[str, Any] | None = store.outcome(info.id)
    response = (outcome or {}).get("response") or {}
    reached = (outcome or {}).get("time_to_goal_s")
    return Visit(
        number,
        info.id,
        info.started_utc,
        info.status,
        info.duration_s,
        _goal(store, info),
        (before[0].valence, before[0].arousal) if before else None,
        (after[-1].valence, after[-1].arousal) if after else None,
        float(reached) if reached is not None else None,
        outcome is not None,
        tuple(f"{lever} {what.split(' by ')[0]}" for lever, what, _ in lever_rows(response)),
    )


def load_progress(store: Store, code: str, include_client: bool) -> ClientProgress:
    """The client's visits, oldest first; StoreError naming the known clients if there is no such client."""
    sessions = store.client_sessions(code)
    client = store.require_client(code)
    visits = [_visit(store, i, info) for i, info in enumerate(sessions, start=1)]
    return ClientProgress(visits, include_client, code, client.notes if include_client else "")


def progress_figure(visits: list[Visit]) -> bytes:
    """Self-reports before and after each visit (valence, arousal; left out when none was given) and the time to
    goal (min), over the visits."""
    from studio.export.plots import INK, new_figure, to_png

    rated = any(v.before or v.after for v in visits)
    fig, axes = new_figure(2, 4.6, [1.6, 1.0], width=8.0) if rated else new_figure(1, 2.2, width=8.0)
    if rated:
        _sam_axis(axes[0], visits)
    _goal_axis(axes[-1], visits)
    numbers = [v.number for v in visits]
    axes[-1].set_xlabel("visit", color=INK, fontsize=8)
    axes[-1].set_xticks(numbers)
    axes[-1].set_xlim(0.5, max(numbers, default=1) + 0.5)
    return to_png(fig)


def _sam_axis(ax: Any, visits: list[Visit]) -> None:
    from studio.export.plots import AROUSAL, VALENCE

    for axis, colour in ((0, VALENCE), (1, AROUSAL)):
        name = ("valence", "arousal")[axis]
        for phase, style in (("before", ":"), ("after", "-")):
            points = [(v.number, pair[axis]) for v in visits if (pair := getattr(v, phase)) is not None]
            if points:
                marker = "o" if phase == "after" else "s"
                ax.plot(*zip(*points, strict=True), ls=style, marker=marker, color=colour, lw=1.4, ms=6,
                        label=f"{name} {phase}")  # fmt: skip
    ax.set_ylim(0.5, 9.5)
    ax.set_yticks([1, 3, 5, 7, 9])
    ax.set_ylabel("SAM (1-9)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7, frameon=False)


def _goal_axis(ax: Any, visits: list[Visit]) -> None:
    from studio.export.plots import INK, MUTED

    reached = [(v.number, v.time_to_goal_s / 60.0) for v in visits if v.time_to_goal_s is not None]
    if reached:
        ax.bar(*zip(*reached, strict=True), color=INK, width=0.5)
    for v in visits:
        if v.time_to_goal_s is None:
            ax.annotate(
                "not reached" if v.kept else "not kept", (v.number, 0), xytext=(0, 6), textcoords="offset points",
                ha="center", va="bottom", fontsize=7, color=MUTED, rotation=90,
            )  # fmt: skip
    ax.set_ylabel("time to goal (min)")


def build(progress: ClientProgress) -> list[Block]:
    """The progress report's content."""
    visits = progress.visits
    who = f"client {progress.code}" if progress.include_client else "a client (de-identified)"
    blocks: list[Block] = [Heading(f"Progress of {who} over {len(visits)} visit{'s' * (len(visits) != 1)}")]
    intro = (
        "One row per visit, oldest first. SAM is the client's own Self-Assessment Manikin rating (1 to 9) of "
        "valence (unhappy to happy) and arousal (calm to excited) before and after the session, written valence / "
        "arousal; the change is after minus before. Time to goal is how long after the goal was set the studio's "
        "estimate reached it and stayed. Levers that worked are the music parameters the studio was sure moved this "
        "client, as known after that visit."
    )
    blocks.append(Para(intro))
    if progress.include_client:
        facts = [("Client", progress.code), ("First visit (UTC)", visits[0].started_utc[:10] if visits else MISSING)]
        if progress.notes:
            facts.append(("Client notes", progress.notes))
        blocks.append(TableBlock(("", ""), facts))
    else:
        blocks.append(Para("De-identified: no client code, notes or dates (add them with --include-client)."))
    if not visits:
        blocks.append(Para("This client has no recorded sessions yet."))
        return blocks
    blocks.append(TableBlock(COLUMNS, [v.cells() for v in visits]))
    unclean = [v for v in visits if not v.kept]
    if unclean:
        numbers = ", ".join(str(v.number) for v in unclean)
        blocks.append(
            Para(f"Visit {numbers}: the session did not end cleanly, so its time to goal and levers were not kept.")
        )
    rated = any(v.before or v.after for v in visits)
    caption = "Self-reports before (dotted) and after (solid) each visit, and the time to goal."
    blocks.append(Figure(progress_figure(visits), caption if rated else "The time to goal at each visit."))
    return blocks


def export_progress(progress: ClientProgress, out: Path, progress_step: Progress) -> list[Path]:
    """Write ``client-CODE-progress`` (or ``client-progress`` when de-identified) as HTML and PDF into ``out``."""
    progress_step("drawing the plots")
    blocks = build(progress)
    name = f"client-{progress.code}-progress" if progress.include_client else "client-progress"
    return write_both(blocks, out / name, progress.include_client, "Client progress", progress_step)
