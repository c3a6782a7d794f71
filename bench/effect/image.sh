#!/usr/bin/env bash
# Build (once) the benchmark image: the project's Debian base image plus nginx
# (the server) and apache2-utils (`ab`, run from the client), from Debian's
# packages. `podman run` + apt-get + `podman commit`; an existing image is
# reused. The commit goes to a temporary tag renamed only when complete.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=tests/harness/env.sh
. "$root/tests/harness/env.sh"
suite=${1:-bookworm}
base="$NETLIMITS_IMAGE_REPO:$suite"
image="localhost/netlimits-bench:$suite"
if podman image exists "$image"; then
    echo "image $image: reused"
    exit 0
fi
podman image exists "$base" || "$root/tests/harness/build-image.sh" "$suite"
name="netlimits-bench-build-$$"
trap 'podman rm -f "$name" >/dev/null 2>&1 || true; podman rmi -f "$image-partial" >/dev/null 2>&1 || true' EXIT
echo "image $image: installing nginx and apache2-utils into $base"
podman run --name "$name" "$base" /bin/sh -c '
    set -e
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends nginx apache2-utils >/dev/null
    apt-get clean
    rm -rf /var/lib/apt/lists/*
    command -v nginx && command -v ab' >/dev/null
podman commit -q --change 'CMD ["/sbin/init"]' "$name" "$image-partial" >/dev/null
podman tag "$image-partial" "$image"
podman rmi "$image-partial" >/dev/null
echo "image $image: built"
