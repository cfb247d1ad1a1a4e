"""A session's life cycle in the studio, stepped by hand on a simulated clock: nothing about the person is written
before consent; a session begins at its start (time 0), ends when the operator ends it (completed, with what it
came to and each channel's health kept), and the next client's session follows without a restart."""

import sqlite3
from dataclasses import replace

import numpy as np
import pytest

from studio.app import Studio
from studio.config import load_config
from studio.kernel.clock import ManualClock
from studio.store import Consent, Store, StoreError

PERSON_TABLES = ("channel_affect", "fused_affect", "music_params", "features", "samples", "markers", "control_log")


def run_to(studio: Studio, clock: ManualClock, until: float) -> None:
    """Step the studio (channels, loop, recorder) every 50 ms up to clock time ``until`` (s)."""
    while clock.now() < until - 1e-9:
        clock.advance(0.05)
        studio.advance(clock.now())


def counts(path) -> dict[str, int]:
    db = sqlite3.connect(path)
    try:
        return {table: db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in PERSON_TABLES}
    finally:
        db.close()


@pytest.fixture
def waiting(tmp_path):
    """A demo studio that waits for consent, started and stepped by hand."""
    clock = ManualClock()
    config = replace(load_config(), audio_backend="silent")
    studio = Studio(config, demo=True, store=tmp_path / "s.sqlite", clock=clock, realtime=False, wait_for_consent=True)
    studio.start(run_workers=False)
    yield studio, clock, tmp_path / "s.sqlite"
    studio.stop()


def test_nothing_is_written_before_consent_and_the_session_starts_at_zero(waiting):
    studio, clock, path = waiting
    run_to(studio, clock, 3.5)
    studio.add_marker("before consent")
    run_to(studio, clock, 4.0)
    assert not studio.recording and studio.session_id is None and not studio.playing
    assert len(studio.hub.get("affect.fused").last(60.0)) > 50  # the channels run: the console shows them
    assert counts(path) == dict.fromkeys(PERSON_TABLES, 0)
    assert Store.open(path, create=False).sessions() == []
    with pytest.raises(StoreError, match="no session has started yet"):
        studio.self_report("before", 5, 5)

    sid = studio.begin_session("P07", Consent(research=True))
    assert studio.recording and studio.playing  # the music fades in with the session
    run_to(studio, clock, 8.0)
    studio.flush()
    db = sqlite3.connect(path)
    lo, hi = db.execute("SELECT MIN(t), MAX(t) FROM fused_affect WHERE session_id = ?", (sid,)).fetchone()
    assert 0.0 <= lo < 0.1 and 3.8 < hi <= 4.0  # session time: 0 at the start, 4 s later
    t0, first = db.execute("SELECT t0, t FROM samples ORDER BY t0 LIMIT 1").fetchone()
    assert 0.0 <= t0 == np.frombuffer(first)[0] < 0.1  # the raw EEG too
    assert [m for (m,) in db.execute("SELECT label FROM markers")] == []  # the marker before consent is not kept
    client, consent = db.execute(
        "SELECT c.code, s.consent FROM sessions s JOIN clients c ON c.id = s.client_id"
    ).fetchone()
    assert client == "P07" and Consent.from_json(consent).research


