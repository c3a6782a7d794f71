#!/usr/bin/env bash
# make bench-effect, VM part (BENCH_PARTS=vm): the `ab` stall of the source
# post on a kernel of its own (docs/reference: kernel-limits.md, "The `ab`
# stall"). A Debian 12 QEMU VM (tests/harness/vm.sh; 1 GiB, so
# nf_conntrack_max is 8192) runs nginx behind one stateful nftables rule,
# `ct state established,related accept`, so conntrack tracks every
# connection and keeps each closed one 120 s. `ab -n 50000 -c 50` runs in a
# network namespace this script creates, wired to a second NIC of the VM
# (a tap device, 10.77.0.1 -> 10.77.0.2): no QEMU user-mode NAT in between,
# whose forwarded port on this machine overflows its own accept queue under
# load and would delay SYNs in every run, tuned or not. SSH (and tune.yml)
# go through the forwarded port 22 as in the vm scenario.
# Once per run, each on a fresh VM: untuned, then after playbooks/tune.yml
# with only tcp_tune_profile set (balanced, then server), over SSH as a fleet
# runs it. Counted per run: requests ab completed and failed, whether it
# gave up (no reply on any connection for BENCH_VM_AB_TIMEOUT s), the VM
# kernel's conntrack drops (/proc/net/stat/nf_conntrack) and its accept queue
# overflows (TcpExt ListenOverflows). Traffic goes only to the VM this
# script started, inside the namespace it created; ab is bounded by -n and by
# `timeout`. The VM is stopped by its pid after its run and on any exit, then
# the namespace is deleted. Results: docs/bench/effect-vm.{json,md,png} and
# the vm section of effect.md (bench/effect/vm_report.py); raw output in
# .cache/bench-effect-vm/.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"
# shellcheck source=tests/harness/env.sh
. "$root/tests/harness/env.sh"

CORE=${BENCH_CORE:-2.21}
AB_N=${BENCH_VM_AB_N:-50000}
AB_C=${BENCH_VM_AB_C:-50}
AB_TIMEOUT=${BENCH_VM_AB_TIMEOUT:-5}
RUNS=${BENCH_VM_RUNS:-untuned balanced server}
OUT=${BENCH_OUT:-$root/docs/bench}
WORK="$NETLIMITS_CACHE/bench-effect-vm"
NAME=netlimits-bench-vm
VM="$root/tests/harness/vm.sh"

