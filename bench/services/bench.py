# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""make bench-services: the cost of tcp_limits.services with one service holding many sockets.

One holder process opens a listener and N/2 loopback connections to it (N sockets with the accepted
ends, plus the listener); with --workers W it forks W workers sharing the listener (as nginx's do),
each holding N/W of them. Then the services view is gathered in a fresh process, RUNS times, and
the gather without it for comparison. Run inside a network namespace of its own (run.sh). Prints JSON.
"""

from __future__ import absolute_import, division, print_function

import argparse
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import time

GATHER = r'''
import json, sys, time
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.inet_diag import listeners_and_established
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.services import services
t = time.monotonic(); listeners_and_established(); diag = time.monotonic() - t
t = time.monotonic(); view = services('/', [], budget=float(sys.argv[1])); took = time.monotonic() - t
print(json.dumps({'seconds': took, 'diag_seconds': diag, 'complete': view['complete'], 'notes': view['notes'],
                  'listeners': len(view['listeners']),
                  'fds': [p['fds'] for p in view['processes']],
                  'established': [l['established'] for l in view['listeners']],
                  'owners': [len(l['pids']) for l in view['listeners']]}))
'''


LISTEN_PORT = 9999
FIRST_CLIENT_PORT = 10000        # up to 60,000 clients below 65536


def connect_pairs(server, pairs, first_port):
    """pairs loopback connections to server, both ends kept: the list of sockets to hold."""
    port = server.getsockname()[1]
    held = []
    started = time.monotonic()
    for n in range(pairs):
        # Each client on a port of its own: connect()'s search for a free ephemeral port walks the used
        # ones (__inet_hash_connect, one parity first), which slows to a crawl once half the range is taken.
        client = socket.socket()
        client.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        client.bind(('127.0.0.1', first_port + n))
        client.connect(('127.0.0.1', port))
        # With workers sharing the listener, accept() may return another worker's connection: every
        # worker connects before it accepts, so there is always one to take.
        conn, dummy = server.accept()
        held.extend((client, conn))
        if n and n % 10000 == 0:
            sys.stderr.write('holder %d: %d sockets after %.0f s\n' % (os.getpid(), 2 * n, time.monotonic() - started))
    return held


def hold(n_sockets, ready_fd, workers):
    """The holder: a listener and n_sockets connected sockets (both ends), kept open until killed.

    With workers > 1 the listener's process forks that many workers which share it, as nginx's do, and
    each holds its share of the sockets (each under this machine's hard nofile)."""
    pairs = -(-n_sockets // (2 * workers))     # per process, rounded up: at least n_sockets in all
    need = 2 * pairs + 1000
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (need, need))   # root: up to fs.nr_open
    else:
        resource.setrlimit(resource.RLIMIT_NOFILE, (need, hard))
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)     # the last run's TIME_WAIT on this port
    server.bind(('127.0.0.1', LISTEN_PORT))
    server.listen(4096)
    port = server.getsockname()[1]
    held = []
    if workers == 1:
        held.extend(connect_pairs(server, pairs, FIRST_CLIENT_PORT))
    else:
        ready_r, ready_w = os.pipe()
        for worker in range(workers):
            if os.fork() == 0:
                os.close(ready_r)
                held.extend(connect_pairs(server, pairs, FIRST_CLIENT_PORT + worker * pairs))
                os.write(ready_w, b'.')
                time.sleep(3600)
                os._exit(0)
        os.close(ready_w)
        for dummy in range(workers):
            os.read(ready_r, 1)
    os.write(ready_fd, b'%d\n' % port)
    time.sleep(3600)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--sockets', type=int, default=100000)
    parser.add_argument('--runs', type=int, default=5)
    parser.add_argument('--budget', type=float, default=0.3)
    parser.add_argument('--workers', type=int, default=1,
                        help='processes sharing the listener, each holding SOCKETS / WORKERS sockets')
    parser.add_argument('--hold', action='store_true', help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.hold:
        hold(opts.sockets, 1, opts.workers)
        return
    started = time.monotonic()
    # A session of its own: the holder and its workers are killed together, also on failure.
    holder = subprocess.Popen([sys.executable, __file__, '--hold', '--sockets', str(opts.sockets),
                               '--workers', str(opts.workers)], stdout=subprocess.PIPE, preexec_fn=os.setsid)
    try:
        port = int(holder.stdout.readline())
        setup = time.monotonic() - started
        runs = []
        for dummy in range(opts.runs):
            out = subprocess.check_output([sys.executable, '-c', GATHER, str(opts.budget)])
            runs.append(json.loads(out))
    finally:
        os.killpg(holder.pid, signal.SIGKILL)
        holder.wait()
    seconds = sorted(r['seconds'] for r in runs)
    diag = sorted(r['diag_seconds'] for r in runs)
    print(json.dumps({'sockets': opts.sockets, 'workers': opts.workers, 'holder_port': port, 'setup_seconds': round(setup, 1),
                      'runs': len(runs), 'median_seconds': round(seconds[len(seconds) // 2], 3),
                      'max_seconds': round(seconds[-1], 3),
                      'median_inet_diag_seconds': round(diag[len(diag) // 2], 3), 'complete': all(r['complete'] for r in runs),
                      'holder_fds': max(max([f for f in r['fds'] if f is not None] or [0]) for r in runs),
                      'established_on_port': max(max(r['established'] or [0]) for r in runs),
                      'listener_owners': min(max(r['owners'] or [0]) for r in runs),
                      'notes': runs[-1]['notes']}, indent=1))


if __name__ == '__main__':
    main()
