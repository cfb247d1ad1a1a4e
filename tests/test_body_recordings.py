"""Recorded files read by their reference libraries: XDF, EDF/BDF, OpenBCI GUI, BrainFlow CSV, WFDB, BioSPPy."""

import gzip

import numpy as np
import pyedflib
import pytest
from brainflow.data_filter import DataFilter

from sensors.recordings import RecordingError, read_recording


def test_minimal_xdf_gives_exactly_the_values_its_readme_lists(reference_data):
    rec = read_recording(reference_data / "eeg/xdf_example_files/minimal.xdf")
    assert rec.fs == 10.0 and rec.kinds == ("eeg",) * 3
    expected = [[192, 255, 238]] + [[10 + k, 20 + k, 30 + k] for k in (2, 3, 4, 5, 2, 3, 4, 5)]
    assert rec.data.tolist() == expected
    # Stamps 5.1 .. 5.9 as stored, moved by the clock offset of -0.1 s the README lists (pyxdf synchronises).
    assert rec.t == pytest.approx(np.arange(51, 60) / 10 - 0.1, abs=1e-9)


def test_clock_resets_and_empty_streams_xdf_load(reference_data):
    resets = read_recording(reference_data / "eeg/xdf_example_files/clock_resets.xdf")
    assert resets.data.shape == (27815, 8) and resets.fs == 100.0  # the BioSemi EEG stream, not the markers
    assert np.all(np.diff(resets.t) > 0)  # pyxdf folded the clock reset into one rising time line
    empty = read_recording(reference_data / "eeg/xdf_example_files/empty_streams.xdf")
    assert empty.data[:, 0].tolist() == list(range(10))  # the one numeric stream that has samples


def test_openbci_gui_text(reference_data):
    rec = read_recording(reference_data / "eeg/openbci_gui_sample/OpenBCI_GUI-v6-blinks-jawClench-alpha.txt.gz")
    assert rec.fs == 250.0 and rec.names[0] == "EXG Channel 0" and len(rec.names) == 8
    assert rec.data.shape == (22490, 8)
    assert rec.data[0, 0] == pytest.approx(61379.36)
    assert rec.t[0] == pytest.approx(1557936053.329)  # milliseconds in the file, seconds here
    renamed = rec.with_montage(["Fp1", "Fp2"])
    assert renamed.names[:3] == ("Fp1", "Fp2", "EXG Channel 2")


def test_edf_plus_and_bdf_written_by_pyedflib_read_back_in_microvolts(tmp_path, capfd):
    fs = 256
    t = np.arange(fs * 4) / fs
    signals = [20e-6 * np.sin(2 * np.pi * 10 * t), 0.5 * np.sin(2 * np.pi * 1.2 * t)]  # EEG in V, ECG in mV
    for suffix, filetype in ((".edf", pyedflib.FILETYPE_EDFPLUS), (".bdf", pyedflib.FILETYPE_BDFPLUS)):
        path = tmp_path / f"rec{suffix}"
        headers: list[dict[str, str | int | float | None]] = [
            {
                "label": "EEG F3-REF",
                "dimension": "V",
                "sample_frequency": fs,
                "physical_max": 1e-3,
                "physical_min": -1e-3,
                "digital_max": 8388607 if suffix == ".bdf" else 32767,
                "digital_min": -8388608 if suffix == ".bdf" else -32768,
            },
            {
                "label": "ECG",
                "dimension": "mV",
                "sample_frequency": fs,
                "physical_max": 5.0,
                "physical_min": -5.0,
                "digital_max": 8388607 if suffix == ".bdf" else 32767,
                "digital_min": -8388608 if suffix == ".bdf" else -32768,
            },
        ]
        writer = pyedflib.EdfWriter(str(path), 2, file_type=filetype)
        writer.setSignalHeaders(headers)
        writer.writeSamples(signals)
        writer.close()
        rec = read_recording(path)
        assert rec.names == ("F3", "ECG") and rec.kinds == ("eeg", "ecg") and rec.fs == fs
        assert np.abs(rec.data[:, 0]).max() == pytest.approx(20.0, rel=0.01)  # V -> µV
        assert np.abs(rec.data[:, 1]).max() == pytest.approx(500.0, rel=0.01)  # mV -> µV
        truncated = tmp_path / f"cut{suffix}"
        whole = path.read_bytes()
        truncated.write_bytes(whole[:300])
        with pytest.raises(RecordingError, match=f"cut{suffix} is truncated: its header stops after 300 of 1024"):
            read_recording(truncated)
        truncated.write_bytes(whole[:-100])  # the last data record cut short
        with pytest.raises(RecordingError, match="header promises 4 data records, the file holds 3 complete ones"):
            read_recording(truncated)
        assert capfd.readouterr().out == ""  # pyedflib's own complaint ("filesize ...") never reaches stdout


