"""The Self-Assessment Manikin: the client rates valence and arousal on 1-9 before, during or after."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QRadioButton,
    QVBoxLayout,
)

from studio.app import Studio
from ui.theme import set_role

SCALES = (
    ("valence", "How do you feel?", "unhappy, annoyed", "happy, content"),
    ("arousal", "How awake or stirred up?", "calm, sleepy", "excited, alert"),
)


class SamDialog(QDialog):
    """Two rows of nine choices; Save stores the rating with the session (phase: before, during, after)."""

    def __init__(self, studio: Studio, phase: str, parent: QDialog | None = None) -> None:
        super().__init__(parent)
        self._studio = studio
        self.phase = phase
        self.setWindowTitle(f"Self-report ({phase} the session)")
        layout = QVBoxLayout(self)
        grid = QGridLayout()
        self.groups: dict[str, QButtonGroup] = {}
        for scale, (name, question, low, high) in enumerate(SCALES):
            row = 3 * scale  # the question, the ends of the scale above its ends, then the nine choices
            grid.addWidget(QLabel(f"<b>{question}</b>"), row, 0, 1, 9)
            grid.addWidget(QLabel(f"1: {low}"), row + 1, 0, 1, 4, Qt.AlignmentFlag.AlignLeft)
            grid.addWidget(QLabel(f"9: {high}"), row + 1, 5, 1, 4, Qt.AlignmentFlag.AlignRight)
            group = QButtonGroup(self)
            for value in range(1, 10):
                button = QRadioButton(str(value))
                group.addButton(button, value)
                grid.addWidget(button, row + 2, value - 1)
            group.idClicked.connect(self._update)
            self.groups[name] = group
        layout.addLayout(grid)
        self.message = QLabel("")
        set_role(self.message, "error")
        layout.addWidget(self.message)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._update()

    def _update(self) -> None:
        chosen = all(g.checkedId() > 0 for g in self.groups.values())
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(chosen)

    def save(self) -> None:
        try:
            self._studio.self_report(self.phase, self.groups["valence"].checkedId(), self.groups["arousal"].checkedId())
        except Exception as exc:  # StoreError: shown, nothing lost, the dialog stays open
            self.message.setText(str(exc))
            return
        self.accept()
