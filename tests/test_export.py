"""Exports of a real recorded session, read back with the libraries a lab would use."""

import json
import re
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pyedflib
import pytest

from studio.store import Consent, Store
from tests.test_cli import assert_one_line_error, run_cli
from tests.test_store import finished_session


def export(store, *args):
    done = run_cli("export", *args, "--store", str(store))
    assert done.returncode == 0, done.stderr
    return [line for line in done.stdout.splitlines() if line]


@pytest.fixture(scope="module")
def db(recorded_session):
    return sqlite3.connect(recorded_session[0])


def test_csv_is_one_file_per_stream_with_a_de_identified_manifest(recorded_session, db, tmp_path):
    store, sid = recorded_session
    files = export(store, str(sid), "--format", "csv", "--out", str(tmp_path))
    names = {p.rsplit("/", 1)[1] for p in files}
    expected = {"affect.fused.csv", "affect.face.csv", "music.params.csv", "body.eeg.csv", "markers.csv"}
    assert expected | {"self_reports.csv", "manifest.json", "voice.prosody.csv"} <= names
    manifest_text = (tmp_path / "manifest.json").read_text()
    for private in ("P01", "likes cello", "started_utc", "config", "Arrived tense", "Repeat the calm programme"):
        assert private not in manifest_text
    manifest = json.loads(manifest_text)
    assert manifest["session"]["consent"] == "features, research"
    assert "notes" not in manifest  # the session note is free text about the client: report and --include-client
    by_file = {f["file"]: f for f in manifest["files"]}
    (fused_rows,) = db.execute("SELECT COUNT(*) FROM fused_affect WHERE session_id = ?", (sid,)).fetchone()
    fused = pcsv.read_csv(tmp_path / "affect.fused.csv")
    assert fused.num_rows == by_file["affect.fused.csv"]["rows"] == fused_rows
    assert fused.column_names == ["t", "valence", "arousal", "confidence"]
    assert by_file["music.params.csv"]["units"]["tempo"] == "BPM" and 200 < by_file["body.eeg.csv"]["rate_hz"] < 300
    markers = pcsv.read_csv(tmp_path / "markers.csv").to_pydict()
    assert markers["label"] == ["eyes closed", "music change"]


def test_parquet_with_client_details_when_asked(recorded_session, db, tmp_path):
    store, sid = recorded_session
    export(store, "--latest", "--format", "parquet", "--out", str(tmp_path), "--include-client")
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["session"]["client"] == {"code": "P01", "notes": "likes cello"}
    assert manifest["notes"]["sections"]["Plan"] == "Repeat the calm programme."
    eeg = pq.read_table(tmp_path / "body.eeg.parquet")
    query = "SELECT SUM(n) FROM samples WHERE session_id = ? AND stream = 'body.eeg'"
    (samples,) = db.execute(query, (sid,)).fetchone()
    assert eeg.num_rows == samples and eeg.num_columns == 17  # t and the demo person's 16 EEG channels
    blend = pq.read_table(tmp_path / "face.blendshapes.parquet")
    assert blend.num_rows > 50 and "t" in blend.column_names


def test_edf_holds_the_eeg_with_markers_and_self_reports_as_annotations(recorded_session, db, tmp_path):
    store, sid = recorded_session
    (path,) = export(store, str(sid), "--format", "edf", "--out", str(tmp_path))
    (first_t,) = db.execute("SELECT MIN(t0) FROM samples WHERE session_id = ?", (sid,)).fetchone()
    with pyedflib.EdfReader(path) as edf:
        assert edf.signals_in_file == 18  # the demo person's montage (the synthetic board's 16 channels), PPG, EDA
        assert edf.getSampleFrequency(0) == 250 and edf.getPhysicalDimension(0) == "uV"
        assert edf.getLabel(0) == "Fz" and 4.0 <= edf.getFileDuration() <= 7.0
        assert edf.getStartdatetime().year == 1985 and edf.getPatientCode() in ("", "X")
        onsets, _, texts = edf.readAnnotations()
        signal = edf.readSignal(3)
    assert signal.std() > 0
    found = dict(zip(texts, onsets, strict=True))
    (marker_t,) = db.execute("SELECT t FROM markers WHERE label = 'eyes closed'").fetchone()
    assert found["eyes closed"] == pytest.approx(marker_t - first_t, abs=0.01)
    assert "music change" in found and "SAM after: valence 7, arousal 3" in found
    (bdf,) = export(store, str(sid), "--format", "bdf", "--out", str(tmp_path))
    with pyedflib.EdfReader(bdf) as reader:
        assert reader.signals_in_file == 18 and reader.filetype == pyedflib.FILETYPE_BDFPLUS


def test_the_report_is_readable_html_and_pdf_without_client_details(recorded_session, tmp_path):
    store, sid = recorded_session
    html_path, pdf_path = export(store, str(sid), "--format", "report", "--out", str(tmp_path))
    page = Path(html_path).read_text(encoding="utf-8")
    for text in ("How the estimate moved", "Self-reports", "eyes closed", "music change", "Arrived tense", "SOAP"):
        assert text in page, text
    assert page.count("data:image/png;base64,") == 5  # plane, trajectory, body signals, channel states, music
    page = re.sub(r"data:image/png;base64,[^']*", "", page)  # the images' bytes may spell anything
    assert "P01" not in page and "likes cello" not in page and "de-identified" in page
    pdf = Path(pdf_path).read_bytes()
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") >= 2
    png = subprocess.run(["pdftoppm", "-r", "30", "-png", "-f", "1", "-l", "1", pdf_path, str(tmp_path / "p")])
    assert png.returncode == 0 and list(tmp_path.glob("p*.png"))
    with_client = export(store, str(sid), "--format", "report", "--out", str(tmp_path / "c"), "--include-client")
    assert "<td>P01</td>" in Path(with_client[0]).read_text(encoding="utf-8")


