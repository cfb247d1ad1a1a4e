"""The closed loop through the command line, the whole studio at work: a virtual listener feeds the demo's four
channel pipelines, the session runs on a simulated clock, the summary reports the loop, and what was learned
about a client carries over to their next visit. Bad listener files and speeds fail in one line."""

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from studio.levers import LEVERS
from tests.test_cli import assert_one_line_error, run_cli
from tests.test_listener import ISSUE_EXAMPLE

LISTENERS = Path(__file__).parent.parent / "resources" / "listeners"


def headless(tmp_path: Path, *args: str, store: Path | None = None) -> dict[str, Any]:
    where = ["--store", str(store)] if store is not None else ["--out", str(tmp_path)]
    done = run_cli("run", "--demo", "--headless", "--speed", "0", *where, *args, timeout=300)
    assert done.returncode == 0, done.stderr
    summary: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    summary["stderr"] = done.stderr
    return summary


def test_a_listener_session_on_a_simulated_clock_reports_the_loop_and_the_true_state(tmp_path):
    listener = tmp_path / "example.toml"
    listener.write_text(ISSUE_EXAMPLE, encoding="utf-8")
    summary = headless(tmp_path, "--duration", "230", "--listener", str(listener), "--goal", "calm")
    assert summary["status"] == "completed" and summary["speed"] == 0.0 and summary["session_s"] == 230.0
    assert summary["audio_backend"].startswith("silent") and summary["policy"] == "adaptive"
    assert set(summary["loop"]) == {"following", "time_to_goal_s"}
    effects = summary["response"]["effects"]  # every lever's effect on both axes, with its sd
    assert [e["lever"] for e in effects] == list(LEVERS) and all(e["arousal_sd"] > 0 for e in effects)
    assert summary["loop"]["following"] is True and 0 < summary["loop"]["time_to_goal_s"] < 230
    path = summary["listener"]["path"]
    assert [row[0] for row in path] == [5.0 * i for i in range(47)] and path[0][1:] == [-0.2, 0.6]
    final = summary["listener"]["final"]
    assert abs(final[0] - 0.3) < 0.25 and abs(final[1] + 0.6) < 0.25  # the person really calmed
    assert {state["state"] for state in summary["channels"].values()} == {"ok"}  # all four pipelines ran
    db = sqlite3.connect(tmp_path / "session.sqlite")
    channels = {row[0] for row in db.execute("SELECT DISTINCT channel FROM channel_affect")}
    assert channels == {"face", "voice", "text", "body"}
    fused = db.execute("SELECT valence, arousal FROM fused_affect WHERE t > 220").fetchall()
    assert all(abs(v - final[0]) < 0.35 and abs(a - final[1]) < 0.35 for v, a in fused)  # the estimate tracks it


def test_what_was_learned_about_a_client_is_used_on_the_next_visit_and_damage_is_only_a_message(tmp_path):
    store = tmp_path / "studio.sqlite"
    assert run_cli("clients", "add", "C7", "--store", str(store)).returncode == 0
    paradoxical = str(LISTENERS / "paradoxical.toml")
    first = headless(tmp_path, "--duration", "300", "--listener", paradoxical, "--client", "C7", store=store)
    db = sqlite3.connect(store)
    sessions, model = db.execute("SELECT sessions, model FROM response_models").fetchone()
    assert sessions == 1 and json.loads(model)["observations"] > 50
    # Under calm music they move 0.6 in a minute, then stall where most listeners' calm music holds them: they
    # follow, and are not taken for a non-responder (which would hold the very music that agitates them).
    assert first["loop"]["following"] is True
    assert db.execute("SELECT COUNT(*) FROM control_log WHERE param = 'person'").fetchone()[0] == 0
    db.close()
    second = headless(tmp_path, "--duration", "60", "--listener", paradoxical, "--client", "C7", store=store)
    db = sqlite3.connect(store)
    loaded = db.execute(
        "SELECT detail FROM operator_actions WHERE action = 'response model loaded' AND session_id = ?",
        (second["session_id"],),
    ).fetchall()
    assert len(loaded) == 1 and loaded[0][0].startswith("1 earlier sessions")
    assert db.execute("SELECT sessions FROM response_models").fetchone()[0] == 2
    db.execute('UPDATE response_models SET model = \'{"version": 1, "levers": []}\'')
    db.commit()
    db.close()
    third = headless(tmp_path, "--duration", "20", "--listener", paradoxical, "--client", "C7", store=store)
    assert third["status"] == "completed" and first["status"] == "completed"
    assert "stored response model of client C7 was ignored (response model was learned for other" in third["stderr"]
    assert third["notices"][0].endswith("starting from what most listeners do")


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["--speed", "nan"], ["--speed", "nan"]),
        (["--speed", "-1"], ["--speed", "-1"]),
        (["--speed", "inf"], ["--speed", "inf"]),
        (["--speed", "fast"], ["--speed", "fast"]),
    ],
)
def test_a_speed_that_is_not_a_finite_number_of_zero_or_more_is_refused(tmp_path, args, fragments):
    result = run_cli("run", "--demo", "--headless", "--duration", "5", "--out", str(tmp_path), *args)
    assert_one_line_error(result, *fragments)


def test_speed_needs_a_headless_demo_and_a_listener_needs_the_demo(tmp_path, reference_data):
    assert_one_line_error(
        run_cli("run", "--demo", "--speed", "2", "--out", str(tmp_path)), "works with run --headless only"
    )
    video = str(reference_data / "faces/video/single_face.mp4")  # a live input: not demo mode
    assert_one_line_error(
        run_cli("run", "--headless", "--speed", "0", "--duration", "5", "--out", str(tmp_path), "--face", video),
        "--speed 0 needs --demo",
    )
    listener = LISTENERS / "typical.toml"
    assert_one_line_error(
        run_cli("run", "--headless", "--face", video, "--listener", str(listener), "--out", str(tmp_path)),
        "needs --demo: the virtual listener is the demo person",
    )


def test_a_malformed_listener_file_is_one_line_naming_the_key(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[listener]\nlag_s = 'slow'\n", encoding="utf-8")
    result = run_cli("run", "--demo", "--headless", "--duration", "5", "--out", str(tmp_path), "--listener", str(bad))
    assert_one_line_error(result, "bad.toml: listener.lag_s = 'slow' must be a number")
    assert not (tmp_path / "session.sqlite").exists()  # refused before anything was written
