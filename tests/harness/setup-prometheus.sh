#!/usr/bin/env bash
# Unpack (once) Debian's promtool and node_exporter into .cache/prometheus: promtool (package
# `prometheus`) for make promtool, node_exporter (`prometheus-node-exporter`) for the molecule
# scenario `metrics`, which runs it inside its container. Both are static Go binaries; the packages
# are unpacked rather than installed, since installing them would also start a Prometheus server and
# an exporter on this machine.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/harness/env.sh
. "$here/env.sh"
dest="$NETLIMITS_CACHE/prometheus"
if [ -x "$dest/usr/bin/promtool" ] && [ -x "$dest/usr/bin/prometheus-node-exporter" ]; then
    echo "prometheus tools: present ($dest)"
    exit 0
fi
work=$(mktemp -d "$NETLIMITS_CACHE/prometheus-debs.XXXXXX")
trap 'rm -rf "$work"' EXIT
(cd "$work" && { apt-get download prometheus prometheus-node-exporter 2>/dev/null \
    || { apt-get update -qq && apt-get download prometheus prometheus-node-exporter; }; })
mkdir -p "$dest"
for deb in "$work"/*.deb; do
    dpkg-deb -x "$deb" "$work/x"
done
mkdir -p "$dest/usr/bin"
cp "$work/x/usr/bin/promtool" "$work/x/usr/bin/prometheus-node-exporter" "$dest/usr/bin/"
echo "prometheus tools: $("$dest/usr/bin/promtool" --version | head -1); node_exporter $("$dest/usr/bin/prometheus-node-exporter" --version 2>&1 | head -1)"
