"""Signal checks per channel (railed %, RMS, line-noise share, packet loss), live and in the session record, and the
OpenBCI impedance modes' command sequences."""

import json
import sqlite3
from dataclasses import replace

import numpy as np
import pytest
from brainflow.board_shim import BoardIds

from fusion.quality import QualityLimits
from fusion.signal_checks import CHECK_FIELDS, impedance_ohms, signal_checks
from sensors.boards import BoardError
from sensors.impedance import impedance_commands, impedance_sweep, measure, sweeps_impedance
from studio.config import load_config
from tests.stepped import stepped_demo

FS = 250.0


def test_each_check_measures_what_it_says():
    t = np.arange(500) / FS
    clean = 10 * np.sin(2 * np.pi * 10 * t)  # 10 µV amplitude: RMS 7.07 µV
    railed = clean.copy()
    railed[:250] = 187500.0  # half the window at the rail
    hum = clean + 40 * np.sin(2 * np.pi * 50 * t)
    raw = np.vstack([clean, railed, hum])
    checks = signal_checks(raw, raw, FS, 50.0, lost=25, limits=QualityLimits())
    by = {name: checks[:, i] for i, name in enumerate(CHECK_FIELDS)}
    assert by["railed_pct"][0] == 0 and by["railed_pct"][1] == pytest.approx(50, abs=0.5)
    assert by["rms_uv"][0] == pytest.approx(10 / np.sqrt(2), rel=0.01)
    assert by["line_share"][0] < 0.01 and by["line_share"][2] == pytest.approx(16 / 17, abs=0.03)
    assert np.all(by["lost_pct"] == pytest.approx(100 * 25 / 525))


def test_impedance_from_the_lead_off_current_as_the_openbci_gui_computes_it():
    t = np.arange(1000) / FS
    window = 60 * np.sin(2 * np.pi * 31.25 * t)[None, :]  # the 6 nA drive through 10 kΩ: 60 µV amplitude
    assert impedance_ohms(window, FS, 50.0)[0] == pytest.approx(10_000 - 2200, rel=0.02)


class RecordingBoard:
    """Stands for a prepared BrainFlow board (no Cyton here): keeps every command string, answers like firmware."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def config_board(self, config: str) -> str:
        self.sent.append(config)
        return "Success$$$"


def test_the_impedance_modes_send_the_sdk_command_sequences():
    cyton, daisy = BoardIds.CYTON_BOARD.value, BoardIds.CYTON_DAISY_BOARD.value
    board = RecordingBoard()
    measure(board, cyton, 1, 8, start=True)
    measure(board, cyton, 1, 8, start=False)
    assert board.sent == ["x1000100X", "z101Z", "x1060110X", "z100Z"]
    assert impedance_commands(daisy, 9, 16) == (["xQ000100X", "zQ01Z"], ["xQ060110X", "zQ00Z"])
    assert impedance_commands(daisy, 16, 16)[0] == ["xI000100X", "zI01Z"]
    assert impedance_commands(BoardIds.GANGLION_BOARD.value, 1, 4) == (["z"], ["Z"])
    with pytest.raises(BoardError, match="channel 9 does not exist"):
        impedance_commands(cyton, 9, 8)
    with pytest.raises(BoardError, match="synthetic_board has no impedance mode"):
        impedance_commands(BoardIds.SYNTHETIC_BOARD.value, 1, 16)


def test_checks_are_live_streams_and_in_the_session_record(tmp_path):
    config = load_config()
    run = stepped_demo(tmp_path / "s.sqlite", body=replace(config.body, demo_faults=("railed", "line-noise")))
    try:
        run.run(6.0)
        checks = run.studio.hub.get("body.checks")
        fields = checks.fields
        latest = dict(zip(fields, checks.latest()[1], strict=True))
    finally:
        run.studio.stop()
    assert latest["Pz railed_pct"] > 50 and latest["Fz railed_pct"] == 0
    assert latest["C3 line_share"] > 0.5 and latest["Fz line_share"] < 0.1
    assert 1 < latest["Fz rms_uv"] < 100 and latest["Fz lost_pct"] == 0
    db = sqlite3.connect(tmp_path / "s.sqlite")
    names, units = db.execute("SELECT fields, units FROM stream_fields WHERE stream = 'body.checks'").fetchone()
    assert dict(zip(json.loads(names), json.loads(units), strict=True))["Oz rms_uv"] == "µV"
    rows = db.execute("SELECT COUNT(*) FROM features WHERE stream = 'body.checks'").fetchone()[0]
    assert 3 <= rows <= 5  # once a second once the first window is in


def test_a_cyton_impedance_sweep_measures_each_channel_with_its_lead_off_current_on():
    """The sweep on a board double that answers commands and plays a 31.25 Hz lead-off signal on the channel whose
    current is on (the Cyton's own test current), 60 µV peak: 60 µV / 6 nA - 2.2 kΩ = 7.8 kΩ."""
    fs, sent = 250.0, []
    on: set[int] = set()

    class Cyton:
        def config_board(self, command: str) -> str:
            sent.append(command)
            if command.startswith("z"):
                (on.add if command[3] == "1" else on.discard)(int(command[1]))
            return ""

    t0 = [0.0]

    def read() -> np.ndarray:
        t = t0[0] + np.arange(25) / fs
        t0[0] = t[-1] + 1 / fs
        block = np.zeros((25, 2))
        for channel in on:
            block[:, channel - 1] = 60.0 * np.sin(2 * np.pi * 31.25 * t)
        return block

    cyton = BoardIds.CYTON_BOARD.value
    assert sweeps_impedance(cyton) and not sweeps_impedance(BoardIds.SYNTHETIC_BOARD.value)
    found = dict(impedance_sweep(Cyton(), cyton, 2, read, lambda _s: False, fs, 50.0))
    assert found == pytest.approx({1: 7800.0, 2: 7800.0}, rel=0.05)
    assert sent == ["x1000100X", "z101Z", "x1060110X", "z100Z", "x2000100X", "z201Z", "x2060110X", "z200Z"]
    sent.clear()
    stopped = list(impedance_sweep(Cyton(), cyton, 2, read, lambda _s: True, fs, 50.0))
    assert stopped == [] and sent == ["x1000100X", "z101Z", "x1060110X", "z100Z"] and not on  # current off again