say() { printf '[bench-effect vm %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

"$root/tests/harness/setup-host.sh" apache2-utils
"$root/tests/harness/build-vm-image.sh" bookworm
"$root/tests/harness/setup-venv.sh" "$CORE"
"$root/tests/harness/setup-collections.sh"

"$VM" stop-all "$WORK" >/dev/null 2>&1 || true
rm -rf "$WORK"
mkdir -p "$WORK" "$OUT"
NETNS=netlimits-bench-vm
TAP=nlbench0
HOST_ADDR=10.77.0.1
VM_ADDR=10.77.0.2
cleanup() {
    "$VM" stop-all "$WORK" >/dev/null 2>&1 || true
    ip netns del "$NETNS" 2>/dev/null || true
}
trap cleanup EXIT
ip netns del "$NETNS" 2>/dev/null || true
ip netns add "$NETNS"
ip -n "$NETNS" link set lo up
trap 'exit 130' INT TERM

ssh-keygen -q -t ed25519 -N '' -C netlimits-bench-vm -f "$WORK/key"
vmsh() { "$VM" ssh "$NAME" "$WORK" "$WORK/key" "$@"; }

# boot: a fresh VM (a new overlay of the cached image) with its second NIC in our namespace,
# nginx and one stateful nftables rule
boot() {
    NETLIMITS_VM_TAP=$TAP "$VM" start "$NAME" bookworm "$WORK" "$WORK/key.pub" >/dev/null
    ip link set "$TAP" netns "$NETNS"
    ip -n "$NETNS" addr add "$HOST_ADDR/24" dev "$TAP"
    ip -n "$NETNS" link set "$TAP" up
    "$VM" wait "$NAME" "$WORK" "$WORK/key" >&2
    ssh_port=$(cat "$WORK/$NAME.port")
    # shellcheck disable=SC2016 # expanded in the VM
    vmsh "set -e; dev=\$(ip -o link | awk -F': ' '/52:54:00:4e:4c:02/ {print \$2}'); sudo ip addr add $VM_ADDR/24 dev \$dev; sudo ip link set \$dev up"
    say "nginx and one stateful nftables rule in the VM"
    vmsh 'sudo systemctl start nginx && sudo nft -f -' <<'NFT'
table inet netlimits_bench {
    chain input {
        type filter hook input priority 0; policy accept;
        ct state established,related accept
    }
}
NFT
}

# conntrack's counters, summed over CPUs: "drop=N early_drop=N insert_failed=N max=N count=N"
ct_stats() {
    # shellcheck disable=SC2016 # expanded in the VM
    vmsh 'cat /proc/net/stat/nf_conntrack; echo "max=$(cat /proc/sys/net/netfilter/nf_conntrack_max) count=$(cat /proc/sys/net/netfilter/nf_conntrack_count)"' \
        | python3 -c '
import sys
lines = sys.stdin.read().splitlines()
head, extra = lines[0].split(), [l for l in lines if l.startswith("max=")]
sums = dict.fromkeys(head, 0)
for line in lines[1:]:
    if not line.startswith("max="):
        for name, value in zip(head, line.split()):
            sums[name] += int(value, 16)
print("drop=%d early_drop=%d insert_failed=%d %s" % (sums.get("drop", 0), sums.get("early_drop", 0),
      sums.get("insert_failed", 0), extra[0] if extra else ""))'
}
field() { sed -n "s/.*\\b$1=\\([0-9]*\\).*/\\1/p" <<<"$2"; }
# TcpExt ListenOverflows of the VM: nginx's accept queue overflowing would also delay SYNs
vm_overflows() {
    vmsh cat /proc/net/netstat | python3 -c 'import sys
l = [x.split() for x in sys.stdin if x.startswith("TcpExt:")]
print(dict(zip(l[0][1:], l[1][1:]))["ListenOverflows"])'
}

# measure TAG: one ab run; appends a JSON object to $WORK/runs.jsonl
measure() {
    local tag=$1 before after start secs rc=0 complete failed stalled rps p99 pmax slow overflows
    before=$(ct_stats)
    overflows=$(vm_overflows)
    say "$tag: ab -n $AB_N -c $AB_C -s $AB_TIMEOUT http://$VM_ADDR/ in netns $NETNS ($before)"
    start=$(date +%s)
    ip netns exec "$NETNS" timeout 900 ab -n "$AB_N" -c "$AB_C" -s "$AB_TIMEOUT" -r -g "$WORK/ab-$tag.tsv" "http://$VM_ADDR/" \
        >"$WORK/ab-$tag.txt" 2>&1 || rc=$?
    secs=$(( $(date +%s) - start ))
    after=$(ct_stats)
    overflows=$(( $(vm_overflows) - overflows ))
    if grep -q 'Complete requests:' "$WORK/ab-$tag.txt"; then
        complete=$(sed -n 's/^Complete requests: *//p' "$WORK/ab-$tag.txt")
    else  # ab stopped early: "Total of N requests completed"
        complete=$(sed -n 's/^Total of \([0-9]*\) requests completed.*/\1/p' "$WORK/ab-$tag.txt")
    fi
    failed=$(sed -n 's/^Failed requests: *//p' "$WORK/ab-$tag.txt")
    rps=$(sed -n 's/^Requests per second: *\([0-9.]*\).*/\1/p' "$WORK/ab-$tag.txt")
    stalled=false
    if grep -q 'timeout specified has expired' "$WORK/ab-$tag.txt"; then stalled=true; fi
    # ab's "Percentage of the requests served within a certain time (ms)": a SYN that
    # conntrack dropped is sent again after 1 s, 3 s, 7 s: those requests wait seconds
    p99=$(sed -n 's/^ *99% *\([0-9]*\).*/\1/p' "$WORK/ab-$tag.txt")
    pmax=$(sed -n 's/^ *100% *\([0-9]*\).*/\1/p' "$WORK/ab-$tag.txt")
    # requests that took a second or more (-g: one line per request, ttime in ms, 5th column;
    # ab writes it only when it finished, not when it gave up on a timeout)
    slow=null
    if [ -s "$WORK/ab-$tag.tsv" ]; then
        slow=$(awk -F'\t' 'NR > 1 && $5 >= 1000 { n++ } END { print n + 0 }' "$WORK/ab-$tag.tsv")
    fi
    say "$tag: complete ${complete:-0}, failed ${failed:-?}, $slow took >= 1 s, ab stopped on a timeout: $stalled, exit $rc, $secs s ($after)"
    printf '{"run": "%s", "ab_exit": %d, "seconds": %d, "complete": %d, "failed": %s, "stalled": %s, "requests_1s_or_more": %s, "p99_ms": %s, "max_ms": %s, "requests_per_second": %s, "conntrack_max": %d, "conntrack_drops": %d, "conntrack_early_drops": %d, "conntrack_insert_failed": %d, "vm_listen_overflows": %d}\n' \
        "$tag" "$rc" "$secs" "${complete:-0}" "${failed:-null}" "$stalled" "$slow" "${p99:-null}" "${pmax:-null}" "${rps:-null}" \
        "$(field max "$after")" \
        "$(( $(field drop "$after") - $(field drop "$before") ))" \
        "$(( $(field early_drop "$after") - $(field early_drop "$before") ))" \
        "$(( $(field insert_failed "$after") - $(field insert_failed "$before") ))" "$overflows" >>"$WORK/runs.jsonl"
}

# tune PROFILE: playbooks/tune.yml over SSH as a fleet runs it (become), only the profile set
tune() {
    say "tune.yml over SSH as fleet (become), -e tcp_tune_profile=$1 and nothing else"
    cat >"$WORK/inventory" <<INV
$NAME ansible_host=127.0.0.1 ansible_port=$ssh_port ansible_user=fleet ansible_ssh_private_key_file=$WORK/key ansible_ssh_common_args='-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null' ansible_timeout=60
INV
    timeout 900 "$root/tests/harness/run.sh" "$CORE" ansible-playbook -i "$WORK/inventory" playbooks/tune.yml \
        -e netlimits_tcp_become=true -e tcp_tune_profile="$1" \
        >"$WORK/tune-$1.log" 2>&1 || { tail -n 30 "$WORK/tune-$1.log" >&2; say "tune.yml failed"; exit 1; }
    grep -E 'nf_conntrack_max|conntrack:' "$WORK/tune-$1.log" | head -n 4 >&2 || true
}

table_full=0
for run in $RUNS; do
    boot
    [ "$run" = untuned ] || tune "$run"
    measure "$run"
    if [ "$run" = untuned ]; then
        table_full=$(vmsh 'sudo dmesg' | grep -c 'nf_conntrack: table full' || true)
    fi
    kernel=$(vmsh 'uname -r')
    "$VM" stop "$NAME" "$WORK"
done

{
    printf '{"kernel": "%s", "date": "%s", "vm": "Debian 12, QEMU TCG, -smp %s -m %s, ab over a tap NIC", "ab": "ab -n %s -c %s -s %s -r", ' \
        "$kernel" "$(date -u +%Y-%m-%d)" "${NETLIMITS_VM_SMP:-2}" "${NETLIMITS_VM_MEM:-1024}" "$AB_N" "$AB_C" "$AB_TIMEOUT"
    printf '"ab_n": %d, "ab_timeout": %d, ' "$AB_N" "$AB_TIMEOUT"
    printf '"nftables": "ct state established,related accept", "untuned_table_full_messages": %d, "runs": [' "$table_full"
    paste -sd, "$WORK/runs.jsonl"
    printf ']}\n'
} >"$OUT/effect-vm.json"
"$here/setup-venv.sh"
"$root/.venv/bench/bin/python" "$here/vm_report.py" "$OUT" "$WORK"
say "results: $OUT/effect-vm.md, effect-vm.png and the vm section of effect.md"
