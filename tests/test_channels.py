"""The demo channels with their real components: VADER, BrainFlow's synthetic board, scripted face and voice."""

import numpy as np
import pytest

from sensors.base import State
from sensors.face import ScriptedFace, scripted_expression
from sensors.person import Person
from sensors.text import TextSource, clean_text, read_text_log, replay_text
from sensors.text_expression import LINE_EVERY_S, PersonText
from sensors.voice import ScriptedVoice
from studio.kernel.clock import ManualClock, SessionClock
from studio.kernel.streams import StreamHub


def test_text_channel_scores_typed_messages_with_vader():
    hub = StreamHub()
    text = TextSource()
    text.open(hub)
    text.submit("I feel wonderful, this is great!")
    text.step(1.0)
    text.submit("This is awful and I hate it.")
    text.step(2.0)
    rows = hub.get("affect.text").last(10)
    assert rows.t.tolist() == [1.0, 2.0]
    assert rows.values[0, 0] > 0.5 and rows.values[1, 0] < -0.5
    assert text.status.state is State.OK


@pytest.mark.parametrize(("typed", "message"), [("   ", "empty"), ("\x00\x07", "empty"), ("x" * 2001, "too long")])
def test_unusable_text_is_refused_and_nothing_is_queued(typed, message):
    hub = StreamHub()
    text = TextSource()
    text.open(hub)
    with pytest.raises(ValueError, match=message):
        text.submit(typed)
    text.step(1.0)
    assert len(hub.get("affect.text").last(10)) == 0


def test_clean_text_keeps_words_and_drops_control_characters():
    assert clean_text("  hello\x1b there  ") == "hello there"


def constant(state: tuple[float, float]) -> Person:
    """A person who stays in one state."""
    return lambda _t: state


def test_the_demo_person_types_now_and_then_what_fits_their_state():
    for state, sign in (((0.7, 0.3), 1.0), ((-0.7, 0.3), -1.0)):
        hub = StreamHub()
        text = TextSource(backend="synthetic", speaker=PersonText(constant(state), 0.05).due)
        text.open(hub)
        for t in np.arange(0, 300, 0.5):
            text.step(float(t))
        scores = hub.get("text.sentiment").last(1000)
        gaps = np.diff(scores.t)
        assert 8 <= len(scores) <= 20 and gaps.min() >= 0.6 * LINE_EVERY_S - 0.5  # a line every 15 to 35 s
        assert np.all(sign * scores.column(0) > 0.3)  # VADER's compound score has the state's sign


def test_text_log_replay_and_its_errors(tmp_path):
    log = tmp_path / "lines.txt"
    log.write_text("# a session\n2.5\tI am happy\n1.0\tI am sad\n\n")
    hub = StreamHub()
    source = replay_text(log)
    source.open(hub)
    source.step(3.0)
    assert len(hub.get("affect.text").last(10)) == 2
    bad = tmp_path / "bad.txt"
    bad.write_text("soon\thello\n")
    with pytest.raises(ValueError, match=r"bad\.txt:1: expected 'SECONDS<TAB>TEXT'"):
        read_text_log(bad)
    with pytest.raises(ValueError, match="does not exist"):
        read_text_log(tmp_path / "missing.txt")
    binary = tmp_path / "bin.txt"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ValueError, match="not UTF-8"):
        read_text_log(binary)


def test_scripted_face_loses_the_face_and_finds_it_again():
    hub = StreamHub()
    face = ScriptedFace()
    face.open(hub)
    clock = ManualClock()
    states = set()
    for _ in range(48 * 15):
        face.step(clock.advance(1 / 15))
        states.add(face.status.state)
    assert states == {State.OK, State.DEGRADED}
    conf = hub.get("affect.face").last(100).column(2)
    assert conf.min() == 0.0 and conf.max() > 0.8
    assert scripted_expression(0.93 * 48 + 0.1) is None


def test_scripted_voice_is_silent_between_phrases():
    hub = StreamHub()
    voice = ScriptedVoice()
    voice.open(hub)
    clock = ManualClock()
    conf = []
    for _ in range(100):
        voice.step(clock.advance(0.1))
        conf.append(hub.get("affect.voice").latest()[1][2])
    assert min(conf) == 0.0 and max(conf) > 0.5
    frames = hub.get("voice.prosody").last(100).t
    assert np.diff(frames) == pytest.approx(np.full(frames.size - 1, 0.01))  # a frame every 10 ms, no gaps


def test_face_channel_says_how_to_install_a_missing_model(tmp_path, monkeypatch):
    from studio.app import make_sources
    from studio.config import load_config

    monkeypatch.setenv("STUDIO_DATA_DIR", str(tmp_path))
    face = make_sources(load_config(), SessionClock(), demo=True)["face"]
    face.open(StreamHub())
    assert "affect-studio models install" in face.status.detail
