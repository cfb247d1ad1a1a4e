"""The session report for a reader who never opened the studio: one HTML page and the same as a PDF.

It says what the session was (demo, replayed recordings or live; the audio, and that none was heard when silent),
how the estimate moved, the body signals beside it, each channel's quality, what the music played, the goal,
bounds and control in force over time, and what the session taught about the client's response to the music.
The content is built once as a list of blocks (headings, paragraphs, tables, figures) and rendered twice.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from studio.export import plots
from studio.export.data import Progress, SessionData, load_session
from studio.export.report_facts import (
    ReportData,
    audio_words,
    clock,
    following_words,
    layer_spans,
    lever_rows,
    mode_times,
    presets_played,
    regimes,
    session_kind,
    shares_text,
)
from studio.loop import FUSED
from studio.music.params import LAYERS
from studio.session_channels import STATES, channel_quality
from studio.store import Store

CELL_PADDING = 6.0  # points left and right of a table cell's text (reportlab's default)
MIN_SHRINK = 0.6  # a figure may shrink to this share of its size to fill the rest of a page
MIN_OBSERVATIONS = 10  # the response lag is said only once the model learned from this many observations


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Para:
    text: str


@dataclass(frozen=True)
class TableBlock:
    header: tuple[str, ...]
    rows: Sequence[tuple[str, ...]]


@dataclass(frozen=True)
class Figure:
    png: bytes
    caption: str
    width: float = 1.0  # share of the page width


@dataclass(frozen=True)
class Row:
    """A figure beside a table (the valence-arousal plane beside the numbers): the page's width is used."""

    figure: Figure
    table: TableBlock


Block = Heading | Para | TableBlock | Figure | Row


def load_report(store: Store, session_id: int, include_client: bool, progress: Progress) -> ReportData:
    """Everything the report of a session reads: its data, what it came to and its channels' health."""
    data = load_session(store, session_id, include_client, progress)
    return ReportData(data, store.outcome(session_id), store.channel_states(session_id))


def _window_mean(t: np.ndarray, x: np.ndarray, first: bool, seconds: float) -> float:
    if not len(t):
        return float("nan")
    mask = t <= t[0] + seconds if first else t >= t[-1] - seconds
    return float(np.mean(x[mask]))


def _has_markers(data: SessionData) -> bool:
    return any(not str(x).startswith("calibration") for x in data.tables["markers"].columns["label"])


def reading_guide(data: SessionData) -> str:
    """How to read the estimate's plots, naming only what this session's plots show."""
    parts = [
        "Valence runs from -1 (unpleasant) to +1 (pleasant); arousal from -1 (calm, sleepy) to +1 (activated, "
        "tense). Both are the studio's estimate from the client's face, voice, typed words and body signals, "
        "combined and smoothed over a few seconds; the grey band shows how confident that estimate is (0 to 1). "
        "They are machine estimates to support the therapist's judgement, not a diagnosis."
    ]
    if data.self_reports:
        parts.append(
            "Self-reports are the client's own Self-Assessment Manikin ratings (1 to 9), drawn as dots (valence) "
            "and squares (arousal) on the same scale, 5 at 0."
        )
    if _has_markers(data):
        parts.append("Dashed lines are markers set during the session.")
    if plots.baseline_span(data) is not None:
        parts.append("The light band is the resting baseline.")
    return " ".join(parts)


def _what_it_was(report: ReportData) -> list[Block]:
    data = report.data
    info, settings = data.info, data.info.settings
    kind, kind_words = session_kind(settings)
    stages = regimes(data)
    status = info.status + (f" ({info.problem})" if info.problem else "")
    if info.status == "running":
        status += ": still recording when this report was made; it covers what was written until then"
    elif info.status == "interrupted":
        status += ": the recording ended without being closed (killed or crashed); it covers what reached the disk"
    goals = " then ".join(in_turn(r.goal for r in stages))
    controls = " then ".join(in_turn(r.mode for r in stages))
    policy = f"; policy {settings['policy']}" if settings.get("policy") else ""
    changed = " (changed during the session: see Goal, bounds and control)" if len(stages) > 1 else ""
    facts = [
        ("What it was", f"{kind}. {kind_words}"),
        ("Length", f"{clock(info.duration_s)} (min:s)"),
        ("Status", status),
        ("Audio", audio_words(settings)),
        ("Goal of the music", goals + changed),
        ("Control", controls + policy),
        ("Consent", info.consent.describe()),
    ]
    if data.include_client:
        started = info.started_utc[:19].replace("T", " ")
        facts = [("Client", info.client_code or "-"), ("Started (UTC)", started), *facts]
        if data.client_notes:
            facts.append(("Client notes", data.client_notes))
    else:
        facts.append(("Client", "withheld: this report is de-identified"))
    return [Heading(f"Session {info.id}: report"), TableBlock(("", ""), facts)]


