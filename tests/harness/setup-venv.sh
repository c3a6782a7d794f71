#!/usr/bin/env bash
# Create (once) the virtualenv for one ansible-core line from its pinned
# requirements file, or (`setup-venv.sh galaxy-importer`) .venv/galaxy-importer
# for make galaxy-import. A venv is rebuilt when its requirements file changed;
# one whose install failed part way is not reused (the stamp is written last).
set -euo pipefail
core=${1:?usage: setup-venv.sh CORE (2.16 or 2.21) | galaxy-importer}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
req="$root/tests/requirements/core-$core.txt"
venv="$root/.venv/core-$core"
imports='ansible, molecule, pytest, hypothesis'

case "$core" in
    2.16) python=python3.11 ;;   # oldest supported core: python 3.11
    2.21) python=python3.12 ;;   # newest core needs python >= 3.12
    galaxy-importer)             # its own ansible-core and ansible-lint, apart from the test venvs
        python=python3.12
        req="$root/tests/requirements/galaxy-importer.txt"
        venv="$root/.venv/galaxy-importer"
        imports='galaxy_importer, ansible, ansiblelint' ;;
    *) echo "setup-venv: unknown core $core" >&2; exit 2 ;;
esac
stamp="$venv/.netlimits-requirements"

if [ -f "$stamp" ] && cmp -s "$stamp" "$req"; then
    echo "venv ${venv#"$root/.venv/"}: reused"
    exit 0
fi

# pyenv's shims answer only for the selected version: find the interpreter directly.
interp=$(command -v "$python" 2>/dev/null || true)
if ! "${interp:-false}" -c 'import sys' 2>/dev/null; then
    interp=""
    if command -v pyenv >/dev/null 2>&1; then
        for v in $(pyenv versions --bare 2>/dev/null | grep -E "^${python#python}(\.|$)" | sort -V -r); do
            cand="$(pyenv root)/versions/$v/bin/$python"
            if "$cand" -c 'import sys' 2>/dev/null; then interp=$cand; break; fi
        done
    fi
fi
[ -n "$interp" ] || { echo "setup-venv: $python not found (needed for ${venv#"$root/"})" >&2; exit 1; }

echo "venv ${venv#"$root/.venv/"}: creating with $interp"
rm -rf "$venv"
"$interp" -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check -r "$req" 2>&1 | grep -v '^WARNING: Location' || true
"$venv/bin/python" -c "import $imports" # fail here, before the stamp, if the install did not work
cp "$req" "$stamp"
