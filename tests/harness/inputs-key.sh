#!/usr/bin/env bash
# What a molecule run on ansible-core CORE depends on, one line per part:
# `inputs-key.sh CORE` prints "PART sha256" lines for files, images, venv,
# collections and machine. molecule-run.sh skips a scenario whose last pass
# recorded the same lines, and names the parts that changed when they differ.
# Exits 1 (no key, so no skipping) outside a git checkout or when the venv is
# missing.
set -euo pipefail
core=${1:?usage: inputs-key.sh CORE}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/harness/env.sh
. "$here/env.sh"
cd "$NETLIMITS_ROOT"
git rev-parse --git-dir >/dev/null 2>&1 || exit 1
venv="$NETLIMITS_ROOT/.venv/core-$core"
[ -d "$venv" ] || exit 1

part() {  # part NAME: sha256 of standard input, as "NAME sha256"
    printf '%s %s\n' "$1" "$(sha256sum | cut -d' ' -f1)"
}

# every file of the checkout, tracked and new, not ignored (.cache, .venv and
# tests/output are ignored), by content; a deleted tracked file drops out
git ls-files -z -co --exclude-standard | sort -zu |
    while IFS= read -r -d '' f; do if [ -f "$f" ]; then printf '%s\0' "$f"; fi; done |
    xargs -0 -r sha256sum | part files
# the base images (whichever suites the Makefile builds), by tag and id
podman images --filter reference="$NETLIMITS_IMAGE_REPO" --format '{{.Repository}}:{{.Tag}} {{.Id}}' | sort | part images
# the VM images (whichever suites the Makefile built with build-vm-image.sh), by build id
cat "$NETLIMITS_CACHE"/vm-images/*/id 2>/dev/null | sort | part vm-images
# the venv's packages, by name and version
for info in "$venv"/lib/python3*/site-packages/*.dist-info; do echo "${info##*/}"; done | part venv
part collections <"$NETLIMITS_CACHE/ansible-pkg/ansible_collections/containers/podman/MANIFEST.json"
{
    uname -r
    podman --version
    runc --version | head -n 1
    if command -v qemu-system-x86_64 >/dev/null; then qemu-system-x86_64 --version | head -n 1; fi
    cat "$CONTAINERS_CONF"
} | part machine
echo "core $core"