def in_turn(values: Iterable[str]) -> list[str]:
    """The values in order, each repeat in a row said once: calm, calm, energise, calm -> calm, energise, calm."""
    found: list[str] = []
    for value in values:
        if not found or found[-1] != value:
            found.append(value)
    return found


def _goal_points(data: SessionData) -> list[tuple[float, float]]:
    """The goal points in force during the session (from goals written as "calm (+0.30, -0.60)")."""
    points = []
    for regime in regimes(data):
        _, _, inside = regime.goal.partition("(")
        try:
            v, a = (float(x) for x in inside.rstrip(")").split(","))
        except ValueError:
            continue
        points.append((v, a))
    return list(dict.fromkeys(points))


def _estimate(data: SessionData) -> list[Block]:
    fused = data.tables[FUSED.name].columns
    t = fused["t"]
    span = min(60.0, max(1.0, data.info.duration_s / 10))
    rows = []
    for name in ("valence", "arousal", "confidence"):
        start, end = _window_mean(t, fused[name], True, span), _window_mean(t, fused[name], False, span)
        rows.append((name, f"{start:+.2f}", f"{end:+.2f}", f"{end - start:+.2f}"))
    before = [r for r in data.self_reports if r.phase == "before"]
    after = [r for r in data.self_reports if r.phase == "after"]
    if before or after:
        for axis in ("valence", "arousal"):
            first = getattr(before[-1], axis) if before else None
            last = getattr(after[-1], axis) if after else None
            change = f"{last - first:+d}" if first is not None and last is not None else "-"
            rows.append((f"self-report {axis} (1-9)", str(first or "-"), str(last or "-"), change))
    header = ("", f"first {span:.0f} s" + (" / before" if before or after else ""), f"last {span:.0f} s", "change")
    plane = Figure(plots.va_plane(data, _goal_points(data)), "The path through the valence-arousal plane.", 0.42)
    return [
        Heading("How the estimate moved"),
        Para(reading_guide(data)),
        Row(plane, TableBlock(header, rows)),
        Figure(plots.affect_trajectory(data), "Estimated valence and arousal over the session."),
    ]


def _body(data: SessionData) -> list[Block]:
    figure = plots.body_signals(data)
    if figure is None:
        return [Heading("Body signals"), Para("The body channel recorded no EEG band powers, heart rate or EDA.")]
    return [
        Heading("Body signals beside the affect"),
        Para(
            "The EEG's share of theta, alpha and beta power (smoothed), the heart rate and the skin conductance (EDA), "
            "on the same time axis as the estimate above them; rows the body channel did not record are left out."
        ),
        Figure(figure, "Affect, EEG band shares, heart rate and skin conductance over the session."),
    ]


def _channels(report: ReportData) -> list[Block]:
    length = report.data.info.duration_s
    quality = channel_quality(report.states, length)
    if not quality:
        return [
            Heading("Each channel's quality"),
            Para("Not recorded for this session (it was recorded before the studio kept each channel's health)."),
        ]
    rows = []
    for channel, q in quality.items():
        reasons = [(state, detail, seconds) for state, detail, seconds in q.worst_reasons() if seconds >= 1.0]
        why = "; ".join(f"{detail} ({state}, {clock(seconds)})" for state, detail, seconds in reasons)
        shares = [f"{100 * q.share(s):.0f}% ({clock(q.seconds[s])})" for s in STATES]
        rows.append((channel, *shares, why or "-"))
    return [
        Heading("Each channel's quality"),
        Para(
            "How long each channel was ok, degraded (it counts less in the estimate) or down (it does not count), "
            "and the channel's own words on why, for the reasons that took the most time."
        ),
        TableBlock(("channel", "ok", "degraded", "down", "why not ok"), rows),
        Figure(plots.channel_states(quality, report.data), "Each channel's state over the session."),
    ]


