#!/usr/bin/env bash
# Open the audit report in headless Chromium and check it (make browser):
# Debian's chromium and chromium-driver through the harness, a venv of its own
# (.venv/browser, tests/requirements/browser.txt), then pytest tests/browser.
# The report is the fleet scenario's copy (tests/output/fleet-report/) when
# there is one, else one rendered from fixture facts; NETLIMITS_REPORT_HTML
# names another. The screenshot is kept as tests/output/report.png.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
"$root/tests/harness/setup-host.sh" chromium chromium-driver

req="$root/tests/requirements/browser.txt"
venv="$root/.venv/browser"
stamp="$venv/.netlimits-requirements"
if ! { [ -f "$stamp" ] && cmp -s "$stamp" "$req"; }; then
    echo "venv browser: creating"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check -r "$req"
    "$venv/bin/python" -c 'import selenium, pytest'
    cp "$req" "$stamp"
else
    echo "venv browser: reused"
fi
mkdir -p "$root/tests/output"
cd "$root"
# Selenium Manager would fetch drivers from the network: the test names the
# Debian driver, and this keeps the manager quiet and offline anyway.
export SE_OFFLINE=true SE_AVOID_STATS=true
exec "$venv/bin/python" -m pytest -q -p no:cacheprovider tests/browser "$@"
