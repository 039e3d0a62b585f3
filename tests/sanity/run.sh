#!/usr/bin/env bash
# Run ansible-test sanity on a copy of this collection with the ansible-core of one virtual environment.
#
#   tests/sanity/run.sh VENV [more ansible-test sanity options]
#
# ansible-test must run from .../ansible_collections/gdpr/gws and resolves symbolic links, so the link
# that `make collection` makes is not enough. The files git lists (tracked, and new ones that are not
# ignored) are copied to .build/sanity/<python version>/ansible_collections/gdpr/gws, and sanity runs there
# on the Python of VENV. Each run starts from a fresh copy, so deleted files do not linger.
#
# ansible-test puts each sanity test in a virtual environment of its own and installs pip there with a
# script it downloads from a host outside PyPI. install_get_pip_shim.py puts a stand-in in its place first.
set -euo pipefail

if [[ $# -lt 1 ]]; then
    echo "usage: tests/sanity/run.sh VENV [ansible-test sanity options]" >&2
    exit 2
fi
venv="$(cd "$1" && pwd)"
shift

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"

if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    echo "tests/sanity/run.sh: $repo is not a git checkout; the files to test are taken from git ls-files" >&2
    exit 1
fi

python_version="$("$venv/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
copy_root="$repo/.build/sanity/$python_version"
copy="$copy_root/ansible_collections/gdpr/gws"

"$venv/bin/python" tests/sanity/install_get_pip_shim.py

rm -rf "$copy_root"
mkdir -p "$copy"
# --cached also lists tracked files deleted in the work tree, which tar could not read.
git ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' path; do
        if [[ -e "$path" ]]; then
            printf '%s\0' "$path"
        fi
    done |
    tar --null --files-from=- -cf - | tar -xf - -C "$copy"

# ansible-test lists the files of the nearest enclosing git work tree. Without a repository of its own,
# the copy would belong to this checkout, whose .gitignore hides .build/, and every test would be skipped.
# The empty repository makes git list the copied files as untracked ones, minus those .gitignore hides.
git init --quiet "$copy"

echo "ansible-test sanity with $("$venv/bin/ansible" --version | sed -n 1p), Python $python_version, in $copy"
cd "$copy"
PATH="$venv/bin:$PATH" ansible-test sanity --python "$python_version" "$@"
