#!/usr/bin/env bash
# Sets everything up (first time only) and opens Affect Studio; demo mode when no hardware is found.
# Extra arguments go to affect-studio, e.g. ./run.sh --demo, ./run.sh run --headless --demo --out out/
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh run
exec .venv/bin/affect-studio "$@"
