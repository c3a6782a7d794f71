#!/usr/bin/env python
"""Accept-queue case, client side: open --count connections to one server
ip:port at once (non-blocking connect, one selector); as soon as a
handshake completes, send a one-line request (as any real client does: when
the SYN was answered with a syncookie and the server's accept queue was full,
this data segment, retransmitted, carries the ACK that lets the server create
the connection later); wait for the server's byte, close. Records per connection the handshake time
(connect() completion) and the time until served; a handshake over ~1 s
means a SYN was dropped and retransmitted (1 s, then 3 s, 7 s, ...).
Bounded by --seconds. Standard library only; prints one JSON document.
"""
import argparse
import errno
import json
import selectors
import socket
import sys
import time


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--host', required=True)
    p.add_argument('--port', type=int, default=8081)
    p.add_argument('--count', type=int, default=2000)
    p.add_argument('--seconds', type=float, default=60.0)
    a = p.parse_args()
    if not (0 < a.count <= 10000 and 0 < a.seconds <= 300):
        p.error('count or seconds out of the bounded range')
    sel = selectors.DefaultSelector()

    def drop(s):
        sel.unregister(s)
        s.close()
        del conns[s]

    start = time.monotonic()
    conns = {}
    errors = {}
    for i in range(a.count):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        rc = s.connect_ex((a.host, a.port))
        if rc not in (0, errno.EINPROGRESS):
            errors[errno.errorcode.get(rc, str(rc))] = errors.get(errno.errorcode.get(rc, str(rc)), 0) + 1
            s.close()
            continue
        conns[s] = {'handshake': None, 'served': None}
        sel.register(s, selectors.EVENT_WRITE)
    handshakes, served = [], []
    deadline = start + a.seconds
    while conns and time.monotonic() < deadline:
        for key, ev in sel.select(timeout=0.5):
            s = key.fileobj
            st = conns[s]
            now = time.monotonic() - start
            if st['handshake'] is None:
                err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err:
                    name = errno.errorcode.get(err, str(err))
                    errors[name] = errors.get(name, 0) + 1
                    drop(s)
                    continue
                st['handshake'] = now
                handshakes.append(now)
                try:
                    s.send(b'hello\n')
                except OSError as e:
                    name = errno.errorcode.get(e.errno, str(e.errno))
                    errors[name] = errors.get(name, 0) + 1
                    drop(s)
                    continue
                sel.modify(s, selectors.EVENT_READ)
                continue
            try:
                data = s.recv(16)
            except OSError as e:
                name = errno.errorcode.get(e.errno, str(e.errno))
                errors[name] = errors.get(name, 0) + 1
                data = None
            if data:
                served.append(now)
            elif data is not None:
                errors['closed_without_data'] = errors.get('closed_without_data', 0) + 1
            drop(s)
    unfinished = len(conns)
    for s in list(conns):
        sel.unregister(s)
        s.close()
    handshakes.sort()
    served.sort()

    def pct(xs, q):
        return round(xs[min(len(xs) - 1, int(q * len(xs)))], 3) if xs else None
    json.dump({
        'count': a.count, 'bound_s': a.seconds, 'served': len(served), 'unfinished_at_deadline': unfinished,
        'errors': errors,
        'handshake_over_1s': sum(1 for x in handshakes if x > 0.9),
        'handshake_max_s': pct(handshakes, 1.0),
        'served_p50_s': pct(served, 0.5), 'served_max_s': pct(served, 1.0),
        'duration_s': round(time.monotonic() - start, 3),
    }, sys.stdout)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
