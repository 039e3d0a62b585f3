#!/usr/bin/env bash
# Entry point of the gdpr.gws test lab: tests/lab/lab.sh up|down|status|seed|nodetool|cql|selftest|fetch
# It picks the Python and runs lab.py; README.md in this directory documents the commands and settings.
# Python: $PYTHON if set, else the repository's .venv/bin/python if present, else python3.
set -euo pipefail

lab_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$lab_dir/../.." && pwd)"

if [[ -n "${PYTHON:-}" ]]; then
    python="$PYTHON"
elif [[ -x "$repo_root/.venv/bin/python" ]]; then
    python="$repo_root/.venv/bin/python"
else
    python="python3"
fi

if ! command -v "$python" >/dev/null 2>&1; then
    echo "lab.sh: error: Python interpreter '$python' not found; set PYTHON to one with cassandra-driver installed" >&2
    exit 1
fi

exec "$python" "$lab_dir/lab.py" "$@"
