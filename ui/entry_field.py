"""A one-line entry with a button: the typed-text channel and session markers both use it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from ui.theme import set_role

FEEDBACK_WIDTH = 300  # pixels
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
        self.feedback = QLabel("")
        self.feedback.setFixedWidth(FEEDBACK_WIDTH)  # fixed, so the box does not jump when a message appears
        self.feedback.setWordWrap(True)
        set_role(self.feedback, "muted")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        caption_label = QLabel(caption)
        caption_label.setMinimumWidth(56)
        layout.addWidget(caption_label)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.button)
        layout.addWidget(self.feedback)
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
