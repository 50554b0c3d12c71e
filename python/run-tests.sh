#!/usr/bin/env bash
# Builds the numjit wheel into a virtualenv and runs the Python tests (python/tests).
# Needs only Rust (cargo) and Python 3.10+; everything else comes from PyPI.
#   python/run-tests.sh                 # build, install, run every test
#   python/run-tests.sh -k dask         # extra arguments go to pytest
# NUMJIT_VENV=dir picks the virtualenv (default python/.venv).
set -euo pipefail
cd "$(dirname "$0")"
VENV=${NUMJIT_VENV:-$PWD/.venv}
PY=${PYTHON:-python3}
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --upgrade pip
"$VENV/bin/python" -m pip install -q -r requirements-test.txt
"$VENV/bin/python" -m pip install -q --force-reinstall --no-deps .
[ "${NUMJIT_TESTS_ONLY_BUILD:-0}" = 1 ] && exit 0
exec "$VENV/bin/python" -m pytest -q -p no:cacheprovider tests "$@"
