"""The real fusion loop and policy closing the loop around a virtual listener whose channels are read directly:
each channel reports the listener's true state through its own noise at its own rate and confidence. This
unit-tests the policy and the response model; the whole studio with its channel pipelines is tested through the
command line (test_closed_loop_cli.py)."""

from pathlib import Path

from fusion.response import ResponseModel
from sensors.base import CHANNELS, affect_spec
from sensors.person import Expression
from studio.goal_plan import Goal
from studio.kernel.streams import StreamHub
from studio.listener import Listener, ListenerSpec, load_listener
from studio.loop import FusionLoop, LoopConfig
from studio.policy import Bounds, PolicyKind

LISTENERS = Path(__file__).parent.parent / "resources" / "listeners"
CONFIDENCE = {"face": 0.85, "voice": 0.7, "text": 0.6, "body": 0.45}
RATE_HZ = {"face": 15.0, "voice": 10.0, "text": 1 / 25, "body": 4.0}
STALE_AFTER = {"face": 2.0, "voice": 3.0, "text": 60.0, "body": 3.0}
TICK = 0.05


def listener(name: str) -> ListenerSpec:
    return load_listener(LISTENERS / f"{name}.toml")


def close_the_loop(
    spec: ListenerSpec,
    goal: Goal,
    seconds: float,
    policy: PolicyKind = PolicyKind.ADAPTIVE,
    model: ResponseModel | None = None,
    seed: int = 0,
    bounds: Bounds | None = None,
) -> tuple[FusionLoop, Listener]:
    """Run ``seconds`` of session time at 20 Hz; returns the loop (its log, model, goal watch) and the listener."""
    hub = StreamHub()
    for channel in CHANNELS:
        hub.declare(affect_spec(channel))
    config = LoopConfig(stale_after=STALE_AFTER, policy=policy, seed=seed)
    loop = FusionLoop(hub, CHANNELS, config, goal=goal, bounds=bounds)
    if model is not None:
        loop.use_response_model(model)
    person = Listener(spec)
    streams = {ch: hub.open(affect_spec(ch), RATE_HZ[ch]) for ch in CHANNELS}
    shown = {ch: Expression(person.now, spec.noise, 10 * seed + i) for i, ch in enumerate(CHANNELS)}
    due = dict.fromkeys(CHANNELS, 0.0)
    for i in range(1, round(seconds / TICK) + 1):
        t = i * TICK
        person.advance(t, loop.params)
        for ch in CHANNELS:
            if t >= due[ch]:
                streams[ch].append(t, [*shown[ch].at(t), CONFIDENCE[ch]])
                due[ch] += 1.0 / RATE_HZ[ch]
        loop.step(t)
    return loop, person
