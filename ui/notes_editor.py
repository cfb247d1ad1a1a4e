"""The session note in a SOAP (Subjective, Objective, Assessment, Plan) or DAP (Data, Assessment, Plan)
template: one box per section, saved with the session."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from studio.app import Studio
from studio.store import TEMPLATES
from ui.theme import set_role


class NotesEditor(QDialog):
    """Switching template keeps the text of sections both templates share (Assessment, Plan)."""

    def __init__(self, studio: Studio, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._studio = studio
        self.setWindowTitle("Session notes")
        self.resize(560, 520)
        layout = QVBoxLayout(self)
        self.template = QComboBox()
        self.template.addItems(list(TEMPLATES))
        self.template.currentTextChanged.connect(self._show_template)
        layout.addWidget(self.template)
        self.form_holder = QWidget()
        self.form = QFormLayout(self.form_holder)
        layout.addWidget(self.form_holder, 1)
        self.message = QLabel("")
        set_role(self.message, "error")
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.sections: dict[str, QPlainTextEdit] = {}
        self._show_template(self.template.currentText())

    def _show_template(self, template: str) -> None:
        kept = {name: edit.toPlainText() for name, edit in self.sections.items()}
        while self.form.rowCount():
            self.form.removeRow(0)
        self.sections = {}
        for name in TEMPLATES[template]:
            edit = QPlainTextEdit(kept.get(name, ""))
            self.form.addRow(name, edit)
            self.sections[name] = edit

    def save(self) -> None:
        sections = {name: edit.toPlainText().strip() for name, edit in self.sections.items()}
        try:
            self._studio.save_notes(self.template.currentText(), sections)
        except Exception as exc:  # StoreError: shown, the text stays
            self.message.setText(str(exc))
            return
        self.accept()
