import pytest

from studio.config import ConfigError, load_config
from studio.policy import Goal


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
        ("[channels.weights]\nface = -1\n", "weight of face is -1; a weight must be a number of 0 or more"),
        ("[channels.weights]\nfacee = 1.0\n", "unknown setting 'channels.weights.facee'"),
        ("[control]\ngoal_point = [2.0, 0.0]\n", "outside the valence-arousal plane"),
        ("[control]\ngoal_point = [0.5]\n", "must be [valence, arousal]"),
        ("[control]\nallowed_modes = ['phrygian']\n", "allowed modes phrygian"),
        ("[control]\nallowed_layers = []\n", "allowed layers (none)"),
        ("[session]\ncalibration_seconds = 0\n", "session.calibration_seconds = 0"),
        ("[channels.weights]\nface = 0\nvoice = 0\ntext = 0\nbody = 0\n", "every channel weight is 0"),
        ("[audio]\nbackend = 'alsa'\n", "audio.backend = 'alsa'"),
        ("[body]\nnotch_hz = 'fifty'\n", "notch_hz = 'fifty' must be a number"),
        ("[loop]\nrate_hz = 0\n", "loop.rate_hz = 0 must be above 0"),
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
