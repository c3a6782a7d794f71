#!/usr/bin/env bash
# make bench-effect: the same connection storms before and after tuning, in
# containers. Sets up what it needs (host packages, images, venvs), creates a
# podman bridge network and the containers it loads, and removes them again
# on exit, also on failure. Traffic goes only between the containers it
# created; every loop is bounded in count and time.
#
# Parts (BENCH_PARTS, default all four):
#   storm    client-side storm: COUNT connections to nginx, client closes
#            first; sequential and concurrency 16; per client configuration
#            (BENCH_CONFIGS, default "untuned fin30 hand role"; fin30 runs
#            sequential only), each from a FRESH client container (new
#            network namespace). Client and nginx run at nice -10 so that
#            other work on a shared machine disturbs them less.
#   ab       server-side storm: ab -n 50000 -c 50 (no -k), untuned vs tuned server.
#   acceptq  accept queue: slow-accepting listener, burst of concurrent connects.
#   vm       the ab stall on a kernel of its own: nginx in a QEMU VM behind one
#            stateful nftables rule, ab -n 50000 -c 50 through the VM's forwarded
#            port, untuned vs tune.yml (bench/effect/vm.sh, run after the others;
#            results in docs/bench/effect-vm.{md,json}).
# Results: docs/bench/effect.{json,md,png}; raw files and logs in .cache/bench-effect/.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"
# shellcheck source=tests/harness/env.sh
. "$root/tests/harness/env.sh"

SUITE=${BENCH_SUITE:-bookworm}
IMAGE="localhost/netlimits-bench:$SUITE"
NET=netlimits-bench-effect
PREFIX=netlimits-bench-effect
COUNT=${BENCH_COUNT:-100000}
LIMIT_S=${BENCH_SECONDS:-120}
AB_N=${BENCH_AB_N:-50000}
AB_C=${BENCH_AB_C:-50}
BURST=${BENCH_BURST:-2000}
CONFIGS=${BENCH_CONFIGS:-untuned fin30 hand role}
PARTS=${BENCH_PARTS:-storm ab acceptq vm}
# The VM part is a script of its own (no containers, no report.py), run last.
vm_part=0
if [[ " $PARTS " == *" vm "* ]]; then
    vm_part=1
    PARTS=$(tr ' ' '\n' <<<"$PARTS" | grep -vx 'vm' | paste -sd' ' || true)
fi
if [ -z "${PARTS// /}" ]; then
    [ "$vm_part" = 1 ] || { echo "bench-effect: no parts" >&2; exit 2; }
    exec "$(cd "$(dirname "$0")" && pwd)/vm.sh"
fi
# Who tunes the server in the ab and acceptq parts: auto (the role when
# playbooks/tune.yml works, else by hand), role, or hand.
SERVER_TUNER=${BENCH_SERVER_TUNER:-auto}
CORE=${BENCH_CORE:-2.21}
OUT=${BENCH_OUT:-$root/docs/bench}
WORK="$NETLIMITS_CACHE/bench-effect"
RAW="$WORK/raw"
LOG="$WORK/log"

# The source post's advice, applied by hand to the client (configuration 2).
HAND_CLIENT=(net.ipv4.ip_local_port_range="15000 61000" net.ipv4.tcp_fin_timeout=30 net.ipv4.tcp_tw_reuse=1)
# Stand-in for the role's `server` profile while the role cannot run: the
# namespaced accept-queue keys raised by hand.
HAND_SERVER=(net.core.somaxconn=65535 net.ipv4.tcp_max_syn_backlog=65535)

