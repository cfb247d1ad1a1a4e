"""Benchmarks of the studio on real data and real processes; each module runs with ``python -m benchmarks.NAME``."""

import os
from pathlib import Path


def reference_data_folder() -> Path:
    """The shared reference data folder: ``STUDIO_REFERENCE_DATA``, else ``../shared/data`` beside the checkout."""
    configured = os.environ.get("STUDIO_REFERENCE_DATA")
    return Path(configured) if configured else Path(__file__).resolve().parents[2] / "shared" / "data"
