"""Marker buttons with the operator's labels and keyboard shortcuts, and what outside inputs delivered."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from studio.app import Studio
from ui.flow_layout import FlowLayout
from ui.theme import set_role

MAX_NUMBER_KEYS = 9  # the first nine labels are also on the number keys 1-9


class MarkerBar(QWidget):
    """One button per label in the settings' ``[markers]``; its key (F2, ...) and its number key (1-9, unless a
    text box has the focus) set the same marker."""

    def __init__(self, studio: Studio, shortcut_parent: QWidget) -> None:
        super().__init__()
        self._studio = studio
        column = QVBoxLayout(self)  # the buttons, and under them what was set and what came in
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(QLabel("Markers"))
        row = FlowLayout()
        settings = studio.config.markers
        self.buttons: dict[str, QPushButton] = {}
        self.keys: list[tuple[str, str]] = []  # (keys, label) for the help overlay
        for i, (label, key) in enumerate(zip(settings.labels, settings.keys, strict=True)):
            keys = [key] + ([str(i + 1)] if i < MAX_NUMBER_KEYS else [])
            button = QPushButton(f"{label}  ({' · '.join(reversed(keys))})")
            button.setToolTip(f"Set the marker '{label}' now")
            button.clicked.connect(lambda _=False, text=label: self.mark(text))
            for k in keys:
                QShortcut(QKeySequence(k), shortcut_parent, activated=lambda text=label: self.mark(text))
            self.keys.append((" or ".join(reversed(keys)), label))
            row.addWidget(button)
            self.buttons[label] = button
        column.addLayout(row)
        self.feedback = QLabel("")
        self.inputs = QLabel("")  # LSL/OSC marker inputs: markers taken, malformed messages ignored
        set_role(self.inputs, "muted")
        self.inputs.setWordWrap(True)
        column.addWidget(self.feedback)
        column.addWidget(self.inputs)

    def mark(self, label: str) -> None:
        marker = self._studio.add_marker(label)
        self.feedback.setText(f"'{marker.label}' at {marker.t:.1f} s")

    def refresh(self, now: float) -> None:
        """Show what the LSL/OSC marker inputs took and how many malformed messages they ignored."""
        parts = []
        for name, summary in self._studio.marker_input_summary().items():
            if name == "problems":
                parts += [str(p) for p in summary]
            else:
                parts.append(f"{name}: {summary['markers']} taken, {summary['malformed_ignored']} malformed ignored")
        self.inputs.setText(" · ".join(parts))
