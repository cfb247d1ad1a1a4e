"""Reports that tell the truth: what a session was (demo, replayed recordings, live; silent audio), each channel's
health over time, the music played, the settings in force over time and the client's response model; pages that
are filled and say in the PDF what the HTML says. A client's progress over visits, oldest first, de-identified
unless asked; an unknown client in one line. A waiting suggestion in plain words."""

import io
import json
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

from studio.export.data import load_session
from studio.export.report import Heading, Para, Row, TableBlock, build, export_report, load_report
from studio.export.report_facts import audio_words, regimes, session_kind
from studio.levers import new_model
from studio.loop import Suggestion
from studio.music.params import MusicParams
from studio.session_channels import channel_quality
from studio.store import Store
from studio.suggestion_words import suggestion_words, what_changes
from tests.test_cli import assert_one_line_error, run_cli


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def page_fill(path: Path, tmp_path: Path) -> list[float]:
    """For each page of a PDF, how far down (0..1 of the page) its lowest ink reaches."""
    subprocess.run(["pdftoppm", "-r", "30", "-gray", str(path), str(tmp_path / "page")], check=True)
    fills = []
    for image in sorted(tmp_path.glob("page-*.pgm")):
        raw = image.read_bytes()
        header = raw.split(b"\n", 3)
        width, height = (int(x) for x in header[1].split())
        pixels = np.frombuffer(header[3][-width * height :], dtype=np.uint8).reshape(height, width)
        inked = np.flatnonzero((pixels < 200).any(axis=1))
        fills.append(float(inked[-1] + 1) / height if len(inked) else 0.0)
    return fills


def test_a_suggestion_reads_in_plain_words_with_what_the_studio_expects():
    iso = Suggestion(
        1, 40.0, (("tempo", 76.0, 72.0), ("volume", -16.0, -17.5)),
        "tempo down: ...; estimate v+0.10 a+0.40 (confidence 0.50); goal iso; rule iso match: meet the person at "
        "(+0.10, +0.40)",
    )  # fmt: skip
    words = suggestion_words(iso, new_model(), MusicParams())
    assert words.sentence() == (
        "A little slower and softer, to meet the client where they are (iso). Expected: arousal down."
    )
    assert not re.search(r"\d", words.sentence())  # the numbers stay in the control log
    assert what_changes((("layers", frozenset({"pad"}), frozenset({"pad", "melody"})),)) == "Bring in the melody"
    assert (
        what_changes((("mode", "major", "dorian"), ("tension", 0.2, 0.6)))
        == "Much more tense; switch to the dorian mode"
    )
    safe = Suggestion(
        2, 50.0, (("tempo", 80.0, 70.0),), "holding a calm, safe setting: no music lever has moved this person"
    )
    assert "to hold a calm, safe setting" in suggestion_words(safe, new_model(), MusicParams()).sentence()


def test_what_a_session_was_is_stated():
    assert session_kind({"demo": True})[0] == "demo"
    assert session_kind({"demo": False, "channels": {"face": "file", "voice": "microphone"}}) == (
        "replayed recordings",
        "A session run on recordings played back (face), not on a person present.",
    )
    assert session_kind({"demo": False, "channels": {"face": "camera"}})[0] == "live"
    assert audio_words({"audio": "silent: no audio device", "audio_kind": "silent"}).endswith(
        "No audio was heard: the music was computed but not played."
    )
    assert audio_words({"audio": "silent: chosen by the operator"}).endswith("not played.")  # sessions recorded before
    assert "No audio" not in audio_words({"audio": "audio device: USB", "audio_kind": "device"})


def test_channel_quality_adds_up_the_time_in_each_state_and_why():
    rows = [
        (0.0, "face", "ok", "tracking"),
        (10.0, "face", "degraded", "no face in view for 1.2 s"),
        (14.0, "face", "degraded", "no face in view for 4.8 s"),  # the same reason with another number
        (20.0, "face", "down", "camera unplugged"),
        (25.0, "face", "ok", "tracking"),
        (0.0, "body", "ok", "streaming"),
    ]
    quality = channel_quality(rows, 40.0)
    face = quality["face"]
    assert face.seconds == {"ok": 25.0, "degraded": 10.0, "down": 5.0}
    assert face.worst_reasons() == [("degraded", "no face in view for 1.2 s", 10.0), ("down", "camera unplugged", 5.0)]
    assert face.spans[1:3] == [(10.0, 14.0, "degraded"), (14.0, 20.0, "degraded")]
    assert quality["body"].share("ok") == 1.0


