#!/usr/bin/env bash
# Build (once) localhost/netlimits-debian:bookworm-nginx for the services scenario: the bookworm base
# image (build-image.sh) plus Debian's nginx-light, installed from the same mirror inside a container
# and committed. An image that exists is reused; a failed build leaves nothing under the final name.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/harness/env.sh
. "$here/env.sh"
base="$NETLIMITS_IMAGE_REPO:bookworm"
image="$NETLIMITS_IMAGE_REPO:bookworm-nginx"

if podman image exists "$image"; then
    echo "image $image: reused"
    exit 0
fi
"$here/build-image.sh" bookworm
name="netlimits-build-nginx-$$"
trap 'podman rm -f "$name" >/dev/null 2>&1 || true; podman rmi -f "$image-partial" >/dev/null 2>&1 || true' EXIT
echo "image $image: nginx-light on $base"
podman run --name "$name" "$base" sh -c 'apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx-light >/dev/null \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb'
podman commit -q --change 'CMD ["/sbin/init"]' "$name" "$image-partial" >/dev/null
podman tag "$image-partial" "$image"
podman rmi "$image-partial" >/dev/null
echo "image $image: built"
