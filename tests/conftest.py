"""Test-wide environment: Qt draws off screen and pyo prints no wx banner (set before either is imported)."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYO_GUI_WX", "0")
