#!/usr/bin/env bash
# Capture what `make tune` prints on this machine (check mode: reads only) into a file, for the
# docs: `hacking/tune-transcript.sh OUT [MAX_LINES]` (make tune-transcript). The transcript is the
# real output, unedited, after a two-line header naming the machine; the script fails when
# `make tune` fails or prints more than MAX_LINES lines (the issue's "about 80").
set -euo pipefail
out=${1:?usage: tune-transcript.sh OUT [MAX_LINES]}
max=${2:-80}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
os=$(. /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-unknown OS}" || echo "unknown OS")
# Check mode whatever APPLY says in the environment; no --diff (DIFF=0), as `make tune` runs by default.
make -C "$root" --no-print-directory tune APPLY=0 DIFF=0 >"$tmp" 2>&1
lines=$(wc -l <"$tmp")
{
    echo "# \`make tune\` on $os, kernel $(uname -r), as $(id -un); $lines lines."
    echo "# Captured by \`make tune-transcript\` (hacking/tune-transcript.sh); not edited."
    cat "$tmp"
} >"$out"
echo "tune-transcript: $lines lines of \`make tune\` -> $out"
if [ "$lines" -gt "$max" ]; then
    echo "tune-transcript: make tune printed $lines lines, more than $max" >&2
    exit 1
fi
