"""The session note in a SOAP (Subjective, Objective, Assessment, Plan) or DAP (Data, Assessment, Plan)
template: one box per section, filled with what is stored, saved with the session as the note's next version.

Every editor (the Session menu's, Ctrl+N, and the Notes step's) saves through ``Studio.save_notes`` and sends only
the sections typed into it, based on the version it showed: two editors open at once merge what each wrote. A
box that was written in here and changed elsewhere meanwhile is never overwritten: it shows both texts, to be
reconciled before saving."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtGui import QShowEvent
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

from studio.app import NOTES_SAVED, Studio
from studio.store import TEMPLATES, Notes, NotesConflict
from ui.theme import set_role

CONFLICT_MARK = "----- above: saved elsewhere · below: written here -----"
FOLLOW_MS = 500  # how often an open editor looks for notes saved by another editor of this studio


class NotesEditor(QDialog):
    """Switching template keeps every text typed (sections both templates share show the same text); ``source``
    says where the note was written (kept with each version)."""

    def __init__(self, studio: Studio, parent: QWidget | None = None, source: str = "window") -> None:
        super().__init__(parent)
        self._studio = studio
        self._source = source
        self._base = 0  # the version the text here is based on (0: no note yet)
        self._loaded: dict[str, str] = {}  # the stored text each section's box was last filled with
        self._texts: dict[str, str] = {}  # what each section's box holds, for the sections of both templates
        self._seen = len(studio.actions)
        self.saved: Notes | None = None  # the note as the last save here left it
        self.setWindowTitle("Session notes")
        self.resize(560, 520)
        layout = QVBoxLayout(self)
        self.template = QComboBox()
        self.template.addItems(list(TEMPLATES))
        self.template.currentTextChanged.connect(self._show_template)
        self.template.activated.connect(self._chose_template)
        self._template_chosen = False  # the operator picked the template here: a reload keeps it
        layout.addWidget(self.template)
        self.form_holder = QWidget()
        self.form = QFormLayout(self.form_holder)
        layout.addWidget(self.form_holder, 1)
        self.also = QLabel("")
        self.also.setWordWrap(True)
        set_role(self.also, "muted")
        layout.addWidget(self.also)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        set_role(self.message, "error")
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.sections: dict[str, QPlainTextEdit] = {}
        self._show_template(self.template.currentText())
        self._follow = QTimer(self)
        self._follow.timeout.connect(self.follow)
        self._follow.start(FOLLOW_MS)
        self.reload()

    # --- what is shown ----------------------------------------------------------------------------------------
    def _keep(self) -> None:
        for name, edit in self.sections.items():
            self._texts[name] = edit.toPlainText()

    def _show_template(self, template: str) -> None:
        self._keep()
        while self.form.rowCount():
            self.form.removeRow(0)
        self.sections = {}
        for name in TEMPLATES[template]:
            edit = QPlainTextEdit(self._texts.get(name, ""))
            self.form.addRow(name, edit)
            self.sections[name] = edit
        self._say_also()

    def _chose_template(self) -> None:
        self._template_chosen = True

    def _fill(self) -> None:
        for name, edit in self.sections.items():
            text = self._texts.get(name, "")
            if edit.toPlainText() != text:
                edit.setPlainText(text)
        self._say_also()

    def _say_also(self) -> None:
        template = self.template.currentText()
        hidden = [n for n, text in self._texts.items() if text.strip() and n not in TEMPLATES[template]]
        other = next((t for t in TEMPLATES if t != template), template)
        self.also.setText(f"The note also holds {', '.join(hidden)} ({other}): choose {other} to see" if hidden else "")

    def edited(self) -> list[str]:
        """The sections whose text was changed here since the stored note was last brought in."""
        self._keep()
        return [n for n, text in self._texts.items() if text.strip() != self._loaded.get(n, "").strip()]

    # --- the store ----------------------------------------------------------------------------------------------
    def reload(self) -> None:
        """Bring in the note as stored now (it may have been written elsewhere meanwhile)."""
        try:
            self._take(self._studio.notes())
        except Exception as exc:  # StoreError: a database that cannot be read is said; the text here stays
            self.message.setText(str(exc))

    def follow(self) -> None:
        """Reload when another editor of this studio saved the note (shown editors only)."""
        seen, actions = self._studio.actions.since(self._seen)
        self._seen = seen
        if self.isVisible() and any(a.action == NOTES_SAVED for a in actions):
            self.reload()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.reload()

    def _take(self, current: Notes | None) -> None:
        """Boxes not written in here show the stored text; a box written in here whose section was changed
        elsewhere meanwhile shows both texts, one above the other."""
        stored = current.sections if current else {}
        edited = set(self.edited())
        clashes = sorted(n for n in edited if stored.get(n, "").strip() != self._loaded.get(n, "").strip())
        for name in set(stored) | set(self._loaded) | set(self._texts):
            if name not in edited:
                self._texts[name] = self._loaded[name] = stored.get(name, "")
        for name in clashes:
            theirs, mine = stored.get(name, ""), self._texts[name]
            self._texts[name] = f"{theirs}\n{CONFLICT_MARK}\n{mine}" if theirs.strip() else mine
            self._loaded[name] = theirs
        self._base = current.version if current else 0
        self._fill()
        if current is not None and not edited and not self._template_chosen:
            self.template.setCurrentText(current.template)
        if clashes:
            self.message.setText(
                f"{', '.join(clashes)} changed elsewhere while you wrote here (now version {self._base}): both "
                "texts are in its box. Keep what should stay, remove the dashed line, then save."
            )

    def save(self) -> None:
        changed = {name: self._texts[name].strip() for name in self.edited()}
        marked = [name for name, text in changed.items() if CONFLICT_MARK in text]
        if marked:
            self.message.setText(f"{', '.join(marked)}: reconcile the two texts and remove the dashed line first")
            return
        try:
            notes = self._studio.save_notes(self.template.currentText(), changed, self._base, self._source)
        except NotesConflict as exc:  # written in another process meanwhile: both texts are shown
            self._take(exc.current)
            return
        except Exception as exc:  # StoreError: shown, the text stays
            self.message.setText(str(exc))
            return
        self.saved = notes
        self._loaded = dict(notes.sections)
        self._texts = dict(notes.sections)
        self._base = notes.version
        self._template_chosen = False
        self._fill()
        self.message.setText("")
        self.accept()
