"""Samples as acquired, read back with independent readers only (pyedflib, MNE, pyarrow): BrainFlow's playback board
playing a file with known samples and dropped packets, BrainFlow's synthetic board, and a pylsl outlet in another
process, recorded by a real studio."""

import json
import sqlite3
import subprocess
import sys
import uuid
from dataclasses import replace
from pathlib import Path

import mne
import numpy as np
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pyedflib
import pytest
from brainflow.board_shim import BoardShim
from brainflow.data_filter import DataFilter

from sensors.sample_clock import ClockFit, PacketCounter
from tests.test_export import export
from tests.waiting import wait_until

FS = 250  # Hz, BrainFlow's synthetic board (the playback file's layout)
SYNTHETIC = -1
LOST = range(1000, 1010)  # file rows left out: ten samples the device "lost"


def test_the_package_counter_finds_lost_samples_across_its_wrap():
    counter = PacketCounter(256)
    first = counter.lost(np.array([250.0, 251, 252, 254, 255]))
    assert first.tolist() == [0, 0, 0, 1, 0]
    assert counter.lost(np.array([0.0, 3, 3, 4])).tolist() == [0, 2, 0, 0]  # wrapped; 1 and 2 lost; 3 repeated
    learnt = PacketCounter()
    learnt.lost(np.arange(0.0, 200))
    assert learnt.lost(np.array([0.0, 1])).tolist() == [0, 0]  # wraps at one more than the largest seen


def test_the_clock_fit_takes_the_jitter_out_and_keeps_lost_samples_in_place():
    rng = np.random.default_rng(3)
    fit = ClockFit(FS)
    period = 1 / 250.02  # the device's crystal is a little fast
    index = np.concatenate([np.arange(0, 1000), np.arange(1010, 5000)])
    stamps = 12.0 + index * period + rng.exponential(0.01, index.size)  # stamped on arrival, in bursts
    stamps[3000] += 2.0  # one very late stamp
    t = np.concatenate([fit.map(index[i : i + 25], stamps[i : i + 25]) for i in range(0, index.size, 25)])
    assert np.all(np.diff(t) > 0)
    assert fit.period == pytest.approx(period, rel=1e-4)
    late = t[-1000:] - (12.0 + index[-1000:] * period)
    assert np.abs(late - np.median(late)).max() < 1e-3  # a straight line: the 10 ms of arrival jitter are gone
    assert np.all(np.abs(np.diff(t) * FS - np.diff(index)) <= 0.02 * np.diff(index))  # a refit never jumps
    assert (t[1000] - t[999]) * FS == pytest.approx(11, abs=0.2)  # the ten lost samples keep their places


def write_playback(path: Path, seconds: float) -> np.ndarray:
    """A BrainFlow CSV in the synthetic board's layout with unique, known samples, some left out (LOST); returns
    the whole table (BrainFlow rows x samples), the lost samples included, the others as the file holds them."""
    n = round(seconds * FS)
    table = np.zeros((BoardShim.get_num_rows(SYNTHETIC), n))
    i = np.arange(n)
    table[BoardShim.get_package_num_channel(SYNTHETIC)] = i % 256
    for k, row in enumerate(BoardShim.get_eeg_channels(SYNTHETIC)):
        table[row] = 40 * np.sin(2 * np.pi * (3 + k) * i / FS) + 0.001 * i  # µV; each sample unique
    table[BoardShim.get_eeg_channels(SYNTHETIC)[0]] = i / 10  # Fz counts the samples: 0.1 µV per sample
    for row in BoardShim.get_ppg_channels(SYNTHETIC) + BoardShim.get_eda_channels(SYNTHETIC):
        table[row] = 500 + 10 * np.cos(2 * np.pi * i / FS)
    for row in BoardShim.get_accel_channels(SYNTHETIC):
        table[row] = 0.01 * (i % 100)
    table[BoardShim.get_temperature_channels(SYNTHETIC)[0]] = 36.5
    table[BoardShim.get_timestamp_channel(SYNTHETIC)] = 1.7e9 + i / FS
    kept = np.ascontiguousarray(np.delete(table, list(LOST), axis=1))
    DataFilter.write_file(kept, str(path), "w")
    table[:, np.setdiff1d(i, LOST)] = DataFilter.read_file(str(path))  # as the file holds them (6 decimals)
    return table


