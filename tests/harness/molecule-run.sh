#!/usr/bin/env bash
# One molecule scenario on one ansible-core line: `molecule-run.sh SCENARIO CORE`.
# The log goes to .cache/molecule-logs/SCENARIO@CORE.log (its tail is printed
# on failure), molecule's ephemeral files to .cache/molecule/SCENARIO@CORE.
#
# Like `go test`, a scenario that passed with exactly the same inputs is not
# run again: its pass is recorded in .cache/molecule-passed/SCENARIO@CORE
# with the digests inputs-key.sh prints (every file of this checkout, the
# images, the venv's packages, the collections, the kernel, podman, runc and
# containers.conf). Any change to any of them runs it, and the line says
# which changed. RERUN=1 (`make test RERUN=1`) runs it anyway.
set -euo pipefail
scenario=${1:?usage: molecule-run.sh SCENARIO CORE}
core=${2:?usage: molecule-run.sh SCENARIO CORE}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/harness/env.sh
. "$here/env.sh"

run="$scenario@$core"
log="$NETLIMITS_CACHE/molecule-logs/$run.log"
passed="$NETLIMITS_CACHE/molecule-passed/$run"
mkdir -p "$(dirname "$log")" "$(dirname "$passed")"

inputs=$("$here/inputs-key.sh" "$core") || inputs=
if [ -n "$inputs" ] && [ -f "$passed" ]; then
    if [ "${RERUN:-0}" != 1 ] && [ "$(tail -n +2 "$passed")" = "$inputs" ]; then
        echo "== molecule $scenario on ansible-core $core: passed (cached: $(head -n 1 "$passed"), same inputs; RERUN=1 runs it again)"
        exit 0
    fi
    changed=$(diff <(tail -n +2 "$passed") <(echo "$inputs") | sed -n 's/^> \([a-z0-9]*\) .*/\1/p' | sort -u | paste -sd, -) || true
    why=${changed:+$changed changed since the last pass}
    echo "== molecule $scenario on ansible-core $core: running (${why:-RERUN=1})"
fi
rm -f "$passed"

start=$(date +%s)
export MOLECULE_EPHEMERAL_DIRECTORY="$NETLIMITS_CACHE/molecule/$run"
# QEMU VMs a scenario started (the vm scenario, through tests/harness/vm.sh) run
# detached: stop each by its pid whatever ends this run (failure, Ctrl-C, kill).
trap '"$here/vm.sh" stop-all "$MOLECULE_EPHEMERAL_DIRECTORY/vms" || true' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# The scenarios' connection: containers.podman's with commands through runc exec
# and pipelining (extensions/molecule/shared/connection_plugins/podman.py says why).
export ANSIBLE_CONNECTION_PLUGINS="$NETLIMITS_ROOT/extensions/molecule/shared/connection_plugins"
export ANSIBLE_PIPELINING=True
if (cd "$NETLIMITS_ROOT" && "$here/run.sh" "$core" molecule test -s "$scenario") >"$log" 2>&1; then
    seconds=$(( $(date +%s) - start ))
    echo "== molecule $scenario on ansible-core $core: passed in $seconds s"
    # Inputs changed while it ran (an edit, a rebuilt image): record nothing.
    if [ -n "$inputs" ] && [ "$("$here/inputs-key.sh" "$core")" = "$inputs" ]; then
        printf 'in %s s at %s, log %s\n%s\n' "$seconds" "$(date -u +%FT%TZ)" "${log#"$NETLIMITS_ROOT"/}" "$inputs" >"$passed"
    else
        echo "== molecule $scenario on ansible-core $core: inputs changed while it ran, pass not recorded"
    fi
else
    tail -n 150 "$log"
    echo "== molecule $scenario on ansible-core $core: FAILED (full log: ${log#"$NETLIMITS_ROOT"/})"
    exit 1
fi
