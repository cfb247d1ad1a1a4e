"""Every command the studio tells a user to type runs in the user's shell as printed; the README says the same."""

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from studio.kernel.command import studio_command, venv_command
from studio.store import Store

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
PLAIN_PATH = os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep) if Path(p) != VENV_BIN)


def shell_env(activated: bool) -> dict[str, str]:
    """A user's shell: the venv's bin folder on PATH only when activated."""
    return os.environ | {"PATH": f"{VENV_BIN}{os.pathsep}{PLAIN_PATH}" if activated else PLAIN_PATH}


def hint_in_a_message(store: Path, cwd: Path, env: dict[str, str]) -> str:
    """The command a real error message tells the user to type (``... list them with: CMD sessions list``)."""
    result = subprocess.run(
        [sys.executable, "-m", "studio", "sessions", "close", "999", "--store", str(store)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2, result.stderr
    found = re.search(r"list them with: (.+) sessions list", result.stderr)
    assert found, result.stderr
    return found.group(1)


@pytest.mark.parametrize("activated", [False, True])
@pytest.mark.parametrize("where", ["checkout", "elsewhere"])
def test_the_command_a_message_names_runs_as_typed(tmp_path, activated, where):
    store = tmp_path / "s.sqlite"
    Store.open(store, create=True).close()
    cwd = ROOT if where == "checkout" else tmp_path
    env = shell_env(activated)
    command = hint_in_a_message(store, cwd, env)
    if activated:
        assert command == "affect-studio"
    elif where == "checkout" and VENV_BIN.is_relative_to(ROOT):
        assert command == str(VENV_BIN.relative_to(ROOT) / "affect-studio")  # .venv/bin/affect-studio
    else:
        assert Path(command).is_absolute()
    typed = subprocess.run(
        ["bash", "-c", f"{command} sessions list --store {store}"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert typed.returncode == 0 and "no sessions in" in typed.stdout, typed.stderr


def test_without_the_script_the_command_is_python_dash_m(tmp_path, monkeypatch):
    """Unit test around a Python that has no affect-studio script beside it (the package run from source)."""
    python = tmp_path / "env" / "bin" / "python3"
    python.parent.mkdir(parents=True)
    python.write_text("")
    monkeypatch.setattr(sys, "executable", str(python))
    monkeypatch.chdir(tmp_path)
    assert studio_command() == "env/bin/python3 -m studio"
    monkeypatch.chdir(python.parent)
    assert venv_command("python3") == "./python3"


def message_strings(path: Path) -> list[tuple[int, str]]:
    """The string constants of a Python file that are not docstrings, with their line numbers."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]


def test_no_message_spells_the_command_as_a_bare_name():
    """'affect-studio ...' in a message fails in a shell without the venv; messages use studio_command()."""
    bare = re.compile(r"(?<![\w/.-])affect-studio (?=[a-z-])")
    found = [
        f"{path.relative_to(ROOT)}:{line}: {text!r}"
        for folder in ("studio", "sensors", "ui", "scripts", "fusion")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for line, text in message_strings(path)
        if bare.search(text)
    ]
    for script in (ROOT / "run.sh", ROOT / "test.sh", ROOT / "scripts" / "setup.sh"):
        for number, line in enumerate(script.read_text().splitlines(), 1):
            if not line.lstrip().startswith("#") and bare.search(line):
                found.append(f"{script.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not found, "\n".join(found)


def test_the_readme_spells_the_command_as_a_new_user_can_type_it():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    bare = re.compile(r"(?<![\w/.-])affect-studio (?=[a-z-])")
    lines = [line for line in readme.splitlines() if bare.search(line) and "activate" not in line]
    assert not lines, "\n".join(lines)
    assert "source .venv/bin/activate" in readme


def test_the_readme_lists_every_table_of_a_real_database(tmp_path):
    store = Store.open(tmp_path / "s.sqlite", create=True)
    try:
        tables = [row[0] for row in store.query("SELECT name FROM sqlite_master WHERE type = 'table'")]
    finally:
        store.close()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `(\w+)` \|", readme, flags=re.MULTILINE))
    assert len(tables) >= 14 and set(tables) <= listed, sorted(set(tables) - listed)
