#!/usr/bin/env bash
# Build the collection tarball, install it offline into a scratch path, and
# read the role's documentation from the installed copy: what a user of the
# tarball gets, without this checkout on any path.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
venv="$root/.venv/core-2.21/bin"
version=$(sed -n 's/^version: *//p' "$root/galaxy.yml")
out="$root/.cache/build"
rm -rf "$out" && mkdir -p "$out/collections"
"$venv/ansible-galaxy" collection build --force --output-path "$out" "$root" >/dev/null
tarball="$out/netlimits-tcp-$version.tar.gz"
test -f "$tarball"
# Nothing of the test harness' caches may end up in what users download.
if tar -tzf "$tarball" | grep -E '(^|/)(\.cache|\.venv|tests/output|__pycache__)/' >/dev/null; then
    echo "build-check: tarball contains build or cache output" >&2; exit 1
fi
"$venv/ansible-galaxy" collection install --offline -p "$out/collections" "$tarball" >/dev/null
export ANSIBLE_COLLECTIONS_PATH="$out/collections"
doc=$(cd "$out" && "$venv/ansible-doc" -t role netlimits.tcp.tcp_tune)
grep -q 'tcp_tune_state' <<<"$doc" || { echo "build-check: ansible-doc shows no tcp_tune_state" >&2; exit 1; }
if ls "$root/plugins/modules/"*.py >/dev/null 2>&1; then
    (cd "$out" && "$venv/ansible-doc" netlimits.tcp.tcp_limits_facts >/dev/null)
fi
echo "build-check: $(basename "$tarball") ($(du -k "$tarball" | cut -f1) KiB) builds, installs offline, ansible-doc reads the role"
