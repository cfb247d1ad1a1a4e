"""The face estimate on real faces through real MediaPipe: signs, calibration, confidence, several faces."""

import numpy as np
import pytest

from benchmarks.face_cases import CRYING, LAUGHING, REST, frames
from fusion.affect import Affect
from fusion.face import (
    CORNER_LIFT,
    affect_from_blendshapes,
    checked_baseline,
    describe,
    estimate,
    explain,
    mean_scores,
)
from fusion.face_geometry import FaceQuality, face_quality, turn_degrees
from fusion.fuse import ChannelReading, fuse
from sensors.landmarker import Landmarker
from tests.face_support import LONDON, YALE, image, london
from tests.test_models import reference_model


@pytest.fixture(scope="module")
def stills():
    landmarker = Landmarker(reference_model(), video=False)
    yield landmarker
    landmarker.close()


def read(stills, img):
    return stills.read(img, 0.0)


@pytest.mark.parametrize("person", ["001", "005", "037"])  # 005 smiles with closed lips; 037 frowns a little
def test_smiling_reads_as_more_pleasant_than_neutral(stills, reference_data, person):
    neutral = read(stills, image(london(reference_data, person, "neutral")))
    smiling = read(stills, image(london(reference_data, person, "smiling")))
    v_neutral = affect_from_blendshapes(neutral.face.scores).valence
    v_smiling = affect_from_blendshapes(smiling.face.scores).valence
    assert v_smiling > v_neutral
    top = {d.name for d in explain(smiling.face.scores, neutral.face.scores)[:2]}
    assert top & {"mouthSmile", CORNER_LIFT}  # the explanation names the smile


def test_a_resting_face_that_looks_sad_is_not_read_as_sad_after_calibration(stills, reference_data):
    rest = read(stills, image(london(reference_data, "024", "neutral"))).face.scores
    smile = read(stills, image(london(reference_data, "024", "smiling"))).face.scores
    assert affect_from_blendshapes(rest).valence < -0.3  # brows lowered at rest
    baseline = mean_scores([rest])
    assert affect_from_blendshapes(rest, baseline).valence == pytest.approx(0.0, abs=1e-9)
    assert affect_from_blendshapes(smile, baseline).valence > 0.0


def test_sign_rules():
    def va(**scores):
        a = affect_from_blendshapes(scores)
        return a.valence, a.arousal

    for up in ("mouthSmileLeft", "cheekSquintLeft"):
        assert va(**{up: 0.7, up.replace("Left", "Right"): 0.7})[0] > 0.3
    for down in ("browDownLeft", "mouthFrownLeft", "noseSneerLeft"):
        assert va(**{down: 0.7, down.replace("Left", "Right"): 0.7})[0] < -0.3
    for up in ("eyeWideLeft", "browOuterUpLeft", "jawOpen", "browInnerUp"):
        pair = {up: 0.7} if "Left" not in up else {up: 0.7, up.replace("Left", "Right"): 0.7}
        assert va(**pair)[1] > 0.3
    assert va(eyeBlinkLeft=0.9, eyeBlinkRight=0.9)[1] < -0.5
    assert va(**{CORNER_LIFT: 0.06})[0] > 0.3 and va(**{CORNER_LIFT: -0.08})[0] < -0.3
    assert affect_from_blendshapes({}, face_confidence=0.0).confidence == 0.0


def test_the_explanation_names_the_strongest_drivers():
    drivers = explain({"mouthSmileLeft": 0.8, "mouthSmileRight": 0.6, "jawOpen": 0.3})
    assert drivers[0].name == "mouthSmile" and drivers[0].valence == pytest.approx(1.6 * 0.7)
    assert describe(drivers).startswith("mouthSmile +1.12 V; jawOpen +0.30 A")
    assert describe(explain({})) == "nothing above the resting face"


def test_no_face_means_no_confidence(stills, reference_data):
    wall = image(london(reference_data, "001", "neutral"))[:120, :120]  # plain background, no face
    reading = read(stills, wall)
    assert reading.face is None and reading.confidence == 0.0


def test_confidence_drops_for_small_cut_off_and_hidden_faces(stills, reference_data):
    img = image(london(reference_data, "001", "smiling"))
    full = read(stills, img)
    assert full.confidence > 0.9 and full.quality.weakest() == ""
    small = np.full((480, 640, 3), 200, np.uint8)  # a 640x480 camera frame
    small[200:360, 300:460] = cv2_resize(img, 160)  # the face is about 70 px tall
    tiny = read(stills, small)
    assert tiny.face is not None and tiny.confidence < 0.5 * full.confidence
    assert tiny.quality.weakest() == "face small"
    cut = read(stills, img[:, :290])  # a third of the face is out of the frame
    assert cut.confidence < 0.5 * full.confidence and cut.quality.weakest() == "face cut off"
    hidden = img.copy()
    hidden[300:420, 150:370] = (150, 170, 200)  # a skin-coloured hand over the mouth
    covered = read(stills, hidden)
    assert covered.confidence < 0.6 * full.confidence and covered.quality.weakest() == "face partly hidden"


