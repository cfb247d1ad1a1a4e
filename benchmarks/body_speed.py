"""Body channel speed: 16 EEG channels at 1000 Hz (plus ECG, PPG and EDA) with every feature, replayed live.

Prints the CPU share of one core the channel uses and how late feature windows are ready after their window's
end (p50/p95/max, ms), and for comparison the share BrainFlow's playback board takes by itself.
Two sources: an EDF+ file replayed by the file backend, and a BrainFlow CSV streamed by
BrainFlow's playback board in the layout of the Cyton+Daisy WiFi board (16 channels at 1000 Hz).

Run: .venv/bin/python -m benchmarks.body_speed [--seconds 20]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pyedflib
from brainflow.board_shim import BoardIds, BoardShim
from brainflow.data_filter import DataFilter

from sensors.body_settings import BodySettings
from sensors.body_sources import make_body_channel
from studio.kernel.clock import SessionClock
from studio.kernel.streams import StreamHub
from studio.kernel.worker import PeriodicWorker

FS = 1000
CHANNELS = 16
DAISY_WIFI = BoardIds.CYTON_DAISY_WIFI_BOARD.value


def signals(seconds: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """EEG (16 x n, µV: alpha and beta with noise), ECG and PPG at 75 bpm, EDA with slow responses."""
    rng = np.random.default_rng(0)
    t = np.arange(int(seconds * FS)) / FS
    eeg = 15 * np.sin(2 * np.pi * 10 * t) + 5 * np.sin(2 * np.pi * 20 * t) + rng.normal(0, 5, (CHANNELS, t.size))
    beats = np.arange(0.5, seconds, 0.8)
    ecg = sum(np.exp(-(((t - b) / 0.01) ** 2)) for b in beats) + rng.normal(0, 0.02, t.size)
    ppg = sum(np.exp(-(((t - b - 0.2) / 0.12) ** 2)) for b in beats) + rng.normal(0, 0.02, t.size)
    eda = 2 + 0.2 * np.sin(2 * np.pi * t / 15) ** 8 + rng.normal(0, 0.002, t.size)
    return eeg, np.asarray(ecg), np.asarray(ppg), eda


def write_edf(path: Path, seconds: float) -> None:
    eeg, ecg, ppg, eda = signals(seconds)
    rows = [*eeg, ecg * 1000, ppg, eda]
    labels = [
        f"EEG {n}"
        for n in (["Fp1", "Fp2", "F7", "F3", "Fz", "F4", "F8", "C3", "Cz", "C4", "P7", "P3", "Pz", "P4", "O1", "O2"])
    ] + ["ECG", "PPG", "EDA"]
    units = ["uV"] * CHANNELS + ["uV", "NU", "uS"]
    writer = pyedflib.EdfWriter(str(path), len(rows), file_type=pyedflib.FILETYPE_EDFPLUS)
    writer.setSignalHeaders(
        [
            {
                "label": label,
                "dimension": unit,
                "sample_frequency": FS,
                "physical_max": float(np.abs(x).max() * 1.1 + 1),
                "physical_min": -float(np.abs(x).max() * 1.1 + 1),
                "digital_max": 32767,
                "digital_min": -32768,
            }
            for label, unit, x in zip(labels, units, rows, strict=True)
        ]
    )
    writer.writeSamples([np.ascontiguousarray(x) for x in rows])
    writer.close()


def write_brainflow_csv(path: Path, seconds: float) -> None:
    eeg, *_ = signals(seconds)
    table = np.zeros((BoardShim.get_num_rows(DAISY_WIFI), eeg.shape[1]))
    table[BoardShim.get_eeg_channels(DAISY_WIFI)] = eeg
    table[BoardShim.get_timestamp_channel(DAISY_WIFI)] = time.time() + np.arange(eeg.shape[1]) / FS
    DataFilter.write_file(table, str(path), "w")


def measure(source: str, seconds: float) -> dict[str, object]:
    """Run the channel on its own worker, as the app does, and measure CPU and feature latency."""
    hub, clock = StreamHub(), SessionClock()
    channel = make_body_channel(BodySettings(source=source), clock, Path("/nonexistent"), demo=False)
    channel.open(hub)
    latencies: list[float] = []
    seq = 0
    lock = threading.Lock()

    def step() -> None:
        nonlocal seq
        channel.step(clock.now())
        if "body.band_power" in hub:
            seq, rows = hub.get("body.band_power").since(seq)
            now = clock.now()
            with lock:
                latencies.extend(now - rows.t)

    worker = PeriodicWorker("body", channel.period, step)
    worker.start()
    time.sleep(3.0)  # the first windows need 2 s of signal
    with lock:
        latencies.clear()
    cpu0, wall0 = os.times(), time.monotonic()
    time.sleep(seconds)
    cpu1, wall1 = os.times(), time.monotonic()
    worker.stop()
    status = channel.status.detail
    channel.close()
    ms = np.array(latencies) * 1000
    return {
        "source": channel.backend,
        "status": status,
        "cpu_share_of_one_core": round((cpu1.user - cpu0.user + cpu1.system - cpu0.system) / (wall1 - wall0), 4),
        "feature_windows_per_s": round(len(ms) / (wall1 - wall0), 2),
        "latency_ms_p50": round(float(np.percentile(ms, 50)), 1),
        "latency_ms_p95": round(float(np.percentile(ms, 95)), 1),
        "latency_ms_max": round(float(ms.max()), 1),
    }


def brainflow_alone(csv: Path, seconds: float) -> float:
    """The CPU share of one core BrainFlow's playback board takes by itself (its own thread reading the file),
    drained as the body channel drains it: what the playback figure holds besides the studio's work."""
    from brainflow.board_shim import BoardIds, BrainFlowInputParams

    BoardShim.disable_board_logger()
    params = BrainFlowInputParams()
    params.file, params.master_board = str(csv), DAISY_WIFI
    board = BoardShim(BoardIds.PLAYBACK_FILE_BOARD.value, params)
    board.prepare_session()
    try:
        board.config_board("loopback_true")
        board.start_stream(FS * 60)
        cpu0, wall0 = os.times(), time.monotonic()
        while time.monotonic() - wall0 < seconds:
            board.get_board_data()
            time.sleep(0.05)
        cpu1, wall1 = os.times(), time.monotonic()
        board.stop_stream()
    finally:
        board.release_session()
    return round((cpu1.user - cpu0.user + cpu1.system - cpu0.system) / (wall1 - wall0), 4)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=20.0, help="measuring time per source")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        edf, csv = Path(tmp) / "sixteen.edf", Path(tmp) / "sixteen.csv"
        write_edf(edf, args.seconds + 10)
        write_brainflow_csv(csv, args.seconds + 10)
        results = [measure(f"file:{edf}", args.seconds), measure(f"playback:{csv}@{DAISY_WIFI}", args.seconds)]
        alone = brainflow_alone(csv, 10)
        results.append({"source": "BrainFlow's playback board alone", "cpu_share_of_one_core": alone})
    print(
        json.dumps(
            {
                "channels": CHANNELS,
                "sampling_rate_hz": FS,
                "load_average_1min": round(os.getloadavg()[0], 2),
                "cores": os.cpu_count(),
                "results": results,
            }
        )
    )


if __name__ == "__main__":
    main()
