#!/usr/bin/env bash
# QEMU VMs for the `vm` molecule scenario (images from build-vm-image.sh).
#
#   vm.sh start NAME SUITE DIR PUBKEY   boot a VM on a copy-on-write overlay of the SUITE image;
#                                       prints its SSH port (also in DIR/NAME.port)
#   vm.sh wait NAME DIR KEY [SECONDS]   until `ssh fleet@127.0.0.1 -p PORT` works (default 420 s);
#                                       on failure: which VM, why, and its serial console's tail
#   vm.sh stop NAME DIR                 stop the VM by its own pid, remove its overlay
#   vm.sh stop-all DIR                  every VM with a pid file in DIR (the harness' trap)
#   vm.sh ssh NAME DIR KEY [COMMAND]    log in as fleet (debugging)
#
# DIR holds per VM: NAME.qcow2 (overlay), NAME.pid, NAME.port, NAME.console (serial log),
# and NAME.port-N for each guest port N of NETLIMITS_VM_FORWARD (e.g. "80").
# Emulation (TCG) always: on these machines /dev/kvm exists but a nested KVM guest never
# prints a line (docs/testing.md). NETLIMITS_VM_SMP / NETLIMITS_VM_MEM override -smp 2 / -m 1024.
# Network: QEMU user mode; only 127.0.0.1:PORT is forwarded to the VM's port 22 (and
# NETLIMITS_VM_FORWARD's ports). NETLIMITS_VM_TAP=IFNAME adds a second NIC on a tap device (MAC
# 52:54:00:4e:4c:02) for a caller that puts it in a network namespace of its own.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/harness/env.sh
. "$here/env.sh"

die() { echo "vm.sh: $*" >&2; exit 1; }
TAP_MAC=52:54:00:4e:4c:02

ssh_opts() {  # ssh_opts KEY PORT: a plain OpenSSH client, no config, no agent, no control master
    printf '%s\n' -F /dev/null -i "$1" -p "$2" -o IdentitiesOnly=yes -o BatchMode=yes \
        -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR \
        -o ControlPath=none -o ConnectTimeout=15
}

console_tail() {  # console_tail DIR NAME
    local log="$1/$2.console"
    if [ -s "$log" ]; then
        echo "---- last 40 lines of $2's serial console ($log):"
        tail -n 40 "$log" | tr -d '\r' | sed 's/\x1b\[[0-9;?]*[A-Za-z]//g'
        echo "----"
    else
        echo "---- $2's serial console ($log) is empty or missing"
    fi
}

alive() {  # alive DIR NAME: the pid in NAME.pid is a QEMU running this VM's overlay
    local pid
    pid=$(cat "$1/$2.pid" 2>/dev/null) || return 1
    [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$1/$2.qcow2"
}

free_port() {
    local port
    for _ in $(seq 50); do
        port=$(( 20000 + RANDOM % 30000 ))
        if ! ss -Htln "sport = :$port" | grep -q .; then
            echo "$port"
            return 0
        fi
    done
    return 1
}

cmd_start() {
    local name=${1:?NAME} suite=${2:?SUITE} dir=${3:?DIR} pubkey=${4:?PUBKEY}
    local image="$NETLIMITS_CACHE/vm-images/$suite" port key err fwd hp guest e extra tap
    [ -f "$image/id" ] || "$here/build-vm-image.sh" "$suite" >&2
    [ -r "$pubkey" ] || die "$name: no public key $pubkey"
    command -v qemu-system-x86_64 >/dev/null || die "$name: qemu-system-x86_64 is not installed (tests/harness/setup-host.sh installs it)"
    mkdir -p "$dir"
    if alive "$dir" "$name"; then die "$name: already running (pid $(cat "$dir/$name.pid"))"; fi
    rm -f "$dir/$name.pid" "$dir/$name.port" "$dir/$name.port-"* "$dir/$name.console" "$dir/$name.qcow2"
    qemu-img create -q -f qcow2 -F raw -b "$image/disk.img" "$dir/$name.qcow2"
    key=$(base64 -w0 "$pubkey")
    # NETLIMITS_VM_TAP=IFNAME: a second NIC (MAC $TAP_MAC) on a tap device of that name, which the caller
    # moves into a network namespace of its own (bench/effect/vm.sh: traffic without QEMU's user-mode NAT)
    tap=()
    if [ -n "${NETLIMITS_VM_TAP:-}" ]; then
        tap=(-netdev "tap,id=n1,ifname=$NETLIMITS_VM_TAP,script=no,downscript=no" -device "virtio-net-pci,netdev=n1,mac=$TAP_MAC")
    fi
    for _ in 1 2 3 4 5; do
        port=$(free_port) || die "$name: no free port on 127.0.0.1"
        # More guest ports to forward from 127.0.0.1 (NETLIMITS_VM_FORWARD="80 ..."; a benchmark's).
        fwd="hostfwd=tcp:127.0.0.1:$port-:22"
        extra=()
        for guest in ${NETLIMITS_VM_FORWARD:-}; do
            hp=$(free_port) || die "$name: no free port on 127.0.0.1"
            fwd="$fwd,hostfwd=tcp:127.0.0.1:$hp-:$guest"
            extra+=("$guest=$hp")
        done
        # -daemonize: QEMU reports a bad option or a taken port before it detaches.
        if err=$(qemu-system-x86_64 -name "netlimits-$name" -no-user-config -nodefaults \
            -machine pc -accel tcg,thread=multi -smp "${NETLIMITS_VM_SMP:-2}" -m "${NETLIMITS_VM_MEM:-1024}" \
            -kernel "$image/vmlinuz" -initrd "$image/initrd.img" \
            -append "root=/dev/vda rw console=ttyS0 loglevel=4 netlimits.authorized_key=$key" \
            -drive "file=$dir/$name.qcow2,if=virtio,format=qcow2,cache=unsafe" \
            -netdev "user,id=n0,$fwd" -device virtio-net-pci,netdev=n0 "${tap[@]}" \
            -display none -serial "file:$dir/$name.console" -monitor none \
            -pidfile "$dir/$name.pid" -daemonize 2>&1); then
            echo "$port" >"$dir/$name.port"
            for e in "${extra[@]}"; do echo "${e#*=}" >"$dir/$name.port-${e%%=*}"; done
            echo "$port"
            return 0
        fi
        case $err in *"host forwarding"*|*"in use"*) continue ;; esac
        die "$name: QEMU did not start: $err"
    done
    die "$name: QEMU did not start (no free forwarding port after 5 tries): $err"
}

