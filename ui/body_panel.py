"""The body channel's summary views in one tabbed panel: band powers, spectrum, spectrogram, heart rate and EDA."""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget

from studio.kernel.streams import StreamHub
from ui.band_plot import BandPowerPlot
from ui.body_plots import PhysioPlots, SpectrogramPlot, SpectrumPlot


class BodyPanel(QTabWidget):
    """Only the tab on show is redrawn."""

    def __init__(self, hub: StreamHub) -> None:
        super().__init__()
        self.bands = BandPowerPlot(hub)
        self.spectrum = SpectrumPlot(hub)
        self.spectrogram = SpectrogramPlot(hub)
        self.physio = PhysioPlots(hub)
        self.addTab(self.bands, "Bands")
        self.addTab(self.spectrum, "Spectrum")
        self.addTab(self.spectrogram, "Spectrogram")
        self.addTab(self.physio, "Heart · EDA")

    def refresh(self, now: float) -> None:
        view = self.currentWidget()
        if isinstance(view, BandPowerPlot | SpectrumPlot | SpectrogramPlot | PhysioPlots):
            view.refresh(now)
