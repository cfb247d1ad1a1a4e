from typing import Any

import pytest

from studio.cli import build_parser, settings_from
from studio.config import (
    SETTING_RANGES,
    ConfigError,
    check_settings,
    default_settings,
    load_config,
    settings_toml,
    user_settings,
)
from studio.goal_plan import Goal


def write(tmp_path, text):
    p = tmp_path / "config.toml"
    p.write_text(text)
    return p


def test_defaults_load(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    c = load_config()
    assert c.goal is Goal.CALM and c.loop.rate_hz == 20.0 and c.board.board_id == -1
    assert c.source == "defaults"


def test_user_file_overrides(tmp_path):
    c = load_config(write(tmp_path, '[control]\ngoal = "uplift"\ntempo_max = 110\n[channels.weights]\ntext = 0\n'))
    assert c.goal is Goal.UPLIFT and c.bounds.tempo_max == 110.0 and c.loop.weights["text"] == 0.0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[control]\ntempo_min = 'fast'\n", "control.tempo_min = 'fast' must be a number"),
        ("[control]\ngoal = 'sleep'\n", "choose one of calm, energise, uplift, steady, iso"),
        ("[control]\ntempo_min = 100\ntempo_max = 70\n", "minimum above the maximum"),
        ("[contrl]\n", "unknown setting 'contrl'"),
        ("[channels.weights]\nface = -1\n", "channels.weights.face = -1 is not a number from 0 to 10"),
        ("[channels.weights]\nfacee = 1.0\n", "unknown setting 'channels.weights.facee'"),
        ("[control]\ngoal_point = [2.0, 0.0]\n", "control.goal_point[0] = 2 is not a number from -1 to 1"),
        ("[control]\ngoal_point = [0.5]\n", "must be [valence, arousal]"),
        ("[control]\nallowed_modes = ['phrygian']\n", "allowed modes phrygian"),
        ("[control]\nallowed_layers = []\n", "allowed layers (none)"),
        ("[session]\ncalibration_seconds = 0\n", "session.calibration_seconds = 0"),
        ("[channels.weights]\nface = 0\nvoice = 0\ntext = 0\nbody = 0\n", "every channel weight is 0"),
        ("[audio]\nbackend = 'alsa'\n", "audio.backend = 'alsa'"),
        ("[body]\nnotch_hz = 'fifty'\n", "notch_hz = 'fifty' must be a number"),
        ("[loop]\nrate_hz = 0\n", "loop.rate_hz = 0 is not a number from 1 to 100 Hz"),
        ("[loop]\nrate_hz = 1000000\n", "loop.rate_hz = 1e+06 is not a number from 1 to 100 Hz"),
        ("[loop]\nrate_hz = nan\n", "loop.rate_hz = nan is not a number from 1 to 100 Hz"),
        ("[loop]\nsmoothing_tau = inf\n", "loop.smoothing_tau = inf is not a number from 0.1 to 60 s"),
        ("[channels.weights]\nface = inf\n", "channels.weights.face = inf is not a number from 0 to 10"),
        ("[channels.stale_after]\nvoice = -inf\n", "channels.stale_after.voice = -inf is not a number"),
        ("[control]\ngoal_point = [nan, 0.0]\n", "control.goal_point[0] = nan is not a number from -1 to 1"),
        ("[control]\ngoal_point = [0.1, true]\n", "control.goal_point[1] = true is not a number from -1 to 1"),
        ("[control]\ntempo_min = nan\n", "control.tempo_min = nan is not a number from 40 to 160 BPM"),
        ("[control]\niso_match_seconds = 1e9\n", "control.iso_match_seconds = 1e+09 is not a number from 1 to 600"),
        ("[face]\nwidth = 640.5\n", "face.width = 640.5 must be a whole number"),
        ("[face]\nwidth = true\n", "face.width = true must be a whole number"),
        ("[face]\nheight = 100000\n", "face.height = 100000 is not a number from 32 to 4320 pixels"),
        ("[voice]\nrate = 16000.0\n", "voice.rate = 16000.0 must be a whole number"),
        ("[body]\nband_high_hz = 1e6\n", "body.band_high_hz = 1e+06 is not a number from 1 to 1000 Hz"),
        ("[outputs]\nosc_port = 70000\n", "outputs.osc_port = 70000 is not a number from 1 to 65535"),
        ("[outputs]\nlsl = 'yes'\n", "outputs.lsl = 'yes' must be true or false"),
        ("[outputs]\nlsl = 1\n", "outputs.lsl = 1 must be true or false"),
        ("[markers]\nkeys = ['F1', 'F2', 'F3', 'F4', 'F5']\n", "markers.keys has 'F1', the console's key for Help"),
        ("this is = = not toml", "is not valid TOML"),
    ],
)
def test_bad_values_name_the_setting(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert message in str(err.value)
    assert str(path) in str(err.value)


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "nope.toml")


