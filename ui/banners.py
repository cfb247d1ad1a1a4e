"""Non-modal banners across the top of the console: a fault or a notice says itself without stopping the
session (no dialog to close). The same message is shown once; a banner stays until it is closed or its
cause goes away (``withdraw``). A pinned widget (the waiting suggestion's card) sits above the banners."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

SEVERITIES = ("info", "warning", "error")
MAX_SHOWN = 4  # older banners give way to newer ones


class Banner(QFrame):
    def __init__(self, key: str, text: str, severity: str, on_close) -> None:
        super().__init__()
        self.key = key
        self.setObjectName("banner")
        self.setProperty("severity", severity)
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 4, 4, 4)
        self.label = QLabel(text)
        self.label.setWordWrap(True)
        row.addWidget(self.label, 1)
        close = QPushButton("Close")
        close.setToolTip("Hide this message (it comes back only if the problem comes back)")
        close.clicked.connect(lambda: on_close(key))
        row.addWidget(close)


class BannerArea(QWidget):
    """Holds the banners; hidden when there are none."""

    def __init__(self) -> None:
        super().__init__()
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(6, 4, 6, 0)
        self._layout.setSpacing(4)
        self.banners: dict[str, Banner] = {}
        self._closed: dict[str, str] = {}  # key -> text the operator closed; shown again only if it changes
        self._pinned: list[QWidget] = []
        self.setVisible(False)

    def pin(self, widget: QWidget) -> None:
        """Keep ``widget`` above the banners; the area shows while it (or a banner) does."""
        self._layout.insertWidget(len(self._pinned), widget)
        self._pinned.append(widget)
        widget.installEventFilter(self)
        self._fit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched in self._pinned and event.type() in (QEvent.Type.ShowToParent, QEvent.Type.HideToParent):
            self._fit()
        return False

    def _fit(self) -> None:
        self.setVisible(bool(self.banners) or any(not w.isHidden() for w in self._pinned))

    def show_message(self, key: str, text: str, severity: str = "warning") -> None:
        """Show ``text`` under ``key`` (a later message with the same key replaces it)."""
        assert severity in SEVERITIES, severity
        if self._closed.get(key) == text:
            return
        old = self.banners.get(key)
        if old is not None and old.label.text() == text and old.property("severity") == severity:
            return
        self._remove(key)
        while len(self.banners) >= MAX_SHOWN:
            self._remove(next(iter(self.banners)))
        banner = Banner(key, text, severity, self.close_banner)
        self.banners[key] = banner
        self._layout.addWidget(banner)
        self._fit()

    def close_banner(self, key: str) -> None:
        """The operator closed it: the same message is not shown again."""
        if key in self.banners:
            self._closed[key] = self.banners[key].label.text()
        self._remove(key)

    def withdraw(self, key: str) -> None:
        """Its cause went away: remove it (the message may come back later)."""
        self._closed.pop(key, None)
        self._remove(key)

    def _remove(self, key: str) -> None:
        banner = self.banners.pop(key, None)
        if banner is not None:
            banner.setParent(None)
            banner.deleteLater()
        self._fit()

    def texts(self) -> list[str]:
        return [b.label.text() for b in self.banners.values()]