def _music(data: SessionData) -> list[Block]:
    length = data.info.duration_s
    played = mode_times(data)
    modes = shares_text(played, sum(played.values()))
    spans = layer_spans(data)
    layers = shares_text({n: sum(e - s for s, e in spans.get(n, [])) for n in LAYERS}, length)
    presets = presets_played(data)
    log = data.tables["control_log"].columns
    who = list(log["who"])
    lines = [f"Modes played: {modes or 'not recorded'}."]
    lines.append(f"Layers played: {layers}." if spans else "Layers played: not recorded for this session.")
    if presets:
        lines.append("Presets played: " + ", ".join(f"{name} at {clock(t)}" for t, name in presets) + ".")
    else:
        lines.append("No preset was played.")
    lines.append(
        f"The music changed {len(who)} times: {who.count('policy')} by the studio's policy inside the operator's "
        f"bounds, {who.count('operator')} by the operator."
    )
    return [
        Heading("What the music played"),
        Para(" ".join(lines)),
        Figure(plots.music_parameters(data), "The mode and layers playing, and the music's parameters."),
    ]


def _settings_over_time(data: SessionData) -> list[Block]:
    rows = [(f"{clock(r.start)}-{clock(r.end)}", r.goal, r.mode, r.bounds_words()) for r in regimes(data)]
    operator = [
        (clock(float(t)), str(p), f"{o} -> {n}")
        for t, p, o, n, w in zip(
            *(data.tables["control_log"].columns[k] for k in ("t", "param", "old", "new", "who")), strict=True
        )
        if w == "operator"
    ]
    blocks: list[Block] = [
        Heading("Goal, bounds and control in force"),
        Para("What the operator set, as it was in force over the session (one row per stretch between changes)."),
        TableBlock(("session time", "goal", "control", "bounds"), rows),
    ]
    if operator:
        blocks += [
            Heading("Every change the operator made"),
            TableBlock(("session time", "setting", "change"), operator),
        ]
    return blocks


def _response(report: ReportData) -> list[Block]:
    outcome = report.outcome
    heading = Heading("What the session taught about this client")
    if outcome is None:
        return [
            heading,
            Para(
                "Not kept: the session did not end cleanly (or was recorded before the studio kept it), so its time to "
                "goal and the client's response to the music were not stored."
            ),
        ]
    response = outcome.get("response") or {}
    blocks: list[Block] = [heading, Para(following_words(outcome))]
    rows = lever_rows(response)
    earlier = int(response.get("earlier_sessions") or 0)
    seen = f"{response.get('observations', 0)} observations" + (f" and {earlier} earlier sessions" if earlier else "")
    if rows:
        blocks.append(Para(f"The music levers known to move this client ({seen}):"))
        blocks.append(TableBlock(("lever", "what more of it does", "uncertainty"), rows))
        blocks.append(
            Figure(
                plots.lever_effects(response),
                "What each lever did to the client: bars in blue move valence, orange arousal; whiskers span two "
                "standard deviations.",
                0.7,
            )
        )
    else:
        blocks.append(Para(f"No music lever was yet known to move this client ({seen})."))
    if response.get("lag_s") and int(response.get("observations") or 0) >= MIN_OBSERVATIONS:
        blocks.append(Para(f"The client's response followed the music after about {float(response['lag_s']):.0f} s."))
    return blocks


def _records(data: SessionData) -> list[Block]:
    blocks: list[Block] = [Heading("Self-reports")]
    if data.self_reports:
        blocks.append(
            TableBlock(
                ("when", "session time", "valence (1-9)", "arousal (1-9)"),
                [(r.phase, clock(r.t), str(r.valence), str(r.arousal)) for r in data.self_reports],
            )
        )
    else:
        blocks.append(Para("No self-reports were given."))
    m = data.tables["markers"].columns
    blocks.append(Heading("Markers"))
    if len(m["t"]):
        marks = [(clock(float(t)), str(x), str(src)) for t, x, src in zip(m["t"], m["label"], m["source"], strict=True)]
        blocks.append(TableBlock(("session time", "marker", "set by"), marks))
    else:
        blocks.append(Para("No markers were set."))
    blocks.append(Heading("Session notes"))
    if data.notes:
        notes = data.notes
        sections = [(f"{name} ({notes.template_of(name)})", text or "-") for name, text in notes.sections.items()]
        blocks.append(TableBlock(("section", "note"), sections))
        if notes.version > 1:
            blocks.append(Para(f"Version {notes.version} of the note; the session database keeps the earlier ones."))
    else:
        blocks.append(Para("No notes were written."))
    return blocks


def build(report: ReportData) -> list[Block]:
    """The report's content, de-identified unless the data includes the client's details."""
    data = report.data
    return [
        *_what_it_was(report),
        *_estimate(data),
        *_body(data),
        *_channels(report),
        *_music(data),
        *_settings_over_time(data),
        *_response(report),
        *_records(data),
    ]


