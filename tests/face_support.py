"""Shared helpers of the face tests: where the real reference faces are, and reading one as an image."""

from pathlib import Path

import cv2
import numpy as np

LONDON = Path("faces/london_set_neutral_smiling/images")
VIDEO = Path("faces/video/single_face.mp4")
YALE = Path("faces/yale_dev")


def london(reference_data: Path, person: str, label: str) -> Path:
    """A London-set image: ``person`` is its three-digit id, ``label`` 'neutral' or 'smiling'."""
    number = "03" if label == "neutral" else "08"
    return reference_data / LONDON / f"{person}_{number}_{label}.jpg"


def image(path: Path) -> np.ndarray:
    img = cv2.imread(str(path))
    assert img is not None, path
    return img
