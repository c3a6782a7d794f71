#!/usr/bin/env python
"""Connection storm: many short HTTP connections to ONE server ip:port, the
client closing first, so that every connection leaves a TIME_WAIT socket on
the CLIENT. Standard library only; runs inside the client container (its own
network namespace) and prints one JSON document on stdout.

Why this behaves like a real client that closes first
-----------------------------------------------------
Per connection it does what an HTTP/1.1 client without a connection pool does:

1. ``connect()`` to the server without ``bind()``: the kernel picks the source
   port from ``net.ipv4.ip_local_port_range`` exactly as for any client
   (``__inet_hash_connect``), including the ``tcp_tw_reuse`` check on ports
   whose 4-tuple is in TIME_WAIT. ``EADDRNOTAVAIL`` (errno 99) is what any
   client gets when no port is free for this destination.
2. Sends ``GET / HTTP/1.1`` **without** ``Connection: close``. HTTP/1.1 is
   keep-alive by default, so after answering, the server (nginx,
   ``keepalive_timeout 65``) keeps the connection open and waits for the next
   request. (With ``Connection: close`` or HTTP/1.0 - what ``ab`` sends - nginx
   would close first and the TIME_WAIT would land on the SERVER instead.)
3. Reads the whole response: the headers, then exactly ``Content-Length``
   bytes of body, as a client must before it may reuse or drop the connection.
4. ``close()``: the client sends the first FIN. The side that closes first
   goes FIN_WAIT_1 -> FIN_WAIT_2 -> TIME_WAIT and holds the 4-tuple for
   TCP_TIMEWAIT_LEN (60 s); nginx, reading EOF, closes its side from
   CLOSE_WAIT via LAST_ACK without a TIME_WAIT. The benchmark checks this:
   the ``tw`` count of /proc/net/sockstat is sampled here (client netns) once
   per second, and the runner reads the server's after every storm.

No ``SO_LINGER``/``SO_REUSEADDR``/``IP_BIND_ADDRESS_NO_PORT`` tricks: the
result is what the kernel's settings give an ordinary client.

Concurrency: ``--concurrency N`` runs N threads each doing the loop above
(blocking sockets; the GIL is released in every system call). The run stops
by itself after ``--count`` completed connections or ``--seconds`` seconds,
whichever comes first. A failed attempt is counted by errno (or ``timeout``
or ``short_response``), the thread sleeps ``--backoff`` seconds (default
10 ms, so a full port range does not turn into a busy loop) and tries again:
as a client that retries would. ``first_error_at`` is the number of completed
connections when the first error happened.

Output: the settings in effect (sysctls read from /proc/sys), totals, errors
by errno, and a time series with one sample per second: seconds since start,
connections completed so far, errors so far, sockstat ``tw``, and the CPU
time this process has used (user and system, all threads). CPU per connection
does not depend on what else the machine is doing, unlike connections per
second: it shows the kernel's source-port search getting longer as the port
range fills (system time spent inside ``connect()``).
"""

import argparse
import errno
import json
import os
import socket
import sys
import threading
import time

from tcpext import tcpext

SYSCTLS = (
    'net.ipv4.ip_local_port_range', 'net.ipv4.ip_local_reserved_ports',
    'net.ipv4.tcp_tw_reuse', 'net.ipv4.tcp_timestamps', 'net.ipv4.tcp_fin_timeout',
    'net.ipv4.tcp_max_tw_buckets', 'net.core.somaxconn', 'net.ipv4.tcp_tw_reuse_delay',
)
COUNTERS = ('TW', 'TWRecycled', 'TCPTimeWaitOverflow', 'ListenOverflows', 'ListenDrops')


def read_sysctls():
    out = {}
    for key in SYSCTLS:
        try:
            with open('/proc/sys/' + key.replace('.', '/')) as f:
                out[key] = ' '.join(f.read().split())
        except OSError:
            out[key] = None
    return out


def sockstat_tw():
    """TIME_WAIT sockets in this network namespace (O(1) to read)."""
    with open('/proc/net/sockstat') as f:
        for line in f:
            if line.startswith('TCP:'):
                fields = line.split()
                return int(fields[fields.index('tw') + 1])
    return None


