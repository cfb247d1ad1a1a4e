"""The self-report: the client rates valence and arousal on the Self-Assessment Manikin (1-9) before, during
or after the session; Enter saves once both are chosen."""

from __future__ import annotations

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from studio.app import Studio
from ui.sam_manikin import SamForm
from ui.theme import set_role


class SamDialog(QDialog):
    """The two manikin scales; Save stores the rating with the session (phase: before, during, after)."""

    def __init__(self, studio: Studio, phase: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._studio = studio
        self.phase = phase
        self.setWindowTitle(f"Self-report ({phase} the session)")
        layout = QVBoxLayout(self)
        self.form = SamForm()
        self.scales = self.form.scales
        layout.addWidget(self.form)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        set_role(self.message, "error")
        layout.addWidget(self.message)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.form.changed.connect(self._update)
        self._update()

    def _update(self) -> None:
        self.save_button.setEnabled(self.form.complete())
        self.save_button.setDefault(self.form.complete())

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.form.start()

    def result_text(self) -> str:
        valence, arousal = self.form.values()
        return f"valence {valence}, arousal {arousal}"

    def save(self) -> None:
        if not self.form.complete():
            return
        try:
            self._studio.self_report(self.phase, *self.form.values())
        except Exception as exc:  # StoreError: shown, nothing lost, the dialog stays open
            self.message.setText(str(exc))
            return
        self.accept()
