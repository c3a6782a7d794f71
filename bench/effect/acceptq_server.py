#!/usr/bin/env python
"""Accept-queue case, server side: listen with a given backlog and accept
SLOWLY (one connection per --accept-delay seconds), as an application busy
elsewhere does. Each accepted connection: read the client's one-line
request, answer one byte, close.

The kernel caps the backlog passed to listen() at net.core.somaxconn
(__sys_listen: backlog = min(backlog, somaxconn)); when the accept queue is
full, the handshake's last ACK and new SYNs are dropped and TcpExt
ListenOverflows/ListenDrops count up in this network namespace; the client
retransmits its SYN after 1 s, 3 s, 7 s... which is the stall users see.

Bounded: stops after --expect connections, after --seconds, or after --idle
seconds without a new connection once the first one came. Standard library
only; prints one JSON document: settings, accepted, TcpExt deltas read from
/proc/net/netstat of this (the server's) network namespace.
"""
import argparse
import json
import socket
import sys
import time

from tcpext import tcpext


def sysctl(key):
    with open('/proc/sys/' + key.replace('.', '/')) as f:
        return int(f.read().split()[0])


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--port', type=int, default=8081)
    p.add_argument('--backlog', type=int, default=4096)
    p.add_argument('--accept-delay', type=float, default=0.002)
    p.add_argument('--expect', type=int, default=2000)
    p.add_argument('--seconds', type=float, default=90.0)
    p.add_argument('--idle', type=float, default=20.0)
    a = p.parse_args()
    before = tcpext()
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(('0.0.0.0', a.port))
    ls.listen(a.backlog)
    somaxconn = sysctl('net.core.somaxconn')
    sys.stderr.write('listening on %d backlog %d (somaxconn %d)\n' % (a.port, a.backlog, somaxconn))
    sys.stderr.flush()
    ls.settimeout(1.0)
    start = time.monotonic()
    first = last = None
    accepted = 0
    while accepted < a.expect:
        now = time.monotonic()
        if now - start > a.seconds or (last is not None and now - last > a.idle):
            break
        try:
            c = ls.accept()[0]
        except socket.timeout:
            continue
        last = time.monotonic()
        if first is None:
            first = last
        accepted += 1
        try:
            c.settimeout(2.0)
            c.recv(64)          # the request: unread data at close() would send a RST
            c.sendall(b'x')
        except OSError:
            pass
        c.close()
        time.sleep(a.accept_delay)
    ls.close()
    after = tcpext()
    keys = ('ListenOverflows', 'ListenDrops', 'TCPReqQFullDrop', 'TCPReqQFullDoCookies', 'SyncookiesSent')
    json.dump({
        'backlog_asked': a.backlog, 'somaxconn': somaxconn,
        'backlog_effective': min(a.backlog, somaxconn),
        'tcp_max_syn_backlog': sysctl('net.ipv4.tcp_max_syn_backlog'),
        'accept_delay_s': a.accept_delay, 'accepted': accepted,
        'accepting_s': round((last - first), 3) if first else None,
        'tcpext_delta': dict((k, after.get(k, 0) - before.get(k, 0)) for k in keys),
    }, sys.stdout)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