def _html_table(block: TableBlock) -> str:
    e = html.escape
    head = "".join(f"<th>{e(h)}</th>" for h in block.header) if any(block.header) else ""
    body = "".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in block.rows)
    return f"<table>{f'<tr>{head}</tr>' if head else ''}{body}</table>"


def _html_figure(block: Figure, width: float) -> str:
    e = html.escape
    src = base64.b64encode(block.png).decode()
    return (
        f"<figure style='width:{width * 100:.0f}%'><img src='data:image/png;base64,{src}' style='width:100%'"
        f" alt='{e(block.caption)}'><figcaption>{e(block.caption)}</figcaption></figure>"
    )


def render_html(blocks: list[Block], title: str = "Session report") -> str:
    e = html.escape
    parts = [
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{e(title)}</title><style>",
        "body{font-family:system-ui,sans-serif;color:#1f2933;max-width:900px;margin:2em auto;line-height:1.45}",
        "h1{font-size:1.6em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #e4e7eb}",
        "table{border-collapse:collapse;margin:.6em 0}td,th{padding:.25em .8em;border-bottom:1px solid #e4e7eb;"
        "text-align:left;vertical-align:top}th{color:#52606d}figure{margin:1em 0}figcaption{color:#7b8794}",
        ".row{display:flex;gap:1.5em;align-items:center}",
        "</style></head><body>",
    ]
    for i, block in enumerate(blocks):
        if isinstance(block, Heading):
            parts.append(f"<h{1 if i == 0 else 2}>{e(block.text)}</h{1 if i == 0 else 2}>")
        elif isinstance(block, Para):
            parts.append(f"<p>{e(block.text)}</p>")
        elif isinstance(block, TableBlock):
            parts.append(_html_table(block))
        elif isinstance(block, Row):
            parts.append(
                f"<div class='row'>{_html_figure(block.figure, block.figure.width)}{_html_table(block.table)}</div>"
            )
        else:
            parts.append(_html_figure(block, block.width))
    parts.append("<p style='color:#7b8794'>Made by Affect Studio.</p></body></html>")
    return "".join(parts)


def column_shares(block: TableBlock, least: float = 0.12) -> list[float]:
    """Each column's share of a table's width, from the length of its longest line (at least ``least``, and the
    longest text gets the room it needs)."""
    columns = list(zip(block.header, *block.rows, strict=True))
    need = [
        max(max((len(word) for word in column[0].split()), default=0), *(min(len(text), 60) for text in column[1:])) + 3
        for column in columns
    ]  # a header wraps at its words; a cell's text needs its length, up to a line's worth
    shares = [max(least, n / sum(need)) for n in need]
    return [share / sum(shares) for share in shares]


def column_widths(block: TableBlock, room: float, word_width: Callable[[str, bool], float]) -> list[float]:
    """Column widths (points) filling ``room``: shared as ``column_shares`` says, but never narrower than a column's
    longest word (``word_width(word, bold)``, bold for the header) plus the cell padding, so that no word is
    broken ("befor-e"); columns wider than their longest word give up the room that takes."""
    floors = []
    for column in zip(block.header, *block.rows, strict=True):
        header = max((word_width(w, True) for w in column[0].split()), default=0.0)
        cells = max((word_width(w, False) for text in column[1:] for w in text.split()), default=0.0)
        floors.append(min(max(header, cells) + 2 * CELL_PADDING, room / 2))
    widths = [max(floor, room * share) for floor, share in zip(floors, column_shares(block), strict=True)]
    excess = sum(widths) - room
    spare = sum(w - f for w, f in zip(widths, floors, strict=True))
    if excess > 0 and spare > 0:
        widths = [w - (w - f) * min(1.0, excess / spare) for w, f in zip(widths, floors, strict=True)]
    return widths


def undated_canvas(*args: Any, **kwargs: Any) -> Any:
    """A reportlab canvas whose PDF information names no date (no CreationDate, no ModDate): for de-identified
    reports, made with reportlab's ``invariant`` mode so that the file's ID comes from no clock either."""
    from reportlab.pdfbase.pdfdoc import PDFDictionary, PDFInfo, PDFString
    from reportlab.pdfgen.canvas import Canvas

    class UndatedInfo(PDFInfo):  # type: ignore[misc]  # reportlab has no type hints
        def format(self, document: Any) -> Any:
            fields = {"Title": self.title, "Creator": self.creator, "Producer": self.producer}
            return PDFDictionary({k: PDFString(v) for k, v in fields.items()}).format(document)

    canvas = Canvas(*args, **kwargs)
    canvas._doc.info = UndatedInfo()  # the document's information dictionary, written when the PDF is saved
    return canvas


