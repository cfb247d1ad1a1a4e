"""The gallery script renders every workspace, the help overlay, each session-flow step, the client's progress,
the replay player and the first-run assistant from a real demo session (a shorter run than the 10 s of the real
gallery)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parents[1]
EXPECTED = (
    "workspace-session",
    "workspace-lab",
    "workspace-lab-dark",
    "workspace-presentation",
    "help-overlay",
    "flow-1-client",
    "flow-2-consent",
    "flow-3-baseline-countdown",
    "flow-4-sam-before",
    "flow-5-running",
    "flow-6-sam-after",
    "flow-7-notes",
    "flow-8-report",
    "flow-done",
    "client-progress",
    "replay-player",
    "first-run-assistant",
)


@pytest.mark.slow  # the script runs a demo session in real time
def test_gallery_renders_every_view(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "STUDIO_DATA_DIR": str(tmp_path / "data")}
    env.pop("DISPLAY", None)
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gallery.py"), "--out", str(tmp_path), "--seconds", "2"],
        capture_output=True,
        text=True,
        timeout=240,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert tuple(Path(f).stem for f in summary["files"]) == EXPECTED
    for name in EXPECTED:
        image = QImage(str(tmp_path / f"{name}.png"))
        assert image.width() >= 300 and image.height() >= 150, name
        colours = {image.pixel(x, y) for x in range(0, image.width(), 9) for y in range(0, image.height(), 9)}
        assert len(colours) > 20, name  # text and controls, not a blank picture
