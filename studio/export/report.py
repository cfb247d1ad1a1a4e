"""The session report for a reader who never opened the studio: one HTML page and the same as a PDF.

The content is built once as a list of blocks (headings, paragraphs, tables, figures) and rendered twice.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from studio.export import plots
from studio.export.data import Progress, SessionData
from studio.loop import FUSED

READING_GUIDE = (
    "Valence runs from -1 (unpleasant) to +1 (pleasant); arousal from -1 (calm, sleepy) to +1 (activated, "
    "tense). Both are the studio's estimate from the client's face, voice, typed words and body signals, "
    "combined and smoothed over a few seconds; the grey band shows how confident that estimate is (0 to 1). "
    "They are machine estimates to support the therapist's judgement, not a diagnosis. Self-reports are the "
    "client's own Self-Assessment Manikin ratings (1 to 9), drawn as dots (valence) and squares (arousal) "
    "on the same scale. Dashed lines are markers set during the session."
)


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


Block = Heading | Para | TableBlock | Figure


def clock(t: float) -> str:
    minutes, seconds = divmod(max(0.0, t), 60)
    return f"{int(minutes)}:{seconds:04.1f}"


def _window_mean(t: np.ndarray, x: np.ndarray, first: bool, seconds: float) -> float:
    if not len(t):
        return float("nan")
    mask = t <= t[0] + seconds if first else t >= t[-1] - seconds
    return float(np.mean(x[mask]))


def build(data: SessionData) -> list[Block]:
    """The report's content, de-identified unless the data includes the client's details."""
    info, about = data.info, data.describe()
    settings = about["settings"]
    blocks: list[Block] = [Heading(f"Session {info.id}: report")]
    facts = [
        ("Duration", clock(info.duration_s) + " (min:s)"),
        ("Status", info.status + (f" ({info.problem})" if info.problem else "")),
        ("Goal of the music", str(settings.get("goal", "-"))),
        ("Control", str(settings.get("mode", "-"))),
    ]
    bounds = settings.get("bounds") or {}
    if bounds:
        facts.append(
            ("Operator bounds", f"tempo {bounds['tempo_min']:g}-{bounds['tempo_max']:g} BPM, "
             f"volume at most {bounds['volume_ceiling']:g} dBFS")
        )  # fmt: skip
    facts.append(("Consent", info.consent.describe()))
    if data.include_client:
        started = info.started_utc[:19].replace("T", " ")
        facts = [("Client", info.client_code or "-"), ("Started (UTC)", started), *facts]
        if data.client_notes:
            facts.append(("Client notes", data.client_notes))
    else:
        facts.append(("Client", "withheld: this report is de-identified"))
    blocks.append(TableBlock(("", ""), facts))
    blocks.append(Para(READING_GUIDE))

    fused = data.tables[FUSED.name].columns
    t = fused["t"]
    span = min(60.0, max(1.0, info.duration_s / 10))
    rows = []
    for name in ("valence", "arousal", "confidence"):
        start, end = _window_mean(t, fused[name], True, span), _window_mean(t, fused[name], False, span)
        rows.append((name, f"{start:+.2f}", f"{end:+.2f}", f"{end - start:+.2f}"))
    blocks.append(Heading("How the estimate moved"))
    blocks.append(TableBlock(("", f"first {span:.0f} s", f"last {span:.0f} s", "change"), rows))
    blocks.append(Figure(plots.affect_trajectory(data), "Estimated valence and arousal over the session."))
    blocks.append(Figure(plots.va_plane(data), "The path through the valence-arousal plane.", width=0.5))

    blocks.append(Heading("Self-reports"))
    if data.self_reports:
        blocks.append(
            TableBlock(
                ("when", "session time", "valence (1-9)", "arousal (1-9)"),
                [(r.phase, clock(r.t), str(r.valence), str(r.arousal)) for r in data.self_reports],
            )
        )
    else:
        blocks.append(Para("No self-reports were given."))

    blocks.append(Heading("Markers"))
    m = data.tables["markers"].columns
    if len(m["t"]):
        marker_rows = [
            (clock(float(t)), str(label), str(src))
            for t, label, src in zip(m["t"], m["label"], m["source"], strict=True)
        ]
        blocks.append(TableBlock(("session time", "marker", "set by"), marker_rows))
    else:
        blocks.append(Para("No markers were set."))

    blocks.append(Heading("The music"))
    blocks.append(Figure(plots.music_parameters(data), "Music parameters over the session."))
    log = data.tables["control_log"].columns
    who = list(log["who"])
    blocks.append(
        Para(
            f"The music changed {len(who)} times: {who.count('policy')} by the studio's policy inside the "
            f"operator's bounds, {who.count('operator')} by the operator."
        )
    )
    operator = [
        (clock(float(t)), str(p), f"{o} -> {n}", str(r))
        for t, p, o, n, w, r in zip(
            log["t"], log["param"], log["old"], log["new"], log["who"], log["reason"], strict=True
        )
        if w == "operator"
    ]
    if operator:
        blocks.append(TableBlock(("session time", "setting", "change", "why"), operator))

    blocks.append(Heading("Session notes"))
    if data.notes:
        notes = data.notes
        for section, text in notes.sections.items():
            blocks.append(TableBlock((f"{section} ({notes.template_of(section)})",), [(text or "-",)]))
        if notes.version > 1:
            blocks.append(Para(f"Version {notes.version} of the note; the session database keeps the earlier ones."))
    else:
        blocks.append(Para("No notes were written."))
    return blocks


def render_html(blocks: list[Block]) -> str:
    e = html.escape
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Session report</title><style>",
        "body{font-family:system-ui,sans-serif;color:#1f2933;max-width:900px;margin:2em auto;line-height:1.45}",
        "h1{font-size:1.6em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #e4e7eb}",
        "table{border-collapse:collapse;margin:.6em 0}td,th{padding:.25em .8em;border-bottom:1px solid #e4e7eb;"
        "text-align:left;vertical-align:top}th{color:#52606d}figure{margin:1em 0}figcaption{color:#7b8794}",
        "</style></head><body>",
    ]
    for i, block in enumerate(blocks):
        if isinstance(block, Heading):
            parts.append(f"<h{1 if i == 0 else 2}>{e(block.text)}</h{1 if i == 0 else 2}>")
        elif isinstance(block, Para):
            parts.append(f"<p>{e(block.text)}</p>")
        elif isinstance(block, TableBlock):
            head = "".join(f"<th>{e(h)}</th>" for h in block.header) if any(block.header) else ""
            body = "".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in block.rows)
            parts.append(f"<table>{f'<tr>{head}</tr>' if head else ''}{body}</table>")
        else:
            src = base64.b64encode(block.png).decode()
            parts.append(
                f"<figure><img src='data:image/png;base64,{src}' style='width:{block.width * 100:.0f}%'"
                f" alt='{e(block.caption)}'><figcaption>{e(block.caption)}</figcaption></figure>"
            )
    parts.append("<p style='color:#7b8794'>Made by Affect Studio.</p></body></html>")
    return "".join(parts)


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


def render_pdf(blocks: list[Block], path: Path, dated: bool) -> None:
    """The report as a PDF; ``dated`` False leaves every date out of it, its metadata included."""
    import io

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import Image, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    doc = SimpleDocTemplate(
        str(path), pagesize=A4, leftMargin=2 * cm, rightMargin=2 * cm, title="Session report", author="",
        creator="Affect Studio", invariant=0 if dated else 1,
    )  # fmt: skip
    width = A4[0] - 4 * cm
    cell = styles["BodyText"]
    story: list[object] = []
    heading = None
    for i, block in enumerate(blocks):
        if isinstance(block, Heading):
            heading = Paragraph(html.escape(block.text), styles["Title" if i == 0 else "Heading2"])
            continue
        if isinstance(block, Para):
            parts: list[object] = [Paragraph(html.escape(block.text), cell), Spacer(1, 6)]
        elif isinstance(block, TableBlock):
            rows = [[Paragraph(f"<b>{html.escape(h)}</b>", cell) for h in block.header]] if any(block.header) else []
            rows += [[Paragraph(html.escape(c), cell) for c in row] for row in block.rows]
            n = len(block.header)
            widths = [width] if n == 1 else [width * 0.3] + [width * 0.7 / (n - 1)] * (n - 1)
            table = Table(rows, colWidths=widths, hAlign="LEFT")
            table.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.HexColor("#e4e7eb"))]))
            parts = [table, Spacer(1, 8)]
        else:
            w, h = ImageReader(io.BytesIO(block.png)).getSize()
            shown = width * block.width
            image = Image(io.BytesIO(block.png), width=shown, height=shown * h / w)
            parts = [image, Paragraph(html.escape(block.caption), styles["Italic"])]
        story += [KeepTogether([heading, *parts])] if heading is not None else parts  # headings stay with content
        heading = None
    doc.build(story, canvasmaker=Canvas if dated else undated_canvas)


def export_report(data: SessionData, out: Path, progress: Progress) -> list[Path]:
    """Write ``out/session-N-report.html`` and ``.pdf``."""
    out.mkdir(parents=True, exist_ok=True)
    progress("drawing the plots")
    blocks = build(data)
    stem = out / f"session-{data.info.id}-report"
    progress(f"writing {stem.name}.html")
    html_path = stem.with_suffix(".html")
    html_path.write_text(render_html(blocks), encoding="utf-8")
    progress(f"writing {stem.name}.pdf")
    pdf_path = stem.with_suffix(".pdf")
    render_pdf(blocks, pdf_path, dated=data.include_client)
    return [html_path, pdf_path]