def render_pdf(blocks: list[Block], path: Path, dated: bool, title: str = "Session report") -> None:
    """The report as a PDF; ``dated`` False leaves every date out of it, its metadata included. A heading stays
    on the page of the first thing under it; figures shrink to the room left on a page rather than leave a page
    half empty (down to half their size)."""
    import io

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import (
        Image,
        KeepInFrame,
        KeepTogether,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    styles = getSampleStyleSheet()
    doc = SimpleDocTemplate(
        str(path), pagesize=A4, leftMargin=2 * cm, rightMargin=2 * cm, topMargin=1.6 * cm, bottomMargin=1.6 * cm,
        title=title, author="", creator="Affect Studio", invariant=0 if dated else 1,
    )  # fmt: skip
    width = A4[0] - 4 * cm
    cell = styles["BodyText"]
    caption = styles["Italic"]
    caption.fontSize, caption.leading = 8, 10

    def table_of(block: TableBlock, room: float) -> Any:
        rows = [[Paragraph(f"<b>{html.escape(h)}</b>", cell) for h in block.header]] if any(block.header) else []
        rows += [[Paragraph(html.escape(c), cell) for c in row] for row in block.rows]
        widths = column_widths(
            block, room, lambda word, bold: stringWidth(word, cell.fontName + ("-Bold" if bold else ""), cell.fontSize)
        )
        table = Table(rows, colWidths=widths, hAlign="LEFT", repeatRows=1 if any(block.header) else 0)
        line = colors.HexColor("#e4e7eb")
        table.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.4, line), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        return table

    class ShrinkToRoom(KeepInFrame):  # type: ignore[misc]  # reportlab has no type hints
        """Shrinks its content into the room left on the page, but not below MIN_SHRINK: then it goes on the next."""

        def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
            if available_height < MIN_SHRINK * self.maxHeight:
                available_height = self.maxHeight
            size: tuple[float, float] = super().wrap(available_width, available_height)
            return size

    def figure_of(block: Figure, room: float) -> Any:
        w, h = ImageReader(io.BytesIO(block.png)).getSize()
        image = Image(io.BytesIO(block.png), width=room, height=room * h / w)
        return ShrinkToRoom(
            room, room * h / w + 14, [image, Paragraph(html.escape(block.caption), caption)], mode="shrink"
        )

    story: list[object] = []
    heading = None
    for i, block in enumerate(blocks):
        if isinstance(block, Heading):
            heading = Paragraph(html.escape(block.text), styles["Title" if i == 0 else "Heading2"])
            continue
        if isinstance(block, Para):
            first: object = Paragraph(html.escape(block.text), cell)
            rest: list[object] = [Spacer(1, 4)]
        elif isinstance(block, TableBlock):
            first, rest = table_of(block, width), [Spacer(1, 6)]
        elif isinstance(block, Row):
            shown = width * block.figure.width
            side = Table(
                [[figure_of(block.figure, shown), table_of(block.table, width - shown - 12)]],
                colWidths=[shown + 12, width - shown - 12],
                hAlign="LEFT",
            )
            side.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
            first, rest = side, [Spacer(1, 6)]
        else:
            first, rest = figure_of(block, width * block.width), [Spacer(1, 6)]
        story += [KeepTogether([heading, first]), *rest] if heading is not None else [first, *rest]
        heading = None
    doc.build(story, canvasmaker=Canvas if dated else undated_canvas)


def write_both(blocks: list[Block], stem: Path, dated: bool, title: str, progress: Progress) -> list[Path]:
    """``stem``.html and ``stem``.pdf from the same blocks (so that both say the same)."""
    stem.parent.mkdir(parents=True, exist_ok=True)
    progress(f"writing {stem.name}.html")
    html_path = stem.with_suffix(".html")
    html_path.write_text(render_html(blocks, title), encoding="utf-8")
    progress(f"writing {stem.name}.pdf")
    pdf_path = stem.with_suffix(".pdf")
    render_pdf(blocks, pdf_path, dated, title)
    return [html_path, pdf_path]


def export_report(report: ReportData, out: Path, progress: Progress) -> list[Path]:
    """Write ``out/session-N-report.html`` and ``.pdf``."""
    progress("drawing the plots")
    blocks = build(report)
    stem = out / f"session-{report.data.info.id}-report"
    return write_both(blocks, stem, report.data.include_client, "Session report", progress)
