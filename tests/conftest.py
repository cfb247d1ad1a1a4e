"""Test-wide environment: Qt draws off screen and pyo prints no wx banner (set before either is imported)."""

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYO_GUI_WX", "0")


@pytest.fixture(scope="session")
def reference_data() -> Path:
    """The shared reference recordings: ``STUDIO_REFERENCE_DATA``, else ``../shared/data`` beside the checkout.

    A test that needs them fails (never skips) when neither exists, saying where they are looked for.
    """
    configured = os.environ.get("STUDIO_REFERENCE_DATA")
    path = Path(configured) if configured else Path(__file__).resolve().parents[1].parent / "shared" / "data"
    if not (path / "README.md").is_file():
        pytest.fail(f"reference data not found at {path}; set STUDIO_REFERENCE_DATA to the shared data folder")
    return path
