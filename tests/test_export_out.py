"""``export --out`` where it cannot write: one clear line, exit status 2, and nothing half-written left behind."""

import errno
import os
import subprocess
import sys

import pytest

from studio.export import ExportError, write_into
from tests.test_cli import assert_one_line_error, run_cli


def export_cli(store, out, fmt="csv", session="--latest"):
    return run_cli("export", session, "--format", fmt, "--out", str(out), "--store", str(store), timeout=120)


def everything_under(folder):
    return sorted(p.relative_to(folder) for p in folder.rglob("*"))


def test_onto_an_existing_file(recorded_session, tmp_path):
    store, _ = recorded_session
    target = tmp_path / "results"
    target.write_text("keep me")
    assert_one_line_error(export_cli(store, target), f"cannot export into {target}: it is a file, not a folder")
    assert target.read_text() == "keep me" and everything_under(tmp_path) == [target.relative_to(tmp_path)]


def test_below_an_existing_file(recorded_session, tmp_path):
    store, _ = recorded_session
    blocker = tmp_path / "results"
    blocker.write_text("keep me")
    result = export_cli(store, blocker / "march", "report")
    assert_one_line_error(result, f"{blocker} is a file, not a folder")
    assert everything_under(tmp_path) == [blocker.relative_to(tmp_path)]


@pytest.mark.parametrize("fmt", ["csv", "report"])
def test_into_a_read_only_folder(recorded_session, tmp_path, fmt):
    """The folder's mode says read-only; as root the test drops the capability that ignores modes (setpriv),
    so the write really fails as it does for any other user."""
    store, _ = recorded_session
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    as_user = (
        ["setpriv", "--inh-caps=-all", "--bounding-set=-dac_override,-dac_read_search"] if os.geteuid() == 0 else []
    )
    command = [*as_user, sys.executable, "-m", "studio", "export", "--latest", "--format", fmt]
    for out in (folder, folder / "new" / "deeper"):
        result = subprocess.run(
            [*command, "--out", str(out), "--store", str(store)], capture_output=True, text=True, timeout=120
        )
        assert_one_line_error(result, f"cannot export into {out}: permission denied", "choose a folder")
        assert everything_under(folder) == []


def test_a_failed_export_leaves_no_folder_it_made(recorded_session, tmp_path):
    store, _ = recorded_session
    out = tmp_path / "new" / "deeper"
    assert_one_line_error(export_cli(store, out, "report", session="999"), "999")
    assert everything_under(tmp_path) == []


def test_a_same_named_folder_in_the_way_stops_the_export_before_any_file_moves(recorded_session, tmp_path):
    store, _ = recorded_session
    (tmp_path / "manifest.json").mkdir()
    result = export_cli(store, tmp_path)
    *progress, last = result.stderr.strip().splitlines()  # an export that takes over a second says how far it got
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert last.startswith("affect-studio: error: ") and "manifest.json is a folder" in last
    assert not any("error" in line for line in progress)
    assert everything_under(tmp_path) == [(tmp_path / "manifest.json").relative_to(tmp_path)]


def test_a_writer_failing_half_way_leaves_nothing(tmp_path):
    """Unit test of write_into around a writer that has written one file when the disk fills up."""
    out = tmp_path / "export"

    def write(folder):
        (folder / "first.csv").write_text("t\n0\n")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(ExportError, match=f"cannot export into {out}: No space left on device; nothing was written"):
        write_into(out, write)
    assert everything_under(tmp_path) == []


def test_a_good_export_replaces_same_named_files_and_leaves_no_staging_folder(recorded_session, tmp_path):
    store, _ = recorded_session
    (tmp_path / "manifest.json").write_text("an earlier export")
    first = export_cli(store, tmp_path)
    assert first.returncode == 0, first.stderr
    files = sorted(first.stdout.split())
    assert (
        files == sorted(str(p) for p in tmp_path.iterdir())
        and "earlier" not in (tmp_path / "manifest.json").read_text()
    )