def test_the_session_report_tells_what_the_session_was_and_fills_its_pages(recorded_session, tmp_path):
    store_path, sid = recorded_session
    store = Store.open(store_path, create=False)
    report = load_report(store, sid, False, lambda _step: None)
    store.close()
    blocks = build(report)
    tables = [b.table if isinstance(b, Row) else b for b in blocks if isinstance(b, TableBlock | Row)]
    words = [b.text for b in blocks if isinstance(b, Heading | Para)]
    text = " ".join(words + [" ".join(" ".join(row) for row in table.rows) for table in tables])
    for fragment in (
        "demo. A demo session: the client was the studio's virtual listener",
        "No audio was heard",
        "Body signals beside the affect",
        "Each channel's quality",
        "Modes played: major",
        "Layers played: pad",
        "No preset was played.",
        "Goal, bounds and control in force",
        "What the session taught about this client",
        "self-report valence (1-9)",
        "Arrived tense after a long week.",
    ):
        assert fragment in text, fragment
    assert "P01" not in text and "likes cello" not in text  # de-identified
    assert report.outcome is not None and report.states

    files = export_report(report, tmp_path, lambda _step: None)
    html, pdf = (f.read_text(encoding="utf-8") if f.suffix == ".html" else pdf_text(f) for f in files)
    flat = " ".join(pdf.split())
    for block in blocks:  # the PDF says what the HTML says: every heading and paragraph
        if isinstance(block, Heading | Para):
            assert block.text.replace("'", "&#x27;") in html
            assert " ".join(block.text.split())[:60] in flat, block.text
    fills = page_fill(files[1], tmp_path)
    assert len(fills) >= 3 and all(fill > 0.8 for fill in fills[:-1]), fills  # no half-empty page before the last


def test_settings_in_force_over_time_follow_the_operator_s_changes(recorded_session):
    store_path, sid = recorded_session
    store = Store.open(store_path, create=False)
    data = load_session(store, sid, False, lambda _step: None)
    store.close()
    log = data.tables["control_log"].columns
    extra = [(2.0, "goal", "calm (+0.30, -0.60)", "energise (+0.30, +0.60)"), (3.0, "control mode", "auto", "suggest"),
             (3.0, "bound tempo_max", "96.00", "80.00")]  # fmt: skip
    for t, param, old, new in extra:
        for name, value in (
            ("t", t),
            ("param", param),
            ("old", old),
            ("new", new),
            ("who", "operator"),
            ("reason", ""),
        ):
            log[name] = np.append(log[name], value)
    stages = regimes(data)
    assert [(r.start, r.end, r.goal.split(" ")[0], r.mode) for r in stages] == [
        (0.0, 2.0, "calm", "auto"),
        (2.0, 3.0, "energise", "auto"),
        (3.0, data.info.duration_s, "energise", "suggest"),
    ]
    assert stages[-1].bounds["tempo_max"] == "80" and "tempo 60-80 BPM" in stages[-1].bounds_words()


