"""A one-line entry with a button: the typed-text channel and session markers both use it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QGridLayout, QLabel, QLineEdit, QPushButton, QWidget

from ui.theme import set_role

BUTTON_WIDTH = 110


class EntryField(QWidget):
    """``action(text)`` runs on the button or Enter and returns a short confirmation.

    If it raises ValueError, the message is shown next to the box in red and the typed text stays,
    so the operator can correct it; on success the box is cleared.
    """

    def __init__(self, caption: str, placeholder: str, button: str, action: Callable[[str], str]) -> None:
        super().__init__()
        self._action = action
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(placeholder)
        self.button = QPushButton(button)
        self.button.setMinimumWidth(BUTTON_WIDTH)  # the same in every entry, so the boxes line up
        self.feedback = QLabel("")  # under the box, so a long message wraps instead of widening the panel
        self.feedback.setWordWrap(True)
        set_role(self.feedback, "muted")
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setVerticalSpacing(2)
        caption_label = QLabel(caption)
        caption_label.setMinimumWidth(56)
        layout.addWidget(caption_label, 0, 0)
        layout.addWidget(self.edit, 0, 1)
        layout.addWidget(self.button, 0, 2)
        layout.addWidget(self.feedback, 1, 1, 1, 2)
        layout.setColumnStretch(1, 1)
        self.edit.returnPressed.connect(self.submit)
        self.button.clicked.connect(self.submit)

    def submit(self) -> None:
        try:
            confirmation = self._action(self.edit.text())
        except ValueError as exc:
            self.feedback.setText(str(exc))
            set_role(self.feedback, "error")
            return
        self.edit.clear()
        self.feedback.setText(confirmation)
        set_role(self.feedback, "muted")
