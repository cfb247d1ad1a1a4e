"""The fusion/control loop stepped by hand, with the real scripted channels and a recording sink."""

from dataclasses import replace

import pytest

from fusion.affect import Affect
from sensors.base import CHANNELS, affect_spec
from sensors.face import ScriptedFace
from sensors.voice import ScriptedVoice
from studio.goal_plan import Goal
from studio.kernel.clock import ManualClock
from studio.kernel.streams import StreamHub
from studio.loop import FusionLoop, LoopConfig
from studio.music.params import MusicParams
from studio.policy import Bounds, ControlMode


class RecordingSink:
    """Stands in for the music engine in this unit test; the engine has its own tests."""

    def __init__(self) -> None:
        self.applied: list[MusicParams] = []
        self.ceilings: list[float] = []

    def apply(self, params: MusicParams) -> None:
        self.applied.append(params)

    def set_ceiling(self, dbfs: float) -> None:
        self.ceilings.append(dbfs)


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
    stream = hub.get(affect_spec("face").name)
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
    assert _sink.ceilings == [-20.0]  # and the engine's hard limit was set to it
    entries = [c for c in loop.control_log.last(10) if c.who == "operator"]
    assert {c.param for c in entries} >= {"tempo"}


def test_each_changed_bound_is_logged_as_the_operators():
    _, _, loop = make_loop(goal=Goal.CALM)
    loop.set_bounds(replace(Bounds(), volume_ceiling=-18.0, allowed_modes=("major", "dorian")), 2.0)
    logged = {c.param: (c.old, c.new, c.who) for c in loop.control_log.last(20) if c.param.startswith("bound ")}
    assert logged == {
        "bound volume_ceiling": ("-6.00", "-18.00", "operator"),
        "bound allowed_modes": (",".join(Bounds().allowed_modes), "major,dorian", "operator"),
    }


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


def feed(loop, hub, affect, seconds, t=0.0, channel="face"):
    stream = hub.get(affect_spec(channel).name)
    for _ in range(int(seconds / 0.05)):
        t += 0.05
        stream.append(t, affect.as_row())
        loop.step(t)
    return t


def test_suggest_mode_waits_for_the_operator_and_logs_the_answer():
    hub, sink, loop = make_loop(mode=ControlMode.SUGGEST, goal=Goal.CALM)
    before = loop.params
    t = feed(loop, hub, Affect(0.0, 0.8, 0.9), 30)
    assert loop.params == before  # nothing changes by itself
    [pending] = loop.suggestions()  # one at a time, with its reason
    assert "goal calm" in pending.reason and any(name == "tempo" for name, _, _ in pending.changes)
    loop.accept(pending.id, t)
    loop.step(t + 0.05)
    assert loop.params.tempo < before.tempo and sink.applied[-1] == loop.params
    accepted = [c for c in loop.control_log.last(20) if c.param == "tempo"]
    assert accepted and accepted[-1].reason.startswith("accepted by operator")
    with pytest.raises(ValueError, match="not pending"):
        loop.accept(pending.id, t)
    t = feed(loop, hub, Affect(0.0, 0.8, 0.9), 25, t)
    [second] = loop.suggestions()
    loop.dismiss(second.id, t)
    assert loop.suggestions() == [] and loop.control_log.last(1)[0].new == "dismissed"


def test_freeze_holds_everything_and_refuses_sliders():
    hub, _, loop = make_loop(mode=ControlMode.FREEZE)
    before = loop.params
    feed(loop, hub, Affect(-0.9, 0.9, 1.0), 10)
    assert loop.params == before
    with pytest.raises(ValueError, match="frozen"):
        loop.set_manual(10.0, tempo=70.0)


@pytest.mark.parametrize(
    ("weights", "message"),
    [({"face": -1.0}, "0 or more"), ({"voice": float("nan")}, "0 or more"), ({"eeg": 1.0}, "unknown channel")],
)
def test_bad_weights_are_refused_and_the_old_ones_stay(weights, message):
    _, _, loop = make_loop()
    before = loop.weights
    with pytest.raises(ValueError, match=message):
        loop.set_weights(weights, 0.0)
    with pytest.raises(ValueError, match="every channel weight is 0"):
        loop.set_weights(dict.fromkeys(CHANNELS, 0.0), 0.0)
    assert loop.weights == before


def test_goal_point_outside_the_plane_is_refused_and_the_old_goal_stays():
    _, _, loop = make_loop(goal=Goal.CALM)
    with pytest.raises(ValueError, match="outside the valence-arousal plane"):
        loop.set_goal("iso", 1.0, point=(0.2, 1.4))
    assert loop.goal is Goal.CALM and loop.goal_point == (0.3, -0.6)
    loop.set_goal("iso", 2.0, point=(0.5, -0.5))
    assert loop.goal is Goal.ISO and loop.goal_point == (0.5, -0.5)


def test_a_single_spike_is_rejected_as_an_outlier():
    hub, _, loop = make_loop()
    t = feed(loop, hub, Affect(0.2, 0.0, 0.9), 5)
    steady = loop.last.affect.valence
    hub.get("affect.face").append(t + 0.05, Affect(-1.0, 1.0, 0.9).as_row())
    loop.step(t + 0.05)
    assert {c.channel: c.reason for c in loop.last.contributions}["face"] == "outlier rejected"
    assert loop.last.affect.valence == pytest.approx(steady, abs=1e-6)
    feed(loop, hub, Affect(0.2, 0.0, 0.9), 1, t + 0.05)
    assert {c.channel: c.reason for c in loop.last.contributions}["face"] == ""


def test_disagreement_is_named():
    hub, _, loop = make_loop()
    face, voice = hub.get("affect.face"), hub.get("affect.voice")
    for i in range(40):
        face.append(i * 0.05, Affect(0.7, -0.3, 0.9).as_row())
        voice.append(i * 0.05, Affect(-0.6, 0.7, 0.9).as_row())
        loop.step(i * 0.05)
    assert loop.last.disagreement > 0.5
    assert loop.last.conflict == "face says positive valence, low arousal; voice says negative valence, high arousal"