@pytest.fixture(scope="module")
def visits(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three visits of client C3 on a simulated clock, each with its self-reports before and after."""
    store = tmp_path_factory.mktemp("visits") / "studio.sqlite"
    assert run_cli("clients", "add", "C3", "--notes", "prefers strings", "--store", str(store)).returncode == 0
    for before, after in (((3, 8), (5, 6)), ((4, 7), (6, 4)), ((5, 6), (7, 3))):
        done = run_cli(
            "run", "--demo", "--headless", "--speed", "0", "--duration", "60", "--client", "C3", "--goal", "calm",
            "--store", str(store), timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        sid = str(json.loads(done.stdout.splitlines()[0])["session_id"])
        for phase, (v, a) in (("before", before), ("after", after)):
            rated = run_cli(
                "sessions",
                "rate",
                sid,
                "--phase",
                phase,
                "--valence",
                str(v),
                "--arousal",
                str(a),
                "--store",
                str(store),
            )
            assert rated.returncode == 0, rated.stderr
    return store


def test_the_progress_report_lists_each_visit_oldest_first_de_identified(visits, tmp_path):
    done = run_cli("clients", "report", "C3", "--out", str(tmp_path), "--store", str(visits), timeout=120)
    assert done.returncode == 0, done.stderr
    html, pdf = (Path(line) for line in done.stdout.split())
    assert (html.name, pdf.name) == ("client-progress.html", "client-progress.pdf")
    text = pdf_text(pdf)
    sam = re.findall(r"^(\d) ?/ ?(\d)$", text, flags=re.MULTILINE)  # SAM cells, valence / arousal, row by row
    assert sam == [("3", "8"), ("5", "6"), ("4", "7"), ("6", "4"), ("5", "6"), ("7", "3")]  # oldest visit first
    changes = re.findall(r"^([+-]\d) ?/ ?([+-]\d)$", text, flags=re.MULTILINE)
    assert changes == [("+2", "-2"), ("+2", "-3"), ("+2", "-3")] and "over 3 visits" in text
    page = re.sub(r"data:image/png;base64,[^']*", "", html.read_text(encoding="utf-8"))  # bytes may spell anything
    for private in ("C3", "prefers strings", "2026", "2025"):
        assert private not in text and private not in page
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "CreationDate" not in info

    named = run_cli("clients", "report", "C3", "--out", str(tmp_path), "--include-client", "--store", str(visits))
    assert named.returncode == 0, named.stderr
    text = pdf_text(tmp_path / "client-C3-progress.pdf")
    assert "Progress of client C3 over 3 visits" in text and "prefers strings" in text


def test_a_report_for_an_unknown_client_or_a_name_like_code_is_one_line(visits, tmp_path):
    assert_one_line_error(
        run_cli("clients", "report", "C9", "--out", str(tmp_path), "--store", str(visits)),
        "no client C9", "clients: C3",
    )  # fmt: skip
    assert not any(tmp_path.iterdir())
    added = run_cli("clients", "add", "Maria", "--store", str(visits))
    assert added.returncode == 0 and added.stderr.strip().splitlines() == [
        "warning: client code 'Maria' looks like a name; use a pseudonym such as P01 (codes are never names)"
    ]


def test_the_levers_that_worked_are_plotted_with_their_uncertainty():
    import matplotlib.image

    from studio.export import plots

    response = {
        "working": [
            {"lever": "tempo", "axis": "arousal", "per_unit": 1.5, "sd": 0.2},
            {"lever": "mode major", "axis": "valence", "per_unit": 0.06, "sd": 0.02},
        ]
    }
    pixels = matplotlib.image.imread(io.BytesIO(plots.lever_effects(response)), format="png")
    rgb = (pixels[..., :3] * 255).astype(int)

    def share(colour: str) -> float:
        target = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
        return float((np.abs(rgb - target).sum(axis=-1) < 30).mean())

    assert share(plots.AROUSAL) > 0.01 and share(plots.VALENCE) > 0.002  # a bar per axis
    assert share(plots.AROUSAL) > share(plots.VALENCE)  # tempo: 0.15 a tenth of its range; the mode: 0.06


def test_no_table_column_is_narrower_than_its_longest_word():
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from studio.export.progress import COLUMNS
    from studio.export.report import CELL_PADDING, column_widths

    def width(word: str, bold: bool) -> float:
        return float(stringWidth(word, "Helvetica-Bold" if bold else "Helvetica", 10))

    row = ("1", "10:00", "calm", "-", "-", "-", "0:47", "tempo raises arousal; tempo lowers valence; density raises it")
    block = TableBlock(COLUMNS, [row, row])
    room = 481.0  # an A4 page's width inside 2 cm margins (points)
    widths = column_widths(block, room, width)
    assert sum(widths) == pytest.approx(room)
    for header, cell, got in zip(COLUMNS, row, widths, strict=True):
        longest = max([width(w, True) for w in header.split()] + [width(w, False) for w in cell.split()])
        assert got >= longest + 2 * CELL_PADDING - 1e-6, header  # "SAM before" was drawn "befor / e"
