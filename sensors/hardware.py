"""What sensing hardware this machine has: cameras, microphones, and a configured biosignal board."""

from __future__ import annotations

import glob
from dataclasses import dataclass

from sensors.boards import SYNTHETIC, BoardConfig
from studio.kernel.quiet import native_stderr_silenced


@dataclass(frozen=True)
class Hardware:
    cameras: tuple[str, ...]
    microphones: tuple[str, ...]
    board: str  # "" when the configured board is the synthetic one

    @property
    def any(self) -> bool:
        return bool(self.cameras or self.microphones or self.board)

    def summary(self) -> str:
        parts = [
            f"{len(self.cameras)} camera(s)",
            f"{len(self.microphones)} microphone(s)",
            f"board: {self.board}" if self.board else "no board configured",
        ]
        return ", ".join(parts)


def cameras() -> tuple[str, ...]:
    """Video capture device nodes (Linux /dev/video*)."""
    return tuple(sorted(glob.glob("/dev/video*")))


def microphones() -> tuple[str, ...]:
    """Names of PortAudio input devices; none when PortAudio finds no device or cannot start."""
    import pyaudio

    with native_stderr_silenced():
        pa = pyaudio.PyAudio()
        try:
            names = []
            for i in range(pa.get_device_count()):
                info = pa.get_device_info_by_index(i)
                if int(info.get("maxInputChannels", 0)) > 0:
                    names.append(str(info.get("name", f"device {i}")))
        finally:
            pa.terminate()
    return tuple(names)


def detect(board: BoardConfig) -> Hardware:
    configured = "" if board.board_id == SYNTHETIC else f"BrainFlow board {board.board_id}"
    return Hardware(cameras(), microphones(), configured)