say() { printf '[bench-effect %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

cleanup() {
    local rc=$?
    local names
    names=$(podman ps -a --format '{{.Names}}' 2>/dev/null | grep -E "^$PREFIX-" || true)
    for n in $names; do podman rm -f -t 0 "$n" >/dev/null 2>&1 || true; done
    podman network rm -f "$NET" >/dev/null 2>&1 || true
    [ "$rc" = 0 ] || say "failed (exit $rc); containers and network removed; logs in $LOG"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- set-up ---------------------------------------------------------------
"$root/tests/harness/setup-host.sh"
"$root/tests/harness/build-image.sh" "$SUITE"
"$here/image.sh" "$SUITE"
"$here/setup-venv.sh"
role_ready=0
if [[ " $CONFIGS " == *" role "* ]] || [ "$SERVER_TUNER" != hand ]; then
    if "$root/tests/harness/setup-venv.sh" "$CORE" && "$root/tests/harness/setup-collections.sh" \
        && [ -f "$root/playbooks/tune.yml" ]; then
        role_ready=1
    else
        say "ansible venv or collections not available: the role cannot be run"
    fi
fi
if [ "${BENCH_KEEP_RAW:-0}" != 1 ]; then rm -rf "$RAW" "$LOG"; fi
mkdir -p "$RAW" "$LOG" "$OUT"

# Leftovers of an interrupted run.
for n in $(podman ps -a --format '{{.Names}}' | grep -E "^$PREFIX-" || true); do podman rm -f -t 0 "$n" >/dev/null; done
podman network rm -f "$NET" >/dev/null 2>&1 || true
podman network create "$NET" >/dev/null

# ---- helpers --------------------------------------------------------------
start() {   # start NAME: a fresh privileged systemd container on the bench network
    local name="$PREFIX-$1"
    podman rm -f -t 0 "$name" >/dev/null 2>&1 || true
    podman run -d --name "$name" --hostname "$1" --network "$NET" --privileged --systemd=always \
        -v "$here:/bench:ro" "$IMAGE" /sbin/init >/dev/null
    local state="" _try
    for _try in $(seq 1 60); do
        state=$(podman exec "$name" systemctl is-system-running 2>/dev/null || true)
        case "$state" in running|degraded) break ;; esac
        sleep 1
    done
    case "$state" in running|degraded) ;; *) say "$name: systemd did not finish booting ($state)"; return 1 ;; esac
}
ip_of() { podman inspect "$PREFIX-$1" --format '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}'; }
sockstat_tw() { podman exec "$PREFIX-$1" awk '$1 == "TCP:" { for (i = 2; i < NF; i++) if ($i == "tw") print $(i + 1) }' /proc/net/sockstat; }
tcpext() { podman exec "$PREFIX-$1" awk 'NR % 2 == 1 && $1 == "TcpExt:" { split($0, n) } NR % 2 == 0 && $1 == "TcpExt:" { for (i = 2; i <= NF; i++) printf "%s=%s ", n[i], $i; print "" }' /proc/net/netstat; }
sysctls() { podman exec "$PREFIX-$1" sysctl -n "${@:2}" | tr '\t' ' ' | paste -sd '|'; }

# run_role NAME LOGNAME [ansible-playbook args]: tune.yml on one container
run_role() {
    local name="$PREFIX-$1" logf="$LOG/$2.log"
    shift 2
    [ "$role_ready" = 1 ] || { echo "role not runnable (no venv, collections or playbooks/tune.yml)" >"$logf"; return 1; }
    if timeout 600 "$root/tests/harness/run.sh" "$CORE" ansible-playbook -i "$name," -c containers.podman.podman \
        playbooks/tune.yml "$@" >"$logf" 2>&1; then
        return 0
    fi
    say "tune.yml on $name failed: $(grep -E 'FAILED|ERROR|fatal' "$logf" | head -n 3 | cut -c1-300)"
    return 1
}

# apply_client CONFIG: bring the fresh client container into one configuration
apply_client() {
    case "$1" in
        untuned) echo "kernel defaults (nothing changed)" ;;
        fin30) podman exec "$PREFIX-client" sysctl -w net.ipv4.tcp_fin_timeout=30 >/dev/null
               echo "sysctl -w net.ipv4.tcp_fin_timeout=30 (only)" ;;
        hand) podman exec "$PREFIX-client" sysctl -w "${HAND_CLIENT[@]}" >/dev/null
              echo "sysctl -w ${HAND_CLIENT[*]}" ;;
        role) run_role client "role-client-$2" || return 1
              echo "ansible-playbook playbooks/tune.yml (role defaults)" ;;
        *) say "unknown configuration $1"; return 1 ;;
    esac
}

# tune_server: tune the fresh server container; prints how
server_tuned_by=""
tune_server() {
    local tag=$1
    if [ "$SERVER_TUNER" != hand ] && run_role server "role-server-$tag" -e tcp_tune_profile=server; then
        server_tuned_by="role: playbooks/tune.yml -e tcp_tune_profile=server"
    elif [ "$SERVER_TUNER" = role ]; then
        return 1
    else
        podman exec "$PREFIX-server" sysctl -w "${HAND_SERVER[@]}" >/dev/null
        server_tuned_by="hand (server-profile stand-in): sysctl -w ${HAND_SERVER[*]}"
    fi
}

json_meta() {   # json_meta KEY=VALUE...: a JSON object of strings
    python3 -c 'import json, sys; print(json.dumps(dict(a.split("=", 1) for a in sys.argv[1:])))' "$@"
}

