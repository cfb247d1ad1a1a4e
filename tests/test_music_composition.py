"""Composition, presets and parameter parsing: pure Python, no audio."""

from __future__ import annotations

import itertools
import json
from dataclasses import replace
from pathlib import Path

import pytest

from studio.music.composer import CHANGE_BOUNDARY_BARS, Bar, Composer, Setting, extension_levels
from studio.music.form import SECTION_MINUTES
from studio.music.harmony import CADENCES, FUNCTIONS, plan_phrase
from studio.music.instruments import CATALOGUE
from studio.music.params import LAYERS, MODES, Instruments, MusicParams, ParamError, parse_value, updated
from studio.music.presets import PresetError, load_preset, load_presets, preset_names, save_preset
from studio.music.script import ScriptError, parse_changes
from studio.music.theory import SCALES, STEPS_PER_BAR, Chord, common_tones

SHIPPED = ("calm-ambient", "warm-piano", "uplifting", "grounding-pulse", "reflective")


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("STUDIO_DATA_DIR", str(tmp_path))
    return tmp_path


def compose(settings: list[Setting], tempo: float = 72.0, seed: int = 1) -> list[Bar]:
    """One bar per setting."""
    composer = Composer(seed)
    return [composer.next_bar(setting, tempo) for setting in settings]


def test_phrases_end_with_their_cadence_in_every_mode() -> None:
    import random

    rng = random.Random(2)
    for mode, cadence, tension in itertools.product(MODES, CADENCES["major"], (0.0, 0.5, 1.0)):
        phrase = plan_phrase(rng, mode, 50, 8, 1.0, cadence, tension)
        assert len(phrase.chords) == 8 and phrase.chords[-1].start + phrase.chords[-1].steps == 8 * STEPS_PER_BAR
        assert tuple(phrase.degrees()[-2:]) in CADENCES[mode][cadence]
        assert phrase.degrees()[0] == 0, "a phrase opens on the tonic"
        assert all(a != b for a, b in itertools.pairwise(phrase.degrees()[:-1])), "no chord repeats itself"
    for mode in MODES:
        assert {d for f in FUNCTIONS[mode].values() for d in f} == set(range(7)), f"{mode}: every chord has a function"


def test_the_third_above_the_tonic_names_the_mode() -> None:
    thirds = {mode: Chord(0, mode, 50).offsets()[1] for mode in MODES}
    assert thirds == {"major": 4, "minor": 3, "dorian": 3, "lydian": 4}
    assert SCALES["lydian"][3] == 6 and SCALES["dorian"][5] == 9  # each modal colour's own note


def test_tension_is_continuous_and_adds_dissonance_to_the_end() -> None:
    levels = [extension_levels(t / 100) for t in range(101)]
    sevenths, ninths = zip(*levels, strict=True)
    assert sevenths[0] == 0.0 and ninths[0] == 0.0 and sevenths[-1] == 1.0 and ninths[-1] == 1.0
    assert all(b >= a for a, b in itertools.pairwise(sevenths)) and all(b >= a for a, b in itertools.pairwise(ninths))
    assert len({round(s + n, 6) for s, n in levels}) > 80, "tension is not a handful of steps"
    assert max(abs(b - a) for a, b in itertools.pairwise(sevenths)) < 0.05, "and never jumps"


def test_harmony_develops_instead_of_looping() -> None:
    bars = compose([Setting("major", 50, 0.3, 0.5)] * 200)
    chords = [b.chords[0][1].degree if b.chords else None for b in bars]
    windows = [tuple(chords[i : i + 8]) for i in range(0, 200 - 7, 8)]
    assert len(set(windows)) >= 0.5 * len(windows), windows
    assert max(len(list(g)) for _, g in itertools.groupby(windows)) <= 2


def test_sections_change_every_few_minutes() -> None:
    tempo = 72.0
    bars = compose([Setting("dorian", 50, 0.3, 0.5)] * 600, tempo)
    starts = [b.index for b in bars if b.index == 0 or b.section != bars[b.index - 1].section]
    minutes = [(b - a) * 4 * 60 / tempo / 60 for a, b in itertools.pairwise(starts)]
    assert len(minutes) >= 3
    assert all(SECTION_MINUTES[0] - 0.6 <= m <= SECTION_MINUTES[1] + 0.6 for m in minutes), minutes
    palettes = {b.palette for b in bars}
    assert len(palettes) == len(starts), "each section takes its turn in the layers' instrument palettes"


