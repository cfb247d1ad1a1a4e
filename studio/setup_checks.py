"""What the first-run assistant checks, without Qt: camera, microphone, board, audio output and the face
model, each with what was found in one sentence. A check that fails to run says so; it never raises."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from studio.config import Config


@dataclass(frozen=True)
class Check:
    name: str
    found: bool
    text: str  # what was found, or what is missing and what to do


def _camera(config: Config) -> Check:
    from sensors.hardware import cameras

    if config.face.camera is None:
        return Check("Camera", True, f"a recording is the face input: {config.face.source}")
    found = cameras()
    if not found:
        return Check("Camera", False, "no camera found: the face channel is down (demo mode uses a scripted face)")
    return Check("Camera", True, f"{len(found)} found: {', '.join(found)}")


def _microphone(config: Config) -> Check:
    from sensors.hardware import microphones

    found = microphones()
    if not found:
        return Check("Microphone", False, "no microphone found: the voice channel is down (demo uses a scripted voice)")
    return Check("Microphone", True, f"{len(found)} input(s): {', '.join(found[:3])}{' …' if len(found) > 3 else ''}")


def _board(config: Config) -> Check:
    from sensors.boards import SYNTHETIC, board_name

    board = config.board
    if board.board_id == SYNTHETIC:
        return Check(
            "Board",
            False,
            "no board configured: BrainFlow's synthetic board stands in (Session menu: Board connection…)",
        )
    return Check("Board", True, f"{board_name(board.board_id)} configured (connected when the session starts)")


def _audio(config: Config) -> Check:
    from studio.music.backend import output_device

    device = output_device(config.audio_device)
    if device is None:
        return Check("Audio output", False, "no sound output found: the music runs silently (or start a JACK server)")
    return Check("Audio output", True, f"device {device[0]}: {device[1]}")


def _face_model(config: Config) -> Check:
    from studio.models import face_model_status

    ok, text = face_model_status()
    return Check("Face model", ok, text)


CHECKS: tuple[Callable[[Config], Check], ...] = (_camera, _microphone, _board, _audio, _face_model)


def run_checks(config: Config) -> list[Check]:
    """Every check in order; one that fails to run reports the failure as not found."""
    results = []
    for check in CHECKS:
        name = check.__name__.strip("_").replace("_", " ").capitalize()
        try:
            results.append(check(config))
        except Exception as exc:  # a probe that breaks is a finding, not a crash of the assistant
            results.append(Check(name, False, f"could not be checked: {exc}"))
    return results