# ---- the client-side storm ------------------------------------------------
storm_part() {
    start server
    local srv
    srv=$(ip_of server)
    podman exec "$PREFIX-server" systemctl is-active --quiet nginx
    podman exec "$PREFIX-server" sh -c 'renice -n -10 -p $(pgrep nginx)' >/dev/null
    local modes
    for cfg in $CONFIGS; do
        modes="sequential c16"
        [ "$cfg" = fin30 ] && modes=sequential   # shows one thing: when ports come back
        for mode in $modes; do
            local conc=1
            [ "$mode" = c16 ] && conc=16
            say "storm: $cfg, $mode: fresh client container"
            start client
            local how
            if ! how=$(apply_client "$cfg" "$mode"); then
                json_meta part=storm config="$cfg" mode="$mode" status=not_run \
                    reason="configuration could not be applied: see .cache/bench-effect/log/role-client-$mode.log" \
                    >"$RAW/storm-$cfg-$mode.json"
                continue
            fi
            local srv_tw0 load0
            srv_tw0=$(sockstat_tw server)
            load0=$(cut -d' ' -f1-3 /proc/loadavg)
            podman exec "$PREFIX-client" nice -n -10 python3 /bench/storm.py --host "$srv" --port 80 --count "$COUNT" \
                --concurrency "$conc" --seconds "$LIMIT_S" >"$RAW/storm-$cfg-$mode.body" 2>"$LOG/storm-$cfg-$mode.err"
            cat "$LOG/storm-$cfg-$mode.err" >&2
            python3 - "$RAW/storm-$cfg-$mode.body" "$cfg" "$mode" "$how" "$srv_tw0" "$(sockstat_tw server)" \
                "$(sockstat_tw client)" "$load0" "$(cut -d' ' -f1-3 /proc/loadavg)" >"$RAW/storm-$cfg-$mode.json" <<'PY'
import json, sys
body, cfg, mode, how, tw0, tw1, ctw, load0, load1 = sys.argv[1:]
d = json.load(open(body))
d.update(part='storm', config=cfg, mode=mode, status='ok', applied=how,
         server_tw_before=int(tw0), server_tw_after=int(tw1), client_tw_after=int(ctw),
         loadavg={'before': load0, 'after': load1})
print(json.dumps(d))
PY
            rm -f "$RAW/storm-$cfg-$mode.body"
            podman rm -f -t 0 "$PREFIX-client" >/dev/null
        done
    done
    podman rm -f -t 0 "$PREFIX-server" >/dev/null
}

# ---- the server-side storm (ab) ---------------------------------------------
ab_part() {
    for cfg in untuned tuned; do
        say "ab: $cfg server: fresh server and client containers"
        start server
        start client
        local how="kernel defaults (nothing changed)"
        if [ "$cfg" = tuned ]; then
            tune_server "ab" || { json_meta part=ab config=tuned status=not_run reason="role failed" >"$RAW/ab-$cfg.json"; continue; }
            how=$server_tuned_by
        fi
        podman exec "$PREFIX-server" systemctl restart nginx   # listen() again under the settings now in force
        local srv before after
        srv=$(ip_of server)
        before=$(tcpext server)
        podman exec "$PREFIX-client" timeout 170 ab -n "$AB_N" -c "$AB_C" -s 20 "http://$srv/" \
            >"$LOG/ab-$cfg.txt" 2>&1 || true
        after=$(tcpext server)
        python3 - "$LOG/ab-$cfg.txt" "$cfg" "$how" "$before" "$after" "$(sockstat_tw server)" "$(sockstat_tw client)" \
            "$(sysctls server net.core.somaxconn net.ipv4.tcp_max_syn_backlog net.ipv4.ip_local_port_range net.ipv4.tcp_tw_reuse)" \
            "$(podman exec "$PREFIX-server" ss -Hlnt 'sport = :80' | awk 'NR == 1 { print $3 }')" \
            "$AB_N" "$AB_C" >"$RAW/ab-$cfg.json" <<'PY'
import json, re, sys
txt, cfg, how, before, after, stw, ctw, sysc, backlog, n, c = sys.argv[1:]
t = open(txt, errors='replace').read()
def num(pat, cast=float):
    m = re.search(pat, t, re.M)
    return cast(m.group(1)) if m else None
kv = lambda s: dict(x.split('=') for x in s.split())
b, a = kv(before), kv(after)
keys = ('ListenOverflows', 'ListenDrops', 'TCPReqQFullDoCookies', 'TCPTimeWaitOverflow')
print(json.dumps({
    'part': 'ab', 'config': cfg, 'status': 'ok', 'applied': how,
    'command': 'ab -n %s -c %s -s 20 http://SERVER/' % (n, c),
    'completed': num(r'^Complete requests:\s+(\d+)', int),
    'failed': num(r'^Failed requests:\s+(\d+)', int),
    'duration_s': num(r'^Time taken for tests:\s+([\d.]+)'),
    'req_per_s': num(r'^Requests per second:\s+([\d.]+)'),
    'longest_ms': num(r'100%\s+(\d+)\s+\(longest request\)', int),
    'ab_error': (re.findall(r'^(apr_\S+.*|Total of \d+ requests completed)$', t, re.M) or [None])[0],
    'server_tw_after': int(stw), 'client_tw_after': int(ctw),
    'server_sysctl': sysc, 'nginx_backlog_effective': int(backlog) if backlog else None,
    'server_tcpext_delta': {k: int(a.get(k, 0)) - int(b.get(k, 0)) for k in keys},
}))
PY
        podman rm -f -t 0 "$PREFIX-client" "$PREFIX-server" >/dev/null
    done
}

