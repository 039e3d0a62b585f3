#!/usr/bin/env bash
# Print the path of the newest Python from 3.12 to 3.14 on this machine, or nothing when there is none.
#
# `make test` runs the tests a second time with it, on the newest ansible-core that meta/runtime.yml
# allows (2.21 supports controller Pythons 3.12 to 3.14). It looks at python3.N on PATH and at the
# versions pyenv has installed. A pyenv shim of a version that is installed but not enabled fails to
# start and is skipped, and so are pre-releases.
set -uo pipefail

candidates=()
for minor in 14 13 12; do
    if path="$(command -v "python3.$minor" 2>/dev/null)"; then
        candidates+=("$path")
    fi
done
for path in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[2-4].*/bin/python3; do
    if [[ -x "$path" ]]; then
        candidates+=("$path")
    fi
done

best_path=""
best_version=""
for path in "${candidates[@]}"; do
    version="$("$path" -c 'import sys
if sys.version_info.releaselevel == "final" and (3, 12) <= sys.version_info[:2] <= (3, 14):
    print("%d.%d.%d" % sys.version_info[:3])' 2>/dev/null)" || continue
    if [[ -z "$version" ]]; then
        continue
    fi
    if [[ -z "$best_version" || "$(printf '%s\n%s\n' "$best_version" "$version" | sort -V | tail -n 1)" != "$best_version" ]]; then
        best_path="$path"
        best_version="$version"
    fi
done

if [[ -n "$best_path" ]]; then
    echo "$best_path"
fi
