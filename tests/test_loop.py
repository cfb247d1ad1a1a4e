"""The fusion/control loop stepped by hand, with the real scripted channels and a recording sink."""

import pytest

from fusion.affect import Affect
from sensors.base import affect_stream_name
from sensors.face import ScriptedFace
from sensors.voice import ScriptedVoice
from studio.clock import ManualClock
from studio.loop import FusionLoop, LoopConfig
from studio.music.params import MusicParams
from studio.policy import Bounds, ControlMode, Goal
from studio.streams import StreamHub

CHANNELS = ("face", "voice", "text", "body")


class RecordingSink:
    """Stands in for the music engine in this unit test; the engine has its own tests."""

    def __init__(self) -> None:
        self.applied: list[MusicParams] = []

    def apply(self, params: MusicParams) -> None:
        self.applied.append(params)


def make_loop(**kwargs):
    hub = StreamHub()
    sink = RecordingSink()
    loop = FusionLoop(hub, CHANNELS, LoopConfig(stale_after={"text": 60.0}), sink=sink, **kwargs)
    return hub, sink, loop


def test_scripted_channels_drive_the_fused_estimate_and_music():
    hub, sink, loop = make_loop()
    clock = ManualClock()
    sources = [ScriptedFace(), ScriptedVoice()]
    for s in sources:
        s.open(hub)
    for _ in range(200):  # 10 s at 20 Hz
        now = clock.advance(0.05)
        for s in sources:
            s.step(now)
        loop.step(now)
    assert loop.ticks == 200
    fused = hub.get("affect.fused").last(100)
    assert len(fused) == 200
    assert fused.values[-1, 2] > 0.3  # two confident channels
    shares = {c.channel: c.share for c in loop.last.contributions}
    assert shares["face"] > 0 and shares["voice"] > 0 and shares["body"] == 0
    assert sink.applied, "the music was never steered"
    assert len(hub.get("music.params").last(100)) == 200


def test_step_change_is_followed_within_the_time_constant():
    hub, _, loop = make_loop()
    stream = hub.get(affect_stream_name("face"))
    t = 0.0
    for _ in range(100):
        t += 0.05
        stream.append(t, Affect(-0.5, 0.0, 0.9).as_row())
        loop.step(t)
    start = loop.last.affect.valence
    t_step = t
    while t < t_step + loop.config.smoothing_tau:
        t += 0.05
        stream.append(t, Affect(0.5, 0.0, 0.9).as_row())
        loop.step(t)
    # After one time constant, ~63% of the way (confidence weighting slows it a little).
    progress = (loop.last.affect.valence - start) / (0.5 - start)
    assert 0.45 < progress < 0.75


def test_dropped_channel_lowers_confidence_but_keeps_the_estimate():
    hub, _, loop = make_loop()
    face, voice = hub.get("affect.face"), hub.get("affect.voice")
    t = 0.0
    for _ in range(100):
        t += 0.05
        face.append(t, Affect(0.6, 0.2, 0.9).as_row())
        voice.append(t, Affect(0.4, 0.2, 0.9).as_row())
        loop.step(t)
    both = loop.last.affect
    for _ in range(200):  # the face stops; voice goes on
        t += 0.05
        voice.append(t, Affect(0.4, 0.2, 0.9).as_row())
        loop.step(t)
    alone = loop.last.affect
    assert alone.confidence < both.confidence
    assert alone.valence == pytest.approx(0.4, abs=0.02)
    assert "stale" in {c.channel: c.reason for c in loop.last.contributions}["face"]


def test_manual_mode_holds_the_music_and_logs_operator_changes():
    hub, _sink, loop = make_loop(mode=ControlMode.MANUAL, bounds=Bounds(volume_ceiling=-20))
    hub.get("affect.face").append(0.0, Affect(-1, 1, 1).as_row())
    before = loop.params
    for i in range(100):
        loop.step(i * 0.05)
    assert loop.params == before
    notes = loop.set_manual(5.0, tempo=500.0, volume=-3.0)
    assert notes and "tempo=500" in notes[0]
    assert loop.params.tempo == 96.0  # clamped to the range, then to the bounds
    assert loop.params.volume == -20.0  # the ceiling always holds
    entries = [c for c in loop.control_log.last(10) if c.who == "operator"]
    assert {c.param for c in entries} >= {"tempo"}


def test_bad_settings_are_refused_and_the_old_ones_stay():
    _, _, loop = make_loop(goal=Goal.CALM)
    with pytest.raises(ValueError):
        loop.set_bounds(Bounds(tempo_min=100, tempo_max=60), 0.0)
    assert loop.bounds == Bounds()
    with pytest.raises(ValueError):
        loop.set_goal("sleepy", 0.0)
    assert loop.goal is Goal.CALM
    loop.set_goal("energise", 1.0)
    assert loop.goal is Goal.ENERGISE
    assert loop.control_log.last(1)[0].param == "goal"
