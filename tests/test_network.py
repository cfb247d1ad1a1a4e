"""LSL and OSC on loopback with the real libraries: what the studio publishes, and markers it takes in. The network
delivers in its own time: the tests that send and receive wait for it."""

import logging
import random
import socket
import struct
import threading
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

import pylsl
import pytest
from pythonosc.dispatcher import Dispatcher
from pythonosc.osc_message_builder import OscMessageBuilder
from pythonosc.osc_server import BlockingOSCUDPServer
from pythonosc.udp_client import SimpleUDPClient

from sensors.base import CHANNELS
from sensors.body_channel import BodyChannel
from studio.app import Studio
from studio.config import ConfigError, load_config
from studio.marker_inputs import OscMarkers, start_marker_inputs
from studio.music.params import LAYERS, MODES, NUMERIC
from studio.session import MarkerSettings, Outputs
from tests.waiting import wait_until


def free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def osc_listener():
    """A real OSC server on loopback collecting (address, args) until the test ends."""
    received = []
    dispatcher = Dispatcher()
    dispatcher.set_default_handler(lambda address, *args: received.append((address, args)))
    server = BlockingOSCUDPServer(("127.0.0.1", free_udp_port()), dispatcher)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], received
    server.shutdown()
    server.server_close()


def demo_studio(**changes):
    return Studio(replace(load_config(), audio_backend="silent", **changes), demo=True, store=None)


def inlet(name):
    found = pylsl.resolve_byprop("name", name, timeout=5)
    assert found, f"no LSL stream {name}"
    stream = pylsl.StreamInlet(found[0])
    stream.open_stream(timeout=5)
    return stream


def test_outputs_are_off_by_default():
    studio = demo_studio()
    studio.start()
    try:
        assert studio.publisher is None and studio.marker_inputs == []
    finally:
        studio.stop()


def described_channels(info):
    """(label, unit, type, legend) per channel of an LSL stream's ``desc/channels``; legend maps value -> name."""
    out = []
    channel = info.desc().child("channels").child("channel")
    while not channel.empty():
        legend, state = {}, channel.child("legend").child("state")
        while not state.empty():
            legend[int(state.child_value("value"))] = state.child_value("name")
            state = state.next_sibling()
        out.append((channel.child_value("label"), channel.child_value("unit"), channel.child_value("type"), legend))
        channel = channel.next_sibling()
    return out


