import re
import threading

import numpy as np
import pytest

from studio.kernel.clock import ManualClock, SessionClock
from studio.kernel.streams import Record, Stream, StreamHub, StreamSpec, UndeclaredStream


def test_append_and_last_window():
    s = Stream("x", ("a", "b"), capacity=100)
    for i in range(10):
        s.append(i * 0.1, [i, -i])
    w = s.last(0.35)
    assert w.t.tolist() == pytest.approx([0.6, 0.7, 0.8, 0.9])
    assert w.column(1).tolist() == [-6, -7, -8, -9]
    assert s.latest() is not None and s.latest()[0] == pytest.approx(0.9)


def test_extend_wraps_around_and_keeps_order():
    s = Stream("x", ("a",), capacity=8)
    s.extend(np.arange(5.0), np.arange(5.0)[:, None])
    s.extend(np.arange(5.0, 11.0), np.arange(5.0, 11.0)[:, None])
    w = s.last(100)
    assert w.t.tolist() == [3, 4, 5, 6, 7, 8, 9, 10]
    assert s.count == 11


def test_extend_larger_than_capacity_keeps_newest():
    s = Stream("x", ("a",), capacity=4)
    s.extend(np.arange(10.0), np.arange(10.0)[:, None])
    assert s.last(100).t.tolist() == [6, 7, 8, 9]
    assert s.count == 10


def test_since_returns_each_row_once_and_skips_overwritten():
    s = Stream("x", ("a",), capacity=5)
    seq, w = s.since(0)
    assert seq == 0 and len(w) == 0
    for i in range(3):
        s.append(i, [i])
    seq, w = s.since(seq)
    assert w.t.tolist() == [0, 1, 2]
    for i in range(3, 10):
        s.append(i, [i])
    seq, w = s.since(seq)
    assert w.t.tolist() == [5, 6, 7, 8, 9]  # rows 3 and 4 were overwritten before they were read
    assert seq == 10


def test_bad_rows_are_refused_with_the_stream_name():
    s = Stream("body.eeg", ("a", "b"), capacity=5)
    with pytest.raises(ValueError, match=r"body\.eeg"):
        s.append(0.0, [1.0])
    with pytest.raises(ValueError, match=r"body\.eeg"):
        s.extend(np.zeros(2), np.zeros((2, 3)))


def test_concurrent_writers_lose_nothing():
    s = Stream("x", ("a",), capacity=100_000)

    def write(offset: int) -> None:
        for i in range(5000):
            s.append(offset + i, [offset + i])

    threads = [threading.Thread(target=write, args=(k * 10_000,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert s.count == 20_000
    # The writers interleave out of time order, so read by sequence (as the recorder does), not by time.
    _, rows = s.since(0)
    assert sorted(rows.t.tolist()) == sorted(float(k * 10_000 + i) for k in range(4) for i in range(5000))


def test_hub_refuses_a_second_stream_with_other_fields():
    hub = StreamHub()
    spec = StreamSpec("affect.face", ("valence",), "", 10.0)
    a = hub.open(spec, 1.0)
    assert hub.open(spec, 1.0) is a and a.capacity == 16
    with pytest.raises(ValueError, match=r"affect\.face"):
        hub.open(spec, 1.0, ("arousal",))
    with pytest.raises(KeyError, match=re.escape("open: ['affect.face']")):
        hub.get("nope")


def test_a_spec_gives_units_and_capacity_and_refuses_mismatched_units():
    spec = StreamSpec("voice.prosody", ("f0_hz", "intensity_db"), ("Hz", "dB"), 120.0, Record.FEATURES)
    assert spec.unit("f0_hz") == "Hz" and spec.capacity(100.0) == 12_000
    eeg = StreamSpec("body.eeg", (), "µV", 30.0).named(("Fz", "Cz"))
    assert eeg.fields == ("Fz", "Cz") and eeg.unit("Cz") == "µV"
    with pytest.raises(ValueError, match="2 fields but 1 units"):
        StreamSpec("x", ("a", "b"), ("Hz",), 1.0)
    with pytest.raises(ValueError, match="positive, finite"):
        StreamSpec("x", ("a",), "", float("nan"))


def test_a_reader_of_an_undeclared_stream_is_refused_when_the_session_is_built():
    hub = StreamHub()
    hub.declare(StreamSpec("body.eeg", (), "µV", 30.0, Record.SAMPLES), StreamSpec("affect.body", ("v",), "", 9.0))
    hub.require("body.eeg", "affect.body")  # declared, though not open yet
    assert "body.eeg" not in hub and [s.name for s in hub.declared()] == ["affect.body", "body.eeg"]
    with pytest.raises(UndeclaredStream, match=re.escape("body.eg; declared: affect.body, body.eeg")):
        hub.require("body.eg")
    with pytest.raises(ValueError, match="declared twice"):
        hub.declare(StreamSpec("affect.body", ("a",), "", 9.0))


def test_clocks():
    c = ManualClock()
    assert c.now() == 0.0
    c.advance(1.5)
    assert c.now() == 1.5
    with pytest.raises(ValueError):
        c.advance(-1)
    real = SessionClock()
    assert 0 <= real.now() < 1
    assert real.from_unix(real.unix_start + 2.0) == pytest.approx(2.0)
