"""Colours and the style sheet: calm light and dark themes at any font scale, and the colour-blind-safe
Okabe-Ito palette for every data colour (the same in both themes)."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QWidget

from sensors.base import State

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
BLUISH_GREEN = "#009E73"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
REDDISH_PURPLE = "#CC79A7"

INK = "#2B2F36"  # text (light theme)
MUTED = "#6B7280"  # secondary text, axes
GRID = "#E3E6EA"
PANEL = "#FFFFFF"
WINDOW = "#F3F4F6"

CHANNEL_COLOURS = {"face": ORANGE, "voice": SKY_BLUE, "text": REDDISH_PURPLE, "body": BLUISH_GREEN}
VALENCE_COLOUR = BLUE
AROUSAL_COLOUR = VERMILLION
CONFIDENCE_COLOUR = "#9CA3AF"
STATE_COLOURS = {State.OK: BLUISH_GREEN, State.DEGRADED: ORANGE, State.DOWN: VERMILLION}
ERROR_COLOUR = "#B3261E"

ARROWS = {  # the spin boxes' and lists' arrows
    way: Path(str(resources.files("resources") / f"arrow-{way}.svg")).as_posix() for way in ("up", "down")
}

BASE_POINT_SIZE = 10.0  # the console's text size at font scale 1
FONT_SCALES = (0.8, 2.5)  # the smallest and largest font scale the View menu and settings accept


@dataclass(frozen=True)
class Palette:
    """The neutral colours of one theme; the data colours (Okabe-Ito) are the same in every theme."""

    name: str
    window: str
    panel: str
    ink: str
    muted: str
    grid: str
    border: str
    hover: str
    error: str
    trail: str  # the person's point and trail on the plane: dark blue on light, sky blue on dark


LIGHT = Palette("light", WINDOW, PANEL, INK, MUTED, GRID, "#C9CED6", "#EEF2F7", ERROR_COLOUR, BLUE)
DARK = Palette("dark", "#111418", "#1B1F25", "#E6E8EB", "#9AA3AF", "#2E343C", "#3D444E", "#262B33", "#FF8A80", SKY_BLUE)
THEMES = {p.name: p for p in (LIGHT, DARK)}


def style_sheet(palette: Palette = LIGHT, scale: float = 1.0) -> str:
    """The console's style sheet for a theme at a font scale (1 = BASE_POINT_SIZE points)."""
    p, size, small = palette, BASE_POINT_SIZE * scale, (BASE_POINT_SIZE - 1) * scale
    return f"""
QMainWindow, QWidget#central, QDockWidget > QWidget {{ background: {p.window}; }}
QScrollArea, QScrollArea > QWidget > QWidget {{ background: {p.window}; }}
QWidget {{ color: {p.ink}; font-size: {size:.1f}pt; }}
QDockWidget {{ font-weight: 600; }}
QDockWidget::title {{ background: {p.window}; color: {p.muted}; padding: 4px 8px; }}
QGroupBox {{
    background: {p.panel}; border: 1px solid {p.grid}; border-radius: 6px;
    margin-top: 14px; padding: 10px 8px 8px 8px; font-weight: 600;
}}
QGroupBox::title {{ subcontrol-origin: margin; left: 10px; padding: 0 4px; color: {p.muted}; }}
QLabel[role="muted"] {{ color: {p.muted}; font-size: {small:.1f}pt; }}
QLabel[role="error"] {{ color: {p.error}; }}
QLabel[role="readout"] {{ font-family: "DejaVu Sans Mono"; font-size: {small:.1f}pt; }}
QLabel[role="glance"] {{ font-size: {1.15 * size:.1f}pt; font-weight: 600; }}
QLabel[role="big"] {{ font-size: {1.8 * size:.1f}pt; font-weight: 600; }}
QLabel[role="recording"] {{ color: {VERMILLION}; font-weight: 600; }}
QLabel[role="badge"] {{
    background: {REDDISH_PURPLE}; color: #FFFFFF; font-weight: 700; border-radius: 4px; padding: 2px 10px;
}}
QPushButton#startSession, QPushButton#endSession, QPushButton#newSession {{
    border-color: {BLUE}; font-weight: 600; padding: 6px 14px;
}}
QFrame#suggestion {{
    background: #E4F1FA; border: 1px solid {SKY_BLUE}; border-left: 5px solid {BLUE}; border-radius: 6px;
}}
QFrame#suggestion QLabel, QFrame#suggestion QPushButton {{ color: #2B2F36; }}
QPushButton {{
    background: {p.panel}; border: 1px solid {p.border}; border-radius: 4px; padding: 4px 12px;
}}
QPushButton:hover {{ background: {p.hover}; }}
QPushButton:disabled {{ color: {p.muted}; }}
QPushButton#fadeOut {{ background: #FBEDE6; border-color: {VERMILLION}; color: #8A3200; font-weight: 600; }}
QPushButton#fadeOut:hover {{ background: #F8E0D3; }}
QLineEdit, QPlainTextEdit, QComboBox, QSpinBox, QDoubleSpinBox {{
    background: {p.panel}; border: 1px solid {p.border}; border-radius: 4px; padding: 3px 5px;
}}
QLineEdit:focus {{ border-color: {BLUE}; }}
QAbstractSpinBox::up-button, QAbstractSpinBox::down-button {{
    subcontrol-origin: border; width: 16px; border: none; border-left: 1px solid {p.grid};
}}
QAbstractSpinBox::up-button {{ subcontrol-position: top right; }}
QAbstractSpinBox::down-button {{ subcontrol-position: bottom right; }}
QAbstractSpinBox::up-button:hover, QAbstractSpinBox::down-button:hover {{ background: {p.hover}; }}
QAbstractSpinBox::up-arrow {{ image: url({ARROWS["up"]}); width: 8px; height: 5px; }}
QAbstractSpinBox::down-arrow, QComboBox::down-arrow {{ image: url({ARROWS["down"]}); width: 8px; height: 5px; }}
QComboBox::drop-down {{
    subcontrol-origin: padding; subcontrol-position: top right; width: 18px; border: none;
    border-left: 1px solid {p.grid};
}}
QTabWidget::pane {{ border: 1px solid {p.grid}; }}
QTabBar::tab {{ background: {p.window}; color: {p.muted}; padding: 4px 10px; border: 1px solid {p.grid}; }}
QTabBar::tab:selected {{ background: {p.panel}; color: {p.ink}; }}
QMenuBar, QMenu {{ background: {p.window}; color: {p.ink}; }}
QMenuBar::item:selected, QMenu::item:selected {{ background: {p.hover}; }}
QToolBar {{ background: {p.window}; border: none; spacing: 6px; }}
QToolButton:checked {{ background: {p.panel}; border: 1px solid {BLUE}; border-radius: 4px; }}
QToolButton[popupMode="2"] {{
    background: {p.panel}; color: {p.ink}; border: 1px solid {p.border}; border-radius: 4px; padding: 3px 8px;
}}
QStatusBar {{ color: {p.muted}; }}
QStatusBar QLabel {{ font-size: {small:.1f}pt; }}
QFrame#banner {{ border-radius: 4px; }}
QFrame#banner[severity="warning"] {{ background: #FFF4DC; border: 1px solid {ORANGE}; }}
QFrame#banner[severity="error"] {{ background: #FCE8E3; border: 1px solid {VERMILLION}; }}
QFrame#banner[severity="info"] {{ background: #E4F1FA; border: 1px solid {SKY_BLUE}; }}
QFrame#banner QLabel, QFrame#banner QPushButton {{ color: #2B2F36; }}
QFrame#overlay {{ background: #111418; border: 1px solid {SKY_BLUE}; border-radius: 10px; }}
QFrame#overlay QLabel {{ color: #F3F4F6; }}
"""