@pytest.mark.slow
def test_the_studio_publishes_every_stream_described_over_lsl_and_osc(osc_listener):
    """Every outlet the README lists is on LSL with its channels described (label, unit, type; a legend for the
    mode and the layers), and OSC carries every channel's affect (the body's too) and the music's layers."""
    osc_port, received = osc_listener
    prefix = f"Test{uuid.uuid4().hex[:8]}"
    studio = demo_studio(outputs=Outputs(lsl=True, lsl_prefix=prefix, osc=True, osc_port=osc_port))
    studio.start()
    names = ["Affect", *(f"Affect-{ch}" for ch in CHANNELS), "Music", "Markers", "EEG"]
    try:
        inlets = {k: inlet(f"{prefix}-{k}") for k in names}
        pulled: dict[str, list[list[Any]]] = {k: [] for k in names}
        stamps: dict[str, list[float]] = {k: [] for k in names}

        def pull(*wanted):
            for k, i in inlets.items():
                samples, times = i.pull_chunk(timeout=0.0, max_samples=10000)
                pulled[k] += samples
                stamps[k] += times
            return all(len(pulled[k]) for k in wanted)

        addresses = lambda: {a for a, _ in received}  # noqa: E731
        wait_until(lambda: pull(*(n for n in names if n != "Markers")) and "/affect/body" in addresses(), 20)
        studio.add_marker("stimulus on")
        wait_until(
            lambda: pull() and ["stimulus on"] in pulled["Markers"] and ("/marker", ("stimulus on",)) in received, 20
        )
        now = pylsl.local_clock()
        infos = {k: i.info(timeout=5) for k, i in inlets.items()}
    finally:
        studio.stop()
    for name, info in infos.items():
        described = described_channels(info)
        assert len(described) == info.channel_count() and described, name
        assert all(label and unit and kind for label, unit, kind, _ in described), (name, described)
    affect = described_channels(infos["Affect-body"])
    assert [c[:3] for c in affect] == [("valence", "normalized", "Valence"), ("arousal", "normalized", "Arousal"),
                                      ("confidence", "normalized", "Confidence")]  # fmt: skip
    music = {label: (unit, kind, legend) for label, unit, kind, legend in described_channels(infos["Music"])}
    assert list(music) == [*NUMERIC, "mode", *(f"layer_{layer}" for layer in LAYERS)]
    assert music["tempo"][0] == "BPM" and music["volume"][0] == "dBFS" and music["register"][0] == "semitones"
    assert music["mode"] == ("index", "MusicMode", dict(enumerate(MODES)))
    assert music["layer_melody"] == ("boolean", "MusicLayer", {0: "melody off", 1: "melody on"})
    eeg = described_channels(infos["EEG"])
    assert {(unit, kind) for _, unit, kind, _ in eeg} == {("microvolts", "EEG")} and eeg[0][0] == "Fz"
    assert infos["EEG"].type() == "EEG" and infos["EEG"].nominal_srate() == 250
    fused = pulled["Affect"]
    assert len(fused[0]) == 3 and all(-1 <= v <= 1 for v in fused[-1][:2])
    assert now - 2.0 < stamps["Affect"][-1] <= now  # LSL's clock, so it lines up with the lab's other streams
    body = pulled["Affect-body"]
    assert 0 < body[-1][2] <= 0.45  # the body channel's own estimate, not its raw EEG
    assert len(pulled["EEG"][0]) == infos["EEG"].channel_count()
    assert pulled["Markers"][-1] == ["stimulus on"]  # after any the studio set itself
    row = dict(zip(music, pulled["Music"][-1], strict=True))
    assert 40 <= row["tempo"] <= 160 and MODES[int(row["mode"])] in MODES
    playing = [layer for layer in LAYERS if row[f"layer_{layer}"] == 1.0]
    layers = [args for a, args in received if a == "/music/layers"]
    assert playing and list(layers[-1]) == playing  # the layers' names, in LAYERS order
    assert {"/affect/fused", "/affect/face", "/affect/body", "/music/tempo", "/music/mode", "/music/layers"} <= (
        addresses()
    )
    assert all(len(args) == 3 for a, args in received if a.startswith("/affect/"))
    valence, _, confidence = next(args for a, args in received if a == "/affect/body")
    assert -1 <= valence <= 1 and 0 <= confidence <= 0.45


@pytest.mark.slow
def test_markers_from_an_lsl_stream_and_osc_messages_and_malformed_ones_are_counted():
    name = f"TestMarkers{uuid.uuid4().hex[:8]}"
    outlet = pylsl.StreamOutlet(pylsl.StreamInfo(name, "Markers", 1, 0, pylsl.cf_string, name))
    port = free_udp_port()
    studio = demo_studio(markers=MarkerSettings(lsl_stream=name, osc_port=port))
    studio.start()
    try:
        wait_until(outlet.have_consumers, 10, "the studio does not subscribe to the marker stream")
        sent_at = studio.clock.now()
        outlet.push_sample(["block 1 start"])
        outlet.push_sample(["   "])  # empty label: malformed
        outlet.push_sample(["x" * 500])  # too long: malformed
        outlet.push_sample(["12"])  # a string event code
        client = SimpleUDPClient("127.0.0.1", port)
        client.send_message("/marker", "eyes open")
        client.send_message("/marker", 17)  # an event code is a fine label
        client.send_message("/marker", ["stimulus", 5, 0.5])  # label, event code, duration (s)
        client.send_message("/marker", ["bad code", "five"])  # a code that is not a number: malformed
        client.send_message("/marker", [])  # no label
        client.send_message("/volume", 0.5)  # not a marker
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as raw:
            raw.sendto(b"\x00\x01 not osc at all", ("127.0.0.1", port))
        handled = lambda counts: counts["markers"] + counts["malformed_ignored"]  # noqa: E731
        lsl, osc = f"LSL {name}", f"OSC :{port}"
        now = studio.marker_input_summary
        wait_until(lambda: handled(now()[lsl]) == 4 and handled(now()[osc]) == 7, 5, now)  # each message sent
        summary = now()
    finally:
        studio.stop()
    markers = {m.label: m for m in studio.markers.last(10)}
    assert set(markers) == {"block 1 start", "eyes open", "17", "12", "stimulus"}
    assert markers["block 1 start"].source == "lsl" and markers["eyes open"].source == "osc"
    assert markers["block 1 start"].t == pytest.approx(sent_at, abs=0.05)  # the sample's own LSL time
    assert (markers["12"].code, markers["17"].code, markers["eyes open"].code) == (12, 17, None)
    assert (markers["stimulus"].code, markers["stimulus"].duration) == (5, 0.5)
    assert summary[lsl]["markers"] == 2 and summary[lsl]["malformed_ignored"] == 2
    assert summary[osc]["markers"] == 3 and summary[osc]["malformed_ignored"] == 4


