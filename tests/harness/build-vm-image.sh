#!/usr/bin/env bash
# Build (once) a Debian VM image for the `vm` molecule scenario, from Debian's
# packages: `build-vm-image.sh SUITE [SUITE...]`.
#
# .cache/vm-images/SUITE/ holds disk.img (raw ext4, root=/dev/vda, no
# partition table), vmlinuz and initrd.img (booted with -kernel/-initrd),
# `recipe` and `id` (a build id inputs-key.sh records). What goes into the
# image is tests/harness/vm-image/recipe.sh (packages, disk size,
# vm_customize); its sha256 and the suite are the image's `recipe`: the image
# is rebuilt when that file changes, not when this script does. A build goes
# to a temporary directory renamed into place only when complete, so a
# half-built image is never reused; an interrupted one is removed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/harness/env.sh
. "$here/env.sh"
# shellcheck source=tests/harness/vm-image/recipe.sh
. "$here/vm-image/recipe.sh"
[ $# -gt 0 ] || { echo "usage: build-vm-image.sh SUITE [SUITE...]" >&2; exit 2; }

work=
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
    if [ -n "$work" ]; then
        # debootstrap may leave its chroot's /proc or /sys mounted when interrupted
        grep -o " $work/root/[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
        rm -rf "$work"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

build() {
    local suite=$1 dest="$NETLIMITS_CACHE/vm-images/$1" recipe mirror root
    recipe=$( { cat "$here/vm-image/recipe.sh"; echo "$suite"; } | sha256sum | cut -d' ' -f1)
    if [ -f "$dest/id" ] && [ "$(cat "$dest/recipe" 2>/dev/null)" = "$recipe" ]; then
        echo "vm image $suite: reused ($dest)"
        return 0
    fi
    mirror=$(netlimits_debian_mirror build-vm-image) || return 1

    mkdir -p "$NETLIMITS_CACHE/vm-images"
    work=$(mktemp -d "$NETLIMITS_CACHE/vm-images/.build-$suite.XXXXXX")
    root="$work/root"
    local start=$SECONDS
    echo "vm image $suite: debootstrap from $mirror"
    debootstrap --variant=minbase \
        --include="$VM_PACKAGES" \
        "$suite" "$root" "$mirror" >"$work/debootstrap.log" 2>&1 \
        || { tail -n 30 "$work/debootstrap.log" >&2; echo "vm image $suite: debootstrap failed" >&2; return 1; }

    vm_customize "$root" "$suite"

    cp -L "$root/vmlinuz" "$work/vmlinuz"
    cp -L "$root/initrd.img" "$work/initrd.img"
    rm -rf "$root/var/cache/apt/archives/"*.deb "$root/var/lib/apt/lists/"*
    mkfs.ext4 -q -F -L root -d "$root" "$work/disk.img" "$VM_DISK_SIZE"
    rm -rf "$root" "$work/debootstrap.log"
    echo "$recipe" >"$work/recipe"
    printf '%s %s\n' "$suite" "$(date -u +%FT%TZ)-$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')" >"$work/id"
    rm -rf "$dest"
    mv "$work" "$dest"
    work=
    echo "vm image $suite: built in $((SECONDS - start)) s ($dest)"
}

for suite in "$@"; do
    build "$suite"
done
