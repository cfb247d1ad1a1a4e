"""The console on real (Xvfb) screens of a laptop, a desktop and a full-HD projector: it opens fitted to the
screen, and in every workspace (the Lab also dark) the window, its panels, labels, tabs and plots all fit
(scripts/screens.py checks them and saves the screenshots)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow  # a demo runs in real time on each screen
@pytest.mark.parametrize("size", ["1280x800", "1600x1000", "1920x1080"])
def test_the_console_fits_the_screen_in_every_workspace(size: str, tmp_path: Path) -> None:
    env = {**os.environ, "STUDIO_DATA_DIR": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    env.pop("QT_QPA_PLATFORM", None)
    done = subprocess.run(
        [
            "xvfb-run",
            "-a",
            "-s",
            f"-screen 0 {size}x24",
            sys.executable,
            str(ROOT / "scripts" / "screens.py"),
            "--out",
            str(tmp_path),
            "--seconds",
            "3",
        ],
        capture_output=True,
        text=True,
        timeout=240,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["screen"] == size
    assert result["problems"] == {Path(f).stem: [] for f in result["files"]}
    width, height = (int(x) for x in size.split("x"))
    for name in result["files"]:
        image = QImage(str(tmp_path / name))
        assert (image.width(), image.height()) == (width, height), name