BUNDLE = b"#bundle\x00" + bytes(7) + b"\x01"  # the prefix and the time tag "immediately"


def osc_marker(label: str) -> bytes:
    """A ``/marker "label"`` datagram, built by python-osc."""
    builder = OscMessageBuilder("/marker")
    builder.add_arg(label)
    return builder.build().dgram


def bundle(*elements: bytes) -> bytes:
    return BUNDLE + b"".join(struct.pack(">i", len(e)) + e for e in elements)


def thread_state(name: str) -> str:
    """The operating system's state letter of the thread called ``name`` (R running, S sleeping, ...)."""
    (thread,) = [t for t in threading.enumerate() if t.name == name]
    stat = Path(f"/proc/self/task/{thread.native_id}/stat").read_text()
    return stat.rsplit(")", 1)[1].split()[0]


def fuzz_packets(count: int) -> list[bytes]:
    """Seeded garbage: random bytes, random bytes behind an OSC-looking start, and valid bundles with bytes
    flipped, cut short or lengthened."""
    rng = random.Random(13)
    good = bundle(osc_marker("a"), bundle(osc_marker("b"), osc_marker("c")))
    packets = []
    for k in range(count):
        noise = rng.randbytes(rng.randrange(0, 120))
        if k % 3 == 0:
            packets.append(noise)
        elif k % 3 == 1:
            packets.append(rng.choice([b"/", b"/marker\x00", BUNDLE]) + noise)
        else:
            damaged = bytearray(good)
            for _ in range(rng.randrange(1, 4)):
                damaged[rng.randrange(len(damaged))] = rng.randrange(256)
            packets.append(bytes(damaged[: rng.randrange(len(damaged) + 1)]) + noise[: rng.randrange(8)])
    return packets