def cv2_resize(img, size):
    import cv2

    return cv2.resize(img, (size, size), interpolation=cv2.INTER_AREA)


def test_a_turned_head_lowers_confidence():
    def about_y(deg):
        r = np.radians(deg)
        m = np.eye(4)
        m[0, 0], m[0, 2], m[2, 0], m[2, 2] = np.cos(r), np.sin(r), -np.sin(r), np.cos(r)
        return m

    assert turn_degrees(about_y(30)) == pytest.approx(30)
    landmarks = np.array([[0.3, 0.3, 0], [0.7, 0.8, 0]])
    frontal = face_quality(landmarks, (640, 480), about_y(5))
    turned = face_quality(landmarks, (640, 480), about_y(40))
    away = face_quality(landmarks, (640, 480), about_y(70))
    assert frontal.pose == 1.0 and 0.0 < turned.pose < 1.0 and away.pose == 0.0
    assert away.confidence == 0.0 and away.weakest() == "head turned"
    assert FaceQuality(1, 1, 1, 1).confidence == pytest.approx(0.95)


def test_with_several_faces_the_largest_is_followed_unless_the_operator_picks(stills, reference_data):
    big = image(london(reference_data, "001", "smiling"))
    other = cv2_resize(image(london(reference_data, "034", "neutral")), 256)
    scene = np.full((512, 800, 3), 200, np.uint8)
    scene[:, :512] = big
    scene[128:384, 528:784] = other
    reading = read(stills, scene)
    assert len(reading.faces) == 2
    _, _, x1, _ = reading.face.box
    assert x1 < 0.7  # the big face on the left
    picked = stills.read(scene, 0.0, near=(0.82, 0.5))
    assert picked.face.box[0] > 0.6  # the one the operator pointed at
    assert affect_from_blendshapes(picked.face.scores).valence < affect_from_blendshapes(reading.face.scores).valence


def test_a_stored_baseline_is_checked():
    assert checked_baseline({"jawOpen": 0.2, CORNER_LIFT: -0.02}) == {"jawOpen": 0.2, CORNER_LIFT: -0.02}
    with pytest.raises(ValueError, match="unknown feature 'smile'"):
        checked_baseline({"smile": 0.2})
    with pytest.raises(ValueError, match="jawOpen = 3 is not a number between 0 and 1"):
        checked_baseline({"jawOpen": 3})
    with pytest.raises(ValueError, match="jawOpen = 'x'"):
        checked_baseline({"jawOpen": "x"})


# --- distress, mixed expressions and calibration (issue 20) ------------------------------------------------


def clearly_positive(affects) -> float:
    """Share of estimates that read 'clearly positive, confident' (the issue's measure of the failure)."""
    return float(np.mean([a.valence > 0.3 and a.confidence > 0.7 for a in affects]))


@pytest.mark.parametrize("kind", sorted(CRYING))
def test_crying_is_not_read_as_joy(kind):
    """Before: the grimace read +0.78 at confidence 0.95 (100 % clearly positive), the wail +0.44."""
    affects = [affect_from_blendshapes(f, REST, 0.95) for f in frames(CRYING[kind], 200, seed=1)]
    assert np.mean([a.valence for a in affects]) < -0.3
    assert clearly_positive(affects) == 0.0
    if kind != "weeping":  # the grimace and the wail carry a smile: mixed, so the face counts less
        assert np.mean([a.confidence for a in affects]) < 0.6


def test_laughing_stays_joy_but_squeezed_eyes_with_an_open_mouth_are_ambiguous():
    affects = [affect_from_blendshapes(f, REST, 0.95) for f in frames(LAUGHING, 200, seed=2)]
    assert min(a.valence for a in affects) > 0.5
    assert 0.5 < np.mean([a.confidence for a in affects]) < 0.9


