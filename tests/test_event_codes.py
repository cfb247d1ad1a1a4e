"""Markers with integer event codes and durations: from the buttons' settings, the studio's own calls and an LSL
integer marker stream in another process; exported as CSV/Parquet columns and EDF+ annotations (read back with
pyarrow and pyedflib)."""

import subprocess
import sys
import uuid
from dataclasses import replace
from typing import Any

import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pyedflib
import pytest

from studio.config import ConfigError, load_config
from studio.marker_inputs import LslMarkers
from studio.session import MarkerSettings
from studio.store import Consent
from tests.stepped import stepped_demo
from tests.test_export import export
from tests.waiting import wait_until


def test_button_codes_come_from_the_settings_and_bad_ones_are_refused(tmp_path):
    settings = tmp_path / "c.toml"
    settings.write_text('[markers]\nlabels = ["go", "stop"]\nkeys = ["F2", "F3"]\ncodes = [11, 12]\n')
    assert load_config(settings).markers.codes == (11, 12)
    settings.write_text('[markers]\nlabels = ["go", "stop"]\nkeys = ["F2", "F3"]\ncodes = [11]\n')
    with pytest.raises(ConfigError, match=r"markers.codes = \[11\] must be \[\] or one whole number per label"):
        load_config(settings)
    settings.write_text('[markers]\nlabels = ["go"]\nkeys = ["F2"]\ncodes = [4294967296]\n')
    with pytest.raises(ConfigError, match="each code must lie in"):
        load_config(settings)


def test_codes_and_durations_are_exported_as_columns_and_annotations(tmp_path):
    store = tmp_path / "s.sqlite"
    markers = MarkerSettings(labels=("go", "stop"), keys=("F2", "F3"), codes=(11, 12))
    run = stepped_demo(store, markers=markers, consent=Consent(research=True))
    studio = run.studio
    try:
        run.run(3.0)
        studio.add_marker("go")  # a button: its code from the settings
        studio.add_marker("picture", "remote", code=5, duration=1.5)
        studio.add_marker("note without a code")
        refused: list[tuple[Any, Any]] = [(True, None), ("x", None), (2**40, None), (None, float("nan")), (None, -1)]
        for code, duration in refused:
            with pytest.raises(ValueError):
                studio.add_marker("refused", "remote", code=code, duration=duration)
        run.run(2.0)
    finally:
        studio.stop()
    export(store, "--latest", "--format", "parquet", "--out", str(tmp_path / "pq"))
    export(store, "--latest", "--format", "csv", "--out", str(tmp_path / "csv"))
    (edf,) = export(store, "--latest", "--format", "edf", "--out", str(tmp_path / "edf"))
    for table in (pq.read_table(tmp_path / "pq" / "markers.parquet"), pcsv.read_csv(tmp_path / "csv" / "markers.csv")):
        rows = {
            label: (code, duration)
            for label, code, duration in zip(
                *table.select(["label", "code", "duration"]).to_pydict().values(), strict=True
            )
        }
        assert rows["go"] == (11, None) and rows["picture"] == (5, 1.5) and rows["note without a code"] == (None, None)
        assert "refused" not in rows
    with pyedflib.EdfReader(edf) as reader:
        _, durations, texts = reader.readAnnotations()
    found = {text: duration for text, duration in zip(texts, durations, strict=True)}
    assert found["go (code 11)"] == -1 and found["picture (code 5)"] == 1.5 and "note without a code" in found


INT_MARKERS = """
import sys, time, pylsl
outlet = pylsl.StreamOutlet(pylsl.StreamInfo(sys.argv[1], "Markers", 1, 0, pylsl.cf_int32, sys.argv[1]))
end = time.monotonic() + 30
while time.monotonic() < end:
    if outlet.have_consumers():
        outlet.push_sample([42])
    time.sleep(0.1)
"""


@pytest.mark.slow  # a real LSL outlet in another process
def test_integer_lsl_markers_from_another_process_are_event_codes():
    name = f"codes-{uuid.uuid4().hex[:8]}"
    outlet = subprocess.Popen([sys.executable, "-c", INT_MARKERS, name])
    got: list[tuple[str, str, int | None]] = []
    inlet = LslMarkers(name, lambda label, source, t, code, duration: got.append((label, source, code)), 0.0)
    try:
        wait_until(lambda: len(got) >= 2, 20, lambda: inlet.counter.summary())
    finally:
        inlet.close()
        outlet.kill()
        outlet.wait()
    assert got[0] == ("42", "lsl", 42)


def test_markers_settings_without_codes_leave_markers_without_codes():
    assert MarkerSettings().code_of("start") is None
    assert replace(MarkerSettings(), codes=(1, 2, 3, 4, 5)).code_of("eyes open") == 3