@pytest.mark.slow
def test_malformed_osc_packets_are_counted_quietly_and_the_listener_keeps_receiving(capfd, caplog):
    """A bundle element of size -4 (python-osc loops on it forever), bundles nested 3,000 deep (python-osc
    recurses until RecursionError), an empty bundle and seeded garbage: each is handled, counted as ignored,
    nothing is logged, the thread goes back to waiting in recv, and a good marker still arrives after them."""
    taken: list[str] = []
    port = free_udp_port()
    listener = OscMarkers("127.0.0.1", port, lambda label, *_: taken.append(label))
    nested = osc_marker("deep")
    for _ in range(3000):
        nested = bundle(nested)
    negative = BUNDLE + struct.pack(">i", -4) + b"/m\x00\x00"
    assert len(negative) == 24 and len(nested) < 65507
    specific = [negative, nested, BUNDLE, bundle(BUNDLE, BUNDLE)]
    caplog.set_level(logging.DEBUG)
    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        counter = listener.counter
        for k, packet in enumerate([*specific, *fuzz_packets(300)]):
            before = counter.accepted + counter.malformed
            sender.sendto(packet, ("127.0.0.1", port))
            handled = lambda seen=before: counter.accepted + counter.malformed > seen  # noqa: E731
            wait_until(handled, 5, f"packet {k} {packet[:32]!r} was not handled")
            wait_until(lambda: thread_state("osc-markers") == "S", 5, f"busy after packet {k}")
            if k == len(specific) - 1:  # one each, and each of the two empty bundles inside a bundle
                assert counter.summary()["malformed_ignored"] == 5 and counter.accepted == 0
        sender.sendto(osc_marker("after the storm"), ("127.0.0.1", port))
        sender.sendto(bundle(osc_marker("in a bundle"), bundle(osc_marker("nested once"))), ("127.0.0.1", port))
        wait_until(lambda: "nested once" in taken, 5)
    finally:
        sender.close()
        listener.close()
    assert taken[-3:] == ["after the storm", "in a bundle", "nested once"]
    assert listener.counter.malformed >= 305
    assert capfd.readouterr().err == ""
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_the_osc_marker_port_listens_on_loopback_unless_the_settings_name_another_address(tmp_path):
    """127.0.0.1 by default: the same port on another local address stays free for other programs. With
    ``osc_address = "0.0.0.0"`` it listens on every interface; an address that is not IPv4 is refused."""
    assert load_config().markers.osc_address == "127.0.0.1"
    port = free_udp_port()
    listener = start_marker_inputs(MarkerSettings(osc_port=port), lambda *a: None, 0.0)[0]
    try:
        assert listener.counter.summary()["detail"] == f"listening on 127.0.0.1 UDP port {port}"
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as other:
            other.bind(("127.0.0.2", port))  # refused (address in use) if the listener held every interface
    finally:
        listener.close()
    settings = tmp_path / "every.toml"
    settings.write_text(f'[markers]\nosc_port = {port}\nosc_address = "0.0.0.0"\n')
    everywhere = start_marker_inputs(load_config(settings).markers, lambda *a: None, 0.0)[0]
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as other, pytest.raises(OSError):
            other.bind(("127.0.0.2", port))
    finally:
        everywhere.close()
    settings.write_text('[markers]\nosc_address = "localhost:9000"\n')
    with pytest.raises(ConfigError, match=r"markers.osc_address = 'localhost:9000' must be an IPv4 address"):
        load_config(settings)


def test_a_taken_osc_port_leaves_the_session_running():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind(("0.0.0.0", 0))
        port = taken.getsockname()[1]
        studio = demo_studio(markers=MarkerSettings(osc_port=port))
        studio.start()
        try:
            assert studio.started
            assert f"UDP port {port}" in studio.marker_input_summary()["problems"][0]
        finally:
            studio.stop()


@pytest.mark.slow
def test_two_studios_one_publishes_its_body_stream_the_other_subscribes():
    """Studio A (demo, synthetic board) publishes its EEG over LSL; studio B's body channel is that stream."""
    prefix = f"Pub{uuid.uuid4().hex[:8]}"
    publisher = demo_studio(outputs=Outputs(lsl=True, lsl_prefix=prefix))
    config = replace(load_config(), audio_backend="silent")
    subscriber = Studio(replace(config, body=replace(config.body, source=f"lsl:{prefix}-EEG")), demo=True, store=None)
    publisher.start()
    try:
        subscriber.start()
        try:
            hub = subscriber.hub

            def count(name):
                return hub.get(name).count if name in hub else 0

            status = lambda: subscriber.statuses()["body"]  # noqa: E731
            wait_until(lambda: count("body.eeg") >= 750 and count("body.band_relative") > 0, 20, status, every=0.2)
            body = status()
            assert count("body.eeg") >= 750, body.detail  # three seconds of samples at 250 Hz
            assert count("body.band_relative") > 0  # and features computed from them
            channel = subscriber.sources["body"]
            assert isinstance(channel, BodyChannel) and body.backend == "lsl" and channel.fs == 250
            assert "unusable" not in body.detail  # the demo's healthy EEG, judged again after LSL
            assert hub.get("body.eeg").fields == publisher.hub.get("body.eeg").fields  # the same montage, by name
        finally:
            subscriber.stop()
    finally:
        publisher.stop()
