#!/usr/bin/env bash
# make bench-fleet: wall time and tasks per host of the collection's playbooks
# against the usual sysctl/pam_limits loop, on a fleet of throw-away podman
# systemd containers (created and removed here, bounded in number and time).
#
#   set A (fresh fleet): tune.yml first run, tune.yml again (nothing to
#                        change), audit.yml
#   set B (fresh fleet): baseline.yml first run, baseline.yml again
#
# BENCH_FLEET_SIZE (default 10, at most 20), BENCH_FLEET_IMAGE (default the
# bookworm test image), BENCH_FLEET_CORE (ansible-core line, default 2.21).
# Results: .cache/bench-fleet/results.md (+ .tsv), logs beside them.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=tests/harness/env.sh
. "$root/tests/harness/env.sh"

size=${BENCH_FLEET_SIZE:-10}
if [ "$size" -lt 1 ] || [ "$size" -gt 20 ]; then echo "bench-fleet: BENCH_FLEET_SIZE must be 1..20" >&2; exit 2; fi
image=${BENCH_FLEET_IMAGE:-$NETLIMITS_IMAGE_REPO:bookworm}
core=${BENCH_FLEET_CORE:-2.21}
prefix=netlimits-benchfleet
out="$NETLIMITS_CACHE/bench-fleet"
work=$(mktemp -d "${TMPDIR:-/tmp}/netlimits-bench-fleet.XXXXXX")
rm -rf "$out" && mkdir -p "$out"

names=()
for i in $(seq 1 "$size"); do names+=("$prefix-$i"); done

remove_fleet() {
    for name in "${names[@]}"; do podman rm -f -t 5 "$name" >/dev/null 2>&1 || true; done
}
cleanup() { remove_fleet; rm -rf "$work"; }
trap cleanup EXIT INT TERM

create_fleet() {
    remove_fleet
    for name in "${names[@]}"; do
        podman run -d --name "$name" --hostname "$name" --privileged --systemd=always "$image" /sbin/init >/dev/null
    done
    # systemd needs a moment before it answers on its bus; give the fleet up to 300 s (a loaded 2-core machine needs it).
    local deadline=$(( $(date +%s) + 300 )) state
    for name in "${names[@]}"; do
        while :; do
            state=$(timeout 60 podman exec "$name" systemctl is-system-running --wait 2>/dev/null || true)
            case "$state" in running|degraded) break ;; esac
            [ "$(date +%s)" -lt "$deadline" ] || { echo "bench-fleet: $name did not boot (${state:-no answer})" >&2; exit 1; }
            sleep 1
        done
    done
}

{
    echo "[fleet]"
    printf '%s\n' "${names[@]}"
    echo "[fleet:vars]"
    echo "ansible_connection=containers.podman.podman"
    echo "ansible_python_interpreter=/usr/bin/python3"
} >"$work/inventory.ini"

# The machine's fs.* values (the containers share them): never lowered.
cur_file_max=$(cat /proc/sys/fs/file-max)
cur_nr_open=$(cat /proc/sys/fs/nr_open)
file_max=$(( cur_file_max > 2097152 ? cur_file_max : 2097152 ))
nr_open=$(( cur_nr_open > 1048576 ? cur_nr_open : 1048576 ))

# Same Ansible settings for every run: a fork per host, pipelining, the default (linear) strategy.
export ANSIBLE_FORKS=$size ANSIBLE_PIPELINING=true ANSIBLE_HOST_KEY_CHECKING=false ANSIBLE_RETRY_FILES_ENABLED=false
export ANSIBLE_STDOUT_CALLBACK=default ANSIBLE_CALLBACK_RESULT_FORMAT=yaml
# Per task times at the end of each log (the slowest tasks land in results.md).
export ANSIBLE_CALLBACKS_ENABLED=ansible.posix.profile_tasks PROFILE_TASKS_TASK_OUTPUT_LIMIT=8

printf 'run\twall_s\ttasks_per_host\tchanged_per_host\tskipped_per_host\tfailed\tunreachable\ttasks_min_max\tload_1m\n' >"$out/results.tsv"