cmd_wait() {
    local name=${1:?NAME} dir=${2:?DIR} key=${3:?KEY} timeout=${4:-420} port start opts
    port=$(cat "$dir/$name.port" 2>/dev/null) || die "$name: not started (no $dir/$name.port)"
    mapfile -t opts < <(ssh_opts "$key" "$port")
    start=$SECONDS
    while :; do
        if ! alive "$dir" "$name"; then
            echo "vm.sh: $name: QEMU exited while booting" >&2
            console_tail "$dir" "$name" >&2
            exit 1
        fi
        if ssh "${opts[@]}" fleet@127.0.0.1 true 2>/dev/null; then
            echo "$name: SSH as fleet on 127.0.0.1:$port after $((SECONDS - start)) s"
            return 0
        fi
        if [ $((SECONDS - start)) -ge "$timeout" ]; then
            echo "vm.sh: $name: no SSH login as fleet on 127.0.0.1:$port within $timeout s (QEMU pid $(cat "$dir/$name.pid") still running)" >&2
            console_tail "$dir" "$name" >&2
            exit 1
        fi
        sleep 3
    done
}

cmd_stop() {
    local name=${1:?NAME} dir=${2:?DIR} pid
    if alive "$dir" "$name"; then
        pid=$(cat "$dir/$name.pid")
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 50); do
            alive "$dir" "$name" || break
            sleep 0.2
        done
        if alive "$dir" "$name"; then kill -KILL "$pid" 2>/dev/null || true; sleep 0.5; fi
        echo "$name: stopped (pid $pid)"
    fi
    rm -f "$dir/$name.pid" "$dir/$name.qcow2"
}

cmd_stop_all() {
    local dir=${1:?DIR} f
    [ -d "$dir" ] || return 0
    for f in "$dir"/*.pid; do
        [ -e "$f" ] || continue
        f=${f##*/}
        cmd_stop "${f%.pid}" "$dir"
    done
}

cmd_ssh() {
    local name=${1:?NAME} dir=${2:?DIR} key=${3:?KEY} port opts
    shift 3
    port=$(cat "$dir/$name.port") || die "$name: not started"
    mapfile -t opts < <(ssh_opts "$key" "$port")
    exec ssh "${opts[@]}" fleet@127.0.0.1 "$@"
}

action=${1:-}
shift || true
case $action in
    start) cmd_start "$@" ;;
    wait) cmd_wait "$@" ;;
    stop) cmd_stop "$@" ;;
    stop-all) cmd_stop_all "$@" ;;
    ssh) cmd_ssh "$@" ;;
    *) die "usage: vm.sh start|wait|stop|stop-all|ssh ... (see the header of tests/harness/vm.sh)" ;;
esac
