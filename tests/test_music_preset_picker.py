"""The preset picker on a real loop and real preset files, drawn off screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from sensors.base import CHANNELS
from studio.kernel.clock import SessionClock
from studio.kernel.streams import StreamHub
from studio.loop import FusionLoop, LoopConfig
from studio.music.presets import load_preset
from studio.policy import Bounds, ControlMode
from ui.preset_picker import PresetPicker


def test_play_a_preset_then_save_the_music(qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STUDIO_DATA_DIR", str(tmp_path))
    loop = FusionLoop(StreamHub(), CHANNELS, LoopConfig(), mode=ControlMode.MANUAL, bounds=Bounds())
    picker = PresetPicker(loop, SessionClock())
    qtbot.addWidget(picker)
    picker.resize(330, 110)
    names = [picker.choice.itemData(i) for i in range(picker.choice.count())]
    assert {"calm-ambient", "uplifting", "grounding-pulse", "warm-piano"} <= set(names)

    picker.choice.setCurrentIndex(names.index("uplifting"))
    picker.play.click()
    uplifting = load_preset("uplifting").params
    assert loop.params.tempo == 96.0, "the operator's tempo bound still holds"
    assert (loop.params.mode, loop.params.layers, loop.params.brightness) == (
        uplifting.mode,
        uplifting.layers,
        uplifting.brightness,
    )
    assert picker.message.text().startswith("playing uplifting")

    picker.name.setText("Bad Name!")
    picker.save.click()
    assert "lower-case letters" in picker.message.text()
    picker.name.setText("group-tuesday")
    picker.save.click()
    assert picker.choice.currentText() == "group-tuesday (saved)"
    assert load_preset("group-tuesday").params == loop.params
    picker.grab().save(str(tmp_path / "preset_picker.png"))


def test_a_preset_is_refused_while_the_music_is_frozen(qtbot: QtBot) -> None:
    loop = FusionLoop(StreamHub(), CHANNELS, LoopConfig(), mode=ControlMode.FREEZE, bounds=Bounds())
    picker = PresetPicker(loop, SessionClock())
    qtbot.addWidget(picker)
    before = loop.params
    picker.choice.setCurrentIndex(picker.choice.findData("uplifting"))
    picker.play.click()
    assert loop.params == before
    assert picker.message.text().startswith("uplifting not played: the music is frozen")
