#!/usr/bin/env bash
# Regenerate every table and figure: run every notebook in notebooks/ with papermill.
#
#   ./run_all.sh [--preset smoke|lite|paper] [--only NAME ...] [--force] [--seed N] [-p NAME=VALUE]
#
# Default preset: lite. Creates .venv (Python >= 3.11) and installs the package with its notebook and
# test extras when absent or when pyproject.toml changed; then hands over to symla_lite.batch
# (`./run_all.sh --help` lists every option). Notebooks that are up to date are skipped; an
# interrupted run (Ctrl-C, SIGTERM) continues from its checkpoints when started again.
set -euo pipefail
cd "$(dirname "$0")"

VENV=.venv
STAMP="$VENV/.installed-pyproject.sha256"

find_python() {
    for py in python3.11 python3 python; do
        if command -v "$py" >/dev/null 2>&1 &&
            "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            echo "$py"
            return 0
        fi
    done
    echo "run_all.sh: needs Python >= 3.11 (python3.11 or python3 on PATH)" >&2
    return 1
}

if [ ! -x "$VENV/bin/python" ]; then
    PY=$(find_python)
    echo "run_all.sh: creating $VENV with $("$PY" --version)"
    "$PY" -m venv "$VENV"
fi

want=$("$VENV/bin/python" -c \
    'import hashlib; print(hashlib.sha256(open("pyproject.toml", "rb").read()).hexdigest())')
have=$(cat "$STAMP" 2>/dev/null || true)
if [ "$want" != "$have" ] || ! "$VENV/bin/python" -c 'import symla_lite, papermill' 2>/dev/null; then
    echo "run_all.sh: installing symla_lite with its notebook and test extras into $VENV"
    "$VENV/bin/python" -m pip install -q -e '.[notebooks,test]'
    echo "$want" >"$STAMP"
fi

# exec: the batch itself receives Ctrl-C / SIGTERM and stops its kernel cleanly.
exec "$VENV/bin/python" -m symla_lite.batch "$@"
