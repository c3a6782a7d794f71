#!/usr/bin/env bash
# ansible-test sanity needs the collection at a path .../ansible_collections/
# netlimits/tcp and lists files with git: copy the tracked and new files
# there with a git index of their own, give ansible-test a pip bootstrap
# that works without its download host, and run every sanity test on the
# newest ansible-core. Extra arguments go to ansible-test (e.g. test names).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
copy="$root/.cache/sanity/ansible_collections/netlimits/tcp"
venv="$root/.venv/core-2.21"

rm -rf "$copy" && mkdir -p "$copy"
(cd "$root" && git ls-files -co --exclude-standard -z | tar --null -T - -cf -) | tar -C "$copy" -xf -
(cd "$copy" && git init -q && git add -A)

pip_version=$("$venv/bin/python" - <<'PY'
import re, inspect
from ansible_test._internal import python_requirements as pr
print(re.search(r"pip='([0-9.]+)'", inspect.getsource(pr.get_venv_packages)).group(1))
PY
)
bootstrap="$HOME/.ansible/test/cache/get_pip_${pip_version//./_}.py"
if ! cmp -s "$here/get_pip_offline.py" "$bootstrap"; then
    mkdir -p "$(dirname "$bootstrap")"
    cp "$here/get_pip_offline.py" "$bootstrap"
fi
cd "$copy"
"$here/run.sh" 2.21 ansible-test sanity --venv --python 3.12 --color no "$@"