def test_brainflow_csv_needs_the_board_that_wrote_it(tmp_path):
    from brainflow.board_shim import BoardShim

    rows = BoardShim.get_num_rows(-1)
    table = np.random.default_rng(0).normal(size=(rows, 500))
    table[BoardShim.get_timestamp_channel(-1)] = 1.7e9 + np.arange(500) / 250
    path = tmp_path / "synthetic.csv"
    DataFilter.write_file(table, str(path), "w")
    rec = read_recording(path)
    assert rec.fs == 250.0 and rec.names[:2] == ("Fz", "C3") and "PPG1" in rec.names and "EDA" in rec.names
    assert rec.data[:, 0] == pytest.approx(table[1], abs=1e-6)  # BrainFlow writes six decimals
    with pytest.raises(RecordingError, match="name the board that recorded it"):
        read_recording(path, board="cyton")
    text = path.read_bytes()
    cut = tmp_path / "cut.csv"
    cut.write_bytes(text[:-40])  # a recording stopped in the middle of its last row
    shorter = read_recording(cut)
    assert len(shorter.data) == 499 and shorter.notes == (
        "its last line (line 500) has no line end, so it may be cut short: left out",
    )
    lines = text.decode().splitlines(keepends=True)
    lines[200] = lines[200].replace("\t", "\tnan?\t", 1)
    damaged = tmp_path / "damaged.csv"
    damaged.write_text("".join(lines))
    with pytest.raises(RecordingError, match=r"damaged.csv: line 201 holds 'nan\?', which is not a number"):
        read_recording(damaged)


def test_wfdb_record_and_biosppy_text(reference_data):
    rec = read_recording(reference_data / "physio/wfdb_challenge2015_a103l/a103l.hea")
    assert rec.names == ("II", "V", "PLETH") and rec.kinds == ("ecg", "ecg", "ppg") and rec.fs == 250
    ppg = read_recording(reference_data / "physio/biosppy_examples/ppg.txt")
    assert ppg.kinds == ("ppg",) and ppg.fs == 1000 and ppg.data.shape == (20000, 1)
    eeg = read_recording(reference_data / "eeg/biosppy_eyes_open_closed/eeg_ec.txt")
    assert eeg.kinds == ("eeg",) and eeg.fs == 125


def test_bad_files_fail_with_one_clear_line(tmp_path, reference_data):
    cases = {
        "missing.edf": None,
        "noise.xdf": b"XDF:" + bytes(range(256)) * 4,
        "junk.txt": b"hello\nworld\n",
        "cut.txt.gz": gzip.compress(b"%OpenBCI Raw EXG Data\n")[:10],
        "odd.bin": b"\x00",
        "rec.hea": b"not a header\n",
    }
    for name, content in cases.items():
        path = tmp_path / name
        if content is not None:
            path.write_bytes(content)
        with pytest.raises(RecordingError) as err:
            read_recording(path)
        assert name in str(err.value) and "\n" not in str(err.value)
    rec = read_recording(reference_data / "physio/biosppy_examples/ecg.txt")
    with pytest.raises(RecordingError, match="no channel named 'Cz'; it has ECG"):
        rec.select(["Cz"])


def test_text_recordings_cut_short_or_damaged_say_so(tmp_path):
    """Truncated lines, values that are not numbers, ragged rows and empty values are each said: what can be
    kept is kept with a note, what cannot is one line naming the file and its line."""
    head = "%OpenBCI Raw EXG Data\n%Sample Rate = 250 Hz\nSample Index, EXG Channel 0, EXG Channel 1, Timestamp\n"
    rows = [f"{k}, {k * 0.5:.1f}, {k * 0.25:.2f}, {1557936053.0 + k / 250:.3f}\n" for k in range(40)]

    def read(name: str, text: str):
        path = tmp_path / name
        path.write_bytes(gzip.compress(text.encode()) if name.endswith(".gz") else text.encode())
        return read_recording(path)

    whole = read("whole.txt", head + "".join(rows))
    assert whole.data.shape == (40, 2) and whole.notes == ()
    cut = read("cut.txt", head + "".join(rows)[:-9])
    assert cut.data.shape == (39, 2) and cut.notes == (
        "its last line (line 43) has no line end, so it may be cut short: left out",
    )
    stopped = read("stopped.txt", head + "".join(rows) + "40, 20.0\n")
    assert stopped.data.shape == (40, 2) and "line 44) is cut short, as in a recording stopped" in stopped.notes[0]
    gaps = read("gaps.txt", head + "".join(rows).replace(", 2.5,", ", ,"))
    assert np.isnan(gaps.data[5, 0]) and gaps.notes == ("1 empty values read as gaps",)
    packed = gzip.compress((head + "".join(rows)).encode())
    (tmp_path / "early.txt.gz").write_bytes(packed[: len(packed) - 12])
    early = read_recording(tmp_path / "early.txt.gz")
    assert 0 < len(early.data) <= 40 and early.notes[0].startswith("the compressed file ends early (truncated)")
    damaged = {
        "ragged.txt": ([*rows[:10], "10, 5.0\n", *rows[11:]], "line 14 has 2 values where the rows before it have 4"),
        "word.txt": ([*rows[:10], "10, five, 2.5, 0\n", *rows[11:]], "line 14 holds 'five', which is not a number"),
        "last.txt": ([*rows, "40, 20.0, x, 0\n"], "line 44 holds 'x', which is not a number"),
    }
    for name, (lines, why) in damaged.items():
        with pytest.raises(RecordingError) as err:
            read(name, head + "".join(lines))
        assert str(err.value) == f"{tmp_path / name}: {why}; the file is damaged"
