"""Body channel widgets, offscreen: quality-coloured traces, spectrum, heart rate and EDA, the board dialog."""

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtWidgets import QApplication

from fusion.quality import Quality
from sensors.board_profiles import load_profiles
from sensors.body_pipeline import BodyPipeline, ChannelLayout
from sensors.body_settings import BodySettings
from studio.kernel.streams import StreamHub
from tests.waiting import wait_until
from ui.board_dialog import BoardDialog, PortBox
from ui.body_panel import BodyPanel
from ui.eeg_plot import QUALITY_COLOURS, EegPanel, EegPlot
from ui.theme import configure_pyqtgraph

FS = 250.0


@pytest.fixture(scope="module")
def hub() -> StreamHub:
    """Twelve seconds through the real pipeline: 4 EEG channels (O2 railed), ECG at 75 bpm and EDA."""
    t = np.arange(int(12 * FS)) / FS
    rng = np.random.default_rng(3)
    eeg = [20 * np.sin(2 * np.pi * 10 * t) + rng.normal(0, 3, t.size) for _ in range(4)]
    eeg[3] = np.full(t.size, 2e5)
    ecg = sum(np.exp(-(((t - b) / 0.01) ** 2)) for b in np.arange(0.3, 12, 0.8))
    eda = 2 + 0.1 * np.sin(2 * np.pi * t / 10)
    layout = ChannelLayout(FS, ("F3", "F4", "O1", "O2", "ECG", "EDA"), ("eeg",) * 4 + ("ecg", "eda"))
    hub = StreamHub()
    pipeline = BodyPipeline(hub, layout, BodySettings())
    data = np.column_stack([*eeg, ecg, eda])
    for k in range(0, t.size, 25):
        pipeline.ingest(t[k : k + 25], data[k : k + 25])
        pipeline.process()
    pipeline.close()
    return hub


def test_traces_are_filtered_scaled_and_coloured_by_quality(qapp: QApplication, hub: StreamHub, tmp_path: Path):
    configure_pyqtgraph()
    plot = EegPlot(hub)
    plot.resize(700, 300)
    plot.refresh(12.0)  # hands the traces to the filter thread
    plot.pending.result(timeout=10)
    plot.refresh(12.0)  # draws them
    assert plot.quality.tolist() == [Quality.OK, Quality.OK, Quality.OK, Quality.RAILED]
    x, y = plot.curves[0].getData()
    assert x.size > 100 and abs(np.nanmean(y) - 3.0) < 0.1  # lane 3 from the bottom, centred by the filter
    brushes = [b.color().name().upper() for b in plot.marks.data["brush"]]
    assert brushes == [QUALITY_COLOURS[Quality.OK]] * 3 + [QUALITY_COLOURS[Quality.RAILED]]
    assert plot.curves[3].opts["pen"].color().name().upper() == QUALITY_COLOURS[Quality.RAILED]
    plot.grab().save(str(tmp_path / "eeg.png"))


def test_every_channel_is_drawn_with_its_figures_and_picked_on_a_uv_scale(qapp: QApplication, hub: StreamHub):
    configure_pyqtgraph()
    plot = EegPlot(hub)
    panel = EegPanel(plot)
    panel.resize(800, 400)

    def draw() -> None:
        plot._seen = -1  # the same window again, drawn as now set up
        plot.refresh(12.0)
        plot.pending.result(timeout=10)
        plot.refresh(12.0)

    draw()
    assert plot.drawn == 4 and plot.names == ("F3", "F4", "O1", "O2")
    assert "4 of 4 channels · each on its own scale" in plot.getPlotItem().titleLabel.text
    assert plot.figures.rms_uv[0] == pytest.approx(np.hypot(20 / np.sqrt(2), 3.0), rel=0.1)  # 20 µV sine, 3 µV noise
    assert plot.figures.railed_pct[3] == 100.0 and plot.figures.railed_pct[0] == 0.0
    assert plot.figure_labels[0].textItem.toPlainText().startswith(f"{plot.figures.rms_uv[0]:.1f} µV · 0% railed")
    panel.fill_menu()
    f4 = next(a for a in panel.menu.actions() if a.text() == "F4")
    f4.setChecked(False)  # the operator unticks F4
    panel.scale.setCurrentIndex(panel.scale.findData(50.0))
    draw()
    assert plot.shown == [0, 2, 3] and plot.drawn == 3 and not plot.curves[1].isVisible()
    assert "3 of 4 channels · ±50 µV per lane" in plot.getPlotItem().titleLabel.text
    _, y = plot.curves[0].getData()
    assert np.nanmax(np.abs(y - 2.0)) == pytest.approx(20 / 100, abs=0.06)  # +-20 µV of +-50 µV: 0.2 of a lane
    next(a for a in panel.menu.actions() if a.text() == "All channels").trigger()
    assert plot.shown == [0, 1, 2, 3]