def leaves(table: dict[str, Any], where: str = "") -> list[tuple[str, str, Any]]:
    """Every setting below ``table``: (its table's dotted name, its key, its default value)."""
    out = []
    for key, value in table.items():
        if isinstance(value, dict):
            out += leaves(value, f"{where}.{key}" if where else key)
        else:
            out.append((where, key, value))
    return out


BOOLEANS = [(t, k) for t, k, v in leaves(default_settings()) if isinstance(v, bool)]
NUMBERS = [(t, k, v) for t, k, v in leaves(default_settings()) if type(v) in (int, float) or k == "goal_point"]


def test_the_defaults_hold_booleans_and_numbers():
    assert ("outputs", "lsl") in BOOLEANS and ("consent", "research") in BOOLEANS and len(BOOLEANS) == 5
    assert len(NUMBERS) >= 30


@pytest.mark.parametrize(("table", "key"), BOOLEANS)
@pytest.mark.parametrize("value", [True, False])
def test_every_boolean_setting_round_trips(tmp_path, monkeypatch, table, key, value):
    """Each true/false setting, from --config and from the user's own config file, arrives as written."""
    text = f"[{table}]\n{key} = {str(value).lower()}\n"
    given = write(tmp_path, text)
    from_option = settings_from(build_parser().parse_args(["--config", str(given)]))
    home = tmp_path / "home"
    (home / "affect-studio").mkdir(parents=True)
    (home / "affect-studio" / "config.toml").write_text(text)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    from_user_file = load_config()
    assert from_user_file.source == str(home / "affect-studio" / "config.toml")
    for config in (from_option, from_user_file):
        assert getattr(getattr(config, table), key) is value


def test_a_decimal_setting_takes_a_whole_number(tmp_path):
    c = load_config(write(tmp_path, "[loop]\nrate_hz = 30\n[face]\nfps = 25\n"))
    assert c.loop.rate_hz == 30.0 and isinstance(c.loop.rate_hz, float)
    assert c.face.fps == 25.0 and isinstance(c.face.fps, float)


def range_of(table: str, key: str) -> tuple[float, float, str]:
    return SETTING_RANGES.get(f"{table}.{key}") or SETTING_RANGES[table]


@pytest.mark.parametrize(("table", "key", "default"), NUMBERS)
def test_every_number_setting_has_a_sane_range(table, key, default):
    low, high, _ = range_of(table, key)
    assert all(low <= x <= high for x in (default if isinstance(default, list) else [default]))


def test_every_range_belongs_to_a_setting():
    names = {f"{t}.{k}" for t, k, _ in leaves(default_settings())} | {t for t, _, _ in leaves(default_settings())}
    assert set(SETTING_RANGES) <= names


@pytest.mark.parametrize(("table", "key", "default"), NUMBERS)
@pytest.mark.parametrize("where", ["above", "below", "nan"])
def test_every_number_setting_refuses_what_is_outside_its_range(tmp_path, table, key, default, where):
    low, high, unit = range_of(table, key)
    bad = {"above": high + 1, "below": low - 1, "nan": float("nan")}[where]
    whole = isinstance(default, int)
    written = "nan" if where == "nan" and not whole else repr(int(bad) if whole and where != "nan" else bad)
    if whole and where == "nan":
        written, expected = "nan", "must be a whole number"
    else:
        expected = f"is not a number from {low:g} to {high:g}{' ' + unit if unit else ''}"
    value = f"[{written}, 0.0]" if isinstance(default, list) else written
    path = write(tmp_path, f"[{table}]\n{key} = {value}\n")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    message = str(err.value)
    assert f"{table}.{key}" in message and expected in message and str(path) in message
    assert "\n" not in message


def test_settings_written_by_the_console_read_back_and_are_checked_as_a_file(tmp_path):
    given = {
        "outputs": {"lsl": True, "lsl_prefix": 'Lab "A"', "osc": False, "osc_port": 9001},
        "markers": {"labels": ["start", "eyes closed"], "keys": ["F2", "F3"]},
        "channels": {"weights": {"face": 0.5, "body": 2}},
        "consent": {"research": True},
    }
    path = tmp_path / "config.toml"
    path.write_text(settings_toml(given, "written by the console"), encoding="utf-8")
    assert user_settings(path) == given
    config = load_config(path)
    assert config.outputs.lsl and config.outputs.lsl_prefix == 'Lab "A"' and config.markers.keys == ("F2", "F3")
    assert check_settings(given, "the settings dialog")["outputs"]["osc_port"] == 9001
    with pytest.raises(ConfigError, match=r"the settings dialog: outputs\.osc_port = 70000 is not a number"):
        check_settings({"outputs": {"osc_port": 70000}}, "the settings dialog")
    with pytest.raises(ConfigError, match="console's key for Help"):
        check_settings({"markers": {"labels": ["a"], "keys": ["F1"]}}, "the settings dialog")
    assert user_settings(tmp_path / "none.toml") == {}
