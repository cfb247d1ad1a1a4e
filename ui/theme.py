"""Colours and the style sheet: a calm light theme with the colour-blind-safe Okabe-Ito palette."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtWidgets import QWidget

from sensors.base import State

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
BLUISH_GREEN = "#009E73"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
REDDISH_PURPLE = "#CC79A7"

INK = "#2B2F36"  # text
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

STYLE_SHEET = f"""
QMainWindow, QWidget#central {{ background: {WINDOW}; }}
QWidget {{ color: {INK}; font-size: 10pt; }}
QGroupBox {{
    background: {PANEL}; border: 1px solid {GRID}; border-radius: 6px;
    margin-top: 14px; padding: 10px 8px 8px 8px; font-weight: 600;
}}
QGroupBox::title {{ subcontrol-origin: margin; left: 10px; padding: 0 4px; color: {MUTED}; }}
QLabel[role="muted"] {{ color: {MUTED}; font-size: 9pt; }}
QLabel[role="error"] {{ color: {ERROR_COLOUR}; }}
QLabel[role="readout"] {{ font-family: "DejaVu Sans Mono"; font-size: 9pt; }}
QPushButton {{
    background: {PANEL}; border: 1px solid #C9CED6; border-radius: 4px; padding: 4px 12px;
}}
QPushButton:hover {{ background: #EEF2F7; }}
QPushButton:disabled {{ color: #A0A6AF; }}
QPushButton#fadeOut {{ background: #FBEDE6; border-color: {VERMILLION}; color: #8A3200; font-weight: 600; }}
QPushButton#fadeOut:hover {{ background: #F8E0D3; }}
QLineEdit {{ background: {PANEL}; border: 1px solid #C9CED6; border-radius: 4px; padding: 3px 5px; }}
QLineEdit:focus {{ border-color: {BLUE}; }}
QStatusBar {{ color: {MUTED}; }}
"""


def configure_pyqtgraph() -> None:
    """Light plots with antialiased lines; call once before any plot is made."""
    pg.setConfigOptions(background=PANEL, foreground=MUTED, antialias=True)


def set_role(widget: QWidget, role: str) -> None:
    """Give a widget one of the style sheet's roles (muted, error, readout) and restyle it."""
    if widget.property("role") == role:
        return
    widget.setProperty("role", role)
    widget.style().unpolish(widget)
    widget.style().polish(widget)
