"""``affect-studio analyze eeg|physio`` and ``--board`` as a user meets them: real subprocesses, real files."""

import json

from tests.test_cli import assert_one_line_error, run_cli


def json_lines(result):
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_relative_alpha_is_higher_with_eyes_closed(reference_data):
    folder = reference_data / "eeg/biosppy_eyes_open_closed"
    closed = json_lines(run_cli("analyze", "eeg", str(folder / "eeg_ec.txt"), "--json"))
    opened = json_lines(run_cli("analyze", "eeg", str(folder / "eeg_eo.txt"), "--json"))
    window = closed[0]
    assert window["t"] == 0.0 and set(window["channels"]["EEG"]) == {
        "delta",
        "theta",
        "alpha",
        "beta",
        "gamma",
        "alpha_rel",
    }
    assert abs(closed[1]["t"] - 0.5) < 1 / 125 and abs(closed[2]["t"] - 1.0) < 1e-9  # 2 s windows every 0.5 s
    summary_closed, summary_open = closed[-1], opened[-1]
    assert summary_closed["summary"] and summary_closed["windows"] == len(closed) - 1
    assert summary_closed["channels"]["EEG"]["alpha_rel"] > 1.5 * summary_open["channels"]["EEG"]["alpha_rel"]


def test_heart_rate_from_ppg_and_from_ecg_is_within_3_bpm_of_127(reference_data):
    record = str(reference_data / "physio/wfdb_challenge2015_a103l/a103l.hea")
    ppg = json_lines(run_cli("analyze", "physio", record, "--kind", "ppg", "--json"))
    ecg = json_lines(run_cli("analyze", "physio", record, "--kind", "ecg", "--channel", "II", "--json"))
    for lines, channel in ((ppg, "PLETH"), (ecg, "II")):
        summary = lines[-1]
        assert summary["summary"] and summary["channel"] == channel
        assert abs(summary["heart_rate_bpm_mean"] - 127) <= 3
        assert 0 < summary["rmssd_ms"] < 100
        assert lines[0]["t"] == 0.0 and abs(lines[0]["heart_rate_bpm"] - 127) <= 3


def test_eeg_analysis_options_for_channels_and_montage(reference_data):
    path = str(reference_data / "eeg/openbci_gui_sample/OpenBCI_GUI-v6-blinks-jawClench-alpha.txt.gz")
    lines = json_lines(
        run_cli("analyze", "eeg", path, "--json", "--montage", "Fp1,Fp2,C3,C4,P7,P8,O1,O2", "--channels", "O1,O2")
    )
    assert list(lines[-1]["channels"]) == ["O1", "O2"]
    table = run_cli("analyze", "eeg", path, "--channels", "EXG Channel 7")
    assert table.returncode == 0 and "EXG Channel 7" in table.stdout and "alpha_rel" in table.stdout


def test_eda_analysis(reference_data):
    lines = json_lines(
        run_cli(
            "analyze", "physio", str(reference_data / "physio/biosppy_examples/eda.txt.gz"), "--kind", "eda", "--json"
        )
    )
    assert {"t", "eda_tonic", "eda_responses"} <= set(lines[0])
    assert lines[-1]["eda_responses"] > 0 and lines[-1]["eda_tonic_mean"] > 0


def test_bad_inputs_give_one_line(reference_data, tmp_path):
    ecg = str(reference_data / "physio/biosppy_examples/ecg.txt")
    assert_one_line_error(
        run_cli("analyze", "physio", ecg, "--kind", "ecg", "--channel", "Cz"), "no channel named 'Cz'"
    )
    assert_one_line_error(run_cli("analyze", "physio", ecg, "--kind", "ppg"), "no ppg channel found")
    broken = tmp_path / "broken.bdf"
    broken.write_bytes(b"0" * 100)
    assert_one_line_error(run_cli("analyze", "eeg", str(broken), "--json"), "broken.bdf", "cannot read as EDF/BDF")
    assert_one_line_error(run_cli("analyze", "eeg", str(tmp_path / "none.xdf")), "none.xdf: no such file")
    short = tmp_path / "short.txt"  # one second of BioSPPy text at 125 Hz
    short.write_text("# Sampling Rate (Hz):= 125.00\n# Labels:= EEG\n" + "1.0\n2.0\n" * 62 + "1.0\n")
    assert_one_line_error(run_cli("analyze", "eeg", str(short)), "short.txt", "shorter than one 2 s window")


def test_every_xdf_example_file_is_analysed_or_refused_in_one_line(reference_data):
    """empty_streams.xdf's only stream with samples is a 1 Hz counter: it raised ZeroDivisionError in the
    spectrum; a rate too low for the EEG bands is now one line, like minimal.xdf's 10 Hz."""
    files = sorted((reference_data / "eeg/xdf_example_files").glob("*.xdf"))
    assert [f.name for f in files] == ["clock_resets.xdf", "empty_streams.xdf", "minimal.xdf"]
    summary = json_lines(run_cli("analyze", "eeg", str(files[0]), "--json"))[-1]
    assert summary["summary"] and summary["windows"] > 500 and len(summary["channels"]) == 8
    expected = {"empty_streams.xdf": "EEG sampled at 1 Hz", "minimal.xdf": "EEG sampled at 10 Hz"}
    for path in files[1:]:
        result = run_cli("analyze", "eeg", str(path))
        assert_one_line_error(result, path.name, expected[path.name], "band powers need at least 26 Hz")


def test_board_option_names_the_body_source(tmp_path):
    result = run_cli("run", "--headless", "--demo", "--board", "mycyton", "--out", str(tmp_path), "--duration", "1")
    assert_one_line_error(result, "body source 'mycyton' is not a saved board profile")
    result = run_cli("run", "--headless", "--demo", "--board", "playback:x.csv@nosuchboard", "--out", str(tmp_path))
    assert_one_line_error(result, "unknown BrainFlow board 'nosuchboard'")
    bad = tmp_path / "c.toml"
    bad.write_text("[body]\nnotch_hz = 55.0\n")
    assert_one_line_error(run_cli("--config", str(bad), "run", "--headless", "--out", str(tmp_path)), "notch_hz")


def test_a_truncated_ppg_text_file_is_analysed_with_a_note_and_a_damaged_one_refused(reference_data, tmp_path):
    """A PPG file cut mid-line was analysed without a word; its cut last line is now left out and said."""
    whole = (reference_data / "physio/biosppy_examples/ppg.txt").read_bytes()
    cut = tmp_path / "cut.txt"
    cut.write_bytes(whole[:70000])
    assert not whole[:70000].endswith(b"\n")
    result = run_cli("analyze", "physio", str(cut), "--kind", "ppg", "--json")
    summary = json_lines(result)[-1]
    assert summary["summary"] and summary["beats"] > 10
    assert result.stderr.strip().splitlines() == [
        "affect-studio: note: cut.txt (BioSPPy text): its last line (line 9992) has no line end, "
        "so it may be cut short: left out"
    ]
    damaged = tmp_path / "damaged.txt"
    damaged.write_bytes(whole[:100] + whole[100:20000].replace(b"\n2065.0\n", b"\n20x5.0\n", 1) + b"2065.0\n")
    assert_one_line_error(
        run_cli("analyze", "physio", str(damaged), "--kind", "ppg"),
        "damaged.txt: line ",
        "holds '20x5.0', which is not a number; the file is damaged",
    )
