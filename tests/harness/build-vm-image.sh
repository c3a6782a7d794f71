#!/usr/bin/env bash
# Build (once) a Debian VM image for the `vm` molecule scenario, from Debian's
# packages: `build-vm-image.sh SUITE [SUITE...]`.
#
# .cache/vm-images/SUITE/ holds disk.img (raw ext4, root=/dev/vda, no
# partition table), vmlinuz and initrd.img (booted with -kernel/-initrd),
# `recipe` (sha256 of this script and the suite: the image is rebuilt when it
# changes) and `id` (a build id inputs-key.sh records). A build goes to a
# temporary directory renamed into place only when complete, so a half-built
# image is never reused.
#
# Inside: systemd with udev and systemd-networkd (DHCP on en*), openssh-server,
# sudo, python3, procps, kmod, iproute2, nftables and nginx-light (for the VM
# benchmark; not started at boot). A user `fleet` with passwordless sudo, as
# on a fleet host; its authorized key comes from the kernel command line at
# every boot (netlimits.authorized_key=BASE64 of the public key line, see
# vm.sh), so the image holds no key and each run brings its own.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/harness/env.sh
. "$here/env.sh"
[ $# -gt 0 ] || { echo "usage: build-vm-image.sh SUITE [SUITE...]" >&2; exit 2; }

build() {
    local suite=$1 dest="$NETLIMITS_CACHE/vm-images/$1" recipe work mirror root
    recipe=$( { cat "$here/build-vm-image.sh"; echo "$suite"; } | sha256sum | cut -d' ' -f1)
    if [ -f "$dest/id" ] && [ "$(cat "$dest/recipe" 2>/dev/null)" = "$recipe" ]; then
        echo "vm image $suite: reused ($dest)"
        return 0
    fi
    # The mirror the machine's own apt uses, as build-image.sh does.
    # shellcheck disable=SC2016 # $(REPO_URI) is apt's format field, not a shell expansion
    mirror=$(apt-get indextargets --format '$(REPO_URI)' 'Created-By: Packages' 2>/dev/null \
        | grep -v -- '-security' | head -n 1)
    mirror=${mirror%/}
    [ -n "$mirror" ] || { echo "build-vm-image: no Debian mirror found in apt's sources" >&2; return 1; }

    mkdir -p "$NETLIMITS_CACHE/vm-images"
    work=$(mktemp -d "$NETLIMITS_CACHE/vm-images/.build-$suite.XXXXXX")
    # shellcheck disable=SC2064 # expand $work now: it is local
    trap "rm -rf '$work'" RETURN
    root="$work/root"
    local start=$SECONDS
    echo "vm image $suite: debootstrap from $mirror"
    debootstrap --variant=minbase \
        --include=linux-image-amd64,initramfs-tools,systemd-sysv,udev,iproute2,python3,procps,kmod,openssh-server,sudo,nginx-light,nftables \
        "$suite" "$root" "$mirror" >"$work/debootstrap.log" 2>&1 \
        || { tail -n 30 "$work/debootstrap.log" >&2; echo "vm image $suite: debootstrap failed" >&2; return 1; }

    # Root on the whole virtio disk, no fsck at boot (a fresh overlay each run).
    printf '/dev/vda / ext4 rw,noatime,errors=remount-ro 0 0\n' >"$root/etc/fstab"
    echo "netlimits-vm-$suite" >"$root/etc/hostname"
    printf '127.0.0.1 localhost\n127.0.1.1 netlimits-vm-%s\n' "$suite" >"$root/etc/hosts"
    # A fixed machine-id: no first-boot preset run, the same units on every boot.
    chroot "$root" systemd-machine-id-setup >/dev/null 2>&1 \
        || head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$root/etc/machine-id"

    # DHCP on the virtio NIC (QEMU user networking answers it).
    mkdir -p "$root/etc/systemd/network"
    printf '[Match]\nName=en*\n\n[Network]\nDHCP=ipv4\n' >"$root/etc/systemd/network/20-dhcp.network"
    chroot "$root" systemctl enable systemd-networkd.service >/dev/null 2>&1
    # Nothing here waits for the network to be "online"; nginx starts only when a benchmark asks.
    chroot "$root" systemctl mask systemd-networkd-wait-online.service >/dev/null 2>&1
    chroot "$root" systemctl disable nginx.service >/dev/null 2>&1 || true

    # The fleet user: key-based SSH, passwordless sudo.
    chroot "$root" useradd --create-home --shell /bin/bash fleet
    printf 'fleet ALL=(ALL) NOPASSWD:ALL\n' >"$root/etc/sudoers.d/fleet"
    chmod 0440 "$root/etc/sudoers.d/fleet"
    mkdir -p "$root/etc/ssh/sshd_config.d"
    printf 'PasswordAuthentication no\nKbdInteractiveAuthentication no\nUseDNS no\n' \
        >"$root/etc/ssh/sshd_config.d/netlimits-vm.conf"

    # The run's public key, from the kernel command line, at every boot before sshd.
    cat >"$root/usr/local/sbin/netlimits-authorized-key" <<'SCRIPT'
#!/bin/sh
# netlimits.tcp VM lab: install the public key given as netlimits.authorized_key=BASE64
# on the kernel command line for the user fleet.
set -eu
for arg in $(cat /proc/cmdline); do
    case $arg in
        netlimits.authorized_key=*)
            install -d -m 0700 -o fleet -g fleet /home/fleet/.ssh
            echo "${arg#*=}" | base64 -d >/home/fleet/.ssh/authorized_keys
            chown fleet:fleet /home/fleet/.ssh/authorized_keys
            chmod 0600 /home/fleet/.ssh/authorized_keys
            ;;
    esac
done
SCRIPT
    chmod 0755 "$root/usr/local/sbin/netlimits-authorized-key"
    cat >"$root/etc/systemd/system/netlimits-authorized-key.service" <<'UNIT'
[Unit]
Description=netlimits.tcp VM lab: the run's SSH key for fleet
Before=ssh.service
[Service]
Type=oneshot
ExecStart=/usr/local/sbin/netlimits-authorized-key
[Install]
WantedBy=multi-user.target
UNIT
    chroot "$root" systemctl enable netlimits-authorized-key.service >/dev/null 2>&1

    cp -L "$root/vmlinuz" "$work/vmlinuz"
    cp -L "$root/initrd.img" "$work/initrd.img"
    rm -rf "$root/var/cache/apt/archives/"*.deb "$root/var/lib/apt/lists/"*
    mkfs.ext4 -q -F -L root -d "$root" "$work/disk.img" 2G
    rm -rf "$root" "$work/debootstrap.log"
    echo "$recipe" >"$work/recipe"
    printf '%s %s\n' "$suite" "$(date -u +%FT%TZ)-$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')" >"$work/id"
    rm -rf "$dest"
    mv "$work" "$dest"
    echo "vm image $suite: built in $((SECONDS - start)) s ($dest)"
}

for suite in "$@"; do
    build "$suite"
done
