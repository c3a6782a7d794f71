#!/usr/bin/env bash
# make bench-services: the cost of the facts' services view (tcp_limits.services) with one process
# holding SOCKETS loopback sockets (default 100,000), inside a network namespace of its own (removed on
# exit, also on failure). Every socket is on that namespace's loopback. Prints the figures as JSON;
# docs/performance.md records them with this command.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
ns=netlimits-bench-services

[ "$(id -u)" = 0 ] || { echo "bench-services: needs root (ip netns, a nofile above 100,000)" >&2; exit 1; }
"$root/tests/harness/setup-host.sh"          # iproute2
"$root/tests/harness/setup-venv.sh" 2.21
"$root/tests/harness/setup-collections.sh"   # this checkout as ansible_collections/netlimits/tcp

cleanup() { ip netns del "$ns" 2>/dev/null || true; }
trap cleanup EXIT
cleanup
ip netns add "$ns"
ip netns exec "$ns" ip link set lo up
ip netns exec "$ns" timeout --kill-after=30 600 \
    "$root/tests/harness/run.sh" 2.21 python "$here/bench.py" "$@"
