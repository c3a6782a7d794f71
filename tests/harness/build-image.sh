#!/usr/bin/env bash
# Build (once) a Debian base image for the molecule scenarios from Debian's
# packages: no registry can be pulled from here, so debootstrap a minbase
# root and `podman import` it. An image that exists is reused; a build that
# fails part way leaves nothing under the final name (it is imported under a
# temporary tag and only renamed when complete).
set -euo pipefail
suite=${1:?usage: build-image.sh SUITE}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/harness/env.sh
. "$here/env.sh"
image="$NETLIMITS_IMAGE_REPO:$suite"

if podman image exists "$image"; then
    echo "image $image: reused"
    exit 0
fi

mirror=$(netlimits_debian_mirror build-image)

packages=python3,systemd,systemd-sysv,dbus,iproute2,procps,kmod,sudo,login,passwd
work=$(mktemp -d "${TMPDIR:-/tmp}/netlimits-rootfs-$suite.XXXXXX")
trap 'rm -rf "$work"; podman rmi -f "$image-partial" >/dev/null 2>&1 || true' EXIT

echo "image $image: debootstrap $suite from $mirror"
debootstrap --variant=minbase --include="$packages" "$suite" "$work/root" "$mirror" \
    >"$work/debootstrap.log" 2>&1 || { tail -n 30 "$work/debootstrap.log" >&2; exit 1; }
# A container has no hardware: the unit that loads kernel modules only fails there.
ln -sf /dev/null "$work/root/etc/systemd/system/systemd-modules-load.service"
rm -rf "$work/root/var/cache/apt/archives/"*.deb "$work/root/var/lib/apt/lists/"*
tar -C "$work/root" -c . | podman import --change 'CMD ["/sbin/init"]' - "$image-partial" >/dev/null
podman tag "$image-partial" "$image"
podman rmi "$image-partial" >/dev/null
echo "image $image: built"
