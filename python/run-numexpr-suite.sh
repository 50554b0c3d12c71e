#!/usr/bin/env bash
# Runs numexpr's own test suite (shipped inside the numexpr package) against numjit.
# Same venv as run-tests.sh (builds and installs the wheel first unless NUMJIT_NO_BUILD=1).
# Extra arguments go to pytest, e.g. `-k test_evaluate` or `-x`.
set -euo pipefail
cd "$(dirname "$0")"
VENV=${NUMJIT_VENV:-$PWD/.venv}
if [ "${NUMJIT_NO_BUILD:-0}" != 1 ]; then
    NUMJIT_TESTS_ONLY_BUILD=1 ./run-tests.sh
fi
cd numexpr_suite
PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH} exec "$VENV/bin/python" -m pytest -p numjit_numexpr_plugin \
    -q -p no:cacheprovider --pyargs numexpr.tests.test_numexpr "$@"
