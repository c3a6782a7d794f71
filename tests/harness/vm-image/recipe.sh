# shellcheck shell=bash
# The VM image's recipe, sourced by build-vm-image.sh: what goes into
# .cache/vm-images/SUITE. The image is rebuilt when this file changes (its
# sha256 and the suite are the image's `recipe`), not when the build script
# around it does.
#
# Debian minbase with the kernel and initramfs-tools (booted with
# -kernel/-initrd), systemd with udev, dbus (`shutdown -r`, which
# ansible.builtin.reboot runs, needs it) and systemd-networkd (DHCP on en*),
# openssh-server, sudo, python3, procps, kmod, iproute2, nftables and
# nginx-light (for a VM benchmark; not started at boot). A user `fleet` with
# passwordless sudo, as on a fleet host; its authorized key comes from the
# kernel command line at every boot (netlimits.authorized_key=BASE64 of the
# public key line, see vm.sh), so the image holds no key and each run brings
# its own.

# shellcheck disable=SC2034 # both are read by build-vm-image.sh
VM_PACKAGES=linux-image-amd64,initramfs-tools,systemd-sysv,udev,dbus,iproute2,python3,procps,kmod,openssh-server,sudo,nginx-light,nftables
VM_DISK_SIZE=2G

# vm_customize ROOT SUITE: after debootstrap, before mkfs.ext4 -d.
vm_customize() {
    local root=$1 suite=$2
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
}
