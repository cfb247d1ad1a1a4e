"""The face's time course: a single frame cannot flip the estimate, distress fades slowly, and the jaw's rhythm
tells sobbing from laughing; and the face channel shows why its estimate is less sure."""

import math

import numpy as np
import pytest

from benchmarks.face_cases import CRYING, LAUGHING, REST, frames, rhythmic
from fusion.face import CORNER_LIFT, estimate
from fusion.face_dynamics import FaceDynamics, jaw_rhythm
from sensors.face import ScriptedFace
from studio.kernel.streams import StreamHub

SMILE = {"mouthSmileLeft": 0.8, "mouthSmileRight": 0.8, CORNER_LIFT: 0.05}
FPS = 30.0


def filtered(sequence, fps=FPS):
    """Every filtered estimate of a list of score dicts shown at ``fps`` frames per second."""
    dynamics = FaceDynamics()
    return [dynamics.update(i / fps, estimate(scores, REST, 0.95)) for i, scores in enumerate(sequence)]


def test_a_single_frame_smile_does_not_flip_the_estimate_but_a_lasting_one_does():
    flicker = filtered([REST] * 10 + [SMILE] + [REST] * 10)
    assert max(abs(e.affect.valence) for e in flicker) < 0.05
    lasting = filtered([REST] * 10 + [SMILE] * 5)
    valence = [e.affect.valence for e in lasting]
    assert valence[10] < 0.05 < 0.8 < valence[11]  # followed once the next frame confirms it (33 ms)
    assert filtered([SMILE])[0].affect.valence > 0.8  # the first frame of a stream counts alone


def test_after_a_gap_the_new_frame_counts_alone_and_time_going_back_starts_anew():
    dynamics = FaceDynamics()
    for i in range(5):
        dynamics.update(i / FPS, estimate(REST, REST))
    assert dynamics.update(3.0, estimate(SMILE, REST)).affect.valence > 0.8  # 2.9 s later: nothing to compare
    assert dynamics.update(0.5, estimate(SMILE, REST)).affect.valence > 0.8  # another recording


def test_distress_sets_in_at_once_and_fades_over_about_a_second():
    weeping = frames(CRYING["weeping"], 1, seed=4)[0]
    course = filtered([weeping] * 15 + [REST] * 120)
    valence = np.array([e.affect.valence for e in course])
    assert valence[1] < -0.8  # onset: as soon as the next frame confirms it
    assert valence[15 + 15] < -0.4  # half a second after the face relaxed, still clearly negative
    assert "distress still fading" in {d.name for d in course[30].drivers}
    assert valence[15 + 105] > -0.1  # three and a half seconds later it has faded


@pytest.mark.parametrize("hz", [0.7, 1.2, 1.8])
def test_a_sobbing_rhythm_deepens_distress_and_is_named(hz):
    sequence = rhythmic(CRYING["grimace"], hz, 6.0, FPS, seed=5)
    per_frame = [estimate(s, REST, 0.95) for _, s in sequence]
    dynamics = FaceDynamics()
    course = [dynamics.update(t, estimate(s, REST, 0.95)) for t, s in sequence]
    late = course[-60:]
    assert all("sobbing rhythm (" in e.note for e in late)
    shown = float(late[-1].note.split("sobbing rhythm (")[1].split(" Hz")[0])
    assert shown == pytest.approx(hz, abs=0.15)  # 4 s hold only 3 to 7 cycles
    assert np.mean([e.affect.valence for e in late]) < np.mean([e.affect.valence for e in per_frame[-60:]]) - 0.1
    # The rhythm agrees with the face's distress cues: part of the conflict is resolved.
    assert np.mean([e.affect.confidence for e in late]) > np.mean([e.affect.confidence for e in per_frame[-60:]])


def test_a_laughing_rhythm_resolves_squeezed_eyes_towards_joy():
    sequence = rhythmic(LAUGHING, 4.5, 6.0, FPS, seed=6)
    per_frame = [estimate(s, REST, 0.95) for _, s in sequence]
    dynamics = FaceDynamics()
    late = [dynamics.update(t, estimate(s, REST, 0.95)) for t, s in sequence][-60:]
    assert all("laughing rhythm (4.5 Hz)" in e.note for e in late)
    assert min(e.affect.valence for e in late) > 0.8
    assert np.mean([e.affect.confidence for e in late]) > np.mean([e.affect.confidence for e in per_frame[-60:]])


def test_talking_or_chewing_with_a_calm_face_is_no_rhythm_of_feeling():
    for hz in (1.2, 4.5):
        talk = [{**REST, "jawOpen": 0.15 + 0.15 * math.sin(2 * math.pi * hz * i / FPS)} for i in range(180)]
        assert all("rhythm" not in e.note for e in filtered(talk))


def test_the_jaw_rhythm_is_found_at_any_frame_spacing_below_the_nyquist_limit():
    rng = np.random.default_rng(7)
    t = np.sort(rng.uniform(0.0, 4.0, 60))  # 15 frames per second on average, unevenly spaced
    found = jaw_rhythm(t, 0.4 + 0.3 * np.sin(2 * np.pi * 1.5 * t))
    assert found is not None and found.hz == pytest.approx(1.5, abs=0.13) and found.strength > 0.9
    assert jaw_rhythm(t, np.full(60, 0.3)) is None  # no movement
    assert jaw_rhythm(t[:10], np.zeros(10)) is None  # too short
    slow = np.arange(0.0, 4.0, 0.5)  # 2 frames per second: nothing above 0.45 Hz can be seen
    assert jaw_rhythm(slow, np.sin(slow)) is None


def test_the_face_channel_says_why_a_mixed_expression_counts_less():
    face = ScriptedFace()
    hub = StreamHub()
    face.open(hub)
    face.load_baseline(REST)
    for i, scores in enumerate(frames(CRYING["grimace"], 5, seed=8)):
        affect = face.publish(i / FPS, scores, 0.95)
    assert affect.valence < 0.0 and affect.confidence < 0.6
    assert face.expression_note() == f"mixed expression: smile with grief brow, confidence {affect.confidence:.2f}"
    assert any(d.name == "smile masked by grief brow" for d in face.drivers)
    face.publish(1.0, SMILE, 0.95)
    face.publish(1.1, SMILE, 0.95)
    assert face.expression_note() == ""