def record(tmp_path: Path, source: str, seconds: float, demo: bool = True) -> Path:
    """A studio session with ``source`` as its body (the demo person on the other channels, unless not ``demo``:
    then the live channels, whatever this machine has), until ``seconds`` of EEG are recorded; returns the
    database."""
    from studio.app import Studio
    from studio.config import load_config
    from studio.session import SessionOptions
    from studio.store import Consent

    config = load_config()
    config = replace(config, audio_backend="silent", body=replace(config.body, source=source))
    store = tmp_path / "lab.sqlite"
    options = SessionOptions(consent=Consent(research=True))
    studio = Studio(config, demo=demo, store=store, options=options)
    studio.start()
    try:
        eeg = lambda: len(studio.hub.get("body.eeg").last(600)) if "body.eeg" in studio.hub else 0  # noqa: E731
        wait_until(lambda: eeg() >= seconds * FS, seconds + 20, lambda: studio.statuses()["body"])
        studio.add_marker("stimulus", "test")
    finally:
        studio.stop()
    return store


def acquired_places(db: sqlite3.Connection) -> int:
    """The places from the first to the last EEG sample recorded: the samples, and those lost between them."""
    (samples,) = db.execute("SELECT SUM(n) FROM samples WHERE stream = 'body.eeg'").fetchone()
    lost = [json.loads(v)[0] for (v,) in db.execute("SELECT vals FROM features WHERE stream = 'body.gaps'")]
    return int(samples + sum(lost))


def lsb(edf: pyedflib.EdfReader, i: int) -> float:
    """One digital step of signal ``i`` in physical units."""
    physical = edf.getPhysicalMaximum(i) - edf.getPhysicalMinimum(i)
    return float(physical / (edf.getDigitalMaximum(i) - edf.getDigitalMinimum(i)))


@pytest.mark.slow  # BrainFlow's playback board streams in real time
def test_a_playback_file_comes_out_sample_for_sample_with_its_losses_marked(tmp_path):
    path = tmp_path / "known.csv"
    written = write_playback(path, 20.0)
    store = record(tmp_path, f"playback:{path}@synthetic", 6.0)
    db = sqlite3.connect(store)
    (units,) = db.execute("SELECT units FROM stream_fields WHERE stream = 'body.eeg'").fetchone()
    assert set(json.loads(units)) == {"µV"}
    checks = db.execute("SELECT vals FROM features WHERE stream = 'body.checks'").fetchall()
    (fields,) = db.execute("SELECT fields FROM stream_fields WHERE stream = 'body.checks'").fetchone()
    lost = [json.loads(v)[json.loads(fields).index("Fz lost_pct")] for (v,) in checks]
    assert max(lost) == pytest.approx(100 * 10 / 500, rel=0.05)  # the ten lost samples in a 2 s window
    recorded = {s for (s,) in db.execute("SELECT DISTINCT stream FROM samples")}
    assert {"body.eeg", "body.ppg", "body.eda", "body.accel", "body.temperature"} <= recorded
    (bdf,) = export(store, "--latest", "--format", "bdf", "--out", str(tmp_path / "bdf"))
    (edf_path,) = export(store, "--latest", "--format", "edf", "--out", str(tmp_path / "edf"))
    eeg_rows = BoardShim.get_eeg_channels(SYNTHETIC)
    names = BoardShim.get_eeg_names(SYNTHETIC)
    errors: list[tuple[str, float]] = []
    for file in (bdf, edf_path):
        with pyedflib.EdfReader(file) as edf:
            labels = edf.getSignalLabels()
            assert labels[:16] == names and {"PPG1", "PPG2", "EDA", "AccelX", "Temp"} <= set(labels)
            assert edf.getPhysicalDimension(0) == "uV" and edf.getSampleFrequency(0) == FS
            assert "none" in edf.getPrefilter(0) and "reference none (synthetic" in edf.getTransducer(0)
            onsets, durations, texts = edf.readAnnotations()
            index = np.round(edf.readSignal(0) * 10).astype(int)  # Fz counts: which file row each place shows
            first, places = index[0], np.arange(acquired_places(db))
            acquired = ~np.isin(places + first, LOST)
            assert np.array_equal(index[places][acquired], (places + first)[acquired])  # in order, none missing
            assert np.all(index[places][~acquired] == LOST[0] - 1)  # the lost ones hold the last value
            rows = (places + first)[acquired]
            for k, row in enumerate(eeg_rows):
                err = np.abs(edf.readSignal(k)[places][acquired] - written[row, rows]).max()
                assert err <= lsb(edf, k) * 0.51 + 1e-9, (names[k], err)  # every sample as it went in
                errors.append((Path(file).suffix, err))
        found = list(zip(texts, onsets, durations, strict=True))
        assert any(t.startswith("start: session time") and o == 0 for t, o, _ in found)
        lost = [(o, d) for t, o, d in found if t == "10 samples lost by the device"]
        padded = [(o, d) for t, o, d in found if t == "pad eeg: not acquired"]
        assert lost and padded and padded[0][1] == pytest.approx(10 / FS)
        assert padded[0][0] == pytest.approx((1000 - first) / FS, abs=1e-3)
        # placed by the samples around its session time, not by the nominal rate from the start (the playback
        # board's clock runs a little off the session's): the loss annotation sits where the padding is
        assert lost[0][0] == pytest.approx(padded[0][0], abs=1.5 / FS)
        assert any(t == "stimulus" for t, _, _ in found)
    print("round trip, largest sample error (uV):", {k: max(e for s, e in errors if s == k) for k in (".bdf", ".edf")})
    raw = mne.io.read_raw_bdf(bdf, preload=True, verbose="error")
    raw.set_channel_types({n: "misc" for n in raw.ch_names if n not in names})
    raw.set_montage("standard_1020")
    assert raw.info["sfreq"] == FS and raw.ch_names[:16] == names


