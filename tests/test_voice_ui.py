"""The voice widgets against real streams: the scripted voice through the analysis, and a PulseAudio input."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from sensors.microphone import MicrophoneFeed
from sensors.voice import ScriptedVoice, VoiceSource
from studio.kernel.clock import SessionClock
from studio.kernel.streams import StreamHub
from tests.test_voice_source import run
from tests.virtual_mic import client_env, pulse_server
from ui.voice_panel import DevicePicker, VoicePanel


def scripted_session(seconds: float):
    voice = ScriptedVoice()
    clock, hub = run(voice, seconds)
    return SimpleNamespace(hub=hub, sources={"voice": voice}), clock  # the parts of a Studio the panel reads


def test_voice_panel_shows_level_pitch_and_calibrates(qtbot, tmp_path):
    studio, clock = scripted_session(2.5)  # mid-phrase
    panel = VoicePanel(studio)
    qtbot.addWidget(panel)
    panel.resize(410, 420)
    panel.refresh(clock.now())
    assert panel.meter.dbfs > -60
    t, f0 = panel.pitch.f0_curve.getData()
    assert len(t) > 200 and np.isnan(f0).any() and 150 < np.nanmedian(f0) < 260
    assert not panel.picker.isEnabled() and "synthetic" in panel.picker.currentText()
    panel.calibrate.click()
    voice = studio.sources["voice"]
    voice.step(clock.advance(0.2))
    assert "calibrating" in voice.status.detail and panel.note.text() == "speak calmly…"
    panel.grab().save(str(tmp_path / "voice_panel.png"))
    assert (tmp_path / "voice_panel.png").stat().st_size > 1000


def test_device_picker_lists_inputs_and_switches(qtbot, tmp_path):
    with pulse_server(tmp_path / "pulse") as env, client_env(env):
        clock = SessionClock()
        feed = MicrophoneFeed(None, 16000, 512, clock.now)
        source = VoiceSource(feed)
        source.open(StreamHub())
        picker = DevicePicker(feed, feed.backend)
        qtbot.addWidget(picker)
        names = [picker.itemText(i) for i in range(picker.count())]
        assert names[0] == "default input" and any("pulse" in n for n in names)
        row = next(i for i, n in enumerate(names) if "pulse" in n)
        picker.activated.emit(row)
        source.step(clock.now())
        assert feed.device == picker.itemData(row)
        assert feed.name == "pulse"
        source.close()
