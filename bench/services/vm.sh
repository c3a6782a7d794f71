#!/usr/bin/env bash
# make bench-services, VM part: the same measurement with SOCKETS sockets (default 100,000) in one
# process inside a QEMU VM (Debian 12, its own kernel), where root may raise RLIMIT_NOFILE that high;
# this machine's hard nofile (ulimit -Hn) is lower and a container cannot exceed it. The VM is emulated
# (TCG), so its seconds are an upper bound of a real host's. The VM is stopped by its own pid on exit.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
sockets=${1:-100000}
"$root/tests/harness/setup-host.sh"
"$root/tests/harness/build-vm-image.sh" bookworm >/dev/null
work=$(mktemp -d)
vm="$root/tests/harness/vm.sh"
cleanup() { "$vm" stop-all "$work" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
ssh-keygen -q -t ed25519 -N '' -f "$work/key"
NETLIMITS_VM_MEM=2048 "$vm" start bench bookworm "$work" "$work/key.pub" >/dev/null
"$vm" wait bench "$work" "$work/key" >/dev/null
# The collection's Python as it would be shipped: plugins/ under ansible_collections/netlimits/tcp.
tar -C "$root" -czf "$work/plugins.tgz" plugins bench/services/bench.py
"$vm" ssh bench "$work" "$work/key" 'mkdir -p /tmp/ac/ansible_collections/netlimits/tcp && tar -C /tmp/ac/ansible_collections/netlimits/tcp -xzf -' <"$work/plugins.tgz"
# The same counts as here too (19,000 by default, under this machine's hard nofile), so the emulation's
# slow-down can be told from the cost of the sockets.
for n in ${BENCH_SERVICES_VM_ALSO:-19000} "$sockets"; do
    "$vm" ssh bench "$work" "$work/key" "cd /tmp/ac/ansible_collections/netlimits/tcp && sudo env PYTHONPATH=/tmp/ac timeout 2400 python3 bench/services/bench.py --sockets $n --runs 5"
done
# shellcheck disable=SC2016 # expanded in the VM, not here
"$vm" ssh bench "$work" "$work/key" 'echo "kernel $(uname -r), $(nproc) vCPU (TCG)"'
