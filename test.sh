#!/usr/bin/env bash
# Sets everything up (first time only) and runs every check: lint, types, import contracts, tests.
# Extra arguments go to pytest, e.g. ./test.sh -k fusion
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh test
export QT_QPA_PLATFORM=offscreen PYO_GUI_WX=0
echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== mypy (everything outside ui/)"
.venv/bin/mypy
echo "== import contracts"
.venv/bin/lint-imports
echo "== pytest"
# Two worker processes, each taking whole files (a module's studio or window is made once); every test is safe
# beside another (its own temporary folders, ports, PulseAudio and JACK servers). "-n 0" runs in this process.
.venv/bin/pytest -n 2 --dist loadfile "$@"