@pytest.mark.slow  # BrainFlow's synthetic board streams in real time
def test_synthetic_board_samples_are_the_same_in_bdf_csv_and_parquet(tmp_path):
    store = record(tmp_path, "synthetic", 4.0, demo=False)  # BrainFlow's own synthetic board, not the demo's
    (bdf,) = export(store, "--latest", "--format", "bdf", "--out", str(tmp_path / "bdf"))
    export(store, "--latest", "--format", "parquet", "--out", str(tmp_path / "pq"))
    export(store, "--latest", "--format", "csv", "--out", str(tmp_path / "csv"))
    table = pq.read_table(tmp_path / "pq" / "body.eeg.parquet").to_pydict()
    csv = pcsv.read_csv(tmp_path / "csv" / "body.eeg.csv").to_pydict()
    names = BoardShim.get_eeg_names(SYNTHETIC)
    t = np.asarray(table["t"])
    assert np.all(np.diff(t) > 0) and np.median(np.diff(t)) * FS == pytest.approx(1, rel=0.05)  # fitted: within 5 %
    with pyedflib.EdfReader(bdf) as edf:
        _, _, texts = edf.readAnnotations()
        first_t = float(next(x for x in texts if x.startswith("start: session time")).split()[-2])
        assert first_t == pytest.approx(t[0], abs=1e-6)
        for k, name in enumerate(names):
            exported = edf.readSignal(k)[: t.size]
            assert np.abs(exported - np.asarray(table[name])).max() <= lsb(edf, k) * 0.51
            assert np.asarray(csv[name]) == pytest.approx(np.asarray(table[name]), abs=1e-9)

    def no_nan(constant: str) -> None:
        raise AssertionError(f"{constant} in JSON")

    manifest = json.loads((tmp_path / "pq" / "manifest.json").read_text(), parse_constant=no_nan)
    rates = {f["stream"]: f["rate_hz"] for f in manifest["files"]}
    assert rates["body.eeg"] == FS and rates["body.ppg"] == FS and rates["markers"] is None
    assert 3 < rates["body.band_power"] < 5 and 15 < rates["affect.fused"] < 25
    for entry in manifest["files"]:
        assert set(entry["units"]) == set(entry["columns"]), entry["file"]  # every column has a unit
    units = {f["stream"]: f["units"] for f in manifest["files"]}
    assert units["body.features"]["heart_rate_bpm"] == "bpm" and units["body.eda"]["EDA"] == "µS"
    assert units["body.accel"]["AccelX"] == "g" and units["markers"]["label"] == "text"
    db = sqlite3.connect(store)
    for (vals,) in db.execute("SELECT vals FROM features"):
        json.loads(vals, parse_constant=no_nan)
    features = tmp_path / "pq" / "body.features.parquet"
    assert pq.read_table(features).num_rows > 0