class Storm(object):
    def __init__(self, host, port, count, seconds, backoff, timeout):
        self.addr = (host, port)
        self.request = ('GET / HTTP/1.1\r\nHost: %s\r\nUser-Agent: netlimits-storm\r\n'
                        'Accept: */*\r\n\r\n' % host).encode('ascii')
        self.tickets = count          # connections still to complete
        self.lock = threading.Lock()
        self.seconds = seconds
        self.backoff = backoff
        self.timeout = timeout
        self.deadline = None
        self.done = []                # per thread: completed connections
        self.errors = {}              # label -> count (under lock)
        self.first_error_at = None
        self.stop = threading.Event()

    def one(self):
        """One connection; returns None on success or an error label."""
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            s.settimeout(self.timeout)
            s.connect(self.addr)
            s.sendall(self.request)
            buf = b''
            while b'\r\n\r\n' not in buf:
                chunk = s.recv(65536)
                if not chunk:
                    return 'short_response'
                buf += chunk
            head, body = buf.split(b'\r\n\r\n', 1)
            length = None
            for line in head.split(b'\r\n')[1:]:
                name, sep, value = line.partition(b':')
                if sep and name.strip().lower() == b'content-length':
                    length = int(value.strip())
            if length is None:
                return 'no_content_length'
            while len(body) < length:
                chunk = s.recv(65536)
                if not chunk:
                    return 'short_response'
                body += chunk
            return None
        except socket.timeout:
            return 'timeout'
        except OSError as e:
            return e.errno
        finally:
            s.close()     # the client closes first: TIME_WAIT lands here

    def worker(self, slot):
        while not self.stop.is_set():
            with self.lock:
                if self.tickets <= 0:
                    return
                self.tickets -= 1
            if time.monotonic() >= self.deadline:
                with self.lock:
                    self.tickets += 1
                return
            err = self.one()
            if err is None:
                self.done[slot] += 1
                continue
            with self.lock:
                self.tickets += 1
                label = errno.errorcode.get(err, str(err)) if isinstance(err, int) else err
                if isinstance(err, int):
                    label = '%s (%d)' % (label, err)
                self.errors[label] = self.errors.get(label, 0) + 1
                if self.first_error_at is None:
                    self.first_error_at = sum(self.done)
            time.sleep(self.backoff)

    def run(self, concurrency):
        self.done = [0] * concurrency
        threads = [threading.Thread(target=self.worker, args=(i,)) for i in range(concurrency)]
        series = []
        before = tcpext()
        cpu0 = os.times()
        start = time.monotonic()
        self.deadline = start + self.seconds
        for t in threads:
            t.daemon = True
            t.start()
        tick = 0
        peak_tw = 0
        while True:
            tick += 1
            alive = any(t.is_alive() for t in threads)
            now = time.monotonic()
            if alive:
                # wake once per second, or as soon as the last thread ends
                while now < start + tick and any(t.is_alive() for t in threads):
                    time.sleep(min(0.05, start + tick - now))
                    now = time.monotonic()
            tw = sockstat_tw()
            peak_tw = max(peak_tw, tw)
            with self.lock:
                nerr = sum(self.errors.values())
            cpu = os.times()
            series.append({'t': round(now - start, 3), 'completed': sum(self.done),
                           'errors': nerr, 'tw': tw,
                           'cpu_user': round(cpu.user - cpu0.user, 3),
                           'cpu_sys': round(cpu.system - cpu0.system, 3)})
            if not any(t.is_alive() for t in threads):
                break
            if now > start + self.seconds + 30:   # threads stuck in a timeout: give up
                self.stop.set()
                break
        end = series[-1]['t']
        after = tcpext()
        completed = sum(self.done)
        return {
            'completed': completed,
            'errors': dict(sorted(self.errors.items())),
            'errors_total': sum(self.errors.values()),
            'first_error_at': self.first_error_at,
            'duration_s': end,
            'conn_per_s': round(completed / end, 1) if end else None,
            'peak_tw': peak_tw,
            'tcpext_delta': dict((k, after.get(k, 0) - before.get(k, 0)) for k in COUNTERS),
            'series': series,
        }


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    p.add_argument('--host', required=True)
    p.add_argument('--port', type=int, default=80)
    p.add_argument('--count', type=int, default=100000, help='connections to complete')
    p.add_argument('--concurrency', type=int, default=1)
    p.add_argument('--seconds', type=float, default=120.0, help='stop after this long')
    p.add_argument('--backoff', type=float, default=0.01, help='sleep after a failed attempt')
    p.add_argument('--timeout', type=float, default=5.0, help='per socket operation')
    a = p.parse_args(argv)
    if not (0 < a.count <= 1000000 and 0 < a.seconds <= 600 and 0 < a.concurrency <= 256):
        p.error('count, seconds or concurrency out of the bounded range')
    result = {
        'tool': 'bench/effect/storm.py',
        'target': '%s:%d' % (a.host, a.port),
        'count': a.count, 'concurrency': a.concurrency, 'seconds_limit': a.seconds,
        'backoff_s': a.backoff,
        'hostname': socket.gethostname(),
        'started_at': time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime()),
        'sysctl': read_sysctls(),
        'tw_before': sockstat_tw(),
    }
    storm = Storm(a.host, a.port, a.count, a.seconds, a.backoff, a.timeout)
    result.update(storm.run(a.concurrency))
    json.dump(result, sys.stdout)
    sys.stdout.write('\n')
    sys.stderr.write('storm c=%d: completed %d, errors %s, %.1f conn/s, peak tw %d, %.1f s\n' % (
        a.concurrency, result['completed'], result['errors'] or '{}', result['conn_per_s'] or 0,
        result['peak_tw'], result['duration_s']))
    return 0


if __name__ == '__main__':
    os.environ.setdefault('PYTHONUNBUFFERED', '1')
    sys.exit(main())
