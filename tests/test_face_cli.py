"""``affect-studio analyze face`` as a user runs it: JSON per image or video frame, calibration, bad inputs."""

import json
import zlib

import cv2
import numpy as np

from tests.face_support import LONDON, VIDEO, image, london, png, write_big_png
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


def test_huge_grey_deep_truncated_and_frameless_inputs_each_get_one_line(reference_data, tmp_path):
    """Before: the 20000x20000 PNG was 'corrupt or empty' and the cut JPEG was analysed without a word."""
    face = image(london(reference_data, "001", "smiling"))
    big, deep, cut, huge, empty = (tmp_path / n for n in ("big.png", "deep.png", "cut.jpg", "huge.png", "none.avi"))
    write_big_png(big, face)
    cv2.imwrite(str(deep), cv2.cvtColor(face, cv2.COLOR_BGR2GRAY).astype(np.uint16) * 257)  # grey, 16 bits
    whole = london(reference_data, "001", "smiling").read_bytes()
    cut.write_bytes(whole[: len(whole) * 3 // 4])
    huge.write_bytes(png(30000, 30000, zlib.compress(b"")))
    cv2.VideoWriter(str(empty), cv2.VideoWriter.fourcc(*"MJPG"), 30.0, (64, 48)).release()
    result = run_cli("analyze", "face", *map(str, (big, deep, cut, huge, empty)), "--json", *MODEL, timeout=180)
    assert result.returncode == 2
    rows = {json.loads(line)["source"]: json.loads(line) for line in result.stdout.splitlines()}
    assert list(rows) == [str(big), str(deep), str(cut)]
    assert rows[str(big)]["valence"] > 0.5 and rows[str(deep)]["valence"] > 0.5 and rows[str(cut)]["face"]
    assert result.stderr.splitlines() == [
        f"affect-studio: warning: {big}: 20000x20000 pixels, analysed downscaled to 4096x4096",
        f"affect-studio: warning: {cut}: the file is cut short (truncated?); analysed what OpenCV could decode",
        f"affect-studio: error: {huge} is 30000x30000 pixels (900 megapixels); images up to 600 megapixels are "
        "analysed",
        f"affect-studio: error: {empty} is a video with no frames",
    ]


def test_a_video_says_when_its_expression_is_mixed(reference_data):
    """Uncalibrated, this man's resting brows are raised on the inside: his smile's onset reads mixed."""
    rows = records(run_cli("analyze", "face", str(reference_data / VIDEO), "--json", *MODEL))
    assert all({"conflict", "note"} <= set(r) for r in rows)
    mixed = [r for r in rows if r["note"].startswith("mixed expression: smile with")]
    assert mixed and all(r["confidence"] < 0.95 and r["conflict"] > 0 for r in mixed)
    assert all(r["note"] == "" and r["confidence"] == 0.95 for r in rows[:10])  # resting, before the smile
