#!/usr/bin/env bash
# make promtool: the alert rules and the metrics text checked by Prometheus' own promtool.
# promtool comes from Debian's `prometheus` package (2.42 on Debian 12), unpacked into
# .cache/prometheus by setup-prometheus.sh. Then: promtool check rules and test rules (a firing and a quiet case per
# alert, tests/prometheus/), and check metrics on the text the collection writes for fixture hosts.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/harness/env.sh
. "$here/env.sh"
"$here/setup-prometheus.sh"
promtool="$NETLIMITS_CACHE/prometheus/usr/bin/promtool"
"$promtool" --version | head -1
cd "$NETLIMITS_ROOT"
"$promtool" check rules extensions/prometheus/netlimits-tcp.rules.yml
"$promtool" test rules tests/prometheus/netlimits-tcp.tests.yml
out="$NETLIMITS_ROOT/tests/output/metrics"
mkdir -p "$out"
"$here/run.sh" "${NETLIMITS_CORE:-2.21}" python tests/prometheus/fixture_metrics.py "$out"
for file in "$out"/*.prom; do
    echo "promtool check metrics $(basename "$file")"
    "$promtool" check metrics < "$file"
done