UNIQUE_OUTLET = """
import sys, time, numpy as np, pylsl
info = pylsl.StreamInfo(sys.argv[1], "EEG", 4, 250.0, "float32", sys.argv[1])
channels = info.desc().append_child("channels")
for label in ("F3", "F4", "O1", "O2"):
    ch = channels.append_child("channel"); ch.append_child_value("label", label); ch.append_child_value("type", "EEG")
    ch.append_child_value("unit", "microvolts")
outlet = pylsl.StreamOutlet(info)
k, start = 0, time.monotonic()
while time.monotonic() - start < 60:
    due = int((time.monotonic() - start) * 250)
    if due > k:
        i = np.arange(k, due)
        rows = np.column_stack([i / 8, 20 * np.sin(i / 5), -(i / 8), 20 * np.cos(i / 7)])
        outlet.push_chunk(rows.astype(np.float32).tolist())
        k = due
    time.sleep(0.02)
"""


@pytest.mark.slow  # a pylsl outlet in another process, in real time
def test_an_lsl_stream_from_another_process_comes_out_sample_for_sample(tmp_path):
    name = f"unique-{uuid.uuid4().hex[:8]}"
    outlet = subprocess.Popen([sys.executable, "-c", UNIQUE_OUTLET, name])
    try:
        store = record(tmp_path, f"lsl:{name}", 4.0)
    finally:
        outlet.kill()
        outlet.wait()
    (bdf,) = export(store, "--latest", "--format", "bdf", "--out", str(tmp_path / "bdf"))
    with pyedflib.EdfReader(bdf) as edf:
        assert edf.getSignalLabels()[:4] == ["F3", "F4", "O1", "O2"]
        _, _, texts = edf.readAnnotations()
        assert not [t for t in texts if t.startswith("pad eeg: not acquired")]  # nothing lost on loopback
        n = acquired_places(sqlite3.connect(store))
        signals = np.column_stack([edf.readSignal(k)[:n] for k in range(4)])
        steps = np.array([lsb(edf, k) for k in range(4)])
    i = np.round(signals[:, 0] * 8).astype(int)  # F3 counts the outlet's samples
    assert np.array_equal(np.diff(i), np.ones(n - 1, int))  # every sample, in order, none twice
    sent = np.column_stack([i / 8, 20 * np.sin(i / 5), -(i / 8), 20 * np.cos(i / 7)]).astype(np.float32)
    assert np.all(np.abs(signals - sent) <= 0.51 * steps + 1e-6)


@pytest.mark.slow  # BrainFlow's playback board streams in real time
def test_nan_samples_a_board_sends_are_held_and_annotated_in_edf(tmp_path):
    from tests.test_body_sources import write_brainflow_csv

    path = tmp_path / "nan.csv"
    write_brainflow_csv(path, 10.0, nan_rows=(2,))  # C3 loses every 50th sample
    store = record(tmp_path, f"playback:{path}@synthetic", 3.0)
    (edf_path,) = export(store, "--latest", "--format", "edf", "--out", str(tmp_path / "edf"))
    with pyedflib.EdfReader(edf_path) as edf:
        _, _, texts = edf.readAnnotations()
        c3 = edf.readSignal(1)
        fz = edf.readSignal(0)
    held = [t for t in texts if t.startswith("C3: ") and t.endswith("NaN samples held")]
    assert held and int(held[0].split()[1]) >= 3 * FS // 50
    assert np.all(np.isfinite(c3)) and np.ptp(c3) < 100 and np.ptp(fz) < 100  # the header's range is the signal's


@pytest.mark.slow  # BrainFlow's playback board streams in real time
def test_the_playback_boards_loop_seam_is_marked_where_the_file_starts_again(tmp_path):
    path = tmp_path / "short.csv"
    written = write_playback(path, 5.0)  # 1250 rows, ten of them left out: 1240 in the file
    store = record(tmp_path, f"playback:{path}@synthetic", 7.0)
    db = sqlite3.connect(store)
    seams = db.execute("SELECT t FROM markers WHERE source = 'body' AND label LIKE 'short.csv loops%'").fetchall()
    chunks = db.execute("SELECT n, t, vals FROM samples WHERE stream = 'body.eeg' ORDER BY t0").fetchall()
    t = np.concatenate([np.frombuffer(tb, np.float64) for _, tb, _ in chunks])
    fz = np.concatenate([np.frombuffer(vb, np.float64).reshape(n, 16)[:, 0] for n, _, vb in chunks])
    assert len(seams) == 1
    (seam,) = seams[0]
    at = int(np.searchsorted(t, seam))
    assert fz[at] == pytest.approx(written[1, 0]) and fz[at - 1] == pytest.approx(written[1, -1])  # first row again