def test_ending_closes_the_record_and_the_next_session_follows(waiting):
    studio, clock, path = waiting
    run_to(studio, clock, 1.0)
    first = studio.begin_session("P07")
    run_to(studio, clock, 6.0)
    studio.sources["text"].set_status(studio.sources["text"].status.state.DEGRADED, "no text for 30 s")
    run_to(studio, clock, 7.0)
    with pytest.raises(StoreError, match="is recording; end it"):
        studio.begin_session("P08")
    rows = studio.end_session()
    assert rows["fused_affect"] > 100 and not studio.recording and not studio.playing
    written = counts(path)
    run_to(studio, clock, 9.0)  # the console goes on, nothing is written
    assert counts(path) == written
    studio.self_report("after", 7, 3)  # the ended session's self-report after: at its end

    reader = Store.open(path, create=False)
    info = reader.session(first)
    assert info.status == "completed" and info.ended_utc is not None and 5.9 < info.duration_s <= 6.0
    (after,) = reader.self_reports(first)
    assert after.t == pytest.approx(6.0) and (after.valence, after.arousal) == (7, 3)
    outcome = reader.outcome(first)
    assert outcome["goal"] == studio.loop.goal.value and "working" in outcome["response"]
    states = reader.channel_states(first)
    assert {c for _, c, _, _ in states} == {"face", "voice", "text", "body"}
    assert (5.0 < states[-1][0] <= 6.0) and states[-1][1:] == ("text", "degraded", "no text for 30 s")
    labels = [m for (m,) in reader.query("SELECT label FROM markers WHERE session_id = ?", (first,))]
    assert labels == ["session end"]
    actions = [a for (a,) in reader.query("SELECT action FROM operator_actions WHERE session_id = ?", (first,))]
    assert actions[:2] == ["client", "consent"] and actions[-1] == "self-report"
    reader.close()

    second = studio.begin_session("P08")
    run_to(studio, clock, 11.0)
    studio.stop()
    reader = Store.open(path, create=False)
    sessions = reader.sessions()
    assert [(s.id, s.client_code, s.status) for s in sessions] == [
        (first, "P07", "completed"),
        (second, "P08", "completed"),
    ]
    assert sessions[1].duration_s == pytest.approx(2.0)
    assert reader.query("SELECT MIN(t) FROM fused_affect WHERE session_id = ?", (second,))[0][0] < 0.1
    reader.close()


def test_a_session_ends_with_the_music_closing_on_a_cadence_and_the_next_starts_it_afresh(waiting):
    studio, _, _ = waiting
    engine = studio.engine
    studio.begin_session("P07", Consent())
    buffers_per_second = round(1.0 / engine.buffer_seconds)

    def loudest(seconds: float) -> float:
        """The engine's output peak (dBFS) over the next ``seconds`` of audio, computed by hand."""
        peaks: list[float] = []
        for _ in range(round(seconds * buffers_per_second)):
            engine.process()
            peaks.append(engine.peak_dbfs())
        return max(peaks)

    assert loudest(6.0) > -40.0  # playing after its fade-in
    studio.end_session()
    log = studio.loop.control_log.last(len(studio.loop.control_log))
    assert log[-1].param == "output" and "closes with a cadence" in log[-1].reason
    assert loudest(2.0) > -40.0  # not cut off: the cadence and the tonic still sound...
    bars = 2 * 240.0 / studio.loop.params.tempo  # ... the next two bars at the present tempo (s)
    loudest(bars + 4.0)  # ... then the tonic fades over 4 s
    assert loudest(3.0) < -80.0  # to silence
    studio.begin_session("P08", Consent())
    assert studio.playing and loudest(6.0) > -40.0  # the next client's music starts afresh


def test_the_next_client_is_not_measured_against_the_last_client_s_resting_profile(waiting):
    studio, clock, _ = waiting
    studio.begin_session("P07")
    run_to(studio, clock, 25.0)
    first = studio.baselines
    assert {"face", "body"} <= set(first)  # learnt from the first seconds (face 5 s, body 20 s)
    studio.end_session()
    studio.begin_session("P08")  # a new client: nothing stored
    assert studio.baselines == {}
    run_to(studio, clock, 50.0)
    assert {"face", "body"} <= set(studio.baselines)  # P08's own, learnt again
    studio.end_session()
    studio.begin_session("P07")  # back again: P07's stored profiles
    assert studio.baselines == first


def test_a_returning_client_s_levers_are_said_in_words_before_their_next_session(waiting):
    studio, clock, _ = waiting
    assert studio.client_levers("P07") == ""  # nobody stored yet
    studio.begin_session("P07")
    run_to(studio, clock, 60.0)
    studio.end_session()
    words = studio.client_levers("P07")
    assert words.endswith("(1 earlier session)") and ("lever" in words or "more " in words), words
