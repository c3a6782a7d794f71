#!/usr/bin/env bash
# make bench-facts: time netlimits.tcp.tcp_limits_facts' gathering with 0 to
# 50,000 TCP sockets open, inside a network namespace of its own (removed on
# exit, also on failure). Every socket is on that namespace's loopback.
# Writes docs/bench/facts.json (raw) and prints it; bench/facts/report.py
# renders the "Facts gathering (make bench-facts)" section of
# docs/performance.md from it. Extra arguments go to bench/facts/bench.py.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
ns=netlimits-bench-facts
out="$root/docs/bench/facts.json"

[ "$(id -u)" = 0 ] || { echo "bench-facts: needs root (ip netns)" >&2; exit 1; }
"$root/tests/harness/setup-host.sh"          # iproute2
"$root/tests/harness/setup-venv.sh" 2.21     # ansible-core for the module process
"$root/tests/harness/setup-collections.sh"   # this checkout as ansible_collections/netlimits/tcp

cleanup() { ip netns del "$ns" 2>/dev/null || true; }
trap cleanup EXIT
cleanup                                       # one left over from a killed run
ip netns add "$ns"
ip netns exec "$ns" ip link set lo up
# This namespace only: ports enough for 25,000 client sockets and their listeners.
ip netns exec "$ns" sysctl -q -w net.ipv4.ip_local_port_range="10000 65000"

mkdir -p "$(dirname "$out")"
# The whole run is bounded: bench.py stops by itself (--deadline-seconds), and timeout is the backstop.
ip netns exec "$ns" timeout --kill-after=30 1200 \
    "$root/tests/harness/run.sh" 2.21 python "$here/bench.py" --out "$out" "$@" >/dev/null
"$root/tests/harness/run.sh" 2.21 python "$here/report.py" "$out" "$root/docs/performance.md"
echo "bench-facts: wrote $out and the 'Facts gathering (make bench-facts)' section of docs/performance.md"
