"""The help overlay: every keyboard shortcut of the console over the window, until ? is pressed again or
it is clicked. It is drawn inside the window (no dialog), so a session in progress is never interrupted."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QMouseEvent
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget


def shortcut_rows(actions: list[QAction], extra: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(keys, what they do) for every action with a shortcut, then ``extra`` rows (e.g. marker keys)."""
    rows = []
    for action in actions:
        keys = [k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts()]
        if keys:
            rows.append((" or ".join(keys), action.text().replace("&", "").rstrip("…")))
    return rows + extra


class ShortcutHelp(QFrame):
    """A dark panel centred on its parent with the table of shortcuts."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("overlay")
        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.RichText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 18)
        layout.addWidget(self.label)
        self.hide()

    def show_rows(self, rows: list[tuple[str, str]]) -> None:
        half = (len(rows) + 1) // 2  # two columns side by side, so the table fits a laptop screen
        tables = "".join(
            "<td style='padding-right:28px' valign='top'><table cellspacing='3'>"
            + "".join(
                f"<tr><td style='padding-right:14px'><b>{html.escape(k)}</b></td><td>{html.escape(t)}</td></tr>"
                for k, t in part
            )
            + "</table></td>"
            for part in (rows[:half], rows[half:])
        )
        self.label.setText(
            "<p style='font-size:14pt'><b>Keyboard shortcuts</b></p>"
            f"<table><tr>{tables}</tr></table>"
            "<p>Press ? again or click to close.</p>"
        )
        self.adjustSize()
        parent = self.parentWidget()
        self.move(max(0, (parent.width() - self.width()) // 2), max(0, (parent.height() - self.height()) // 2))
        self.show()
        self.raise_()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.hide()
