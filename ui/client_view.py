"""The Client view: one client's visits, oldest first, as the progress report shows them (length, goal, SAM
before and after, change, time to goal, levers that worked), with the self-reports and time to goal plotted over
the visits, and the progress report (HTML and PDF) one click away."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from studio.export.progress import COLUMNS, ClientProgress, Visit
from studio.kernel.worker import Jobs
from ui.theme import AROUSAL_COLOUR, VALENCE_COLOUR, set_role


class ProgressPlot(pg.PlotWidget):
    """SAM valence and arousal before (dotted) and after (solid) each visit, 1-9."""

    def __init__(self) -> None:
        super().__init__()
        self.setMinimumHeight(180)
        item = self.getPlotItem()
        item.setLabel("bottom", "visit")
        item.setLabel("left", "SAM (1-9)")
        item.setYRange(0.5, 9.5)
        item.addLegend(offset=(10, 5))
        item.showGrid(y=True, alpha=0.2)

    def show_visits(self, visits: list[Visit]) -> None:
        item = self.getPlotItem()
        item.clear()
        for axis, colour in ((0, VALENCE_COLOUR), (1, AROUSAL_COLOUR)):
            for phase, dashed in (("before", True), ("after", False)):
                points = [(v.number, getattr(v, phase)[axis]) for v in visits if getattr(v, phase) is not None]
                if not points:
                    continue
                style = pg.QtCore.Qt.PenStyle.DotLine if dashed else pg.QtCore.Qt.PenStyle.SolidLine
                item.plot(
                    [x for x, _ in points], [y for _, y in points],
                    pen=pg.mkPen(colour, width=2, style=style), symbol="s" if dashed else "o", symbolBrush=colour,
                    symbolPen=None, name=f"{('valence', 'arousal')[axis]} {phase}",
                )  # fmt: skip
        if visits:
            item.setXRange(0.5, len(visits) + 0.5)
            item.getAxis("bottom").setTicks([[(v.number, str(v.number)) for v in visits]])


class ClientView(QDialog):
    """Not modal (the session goes on). ``load(code)`` gives a client's progress, ``codes()`` the known clients,
    ``write(progress)`` writes the progress report and returns its files."""

    def __init__(
        self,
        parent: QWidget | None,
        codes: Callable[[], list[str]],
        load: Callable[[str, bool], ClientProgress],
        write: Callable[[ClientProgress], list[Path]],
        code: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Client progress")
        self.setModal(False)
        self._codes, self._load, self._write = codes, load, write
        self.progress: ClientProgress | None = None
        self.client = QComboBox()
        self.client.setToolTip("The client whose visits are shown")
        self.client.currentTextChanged.connect(self.show_client)
        self.include = QCheckBox("report with the client's code and dates")
        self.include.setToolTip("Without it the report is de-identified: no code, notes or dates")
        self.report_button = QPushButton("Write the progress report (HTML, PDF)")
        self.report_button.clicked.connect(self.write_report)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        set_role(self.message, "muted")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.plot = ProgressPlot()
        top = QHBoxLayout()
        top.addWidget(QLabel("Client"))
        top.addWidget(self.client, 1)
        top.addWidget(self.include)
        top.addWidget(self.report_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.message)
        self.files: list[Path] = []
        self._jobs = Jobs("progress-report")
        self._writing: Future[list[Path]] | None = None
        self._poll = QTimer(self)
        self._poll.setInterval(100)
        self._poll.timeout.connect(self._written)
        self.resize(980, 620)
        self.reload(code)

    def reload(self, code: str | None = None) -> None:
        """List the known clients again and show ``code`` (default: the one shown, else the first)."""
        wanted = code or self.client.currentText()
        self.client.blockSignals(True)
        self.client.clear()
        self.client.addItems(self._codes())
        self.client.blockSignals(False)
        if wanted and self.client.findText(wanted) >= 0:
            self.client.setCurrentText(wanted)
        self.show_client(self.client.currentText())

    def show_client(self, code: str) -> None:
        """The client's visits in the table and the plot (a message when there is none)."""
        self.table.setRowCount(0)
        self.plot.show_visits([])
        self.report_button.setEnabled(bool(code))
        if not code:
            self.progress = None
            self._say("No clients yet: a client code is registered when their first session starts.")
            return
        try:
            self.progress = self._load(code, True)
        except Exception as exc:  # StoreError: said here; the view stays
            self.progress = None
            self._say(str(exc), error=True)
            return
        visits = self.progress.visits
        self.table.setRowCount(len(visits))
        for row, visit in enumerate(visits):
            for column, text in enumerate(visit.cells()):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.plot.show_visits(visits)
        self._say(f"{len(visits)} visit(s) of {code}, oldest first." if visits else f"{code} has no sessions yet.")

    def write_report(self) -> None:
        """Write the shown client's progress report on a worker thread; the view says where when it is done."""
        code = self.client.currentText()
        if not code or self._writing is not None:
            return
        try:
            progress = self._load(code, self.include.isChecked())
        except Exception as exc:  # StoreError: said here
            self._say(str(exc), error=True)
            return
        self._writing = self._jobs.submit(self._write, progress)
        self.report_button.setEnabled(False)
        self._say("writing the progress report…")
        self._poll.start()

    def _written(self) -> None:
        writing = self._writing
        if writing is None or not writing.done():
            return
        self._poll.stop()
        self._writing = None
        self.report_button.setEnabled(True)
        try:
            self.files = writing.result()
        except Exception as exc:  # ExportError and the like: said here
            self._say(f"the progress report could not be written: {exc}", error=True)
            return
        self._say("Written: " + ", ".join(str(p) for p in self.files))

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        set_role(self.message, "error" if error else "muted")