def configure_pyqtgraph() -> None:
    """Light plots with antialiased lines; call once before any plot is made."""
    pg.setConfigOptions(background=PANEL, foreground=MUTED, antialias=True)


def theme_plots(root: QWidget, palette: Palette, scale: float = 1.0) -> None:
    """Give every pyqtgraph view under ``root`` the theme's background, axis and title colours and the
    font scale (the data colours stay: they are the colour-blind-safe palette in every theme)."""
    tick_font = QFont()
    tick_font.setPointSizeF(8.0 * scale)
    label_font = QFont()
    label_font.setPointSizeF((BASE_POINT_SIZE - 1) * scale)
    for view in root.findChildren(pg.GraphicsView):
        view.setBackground(palette.panel)
        for item in view.scene().items():
            if isinstance(item, pg.TextItem):  # labels inside a plot (quadrants, the goal)
                item.setFont(label_font)
            if not isinstance(item, pg.PlotItem):
                continue
            for side in ("left", "bottom"):
                axis = item.getAxis(side)
                axis.setPen(pg.mkPen(palette.grid))
                axis.setTextPen(pg.mkPen(palette.muted))
                axis.setStyle(tickFont=tick_font)
                if axis.labelText:
                    axis.setLabel(axis.labelText, color=palette.muted, **{"font-size": f"{8.0 * scale:.0f}pt"})
            title = item.titleLabel
            if title.text:
                title.setText(title.text, color=palette.ink, size=f"{BASE_POINT_SIZE * scale:.0f}pt")


def set_role(widget: QWidget, role: str) -> None:
    """Give a widget one of the style sheet's roles (muted, error, readout) and restyle it."""
    if widget.property("role") == role:
        return
    widget.setProperty("role", role)
    widget.style().unpolish(widget)
    widget.style().polish(widget)
