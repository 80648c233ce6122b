#!/usr/bin/env bash
# Regenerate requirements.lock: resolve the project with its test and teacher extras in a fresh virtual environment
# and record the exact versions installed. CI (scripts/test.sh) and the Docker image install with `-c requirements.lock`,
# so a run today and a run next month get the same packages. Run it after changing a dependency in pyproject.toml.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -m venv "$tmp/venv"
"$tmp/venv/bin/python" -m pip install --quiet --upgrade pip
"$tmp/venv/bin/python" -m pip install --quiet -e ".[test,teacher]"
{
  echo "# Exact versions of every package skillpulse and its test/teacher extras install (Python 3.11, Linux x86_64)."
  echo "# Used as a pip constraints file (pip install -c requirements.lock ...); regenerate with scripts/lock.sh."
  "$tmp/venv/bin/python" -m pip freeze --exclude-editable --all | grep -v -E '^(pip|setuptools|wheel)=='
} > requirements.lock
echo "requirements.lock: $(grep -vc '^#' requirements.lock) packages"