def test_pad_voices_move_by_a_fourth_at_most_even_through_mode_and_key_changes() -> None:
    settings = [Setting(MODES[(i // 24) % 4], 50 + (5 * (i // 40)) % 12 - 6, (i % 50) / 50, 0.5) for i in range(400)]
    last: dict[int, int] = {}
    for bar in compose(settings):
        for note in bar.layer("pad"):
            if note.voice in last:
                assert abs(note.pitch - last[note.voice]) <= 5, (bar.index, note)
            last[note.voice] = note.pitch


def test_mode_and_key_changes_wait_for_a_phrase_boundary_and_enter_by_a_shared_tone() -> None:
    settings = [Setting("major", 50, 0.3, 0.5)] * 13 + [Setting("minor", 55, 0.3, 0.5)] * 20
    bars = compose(settings)
    changed = next(b.index for b in bars if b.chords and b.chords[0][1].mode == "minor")
    assert 13 <= changed < 13 + CHANGE_BOUNDARY_BARS
    chords = [c for b in bars for _, c in b.chords]
    for before, after in itertools.pairwise(chords):
        if (before.mode, before.key) != (after.mode, after.key):
            assert common_tones(before, after) >= 1, (before, after)
    for seed in range(20):  # every pair of modes and keys finds a chord to enter by
        composer = Composer(seed)
        previous = None
        for i in range(40):
            setting = Setting(MODES[(seed + i // 4) % 4], 50 + (7 * (i // 4)) % 12, 0.5, 0.5)
            for _, chord in composer.next_bar(setting, 90.0).chords:
                if previous is not None and (previous.mode, previous.key) != (chord.mode, chord.key):
                    assert common_tones(previous, chord) >= 1, (previous, chord)
                previous = chord


def test_density_zero_has_no_beat_and_density_one_every_beat() -> None:
    sparse = compose([Setting("major", 50, 0.3, 0.0)] * 16)
    assert not any(b.layer("pulse") for b in sparse), "no pulse at all"
    bass_onsets = [n.step for b in sparse for n in b.layer("bass")]
    assert len(bass_onsets) <= 16 and set(bass_onsets) <= {0, 4}, "the bass holds each chord"
    full = compose([Setting("major", 50, 0.3, 1.0)] * 16)
    assert all([n.step for n in b.layer("bass")] == [0, 2, 4, 6] for b in full)
    assert all(len(b.layer("pulse")) == STEPS_PER_BAR for b in full)


def test_composer_is_reproducible() -> None:
    settings = [Setting("lydian", 52, 0.4, 0.6)] * 24
    assert compose(settings, seed=3) == compose(settings, seed=3)
    assert compose(settings, seed=3) != compose(settings, seed=4)


def test_register_transposes_every_layer() -> None:
    home = compose([Setting("major", 50, 0.0, 1.0)] * 4)
    up = compose([Setting("major", 55, 0.0, 1.0)] * 4)
    for a, b in zip(home, up, strict=True):
        assert [n.pitch % 12 for n in a.layer("bass")] == [(n.pitch - 5) % 12 for n in b.layer("bass")]
        assert sorted(n.pitch % 12 for n in a.layer("pad")) == sorted((n.pitch - 5) % 12 for n in b.layer("pad"))
    assert min(n.pitch for b in up for n in b.layer("bass")) >= 38, "the bass stays above small speakers' reach"


def test_an_ending_is_a_cadence_then_the_tonic_then_silence() -> None:
    composer = Composer(5)
    for _ in range(11):
        composer.next_bar(Setting("dorian", 50, 0.6, 0.7), 80.0)
    composer.close()
    cadence, tonic, after = (composer.next_bar(Setting("dorian", 50, 0.6, 0.7), 80.0) for _ in range(3))
    assert (cadence.chords[0][1].degree, tonic.chords[0][1].degree) in CADENCES["dorian"]["authentic"]
    assert tonic.final and after.final and not after.notes
    assert [n.pitch % 12 for n in tonic.layer("melody")] == [50 % 12], "the melody comes home"
    assert [n.pitch % 12 for n in tonic.layer("bass")] == [50 % 12]


def test_parameter_values_are_checked_and_clamped() -> None:
    assert parse_value("tempo", "90") == 90.0
    assert parse_value("layers", "pad+bass") == frozenset({"pad", "bass"})
    assert parse_value("layers", "none") == frozenset()
    assert parse_value("instruments", "melody=flute+harp,pad=choir") == {"melody": ("flute", "harp"), "pad": ("choir",)}
    mixed, _ = updated(MusicParams(), {"instruments": {"melody": ["flute", "kalimba"]}, "nature": "rain"})
    assert mixed.instruments == replace(Instruments(), melody=("flute", "kalimba")) and mixed.nature == "rain"
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
        ("instruments", {"melody": "tuba"}, "'tuba' is an unknown instrument; choose from piano"),
        ("instruments", {"melody": "strings"}, "not an instrument the melody can play"),
        ("instruments", {"drums": "piano"}, "unknown layer(s) drums"),
        ("instruments", {"melody": 7}, "instrument name or a list of 1 to 3"),
        ("instruments", "melody", "write LAYER=NAME"),
        ("nature", "surf", "choose one of none, rain"),
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
    chosen = {name for p in presets.values() for layer in LAYERS for name in p.params.instruments.of(layer)}
    assert len(chosen) >= 8, "the shipped presets show off the instruments"
    assert len(CATALOGUE) >= 8


@pytest.mark.usefixtures("data_dir")
def test_a_therapist_changes_a_presets_instruments_and_saves_it() -> None:
    piano = load_preset("warm-piano").params
    mine, _ = updated(piano, {"instruments": "pulse=harp+kalimba,pad=choir", "nature": "rain"})
    save_preset("piano-and-rain", mine, "harp and kalimba instead of piano")
    loaded = load_preset("piano-and-rain").params
    assert loaded == mine
    assert loaded.instruments.pulse == ("harp", "kalimba") and loaded.instruments.bass == piano.instruments.bass


def test_a_preset_with_a_bad_instrument_or_wrong_types_is_named() -> None:
    from studio.music.presets import parse_preset

    for params, fragment in [
        ({"instruments": {"melody": "tuba"}}, "'tuba' is an unknown instrument"),
        ({"instruments": ["piano"]}, "must map layers"),
        ({"tempo": "fast"}, "tempo='fast' must be a number"),
        ({"layers": {"pad": True}}, "must be a list of layer names"),
        ({"nature": 3}, "nature=3 is not a nature bed"),
    ]:
        with pytest.raises(PresetError, match=f"mine.json: .*{fragment}"):
            parse_preset("mine", json.dumps({"params": params}), "mine.json", saved=True)


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
