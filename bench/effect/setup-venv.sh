#!/usr/bin/env bash
# Create (once) .venv/bench with matplotlib from tests/requirements/bench.txt
# for the benchmark's plots. Rebuilt when the requirements file changed; a
# venv whose install failed is not reused (the stamp is written last).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
req="$root/tests/requirements/bench.txt"
venv="$root/.venv/bench"
stamp="$venv/.netlimits-requirements"
if [ -f "$stamp" ] && cmp -s "$stamp" "$req"; then
    echo "venv bench: reused"
    exit 0
fi
echo "venv bench: creating with $(command -v python3)"
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check -r "$req" 2>&1 | grep -v '^WARNING: Location' || true
"$venv/bin/python" -c 'import matplotlib'
cp "$req" "$stamp"
