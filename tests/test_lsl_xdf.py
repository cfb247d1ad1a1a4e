"""LSL that LabRecorder records cleanly: every raw body stream has an outlet whose description names each channel's
label, unit and type; LabRecorder's own Python recorder (the ``labrecorder`` package) writes the studio's outlets
into an XDF, read back with pyxdf and compared sample for sample with what the studio recorded."""

import gc
import sqlite3
import time
import uuid
from dataclasses import replace

import labrecorder
import numpy as np
import pylsl
import pytest
import pyxdf

from studio.app import Studio
from studio.config import load_config
from studio.session import Outputs
from tests.waiting import wait_until

SECONDS = 4.0


@pytest.mark.slow  # a studio and LabRecorder's recorder in real time
def test_labrecorder_records_every_studio_outlet_described_and_sample_exact(tmp_path):
    prefix = f"Lab{uuid.uuid4().hex[:6]}"
    config = replace(load_config(), audio_backend="silent", outputs=Outputs(lsl=True, lsl_prefix=prefix))
    store = tmp_path / "s.sqlite"
    studio = Studio(config, demo=True, store=store)
    studio.start()
    xdf = tmp_path / "lab.xdf"
    try:
        wanted = {f"{prefix}-{name}" for name in ("EEG", "PPG", "EDA", "Markers", "Affect")}
        found: dict[str, pylsl.StreamInfo] = {}

        def all_there() -> bool:
            found.update({i.name(): i for i in pylsl.resolve_streams(1.0) if i.name().startswith(prefix)})
            return wanted <= set(found)

        wait_until(all_there, 20)
        mine = list(found.values())
        recording = labrecorder.Recording(str(xdf), mine)
        time.sleep(1.0)  # the recorder subscribes to every stream
        studio.add_marker("stimulus", "test", code=4)
        wait_until(lambda: studio.session_time() > SECONDS + 1.0, SECONDS + 10)
        offset = studio.publisher.offset if studio.publisher else 0.0
        recording.stop()
        del recording
        gc.collect()
    finally:
        studio.stop()
    streams, _ = pyxdf.load_xdf(str(xdf), dejitter_timestamps=False)
    by_name = {s["info"]["name"][0]: s for s in streams}
    assert wanted <= set(by_name)
    eeg = by_name[f"{prefix}-EEG"]
    channels = eeg["info"]["desc"][0]["channels"][0]["channel"]
    described = [(c["label"][0], c["unit"][0], c["type"][0]) for c in channels]
    assert described[0] == ("Fz", "microvolts", "EEG") and len(described) == 16
    eda = by_name[f"{prefix}-EDA"]["info"]["desc"][0]["channels"][0]["channel"][0]
    assert (eda["label"][0], eda["unit"][0], eda["type"][0]) == ("EDA", "microsiemens", "EDA")
    assert "stimulus" in [m[0] for m in by_name[f"{prefix}-Markers"]["time_series"]]
    db = sqlite3.connect(store)
    chunks = db.execute("SELECT n, t, vals FROM samples WHERE stream = 'body.eeg' ORDER BY t0").fetchall()
    t = np.concatenate([np.frombuffer(tb, np.float64) for _, tb, _ in chunks])
    values = np.concatenate([np.frombuffer(vb, np.float64).reshape(n, 16) for n, _, vb in chunks])
    stamps = np.asarray(eeg["time_stamps"]) - offset  # back on the session clock
    series = np.asarray(eeg["time_series"])
    assert series.shape[0] > SECONDS * 200
    first = int(np.argmin(np.abs(values - series[0]).max(axis=1)))  # the studio's sample the XDF starts with
    np.testing.assert_allclose(series, values[first : first + len(series)], rtol=1e-6, atol=1e-4)  # float32 wire
    assert np.all(np.diff(stamps) > 0)
    lag = stamps - t[first : first + len(series)]  # LSL's clock-offset estimate between the two ends; a figure
    print(f"LSL/XDF: {series.shape[0]} EEG samples, each in order; stamps minus session times {lag.min() * 1e3:.3f}"
          f"..{lag.max() * 1e3:.3f} ms")  # fmt: skip