def test_spectrum_and_physiology_views(qtbot, hub: StreamHub, tmp_path: Path):
    panel = BodyPanel(hub)
    qtbot.addWidget(panel)
    panel.resize(500, 320)
    panel.show()
    qtbot.waitExposed(panel)
    for index in range(4):
        panel.setCurrentIndex(index)
        panel.refresh(12.0)
        panel.grab().save(str(tmp_path / f"body{index}.png"))
    freqs, power = panel.spectrum.curve.getData()
    assert freqs[np.argmax(power)] == pytest.approx(10.0)  # the alpha rhythm of the good channels
    assert np.any(panel.bands.bars.opts["height"] > 0.5)  # alpha dominates the relative powers
    _, rate = panel.physio.heart_curve.getData()
    assert np.nanmedian(rate) == pytest.approx(75.0, abs=2.0)
    _, eda = panel.physio.eda_curve.getData()
    assert 1.9 < np.nanmedian(eda) < 2.1
    assert panel.physio.now["heart_rate_bpm"] == pytest.approx(75.0, abs=2.0)
    assert "now 75 bpm" in panel.physio.heart.titleLabel.text or "now 74 bpm" in panel.physio.heart.titleLabel.text
    assert f"now {panel.physio.now['eda_tonic']:.2f} µS" in panel.physio.eda.titleLabel.text
    image = panel.spectrogram.image.image  # Hz x time: the alpha row is the strongest
    assert image.shape[1] >= 2 and abs(int(np.argmax(np.nanmean(image, axis=1))) - 10) <= 1


def test_board_dialog_asks_for_exactly_what_each_board_needs_and_saves_profiles(qapp: QApplication, tmp_path: Path):
    path = tmp_path / "boards.toml"
    dialog = BoardDialog(path)
    assert dialog.profile.currentText() == "synthetic" and dialog.board_id == -1 and not dialog.editors
    assert dialog.board.currentText() == "Synthetic (no hardware)"
    headings = [i for i in range(dialog.board.count()) if dialog.board.itemData(i) is None]
    assert dialog.board.itemText(headings[1]) == "— OpenBCI —"
    assert not dialog.board.model().item(headings[1]).isEnabled()  # a heading cannot be chosen
    dialog.search.setText("muse s")
    names = [dialog.board.itemText(i) for i in range(dialog.board.count())]
    assert names == ["— Muse —", "Muse S", "Muse S (BLED dongle)", "Muse S Athena"]
    assert dialog.board.currentText() == "Muse S" and set(dialog.editors) == {"mac_address", "serial_number", "timeout"}
    dialog.search.clear()

    def choose(name: str) -> None:
        dialog.board.setCurrentIndex(dialog.board.findText(name))

    choose("Ganglion")
    assert list(dialog.editors) == ["serial_port", "mac_address", "timeout"]
    assert dialog.params.labelForField(dialog.editors["serial_port"]).text() == "Serial port *"
    choose("Cyton WiFi")
    assert set(dialog.editors) == {"ip_address", "ip_port", "timeout"}
    choose("Playback file")
    assert set(dialog.editors) == {"master_board", "file"}
    choose("Cyton")
    dialog.name.setText("lab-cyton")
    dialog.save()
    assert dialog.message.text() == "Cyton needs a serial port, e.g. /dev/ttyUSB0 (COM3 on Windows)"
    assert not path.exists()
    editor = dialog.editors["serial_port"]
    assert isinstance(editor, PortBox) and editor.isEditable()
    editor.setCurrentText("/dev/ttyUSB0")
    dialog.save()
    assert "--board lab-cyton" in dialog.message.text()
    saved = load_profiles(path)["lab-cyton"]
    assert saved.board_id == 0 and saved.serial_port == "/dev/ttyUSB0"
    again = BoardDialog(path)
    again.profile.setCurrentText("lab-cyton")
    assert again.board.currentText() == "Cyton" and again.config() == saved
    dialog.name.setText("bad name!")
    dialog.save()
    assert "profile name 'bad name!'" in dialog.message.text()


def test_testing_the_synthetic_board_previews_every_channel_live_and_a_missing_port_is_said_in_words(
    qapp: QApplication, tmp_path: Path
) -> None:
    dialog = BoardDialog(tmp_path / "boards.toml")
    dialog.toggle_test()  # the synthetic board: no hardware
    wait_until(lambda: dialog.test is not None and dialog.test.samples > 250, 20)
    dialog.show_test()
    lines = dialog.preview.text().splitlines()
    eeg = [line for line in lines if " µV · " in line]
    assert len(eeg) == 16 and lines[0].split()[0] == "Fz"
    assert all(line.split()[1] in {"ok", "flat", "railed", "line", "noisy"} for line in eeg)
    assert "streaming" in dialog.message.text() and dialog.test_button.text() == "Stop the test"
    assert not dialog.impedance_button.isEnabled()  # the synthetic board drives no lead-off current
    dialog.toggle_test()
    assert dialog.test is None and dialog.test_button.text() == "Test (live preview)"
    dialog.choose(dialog.board.itemData(dialog.board.findText("Cyton")))
    dialog.toggle_test()  # no port yet: no connection tried, the reason in words
    assert dialog.test is None and dialog.message.text().startswith("Cyton needs a serial port")
    dialog.close()
