"""``affect-studio analyze face`` as a user runs it: JSON per image or video frame, calibration, bad inputs."""

import json

from tests.face_support import LONDON, VIDEO, london
from tests.test_cli import assert_one_line_error, run_cli
from tests.test_models import reference_model

MODEL = ["--model", str(reference_model())]


def records(result):
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_images_give_one_object_each_with_every_field(reference_data):
    neutral, smiling = london(reference_data, "030", "neutral"), london(reference_data, "030", "smiling")
    rows = records(run_cli("analyze", "face", str(neutral), str(smiling), "--json", *MODEL))
    assert [r["source"] for r in rows] == [str(neutral), str(smiling)]
    for r in rows:
        assert r["face"] is True and r["frame"] == 0 and r["t"] == 0.0 and 0.9 < r["confidence"] <= 1.0
        assert len(r["blendshapes"]) == 52 and all(0.0 <= v <= 1.0 for v in r["blendshapes"].values())
        assert -1.0 <= r["valence"] <= 1.0 and -1.0 <= r["arousal"] <= 1.0
    assert rows[1]["valence"] > rows[0]["valence"] + 0.5
    assert rows[1]["drivers"][0]["name"] == "mouthSmile"


def test_a_video_gives_every_frame_and_calibration_from_a_neutral_frame(reference_data):
    video = str(reference_data / VIDEO)
    rows = records(run_cli("analyze", "face", video, "--json", *MODEL))
    assert [r["frame"] for r in rows] == list(range(72))
    assert rows[30]["t"] == 1.0
    assert rows[40]["valence"] > rows[5]["valence"] + 0.5
    # His resting brows sit raised (arousal reads high); calibrated on a neutral face that goes away.
    calibrated = records(run_cli("analyze", "face", video, "--json", "--calibrate-from", video, *MODEL))
    assert rows[5]["arousal"] > 0.3
    assert abs(calibrated[5]["arousal"]) < abs(rows[5]["arousal"])


def test_calibrating_from_an_image_of_the_same_person(reference_data):
    neutral, smiling = london(reference_data, "024", "neutral"), london(reference_data, "024", "smiling")
    raw = records(run_cli("analyze", "face", str(neutral), "--json", *MODEL))[0]
    rows = records(
        run_cli("analyze", "face", str(neutral), str(smiling), "--json", "--calibrate-from", str(neutral), *MODEL)
    )
    assert raw["valence"] < -0.3 and rows[0]["valence"] == 0.0 and rows[1]["valence"] > 0.0


def test_a_face_less_image_says_so(reference_data, tmp_path):
    import cv2

    wall = tmp_path / "wall.png"
    cv2.imwrite(str(wall), cv2.imread(str(london(reference_data, "001", "neutral")))[:100, :100])
    row = records(run_cli("analyze", "face", str(wall), "--json", *MODEL))[0]
    assert row["face"] is False and row["valence"] is None and row["arousal"] is None and row["confidence"] == 0.0
    result = run_cli("analyze", "face", str(wall), "--calibrate-from", str(wall), *MODEL)
    assert_one_line_error(result, "--calibrate-from", "no face found")


def test_each_bad_input_is_one_line_and_the_good_ones_still_come_out(reference_data, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("not an image")
    broken = tmp_path / "broken.mp4"
    broken.write_bytes((reference_data / VIDEO).read_bytes()[:5000])
    missing = tmp_path / "missing.jpg"
    for bad, message in ((missing, "does not exist"), (notes, "not a video or image"), (broken, "broken.mp4")):
        assert_one_line_error(run_cli("analyze", "face", str(bad), *MODEL), message)
    good = london(reference_data, "001", "smiling")
    result = run_cli("analyze", "face", str(missing), str(good), str(notes), "--json", *MODEL)
    assert result.returncode == 2
    assert [json.loads(line)["source"] for line in result.stdout.splitlines()] == [str(good)]
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 2 and all(e.startswith("affect-studio: error: ") for e in errors)


def test_a_folder_and_plain_text_output(reference_data):
    result = run_cli("analyze", "face", str(reference_data / LONDON), *MODEL)
    lines = result.stdout.splitlines()
    assert result.returncode == 0 and len(lines) == 28
    assert "001_08_smiling.jpg frame 0 t=0.00s  valence +0." in lines[1] and "(mouthSmile" in lines[1]


def test_missing_model_and_bad_face_settings(tmp_path):
    result = run_cli("analyze", "face", "x.jpg", env={"STUDIO_DATA_DIR": str(tmp_path)})
    assert_one_line_error(result, "face model not installed", "affect-studio models install")
    cfg = tmp_path / "c.toml"
    cfg.write_text("[face]\nwidth = 0\n")
    assert_one_line_error(run_cli("--config", str(cfg), "run", "--headless", "--out", str(tmp_path)), "face.width")
