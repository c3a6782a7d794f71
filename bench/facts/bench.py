#!/usr/bin/env python
"""How long netlimits.tcp.tcp_limits_facts takes to gather, with 0 to 50,000 TCP sockets.

Standard library only. Run by bench/facts/run.sh INSIDE a network namespace
that run.sh created (sockstat and /proc/net/tcp are per network namespace):
every socket here is on 127.0.0.1 of that namespace, nothing leaves it.

What is timed
-------------
- ``gather('/')`` with the default options (what a play pays per host for
  the facts, without Ansible): --runs runs after --warmup runs, median and
  p95, with no sockets and again with the most sockets.
- ``gather('/', connections=True)`` at each socket count of --levels: the
  only part whose cost grows with the number of sockets (it walks
  /proc/net/tcp and tcp6). The cost per 10,000 sockets is the least-squares
  slope of the median time over the sockets it scanned, in CPU time (user +
  system of the timing process: what the host pays, and what moves least
  when other jobs share the machine) and in wall-clock time.
- The whole module as a process, ``python -m
  ansible_collections.netlimits.tcp.plugins.modules.tcp_limits_facts ARGS``
  (interpreter start, ansible's module_utils, gather, JSON out): what
  Ansible pays on the managed host apart from the connection and the
  AnsiballZ unpacking.

Sockets
-------
This machine's hard RLIMIT_NOFILE is 20,000 per process and without
CAP_SYS_RESOURCE no process can raise its hard limit. So the sockets are
held by several holder processes (this file with --hold), each raising its
soft limit to its hard limit and holding up to --pairs-per-holder connected
pairs (client + accepted server socket = 2 sockets) on a listener of its
own. A holder keeps its sockets until its stdin closes or --hold-seconds
pass, then closes them with SO_LINGER 0 (a reset, so no TIME_WAIT socket is
left to count at the next level). Every connect has a timeout; every loop
is bounded in count; the whole run has a deadline (--deadline-seconds).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import select
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
MODULE = 'ansible_collections.netlimits.tcp.plugins.modules.tcp_limits_facts'


# ---- holder process ---------------------------------------------------------

def hold(pairs, hold_seconds, batch=256):
    """Open `pairs` connected loopback pairs, print 'ready N', hold them, then reset them."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(('127.0.0.1', 0))
    listener.listen(batch * 2)
    address = listener.getsockname()
    keep = []
    error = None
    try:
        while len(keep) < 2 * pairs:
            clients = []
            for dummy in range(min(batch, pairs - len(keep) // 2)):
                client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                client.settimeout(5)
                client.connect(address)
                clients.append(client)
            listener.settimeout(5)
            for client in clients:
                server, dummy = listener.accept()
                keep += [client, server]
    except OSError as exc:  # EMFILE, EADDRNOTAVAIL, timeout: report what was reached
        error = '%s: %s' % (type(exc).__name__, exc)
    print(json.dumps({'ready': len(keep) // 2, 'sockets': len(keep), 'error': error,
                      'nofile': list(resource.getrlimit(resource.RLIMIT_NOFILE))}), flush=True)
    # Hold until the parent closes our stdin, or hold_seconds at most.
    select.select([sys.stdin], [], [], hold_seconds)
    linger = struct.pack('ii', 1, 0)
    for sock in keep:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
        except OSError:
            pass
        sock.close()
    listener.close()


class Holders:
    """Holder processes holding `sockets` loopback sockets between them."""

    def __init__(self, sockets, pairs_per_holder, hold_seconds):
        self.procs = []
        self.reports = []
        pairs = sockets // 2
        start = time.monotonic()
        while pairs > 0:
            n = min(pairs, pairs_per_holder)
            proc = subprocess.Popen(
                [sys.executable, os.path.abspath(__file__), '--hold', str(n),
                 '--hold-seconds', str(hold_seconds)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            self.procs.append(proc)
            line = proc.stdout.readline()  # the holder's connects time out by themselves
            report = json.loads(line) if line else {'ready': 0, 'sockets': 0, 'error': 'no report'}
            self.reports.append(report)
            if report['ready'] != n:
                self.close()
                raise RuntimeError('holder opened %s of %s pairs: %s' % (report['ready'], n, report['error']))
            pairs -= n
        self.seconds = time.monotonic() - start

    def close(self):
        for proc in self.procs:
            if proc.stdin and not proc.stdin.closed:
                proc.stdin.close()
        for proc in self.procs:
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.procs = []


def wait_sockets_gone(limit, seconds=30):
    """Wait until /proc/net/sockstat shows at most `limit` TCP sockets in use and in TIME_WAIT."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with open('/proc/net/sockstat') as handle:
            for line in handle:
                if line.startswith('TCP:'):
                    fields = line.split()
                    values = dict(zip(fields[1::2], (int(v) for v in fields[2::2])))
            if values.get('inuse', 0) + values.get('tw', 0) <= limit:
                return values
        time.sleep(0.2)
    return values


# ---- timing -----------------------------------------------------------------

def percentile(values, pct):
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, int(round(pct / 100.0 * len(ordered) + 0.499999)))
    return ordered[min(rank, len(ordered)) - 1]


def summary(times_s, cpu_s=None):
    """Wall-clock statistics in ms; with cpu_s, the median CPU time (user + system) too.

    CPU time is what the host pays and moves little when other jobs share the
    machine; wall time is what a play waits, and grows with the load.
    """
    ms = [t * 1000.0 for t in times_s]
    result = {
        'runs': len(ms),
        'median_ms': round(statistics.median(ms), 3),
        'p95_ms': round(percentile(ms, 95), 3),
        'min_ms': round(min(ms), 3),
        'max_ms': round(max(ms), 3),
    }
    if cpu_s is not None:
        cpu_ms = [t * 1000.0 for t in cpu_s]
        result['cpu_median_ms'] = round(statistics.median(cpu_ms), 3)
        result['cpu_p95_ms'] = round(percentile(cpu_ms, 95), 3)
    return result


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_gather(gather, runs, warmup, **kwargs):
    result = None
    for dummy in range(warmup):
        result = gather('/', **kwargs)
    times, cpu = [], []
    for dummy in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = gather('/', **kwargs)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return summary(times, cpu), result


def time_module_process(runs, warmup, args):
    """Wall time of `python -m MODULE ARGS_FILE`, the module's whole process."""
    with tempfile.NamedTemporaryFile('w', suffix='.json', delete=False) as handle:
        json.dump({'ANSIBLE_MODULE_ARGS': args}, handle)
        path = handle.name
    try:
        times, cpu = [], []
        out = None
        for i in range(warmup + runs):
            start, start_cpu = time.perf_counter(), children_cpu()
            proc = subprocess.run([sys.executable, '-m', MODULE, path], capture_output=True, text=True, timeout=120, check=False)
            elapsed = time.perf_counter() - start
            elapsed_cpu = children_cpu() - start_cpu
            if proc.returncode != 0:
                raise RuntimeError('module failed (rc %s): %s %s' % (proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:]))
            out = json.loads(proc.stdout)
            if i >= warmup:
                times.append(elapsed)
                cpu.append(elapsed_cpu)
        return summary(times, cpu), out
    finally:
        os.unlink(path)


def time_raw_reads(runs, paths=('/proc/net/tcp', '/proc/net/tcp6')):
    """Reading the files without parsing them: what the kernel costs."""
    times, cpu = [], []
    for dummy in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        for path in paths:
            with open(path, 'rb') as handle:
                while handle.read(1 << 20):
                    pass
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return summary(times, cpu)


def time_process(runs, argv):
    """Wall time of a process (interpreter start-up, imports)."""
    times, cpu = [], []
    for dummy in range(runs):
        start, start_cpu = time.perf_counter(), children_cpu()
        subprocess.run(argv, check=True, timeout=60)
        times.append(time.perf_counter() - start)
        cpu.append(children_cpu() - start_cpu)
    return summary(times, cpu)


def slope_per_10k(points):
    """Least-squares slope of (sockets_scanned, ms) in ms per 10,000 sockets, and the intercept in ms."""
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    return slope * 10000.0, my - slope * mx


def read_int(path):
    try:
        with open(path) as handle:
            return int(handle.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def machine():
    with open('/proc/loadavg') as handle:
        load = handle.read().split()[:3]
    with open('/proc/meminfo') as handle:
        mem = handle.readline().split()[1]
    try:
        from ansible.release import __version__ as ansible_core
    except ImportError:
        ansible_core = None
    return {
        'ansible_core': ansible_core,
        'cpus': os.cpu_count(),
        'kernel': platform.release(),
        'python': platform.python_version(),
        'mem_total_kib': int(mem),
        'loadavg_1_5_15': [float(x) for x in load],
        'nofile_soft_hard': list(resource.getrlimit(resource.RLIMIT_NOFILE)),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--hold', type=int, help=argparse.SUPPRESS)
    parser.add_argument('--hold-seconds', type=float, default=900)
    parser.add_argument('--levels', default='0,10000,25000,50000', help='socket counts for connections=true')
    parser.add_argument('--runs', type=int, default=30, help='timed runs of the default gather')
    parser.add_argument('--conn-runs', type=int, default=15, help='timed runs of connections=true per level')
    parser.add_argument('--module-runs', type=int, default=20, help='timed runs of the module process')
    parser.add_argument('--warmup', type=int, default=3)
    parser.add_argument('--pairs-per-holder', type=int, default=9000,
                        help='connected pairs per holder process (2 fds each; hard nofile is per process)')
    parser.add_argument('--deadline-seconds', type=float, default=900)
    parser.add_argument('--out', help='write the JSON here too')
    opts = parser.parse_args()
    if opts.hold is not None:
        hold(opts.hold, opts.hold_seconds)
        return 0

    from ansible_collections.netlimits.tcp.plugins.module_utils._facts.gather import gather

    deadline = time.monotonic() + opts.deadline_seconds
    levels = [int(x) for x in opts.levels.split(',')]
    hold_seconds = min(opts.hold_seconds, opts.deadline_seconds)
    started = time.time()
    result = {
        'benchmark': 'tcp_limits_facts gather cost (make bench-facts)',
        'date': time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(started)),
        'machine_start': machine(),
        'netns_self': os.readlink('/proc/self/ns/net'),
        # /proc/net/tcp walks the whole established hash table (shared by every
        # namespace unless tcp_child_ehash_entries is set); its default
        # tcp_max_tw_buckets is half its size.
        'tcp_max_tw_buckets': read_int('/proc/sys/net/ipv4/tcp_max_tw_buckets'),
        'tcp_child_ehash_entries': read_int('/proc/sys/net/ipv4/tcp_child_ehash_entries'),
        'pairs_per_holder': opts.pairs_per_holder,
        'levels': [],
    }
    baseline = wait_sockets_gone(0, seconds=5)
    result['sockstat_at_start'] = baseline

    # Default options, no sockets.
    stats, facts = time_gather(gather, opts.runs, opts.warmup)
    result['default_gather_0_sockets'] = dict(stats, sockets_tcp_inuse=facts['sockets']['tcp']['inuse'])
    print('default gather, 0 sockets: %s' % stats, file=sys.stderr)

    # The module process, default options, no sockets.
    stats, out = time_module_process(opts.module_runs, 2, {})
    result['module_process_0_sockets'] = dict(stats, sockets=0, changed=out.get('changed'))
    print('module process, 0 sockets: %s' % stats, file=sys.stderr)

    # What the module process pays before it reads anything.
    result['python_start'] = time_process(opts.module_runs, [sys.executable, '-c', 'pass'])
    result['python_import_module_utils_basic'] = time_process(
        opts.module_runs, [sys.executable, '-c', 'import ansible.module_utils.basic'])

    wall_points, cpu_points = [], []
    for level in levels:
        if time.monotonic() > deadline:
            result['stopped'] = 'deadline before level %d' % level
            break
        holders = Holders(level, opts.pairs_per_holder, hold_seconds)
        try:
            entry = {'sockets_requested': level, 'holders': len(holders.procs),
                     'setup_seconds': round(holders.seconds, 2),
                     'holder_reports': holders.reports}
            stats, facts = time_gather(gather, opts.conn_runs, 1, connections=True)
            conn = facts['sockets']['connections']
            entry['connections_gather'] = stats
            entry['read_proc_net_tcp_tcp6'] = time_raw_reads(opts.conn_runs)
            entry['sockets_scanned'] = conn['sockets_scanned']
            entry['states'] = conn['states']
            entry['sockstat_tcp'] = facts['sockets']['tcp']
            wall_points.append((conn['sockets_scanned'], stats['median_ms']))
            cpu_points.append((conn['sockets_scanned'], stats['cpu_median_ms']))
            if level == max(levels):
                stats, facts = time_gather(gather, opts.runs, opts.warmup)
                result['default_gather_max_sockets'] = dict(stats, sockets=level)
                stats, out = time_module_process(opts.module_runs, 1, {})
                result['module_process_max_sockets'] = dict(stats, sockets=level)
                stats, out = time_module_process(max(5, opts.module_runs // 2), 1, {'connections': True})
                result['module_process_connections_max_sockets'] = dict(
                    stats, sockets=level,
                    sockets_scanned=out['ansible_facts']['tcp_limits']['sockets']['connections']['sockets_scanned'])
            print('level %d: %s' % (level, {k: entry[k] for k in ('sockets_scanned', 'connections_gather', 'setup_seconds')}),
                  file=sys.stderr)
        finally:
            holders.close()
        entry['sockstat_after_close'] = wait_sockets_gone(0, seconds=30)
        result['levels'].append(entry)

    if len(wall_points) >= 2:
        per_10k, intercept = slope_per_10k(cpu_points)
        result['connections_cpu_ms_per_10k_sockets'] = round(per_10k, 2)
        result['connections_cpu_intercept_ms'] = round(intercept, 2)
        per_10k, intercept = slope_per_10k(wall_points)
        result['connections_wall_ms_per_10k_sockets'] = round(per_10k, 2)
        result['connections_wall_intercept_ms'] = round(intercept, 2)
    result['machine_end'] = machine()
    result['seconds'] = round(time.time() - started, 1)
    text = json.dumps(result, indent=2, sort_keys=False)
    if opts.out:
        with open(opts.out + '.tmp', 'w') as handle:
            handle.write(text + '\n')
        os.replace(opts.out + '.tmp', opts.out)
    print(text)
    return 0


if __name__ == '__main__':
    sys.exit(main())
