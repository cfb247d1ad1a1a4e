"""Everything in, everything out: a generated EDF+ with known samples and annotations, played with ``file:``, comes
out of the studio's BDF+ export sample for sample, its annotations become markers, and each loop's seam is marked.
Read back with pyedflib only."""

import sqlite3
from dataclasses import replace
from pathlib import Path

import numpy as np
import pyedflib
import pyxdf

from sensors.recordings import read_recording
from studio.config import load_config
from studio.store import Consent
from tests.stepped import stepped_demo
from tests.test_export import export

FS = 250
SECONDS = 6
NAMES = ("Fp1", "Fp2", "O1", "O2")
ANNOTATIONS = ((1.0, 2.0, "eyes closed"), (4.5, -1.0, "stimulus 3"))


def write_known_edf(path: Path) -> np.ndarray:
    """An EDF+ of four 10-20 channels (µV) with unique samples and ANNOTATIONS; returns samples x channels as the
    file holds them (read back by pyedflib)."""
    i = np.arange(SECONDS * FS)
    signals = [30 * np.sin(2 * np.pi * (4 + 3 * k) * i / FS) + 0.002 * i for k in range(len(NAMES))]
    writer = pyedflib.EdfWriter(str(path), len(NAMES), file_type=pyedflib.FILETYPE_EDFPLUS)
    writer.setSignalHeaders(
        [
            {
                "label": f"EEG {name}",
                "dimension": "uV",
                "sample_frequency": FS,
                "physical_min": -100.0,
                "physical_max": 100.0,
                "digital_min": -32768,
                "digital_max": 32767,
            }
            for name in NAMES
        ]
    )
    writer.writeSamples(signals)
    for onset, duration, text in ANNOTATIONS:
        writer.writeAnnotation(onset, duration, text)
    writer.close()
    with pyedflib.EdfReader(str(path)) as reader:
        return np.column_stack([reader.readSignal(k) for k in range(len(NAMES))])


def test_a_played_edf_comes_out_as_it_went_in_with_its_annotations_as_markers(tmp_path):
    source = tmp_path / "known.edf"
    known = write_known_edf(source)
    config = load_config()
    store = tmp_path / "s.sqlite"
    run = stepped_demo(store, body=replace(config.body, source=f"file:{source}"), consent=Consent(research=True))
    try:
        run.run(14.0)  # two loops and a bit
    finally:
        run.studio.stop()
    db = sqlite3.connect(store)
    markers = db.execute("SELECT t, label, source, duration FROM markers ORDER BY t").fetchall()
    from_file = [(round(t, 3), label, duration) for t, label, source, duration in markers if source == "file"]
    assert from_file[:4] == [(1.0, "eyes closed", 2.0), (4.5, "stimulus 3", None), (7.0, "eyes closed", 2.0),
                             (10.5, "stimulus 3", None)]  # fmt: skip
    seams = [round(t, 3) for t, label, source, _ in markers if source == "body" and "loops" in label]
    assert seams == [6.0, 12.0]
    (bdf,) = export(store, "--latest", "--format", "bdf", "--out", str(tmp_path / "out"))
    with pyedflib.EdfReader(bdf) as reader:
        assert reader.getSignalLabels() == list(NAMES) and reader.getSampleFrequency(0) == FS
        onsets, _, texts = reader.readAnnotations()
        exported = np.column_stack([reader.readSignal(k) for k in range(len(NAMES))])
        steps = [
            (reader.getPhysicalMaximum(k) - reader.getPhysicalMinimum(k))
            / (reader.getDigitalMaximum(k) - reader.getDigitalMinimum(k))
            for k in range(len(NAMES))
        ]
    played = np.tile(known, (3, 1))
    recorded = sum(r for (r,) in db.execute("SELECT n FROM samples WHERE stream = 'body.eeg'"))
    assert recorded >= 13 * FS
    error = np.abs(exported[:recorded] - played[:recorded]).max(axis=0)
    assert np.all(error <= 0.51 * np.asarray(steps)), error  # every sample, over the loop seams too
    found = [(round(onset, 3), text) for onset, text in zip(onsets, texts, strict=True)]
    assert (1.0, "eyes closed") in found and (4.5, "stimulus 3") in found and (7.0, "eyes closed") in found


def test_xdf_marker_streams_become_events(reference_data):
    path = reference_data / "eeg/xdf_example_files/minimal.xdf"
    rec = read_recording(path)
    streams, _ = pyxdf.load_xdf(str(path))
    numeric, text = sorted(streams, key=lambda s: s["info"]["channel_format"][0] == "string")
    first = numeric["time_stamps"][0]
    expected = [(round(t - first, 3), s[0]) for t, s in zip(text["time_stamps"], text["time_series"], strict=True)]
    words = [(round(onset, 3), label) for onset, label, _ in rec.events]
    assert words == sorted(expected) and any(label == "Hello" for _, label in words)
