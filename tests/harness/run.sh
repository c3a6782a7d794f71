#!/usr/bin/env bash
# Run a command with one ansible-core line's venv first on PATH, the project's
# collections path and its containers.conf: `run.sh CORE COMMAND [ARG...]`.
set -euo pipefail
core=${1:?usage: run.sh CORE COMMAND [ARG...]}
shift
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/harness/env.sh
. "$here/env.sh"
venv="$NETLIMITS_ROOT/.venv/core-$core"
[ -x "$venv/bin/ansible" ] || { echo "run.sh: no venv for ansible-core $core; run make setup" >&2; exit 1; }
export VIRTUAL_ENV="$venv"
export PATH="$venv/bin:$PATH"
export ANSIBLE_COLLECTIONS_PATH="$NETLIMITS_CACHE/collections:$NETLIMITS_CACHE/ansible-pkg"
export PYTHONPATH="$NETLIMITS_CACHE/collections${PYTHONPATH:+:$PYTHONPATH}"
export ANSIBLE_FORCE_COLOR=${ANSIBLE_FORCE_COLOR:-0}
export ANSIBLE_NOCOLOR=${ANSIBLE_NOCOLOR:-1}
export PY_COLORS=0
export NETLIMITS_CORE="$core"
exec "$@"
