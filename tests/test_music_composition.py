"""Composition, presets and parameter parsing: pure Python, no audio."""

from __future__ import annotations

import itertools
import json
from dataclasses import replace
from pathlib import Path

import pytest

from studio.music.params import LAYERS, MODES, MusicParams, ParamError, parse_value, updated
from studio.music.presets import PresetError, load_preset, load_presets, preset_names, save_preset
from studio.music.script import ScriptError, parse_changes
from studio.music.theory import PROGRESSIONS, SCALES, STEPS_PER_BAR, Composer, Harmony, chord_for

SHIPPED = ("calm-ambient", "warm-piano", "uplifting", "grounding-pulse", "reflective")


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("STUDIO_DATA_DIR", str(tmp_path))
    return tmp_path


def test_tension_moves_from_consonant_to_restless_progressions() -> None:
    levels = [Harmony.of(MusicParams(tension=t)).tension for t in (0.0, 0.3, 0.6, 1.0)]
    assert levels == [0, 1, 2, 3]
    for mode in MODES:
        calm = [chord_for(Harmony(mode, 0, 0), bar) for bar in range(4)]
        tense = [chord_for(Harmony(mode, 3, 0), bar) for bar in range(4)]
        assert all(len(chord) == 3 for chord in calm), "tension 0 plays plain triads"
        assert all(len(chord) == 5 for chord in tense), "tension 1 adds sevenths and ninths"
        assert calm[0][0] == 0, "the calmest progression starts on the tonic"
        assert PROGRESSIONS[mode][0] != PROGRESSIONS[mode][3]


def test_the_third_above_the_tonic_names_the_mode() -> None:
    thirds = {mode: chord_for(Harmony(mode, 0, 0), 0)[1] for mode in MODES}
    assert thirds == {"major": 4, "minor": 3, "dorian": 3, "lydian": 4}
    assert SCALES["lydian"][3] == 6 and SCALES["dorian"][5] == 9  # each modal colour's own note


def test_composer_is_reproducible_and_follows_density() -> None:
    harmony = Harmony("major", 1, 0)
    first, again, other = Composer(seed=3), Composer(seed=3), Composer(seed=4)
    bars = [first.next_bar(harmony, 0.5) for _ in range(8)]
    assert bars == [again.next_bar(harmony, 0.5) for _ in range(8)]
    assert bars != [other.next_bar(harmony, 0.5) for _ in range(8)]
    sparse = Composer().next_bar(harmony, 0.0)
    full = Composer().next_bar(harmony, 1.0)
    assert sum(p > 0 for p in sparse.pulse) == 0
    assert sum(p > 0 for p in full.pulse) == STEPS_PER_BAR
    composer = Composer(seed=1)
    melody = [p for _ in range(32) for p in composer.next_bar(harmony, 1.0).melody if p > 0]
    assert min(melody) >= 50 + 7 and max(melody) < 50 + 31, "the melody stays in its two octaves"
    assert max(abs(a - b) for a, b in itertools.pairwise(melody)) <= 12, "no leaps beyond an octave"


def test_register_transposes_every_layer() -> None:
    home = Composer().next_bar(Harmony("major", 0, 0), 1.0)
    up = Composer().next_bar(Harmony("major", 0, 5), 1.0)
    assert (up.bass - home.bass) % 12 == 5
    assert all((b - a) % 12 == 5 for a, b in zip(home.pad, up.pad, strict=True))


def test_parameter_values_are_checked_and_clamped() -> None:
    assert parse_value("tempo", "90") == 90.0
    assert parse_value("layers", "pad+bass") == frozenset({"pad", "bass"})
    assert parse_value("layers", "none") == frozenset()
    params, notes = updated(MusicParams(), {"tempo": 500, "volume": "3"}, "--set")
    assert (params.tempo, params.volume) == (160.0, 0.0)
    assert notes == [
        "--set: tempo=500 is outside 40..160 BPM; using 160",
        "--set: volume=3 is outside -60..0 dBFS; using 0",
    ]
    for name, value, fragment in [
        ("speed", 1, "unknown parameter 'speed'"),
        ("tempo", "fast", "must be a number"),
        ("tempo", float("nan"), "must be a number"),
        ("density", True, "must be a number"),
        ("mode", "phrygian", "choose one of major"),
        ("layers", ["pad", "drums"], "unknown layer(s) drums"),
        ("layers", 3, "list of layer names"),
    ]:
        with pytest.raises(ParamError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
            parse_value(name, value)


def test_shipped_presets_load_and_differ() -> None:
    assert set(SHIPPED) <= set(preset_names())
    presets = {name: load_preset(name) for name in SHIPPED}
    assert all(p.description and not p.notes and not p.saved for p in presets.values())
    assert len({p.params for p in presets.values()}) == len(SHIPPED)
    assert presets["calm-ambient"].params.tempo < presets["uplifting"].params.tempo
    assert presets["uplifting"].params.layers == frozenset(LAYERS)


@pytest.mark.usefixtures("data_dir")
def test_operator_saves_and_reloads_a_preset() -> None:
    mine = replace(MusicParams(), tempo=84.0, mode="dorian", layers=frozenset({"pad", "melody"}))
    path = save_preset("my-session", mine, "for Tuesday's group")
    assert path.is_file()
    loaded = load_preset("my-session")
    assert (loaded.params, loaded.description, loaded.saved) == (mine, "for Tuesday's group", True)
    save_preset("my-session", replace(mine, tempo=90.0))
    assert load_preset("my-session").params.tempo == 90.0
    with pytest.raises(PresetError, match="shipped preset"):
        save_preset("uplifting", mine)
    with pytest.raises(PresetError, match="lower-case letters"):
        save_preset("../evil", mine)


def test_a_broken_saved_preset_is_named_and_hides_nothing(data_dir: Path) -> None:
    folder = data_dir / "presets"
    folder.mkdir()
    (folder / "broken.json").write_text("{not json")
    (folder / "loud.json").write_text(json.dumps({"params": {"volume": 6}}))
    presets, problems = load_presets()
    assert len(problems) == 1 and "broken.json is not valid JSON" in problems[0]
    loud = next(p for p in presets if p.name == "loud")
    assert loud.params.volume == 0.0 and "volume=6 is outside" in loud.notes[0]
    assert set(SHIPPED) <= {p.name for p in presets}
    with pytest.raises(PresetError, match="unknown preset 'nope'; presets: broken, calm-ambient"):
        load_preset("nope")


def test_changes_file_applies_in_order_on_top_of_each_other() -> None:
    data = [{"t": 4, "set": {"mode": "minor"}}, {"t": 1.5, "set": {"tempo": 300}}]
    changes, notes = parse_changes(data, MusicParams(), 10.0, "c.json")
    assert [t for t, _ in changes] == [1.5, 4.0]
    assert changes[1][1].tempo == 160.0 and changes[1][1].mode == "minor"
    assert notes == ["c.json entry 2: tempo=300 is outside 40..160 BPM; using 160"]
    for bad, fragment in [
        ({"t": 1}, "must be a JSON list"),
        ([{"t": 1}], 'exactly "t" and "set"'),
        ([{"t": "soon", "set": {}}], "t='soon' must be a number"),
        ([{"t": 11, "set": {}}], "outside the render"),
        ([{"t": 1, "set": [1]}], "set must be an object"),
        ([{"t": 1, "set": {"warmth": 1}}], "entry 1: unknown parameter 'warmth'"),
    ]:
        with pytest.raises(ScriptError, match=fragment):
            parse_changes(bad, MusicParams(), 10.0, "c.json")