# run LABEL PLAYBOOK [ansible-playbook args...]: time one run, read the recap.
run() {
    local label=$1 playbook=$2; shift 2
    local log="$out/${label// /_}.log" start end rc=0 load
    load=$(cut -d' ' -f1 /proc/loadavg)
    start=$(date +%s.%N)
    timeout 900 "$root/tests/harness/run.sh" "$core" ansible-playbook -i "$work/inventory.ini" "$playbook" "$@" >"$log" 2>&1 || rc=$?
    end=$(date +%s.%N)
    python3 - "$label" "$start" "$end" "$log" "$rc" "$size" "$load" >>"$out/results.tsv" <<'PY'
import re, sys
label, start, end, log, rc, size, load = sys.argv[1:]
recap = {}
for line in open(log):
    m = re.match(r'^(netlimits-benchfleet-\d+)\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)', line)
    if m:
        recap[m.group(1)] = [int(x) for x in m.groups()[1:]]
n = len(recap) or 1
ok = sum(v[0] for v in recap.values()) / n
ok_range = '%d-%d' % (min(v[0] for v in recap.values()), max(v[0] for v in recap.values())) if recap else '-'
changed = sum(v[1] for v in recap.values()) / n
skipped = sum(v[4] for v in recap.values()) / n
failed = sum(v[3] for v in recap.values()) + (1 if rc != '0' else 0)
unreach = sum(v[2] for v in recap.values())
if len(recap) != int(size):
    failed += 1
print('%s\t%.1f\t%.1f\t%.1f\t%.1f\t%d\t%d\t%s\t%s' % (label, float(end) - float(start), ok, changed, skipped, failed, unreach,
                                              ok_range, load))
PY
    tail -n 1 "$out/results.tsv" | awk -F'\t' '{printf "bench-fleet: %-28s %7.1f s  %5.1f tasks/host  %4.1f changed/host  failed=%s\n", $1, $2, $3, $4, $6}'
    [ "$rc" = 0 ] || { echo "bench-fleet: $label failed (rc $rc), log: $log" >&2; tail -n 40 "$log" >&2; exit 1; }
}

echo "bench-fleet: $size containers of $image, ansible-core $core, forks=$size, pipelining on"
create_fleet
run "tune first run" "$root/playbooks/tune.yml" -e netlimits_tcp_become=false
run "tune re-run (no change)" "$root/playbooks/tune.yml" -e netlimits_tcp_become=false
run "audit" "$root/playbooks/audit.yml" -e "tcp_audit_report_dir=$out/report"
create_fleet
run "baseline first run" "$here/baseline.yml" -e "bench_file_max=$file_max" -e "bench_nr_open=$nr_open"
run "baseline re-run (no change)" "$here/baseline.yml" -e "bench_file_max=$file_max" -e "bench_nr_open=$nr_open"
run "baseline re-run, no facts" "$here/baseline.yml" -e "bench_file_max=$file_max" -e "bench_nr_open=$nr_open" \
    -e bench_gather_facts=false
remove_fleet

python3 - "$out/results.tsv" "$size" "$image" "$core" >"$out/results.md" <<'PY'
import csv, sys
path, size, image, core = sys.argv[1:]
rows = list(csv.DictReader(open(path), delimiter='\t'))
by = dict((r['run'], r) for r in rows)
print('%s containers (%s), ansible-core %s, forks=%s, pipelining on.\n' % (size, image, core, size))
print('| run | wall time (s) | tasks per host (mean; min-max) | changed per host | skipped per host | load (1 min) at start |')
print('|---|---:|---:|---:|---:|---:|')
for r in rows:
    print('| %s | %s | %s; %s | %s | %s | %s |' % (r['run'], r['wall_s'], r['tasks_per_host'], r['tasks_min_max'],
                                              r['changed_per_host'], r['skipped_per_host'], r['load_1m']))
ours = float(by['tune re-run (no change)']['wall_s'])
base = float(by['baseline re-run (no change)']['wall_s'])
print('\nNo-change re-run: tune.yml %.1f s against the baseline %.1f s = %.2f of it (target: at most 0.33).'
      % (ours, base, ours / base))
PY
for label in "tune re-run (no change)" "baseline re-run (no change)"; do
    {
        echo
        echo "Slowest tasks of \"$label\" (ansible.posix.profile_tasks):"
        echo
        echo '```'
        sed -n '/^=\{20,\}/,$p' "$out/${label// /_}.log" | grep -E ' -+ +[0-9.]+s$' | head -n 8
        echo '```'
    } >>"$out/results.md"
done
cat "$out/results.md"