def test_a_smile_with_a_grief_brow_is_mixed_and_says_so():
    smile = {"mouthSmileLeft": 0.7, "mouthSmileRight": 0.7, CORNER_LIFT: 0.04}
    alone = estimate(smile, REST, 0.95)
    assert alone.affect.valence > 0.8 and alone.affect.confidence == pytest.approx(0.95) and alone.note == ""
    grief = estimate({**smile, "browInnerUp": 0.6, "browDownLeft": 0.2, "browDownRight": 0.2}, REST, 0.95)
    assert grief.affect.valence < 0.0
    assert grief.affect.confidence < 0.5 and grief.conflict > 0.8
    assert grief.note == "mixed expression: smile with grief brow"
    assert "smile masked by grief brow" in describe(grief.drivers)
    raised = estimate({**smile, "browInnerUp": 0.6, "browOuterUpLeft": 0.6, "browOuterUpRight": 0.6}, REST, 0.95)
    assert raised.affect.valence > 0.5 and raised.note == ""  # brows raised together: surprise, not grief
    squeezed = estimate({**smile, "eyeBlinkLeft": 0.9, "eyeBlinkRight": 0.9, "jawOpen": 0.6}, REST, 0.95)
    assert squeezed.affect.valence > 0.8 and squeezed.affect.confidence < 0.6
    assert squeezed.note == "mixed expression: smile with eyes squeezed shut, mouth open"


def test_the_fused_estimate_leans_on_the_other_channels_when_the_face_is_mixed():
    voice = ChannelReading(0.0, Affect(-0.5, 0.3, 0.6))
    smile = {"mouthSmileLeft": 0.7, "mouthSmileRight": 0.7, CORNER_LIFT: 0.04}
    shares = {}
    for name, scores in (("smile", smile), ("smile with grief brow", {**smile, "browInnerUp": 0.6})):
        face = ChannelReading(0.0, affect_from_blendshapes(scores, REST, 0.95))
        fused = fuse({"face": face, "voice": voice}, 0.0, {"face": 2.0, "voice": 2.0}, {})
        shares[name] = {c.channel: c.share for c in fused.contributions}["face"]
    assert shares["smile"] > 0.6 and shares["smile with grief brow"] < shares["smile"] - 0.15


@pytest.fixture(scope="module")
def yale(stills, reference_data):
    """Every yale_dev person's five expressions read by MediaPipe: {person: {label: scores}}."""
    out: dict[str, dict[str, dict[str, float]]] = {}
    for path in sorted((reference_data / YALE).glob("subject*_*.png")):
        person, label = path.stem.split("_")
        out.setdefault(person, {})[label] = read(stills, image(path)).face.scores
    return out


def test_each_expression_reads_in_its_direction_against_the_persons_own_neutral_face(yale):
    """Sad below neutral for at least 6 of the 7 (subject04's 'sad' file is byte-identical to its 'normal'),
    happy above, surprised more and sleepy less aroused for every one. Before: sad for 3 of 7."""
    margins: dict[str, list[float]] = {label: [] for label in ("happy", "sad", "surprised", "sleepy")}
    for faces in yale.values():
        neutral = affect_from_blendshapes(faces["normal"], faces["normal"])
        for label, values in margins.items():
            a = affect_from_blendshapes(faces[label], faces["normal"])
            values.append(
                {
                    "happy": a.valence - neutral.valence,
                    "sad": neutral.valence - a.valence,
                    "surprised": a.arousal - neutral.arousal,
                    "sleepy": neutral.arousal - a.arousal,
                }[label]
            )
    assert sum(m > 0.05 for m in margins["sad"]) >= 6
    for label in ("happy", "surprised", "sleepy"):
        assert min(margins[label]) > 0.2, label


@pytest.fixture(scope="module")
def london_pairs(stills, reference_data):
    """Every London-set person's neutral and smiling face read by MediaPipe: {person: {label: scores}}."""
    out: dict[str, dict[str, dict[str, float]]] = {}
    for path in sorted((reference_data / LONDON).glob("*.jpg")):
        person, _, label = path.stem.split("_")
        out.setdefault(person, {})[label] = read(stills, image(path)).face.scores
    return out


def test_every_london_smile_reads_above_the_same_persons_neutral_face(london_pairs):
    """No loss on smiling for any of the 14 people, as read alone and against their own neutral face. Before:
    person 005's closed-lip smile read -0.001 against its neutral face (a chin raise of 0.03, within the
    scores' jitter, counted as distress)."""
    assert len(london_pairs) == 14
    for person, faces in london_pairs.items():
        alone = affect_from_blendshapes(faces["smiling"]).valence - affect_from_blendshapes(faces["neutral"]).valence
        calibrated = affect_from_blendshapes(faces["smiling"], faces["neutral"]).valence
        assert alone > 0.0 and calibrated > 0.02, (person, alone, calibrated)
