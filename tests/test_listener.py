"""The virtual listener: its file format, its dynamics, and one-line errors for files that cannot be used."""

import math
from pathlib import Path

import pytest

from studio.listener import PATH_EVERY_S, Listener, ListenerError, ListenerSpec, load_listener, typical_listener
from studio.music.params import MusicParams

ISSUE_EXAMPLE = """
[listener]
start = [-0.2, 0.6]   # true (valence, arousal) at t = 0
rest = [0.0, 0.1]     # where the person settles when every parameter is at mid-range and no mode is set
lag_s = 20.0          # first-order time constant of the response, seconds
noise = 0.1           # sd of each channel's reading around the true state
[listener.response]   # (valence, arousal) shift per unit of the parameter's normalised range
tempo = [0.0, 1.6]
density = [0.0, 0.6]
[listener.modes]      # (valence, arousal) shift while a mode plays
major = [0.3, 0.0]
"""
SHIPPED = sorted((Path(__file__).parent.parent / "resources" / "listeners").glob("*.toml"))


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "listener.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_issues_example_file_reads_as_written(tmp_path):
    spec = load_listener(write(tmp_path, ISSUE_EXAMPLE))
    assert (spec.start, spec.rest, spec.lag_s, spec.noise) == ((-0.2, 0.6), (0.0, 0.1), 20.0, 0.1)
    # tempo 100 BPM and density 0.5 sit at mid-range: only the mode moves the resting point
    mid = MusicParams(tempo=100.0, density=0.5, mode="major")
    assert spec.settles_at(mid) == pytest.approx((0.3, 0.1))
    faster = MusicParams(tempo=130.0, density=0.75, mode="minor")  # both a quarter of their range above the middle
    assert spec.settles_at(faster) == pytest.approx((0.0, 0.1 + 0.25 * 1.6 + 0.25 * 0.6))


def test_missing_tables_mean_no_effect_and_the_plane_clips(tmp_path):
    spec = load_listener(write(tmp_path, "[listener]\nrest = [0.9, -0.9]\n"))
    for params in (MusicParams(), MusicParams(tempo=160.0, mode="minor", layers=frozenset({"pad"}))):
        assert spec.settles_at(params) == (0.9, -0.9)
    strong = ListenerSpec(rest=(0.9, 0.9), response={"tempo": (4.0, 4.0)})
    assert strong.settles_at(MusicParams(tempo=160.0)) == (1.0, 1.0)


def test_the_true_state_follows_the_music_with_its_lag():
    spec = ListenerSpec(start=(0.0, 0.8), rest=(0.0, -0.4), lag_s=20.0)
    listener = Listener(spec)
    for i in range(1, 401):
        listener.advance(i * 0.05, MusicParams())
    assert listener.state[1] == pytest.approx(-0.4 + 1.2 * math.exp(-1.0), abs=1e-6)  # 63 % after one lag
    summary = listener.summary()
    assert [row[0] for row in listener.path] == [0.0, 5.0, 10.0, 15.0, 20.0]
    assert summary["final"] == [round(x, 4) for x in listener.state]
    assert PATH_EVERY_S == 5.0


def test_every_shipped_listener_file_loads_and_the_typical_one_is_the_demos():
    assert len(SHIPPED) >= 8
    for path in SHIPPED:
        load_listener(path)
    assert typical_listener().response == load_listener(SHIPPED[[p.stem for p in SHIPPED].index("typical")]).response


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[listener]\nlag_s = -3\n", r"listener\.lag_s = -3 must be a number in 0\.1\.\.3600"),
        ("[listener]\nnoise = 'high'\n", r"listener\.noise = 'high' must be a number"),
        ("[listener]\nstart = [0.1]\n", r"listener\.start must be two finite numbers"),
        ("[listener]\nstart = [0.1, 2.0]\n", r"listener\.start \[0\.1, 2\.0\] lies outside the plane"),
        ("[listener]\nrest = [nan, 0.0]\n", r"listener\.rest must be two finite numbers"),
        ("[listener]\nmood = 1\n", r"listener\.mood is not known; use start, rest, lag_s, noise"),
        ("[listener.response]\nloudness = [0.0, 1.0]\n", r"listener\.response\.loudness is not known"),
        ("[listener.modes]\nphrygian = [0.0, 1.0]\n", r"listener\.modes\.phrygian is not known"),
        ("[listener]\n[listener.response]\ntempo = 1.6\n", r"listener\.response\.tempo must be two finite numbers"),
        ("[person]\nstart = [0, 0]\n", r"needs exactly one \[listener\] table \(found person\)"),
        ("[listener\n", r"is not valid TOML"),
    ],
)
def test_a_malformed_listener_file_is_refused_in_one_line_naming_the_key(tmp_path, text, message):
    with pytest.raises(ListenerError, match=message) as caught:
        load_listener(write(tmp_path, text))
    assert "\n" not in str(caught.value) and "listener.toml" in str(caught.value)


def test_a_missing_or_unreadable_listener_file_says_so(tmp_path):
    with pytest.raises(ListenerError, match="does not exist"):
        load_listener(tmp_path / "none.toml")
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ListenerError, match="cannot read listener file"):
        load_listener(binary)
