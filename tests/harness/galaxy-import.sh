#!/usr/bin/env bash
# make galaxy-import: build the collection tarball and import it with galaxy-importer, the check Galaxy
# and Automation Hub run on every upload (ansible-doc of every plugin and role, the READMEs,
# the changelog, ansible-lint with the production profile over what ships). Fails on any ERROR or
# WARNING line of its output, or when it did not get to the end. ansible-test sanity is off in
# tests/harness/galaxy-importer.cfg: make sanity runs it.
#
# galaxy-importer, its ansible-core and ansible-lint come from .venv/galaxy-importer
# (tests/requirements/galaxy-importer.txt); its config from GALAXY_IMPORTER_CONFIG, never
# /etc/galaxy-importer. It writes the tarball, importer_result.json and its log (importer.log) to
# .cache/galaxy-import/; it extracts the tarball into a temporary directory of the system's, as on
# Galaxy, and removes it (a path under this checkout could hold an ansible_collections/ directory,
# from which the importer would let ansible-lint resolve collections).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
"$here/setup-venv.sh" galaxy-importer
venv="$root/.venv/galaxy-importer"
config="$here/galaxy-importer.cfg"
out="$root/.cache/galaxy-import"
version=$(sed -n 's/^version: *//p' "$root/galaxy.yml")
namespace=$(sed -n 's/^namespace: *//p' "$root/galaxy.yml")
name=$(sed -n 's/^name: *//p' "$root/galaxy.yml")
tarball="$out/$namespace-$name-$version.tar.gz"

# A GALAXY_IMPORTER_CONFIG that is not a file is silently skipped for /etc/galaxy-importer's.
test -f "$config"
rm -rf "$out" && mkdir -p "$out"
"$venv/bin/ansible-galaxy" collection build --force --output-path "$out" "$root" >/dev/null
test -f "$tarball"

# PATH: the importer runs ansible-doc and ansible-lint by name. GALAXY_IMPORTER_* variables of the
# caller would override the config file: none are passed, nor the caller's collections path.
unset_vars=(-u ANSIBLE_COLLECTIONS_PATH -u ANSIBLE_COLLECTIONS_PATHS -u ANSIBLE_CONFIG)
for var in $(compgen -e | grep '^GALAXY_IMPORTER_' || true); do unset_vars+=(-u "$var"); done
status=0
(cd "$out" && env "${unset_vars[@]}" PATH="$venv/bin:$PATH" GALAXY_IMPORTER_CONFIG="$config" \
    "$venv/bin/python" -m galaxy_importer.main "$(basename "$tarball")") >"$out/importer.log" 2>&1 || status=$?

# What it says, without its line per plugin file ("Loading module ...").
grep -v '^Loading ' "$out/importer.log" | sed 's/^/galaxy-importer: /'
problems=$(grep -cE '^(ERROR|WARNING|CRITICAL)\b' "$out/importer.log" || true)
for expected in 'Getting doc strings via ansible-doc' 'Linting collection via ansible-lint' \
                '...ansible-lint run complete' 'Importer processing completed successfully'; do
    grep -qF -- "$expected" "$out/importer.log" || { echo "galaxy-import: the importer never said '$expected'" >&2; status=1; }
done
if [ "$problems" -ne 0 ] || [ "$status" -ne 0 ]; then
    echo "galaxy-import: $(basename "$tarball"): $problems ERROR/WARNING line(s), exit status $status; log: ${out#"$root/"}/importer.log" >&2
    exit 1
fi
echo "galaxy-import: $(basename "$tarball") ($(du -k "$tarball" | cut -f1) KiB) imports with galaxy-importer $("$venv/bin/pip" show galaxy-importer 2>/dev/null | sed -n 's/^Version: //p'): no ERROR, no WARNING"
