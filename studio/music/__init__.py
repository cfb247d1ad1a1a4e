"""The music engine (pyo). pyo prints a wxPython banner on import unless told there is no wx GUI."""

import os

os.environ.setdefault("PYO_GUI_WX", "0")