# ---- the accept queue -------------------------------------------------------
acceptq_part() {
    # case:somaxconn-setting:listen-backlog
    local cases=("somaxconn128:128:4096" "untuned:default:4096" "tuned:tuned:4096" "tuned-listen128:tuned:128")
    local spec
    for spec in "${cases[@]}"; do
        local name=${spec%%:*} rest=${spec#*:}
        local setting=${rest%%:*} backlog=${rest#*:}
        say "acceptq: $name (somaxconn $setting, listen($backlog)), burst of $BURST: fresh containers"
        start server
        start client
        local how="kernel defaults (nothing changed)"
        case "$setting" in
            128) podman exec "$PREFIX-server" sysctl -w net.core.somaxconn=128 >/dev/null
                 how="sysctl -w net.core.somaxconn=128 (the default before 5.4)" ;;
            tuned) tune_server "acceptq-$name" || { json_meta part=acceptq config="$name" status=not_run reason="role failed" >"$RAW/acceptq-$name.json"; continue; }
                   how=$server_tuned_by ;;
        esac
        podman exec "$PREFIX-server" timeout 130 python3 /bench/acceptq_server.py --port 8081 --backlog "$backlog" \
            --expect "$BURST" --seconds 110 --idle 40 >"$RAW/acceptq-$name.server" 2>"$LOG/acceptq-$name.server.err" &
        local spid=$! _try
        for _try in $(seq 1 50); do
            podman exec "$PREFIX-server" ss -Hlnt 'sport = :8081' | grep -q LISTEN && break
            sleep 0.2
        done
        local effective
        effective=$(podman exec "$PREFIX-server" ss -Hlnt 'sport = :8081' | awk 'NR == 1 { print $3 }')
        podman exec "$PREFIX-client" timeout 120 python3 /bench/acceptq_burst.py --host "$(ip_of server)" --port 8081 \
            --count "$BURST" --seconds 90 >"$RAW/acceptq-$name.client" 2>"$LOG/acceptq-$name.client.err" || true
        wait "$spid" || true
        python3 - "$RAW/acceptq-$name.server" "$RAW/acceptq-$name.client" "$name" "$how" "$effective" \
            >"$RAW/acceptq-$name.json" <<'PY'
import json, sys
srv, cli, name, how, eff = sys.argv[1:]
d = {'part': 'acceptq', 'config': name, 'status': 'ok', 'applied': how,
     'ss_send_q': int(eff) if eff else None}
d['server'] = json.load(open(srv))
d['client'] = json.load(open(cli))
print(json.dumps(d))
PY
        rm -f "$RAW/acceptq-$name.server" "$RAW/acceptq-$name.client"
        podman rm -f -t 0 "$PREFIX-client" "$PREFIX-server" >/dev/null
    done
}

# Keep an earlier run's meta.json only when asked to keep raw results.
if ! { [ "${BENCH_KEEP_RAW:-0}" = 1 ] && [ -f "$RAW/meta.json" ]; }; then
    json_meta part=meta date="$(date -u +%FT%TZ)" kernel="$(uname -r)" cores="$(nproc)" \
        cpu="$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)" \
        podman="$(podman --version | awk '{ print $3 }')" image="$IMAGE" \
        nginx="$(podman run --rm "$IMAGE" nginx -v 2>&1 | sed 's/.*nginx\///')" \
        count="$COUNT" seconds="$LIMIT_S" ab_n="$AB_N" ab_c="$AB_C" burst="$BURST" \
        command="make bench-effect" >"$RAW/meta.json"
fi

for part in $PARTS; do
    started=$(date -u +%FT%TZ) load0=$(cut -d' ' -f1-3 /proc/loadavg)
    case "$part" in
        storm) storm_part ;;
        ab) ab_part ;;
        acceptq) acceptq_part ;;
        *) say "unknown part $part"; exit 2 ;;
    esac
    json_meta part=when name="$part" started="$started" ended="$(date -u +%FT%TZ)" \
        loadavg_start="$load0" loadavg_end="$(cut -d' ' -f1-3 /proc/loadavg)" >"$RAW/when-$part.json"
done

"$root/.venv/bench/bin/python" "$here/report.py" --raw "$RAW" --out "$OUT"
say "done: $OUT/effect.md, effect.png, effect.json"
if [ "$vm_part" = 1 ]; then
    "$here/vm.sh"
fi
