#!/usr/bin/env bash
# Sets up Affect Studio on Debian/Ubuntu: system packages, a virtual environment (.venv), the face model.
# Usage: scripts/setup.sh run|test. Safe to run again: each step is skipped when already done.
# Environment: PYTHON (interpreter to use, default python3), STUDIO_FACE_MODEL (install the face model from
# this local file instead of downloading it), STUDIO_FACE_MODEL_URL (another download address, for tests only).
set -euo pipefail
purpose=${1:-run}
cd "$(dirname "$0")/.."

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

PYTHON=${PYTHON:-python3}
if ! command -v "$PYTHON" >/dev/null 2>&1; then
  say "no $PYTHON found; install Python 3.11 or newer (sudo apt-get install -y python3 python3-venv python3-dev)"
  exit 1
fi
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  say "$PYTHON is $("$PYTHON" -V 2>&1); Affect Studio needs 3.11 or newer (set PYTHON=python3.11 or newer)"
  exit 1
fi

# Debian packages: PortAudio headers and a compiler for PyAudio, Qt's X11/EGL libraries, and the virtual
# audio (PulseAudio null sink, dummy JACK) and virtual screen (Xvfb) the tests and headless runs use;
# poppler-utils' pdftoppm lets the export test look at the report's PDF pages.
packages=(gcc portaudio19-dev libasound2-plugins pulseaudio pulseaudio-utils jackd2 sox poppler-utils
          libegl1 libgl1 libglib2.0-0 libfontconfig1 libdbus-1-3 libxkbcommon-x11-0 libxcb-cursor0
          libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-randr0 libxcb-render-util0 libxcb-shape0
          libxcb-xinerama0 libxcb-xkb1 xvfb xauth)
"$PYTHON" -c 'import ensurepip, venv' 2>/dev/null || packages+=(python3-venv)
"$PYTHON" -c 'import os, sysconfig; p = sysconfig.get_paths()["include"]; raise SystemExit(not os.path.exists(os.path.join(p, "Python.h")))' \
  || packages+=(python3-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" -eq 0 ]; then
    say "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    say "these Debian packages are missing; install them, then run this again:"
    echo "  sudo apt-get install -y ${missing[*]}"
    exit 1
  fi
fi

# The virtual environment, reinstalled only when pyproject.toml changes.
stamp=.venv/.installed
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ ! -x .venv/bin/python ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  say "creating .venv and installing Affect Studio (first time: about two minutes)"
  [ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[dev]"
  echo "$want" > "$stamp"
fi

# The face model: from STUDIO_FACE_MODEL when given, else the official address (sha256-checked). After a failed
# download the next starts say so in one line and try again only a day later (models install --once-a-day);
# `.venv/bin/affect-studio models install` tries at once.
if ! .venv/bin/affect-studio models status >/dev/null 2>&1; then
  if [ -n "${STUDIO_FACE_MODEL:-}" ]; then
    model_args=(--from "$STUDIO_FACE_MODEL")
  else
    model_args=(--once-a-day)
  fi
  status=0
  .venv/bin/affect-studio models install "${model_args[@]}" || status=$?
  if [ "$status" -ne 0 ]; then
    if [ "$purpose" = test ]; then
      say "the tests need the face model; set STUDIO_FACE_MODEL=/path/to/face_landmarker.task and run again"
      exit 1
    fi
    if [ "$status" -ne 3 ]; then  # 3: a failed download was not tried again, and that was said
      say "continuing without the face model (the face channel says how to install it); the download is tried" \
          "again in a day, or at once with: .venv/bin/affect-studio models install"
    fi
  fi
fi
