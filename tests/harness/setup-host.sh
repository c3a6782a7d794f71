#!/usr/bin/env bash
# Install the Debian packages the harness needs, once: podman with runc (crun
# fails on this machine's hybrid cgroups), debootstrap for the base images,
# QEMU and an SSH client for the VM lab.
# Extra packages can be asked for as arguments (the benchmarks do).
set -euo pipefail
# qemu-system-x86, qemu-utils and openssh-client: the VM lab (tests/harness/vm.sh).
wanted=(podman runc debootstrap uidmap slirp4netns iproute2 procps shellcheck
        qemu-system-x86 qemu-utils openssh-client "$@")
missing=()
for pkg in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "host packages: present"
    exit 0
fi
echo "host packages: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