def test_consent_missing_sessions_and_empty_sessions(tmp_path):
    path = tmp_path / "s.sqlite"
    sid = finished_session(path)
    refused = run_cli("export", str(sid), "--format", "csv", "--out", str(tmp_path / "x"), "--store", str(path))
    assert_one_line_error(refused, "does not cover a csv export for research", "report")
    assert not (tmp_path / "x").exists()
    report = export(path, str(sid), "--format", "report", "--out", str(tmp_path / "r"))
    assert "No markers were set." in Path(report[0]).read_text(encoding="utf-8")
    missing = run_cli("export", "7", "--format", "report", "--out", str(tmp_path), "--store", str(path))
    assert_one_line_error(missing, "no session 7")
    assert_one_line_error(run_cli("export", "--latest", "--out", "x"), "--format")


DATE = re.compile(r"(19|20)\d\d-\d\d-\d\d|D:\d{8}")  # ISO dates, and PDF dates (D:YYYYMMDD...)


def pdf_info(path: Path) -> str:
    done = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return done.stdout


def test_de_identified_files_carry_no_dates_names_notes_or_paths(recorded_session, db, tmp_path):
    """Read back by poppler (pdfinfo, pdftotext), json, and the EDF header's bytes and pyedflib."""
    store, sid = recorded_session
    (started,) = db.execute("SELECT started_utc FROM sessions WHERE id = ?", (sid,)).fetchone()
    start = datetime.fromisoformat(started)
    names = ["P01", "likes cello", str(store.parent)]
    private = [*names, start.strftime("%d.%m.%y"), datetime.now(UTC).strftime("%d.%m.%y"), str(start.year)]
    html_path, pdf_path = map(Path, export(store, str(sid), "--format", "report", "--out", str(tmp_path / "report")))
    info = pdf_info(pdf_path)
    assert "Title:" in info and "CreationDate" not in info and "ModDate" not in info, info
    meta = subprocess.run(["pdfinfo", "-meta", str(pdf_path)], capture_output=True, text=True, check=True).stdout
    assert "Metadata Stream: no" in info and not meta.strip()
    assert not DATE.search(pdf_path.read_bytes().decode("latin-1"))
    pdf_text = subprocess.run(["pdftotext", str(pdf_path), "-"], capture_output=True, text=True, check=True).stdout
    page = re.sub(r"data:image/png;base64,[^']*", "", html_path.read_text(encoding="utf-8"))
    for text in (pdf_text, page):
        assert "Arrived tense after a long week." in text  # the note belongs to the report
        assert not DATE.search(text) and not [p for p in private if p in text]

    exported = [Path(p) for p in export(store, str(sid), "--format", "csv", "--out", str(tmp_path / "csv"))]
    for path in exported:
        text = path.read_text(encoding="utf-8")
        assert not DATE.search(text) and not [p for p in names if p in text], path.name  # numbers may hold a year
    manifest = json.loads((tmp_path / "csv" / "manifest.json").read_text())
    assert "notes" not in manifest and manifest["exported_utc"] is None

    (edf_path,) = export(store, str(sid), "--format", "edf", "--out", str(tmp_path / "edf"))
    header = Path(edf_path).read_bytes()[:256].decode("ascii")
    patient, recording, date, time = header[8:88], header[88:168], header[168:176], header[176:184]
    assert patient.split() == ["X", "X", "X", "X"] and (date, time) == ("01.01.85", "00.00.00")
    assert recording.split()[:2] == ["Startdate", "01-JAN-1985"]
    assert not [p for p in private if p in header.replace("01.01.85", "")]
    with pyedflib.EdfReader(edf_path) as edf:
        assert edf.getStartdatetime() == datetime(1985, 1, 1) and edf.getPatientCode() in ("", "X")
        _, _, texts = edf.readAnnotations()
    assert not [p for p in private if any(p in t for t in texts)]

    named = export(store, str(sid), "--format", "report", "--out", str(tmp_path / "named"), "--include-client")
    assert "CreationDate" in pdf_info(Path(named[1]))  # with the client's details, the date is the real one
    (named_edf,) = export(store, str(sid), "--format", "edf", "--out", str(tmp_path / "named"), "--include-client")
    with pyedflib.EdfReader(named_edf) as edf:
        assert edf.getStartdatetime().date() == start.date() and edf.getPatientCode() == "P01"


def test_operator_actions_name_no_client_in_a_de_identified_export(tmp_path):
    """The session steps log the client code an operator typed; a de-identified export withholds it."""
    path = tmp_path / "s.sqlite"
    sid = finished_session(path, Consent(research=True))
    store = Store.open(path)
    store.assign_session(sid, "P09", Consent(research=True))
    store.db.executemany(
        "INSERT INTO operator_actions VALUES (?, ?, ?, ?)",
        [(sid, 1.0, "client", "P09"), (sid, 2.0, "consent", "features, research")],
    )
    store.db.commit()
    store.close()
    files = export(path, str(sid), "--format", "csv", "--out", str(tmp_path / "csv"))
    assert not [f for f in files if "P09" in Path(f).read_text(encoding="utf-8")]
    actions = pcsv.read_csv(tmp_path / "csv" / "operator_actions.csv").to_pydict()
    assert actions["action"] == ["client", "consent"] and actions["detail"][1] == "features, research"
    export(path, str(sid), "--format", "csv", "--out", str(tmp_path / "named"), "--include-client")
    assert pcsv.read_csv(tmp_path / "named" / "operator_actions.csv").to_pydict()["detail"][0] == "P09"
