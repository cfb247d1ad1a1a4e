"""The kiosk: one full-screen, dark view for a room, with nothing of the operator's console in it (no menus,
tabs or controls). The plane with its two lines of words, the music now and each channel's share, in type
readable from the back of the room, and a DEMO badge when the person is the virtual listener. Esc leaves it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from studio.app import Studio
from studio.state_words import StateWords
from ui.glance import GlanceLines
from ui.presentation import ContributionBars, MusicStateCard
from ui.theme import DARK, FONT_SCALES, style_sheet, theme_plots
from ui.va_plane import VAPlane

FULL_HD_HEIGHT = 1080  # the kiosk's type is at its largest scale on a screen this high, smaller on lower ones
LEAST_SCALE = 1.6
KIOSK_PLANE_TITLE = "the wider the halo, the less sure"


def kiosk_scale(screen_height: int) -> float:
    """The font scale for a screen ``screen_height`` pixels high: the largest at 1080 and above."""
    return max(LEAST_SCALE, FONT_SCALES[1] * min(1.0, screen_height / FULL_HD_HEIGHT))


def show_for_room(widget: QWidget, css: str = "") -> None:
    """Show ``widget`` full screen on its screen, in the dark theme at the room's type size (plus ``css``)."""
    scale = kiosk_scale(widget.screen().geometry().height())
    widget.setStyleSheet(style_sheet(DARK, scale) + css)
    theme_plots(widget, DARK, scale)
    widget.setGeometry(widget.screen().geometry())  # (without a window manager full screen alone does not resize)
    widget.showFullScreen()


class Kiosk(QWidget):
    """A window of its own over the console: the console's views of the same studio, drawn by the console's
    frame timer (``views``); ``on_leave()`` hears Esc."""

    def __init__(self, studio: Studio, on_leave: Callable[[], None], words: StateWords | None = None) -> None:
        super().__init__()
        self.setWindowTitle("Affect Studio · presentation")
        self.setObjectName("kiosk")
        self.plane = VAPlane(studio.hub, (studio.loop.goal, studio.loop.goal_point), studio.loop.events.goal)
        self.plane.getPlotItem().setTitle(KIOSK_PLANE_TITLE)
        self.glance = GlanceLines(studio.loop, lambda: studio.session_id, lambda: studio.playing, words)
        self.music = MusicStateCard(studio)
        self.contributions = ContributionBars(studio)
        self.badge = QLabel("DEMO · virtual listener" if studio.demo else "")
        self.badge.setObjectName("kioskBadge")
        self.badge.setVisible(studio.demo)
        self.views = [self.plane, self.glance, self.music, self.contributions]
        side = QVBoxLayout()
        side.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignRight)
        side.addWidget(self.music, 1)
        side.addWidget(self.contributions, 2)
        grid = QGridLayout(self)
        grid.setContentsMargins(24, 16, 24, 16)
        grid.addWidget(self.glance, 0, 0)
        grid.addWidget(self.plane, 1, 0)
        grid.addLayout(side, 0, 1, 2, 1)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)
        grid.setRowStretch(1, 1)
        QShortcut(QKeySequence("Escape"), self, activated=on_leave)

    def present(self) -> None:
        """Full screen on the console's screen, in the dark theme at the room's type size."""
        scale = kiosk_scale(self.screen().geometry().height())
        show_for_room(
            self,
            f"QWidget#kiosk {{ background: {DARK.window}; }}"
            + "QLabel#kioskBadge { background: #CC79A7; color: #FFFFFF; font-weight: 700; border-radius: 6px;"
            + f" padding: 4px 16px; font-size: {14 * scale:.0f}pt; }}",
        )
        self.plane.use_palette(DARK)
        self.raise_()
        self.activateWindow()
