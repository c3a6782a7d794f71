#!/usr/bin/env bash
# Make the collections the tests need findable without Galaxy (unreachable here):
# - this checkout as ansible_collections/netlimits/tcp (a symlink), which
#   molecule and ansible-test need;
# - containers.podman (molecule's podman driver and connection), and
#   ansible.posix / community.general (the benchmark's baseline), taken from
#   PyPI's `ansible` package, which bundles them. Installed once, pinned.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
pin=$(grep -E '^ansible==' "$root/tests/requirements/collections.txt")
dest="$root/.cache/ansible-pkg"
stamp="$dest/.netlimits-pin"

mkdir -p "$root/.cache/collections/ansible_collections/netlimits"
ln -sfn ../../../.. "$root/.cache/collections/ansible_collections/netlimits/tcp"

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$pin" ]; then
    echo "collections ($pin): reused"
    exit 0
fi
echo "collections: installing $pin (bundled collections only, no ansible-core)"
rm -rf "$dest"
"$root/.venv/core-2.21/bin/pip" install -q --disable-pip-version-check --no-deps --target "$dest" "$pin" 2>&1 \
    | grep -v '^WARNING: Location' || true
test -d "$dest/ansible_collections/containers/podman"
echo "$pin" >"$stamp"
