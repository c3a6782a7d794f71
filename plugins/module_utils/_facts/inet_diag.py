# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""TCP sockets of this network namespace over NETLINK_SOCK_DIAG (inet_diag), as `ss` reads them, in Python.

For a listening socket the kernel reports the accept queue in idiag_rqueue and its maximum, the
effective backlog min(listen() backlog, net.core.somaxconn at listen() time), in idiag_wqueue
(net/ipv4/tcp_diag.c tcp_diag_get_info(): `if (inet_sk_state_load(sk) == TCP_LISTEN) {
r->idiag_rqueue = READ_ONCE(sk->sk_ack_backlog); r->idiag_wqueue = READ_ONCE(sk->sk_max_ack_backlog);`).
/proc/net/tcp has the queue now only (its tx_queue column is 0 for listeners), so it is the fallback.

Message layouts: include/uapi/linux/netlink.h (struct nlmsghdr), include/uapi/linux/sock_diag.h
(SOCK_DIAG_BY_FAMILY = 20), include/uapi/linux/inet_diag.h (struct inet_diag_req_v2, inet_diag_msg,
inet_diag_sockid). Only this process's network namespace is dumped: the netlink socket belongs to it.
Python 3.6 compatible; no root needed (inet_diag dumps every socket of the namespace to any user).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import os
import socket
import struct

NETLINK_SOCK_DIAG = 4
SOCK_DIAG_BY_FAMILY = 20
NLM_F_REQUEST = 0x1
NLM_F_DUMP = 0x300               # NLM_F_ROOT | NLM_F_MATCH
NLMSG_ERROR = 2
NLMSG_DONE = 3
TCP_ESTABLISHED = 1              # include/net/tcp_states.h
TCP_LISTEN = 10

_NLMSGHDR = struct.Struct('=IHHII')                # len, type, flags, seq, pid
# inet_diag_req_v2: family, protocol, ext, pad, states; then inet_diag_sockid:
# sport, dport (network order), src[4], dst[4] (network order), if, cookie[2].
_REQ_V2 = struct.Struct('=BBBxI')
_SOCKID = struct.Struct('>HH16s16s')
_SOCKID_TAIL = struct.Struct('=III')
# inet_diag_msg: family, state, timer, retrans, sockid (48 bytes), expires, rqueue, wqueue, uid, inode.
_MSG_HEAD = struct.Struct('=BBBB')
_MSG_TAIL = struct.Struct('=IIIII')
_MSG_ID_OFFSET = _MSG_HEAD.size
_MSG_TAIL_OFFSET = _MSG_HEAD.size + _SOCKID.size + _SOCKID_TAIL.size


class DiagUnavailable(Exception):
    """inet_diag cannot be asked here (no AF_NETLINK, module not loaded, seccomp): use /proc/net/tcp."""


def _request(family, states, seq):
    body = _REQ_V2.pack(family, socket.IPPROTO_TCP, 0, states)
    body += _SOCKID.pack(0, 0, b'\0' * 16, b'\0' * 16) + _SOCKID_TAIL.pack(0, 0, 0)
    return _NLMSGHDR.pack(_NLMSGHDR.size + len(body), SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP, seq, 0) + body


def _address(family, raw):
    if family == socket.AF_INET:
        return socket.inet_ntop(socket.AF_INET, raw[:4])
    return socket.inet_ntop(socket.AF_INET6, raw)


def parse_messages(data, on_message):
    """Call on_message(data, offset) for each SOCK_DIAG message in one netlink read (offset: its payload).

    True when the dump is done. The payload is not copied: a dump of 100,000 sockets is 100,000 messages.
    """
    offset = 0
    size = len(data)
    header = _NLMSGHDR.size
    unpack = _NLMSGHDR.unpack_from
    while offset + header <= size:
        length, kind = unpack(data, offset)[:2]
        if length < header:
            raise DiagUnavailable('malformed netlink message (length %d)' % length)
        if kind == SOCK_DIAG_BY_FAMILY:
            on_message(data, offset + header)
        elif kind == NLMSG_DONE:
            return True
        elif kind == NLMSG_ERROR:
            code = struct.unpack_from('=i', data, offset + header)[0]
            raise DiagUnavailable('inet_diag refused the dump: %s' % os.strerror(-code))
        offset += (length + 3) & ~3          # NLMSG_ALIGN
    return False


def listener_of(data, offset=0):
    """{family, address, port, queue, backlog, inode, uid} of one inet_diag_msg of a listening socket."""
    family = _MSG_HEAD.unpack_from(data, offset)[0]
    sport, dummy, src, dummy = _SOCKID.unpack_from(data, offset + _MSG_ID_OFFSET)
    dummy, rqueue, wqueue, uid, inode = _MSG_TAIL.unpack_from(data, offset + _MSG_TAIL_OFFSET)
    return {'family': 'ipv4' if family == socket.AF_INET else 'ipv6', 'address': _address(family, src),
            'port': sport, 'queue': rqueue, 'backlog': wqueue, 'inode': inode, 'uid': uid}


_PORT = struct.Struct('>H')


def local_port_of(data, offset=0):
    """The local port of one inet_diag_msg (cheap: one unpack, for counting established sockets)."""
    return _PORT.unpack_from(data, offset + _MSG_ID_OFFSET)[0]


_RECORDS = {}


def _records_of(size):
    """The struct that reads one message of that size as a record: length and type (native order), then
    the local port (network order, compared raw); the attributes after inet_diag_msg are skipped. The kernel
    adds a few (INET_DIAG_SHUTDOWN always, inet_sk_diag_fill() in net/ipv4/inet_diag.c), so the size is read
    from the first message rather than assumed."""
    if size not in _RECORDS:
        _RECORDS[size] = struct.Struct('=IH%dxH%dx' % (_MSG_ID_OFFSET + _NLMSGHDR.size - 6, size - 22))
    return _RECORDS[size]


def raw_port(port):
    """A port as the native-order reading of its network-order bytes (what a record yields)."""
    return struct.unpack('=H', _PORT.pack(port))[0]


def count_plain(data, counts):
    """Add the local ports of a buffer of same-size SOCK_DIAG messages to counts {raw port: n}.

    The fast path of a dump of 100,000 sockets: one C-level unpack of the whole buffer instead of a
    Python step per message. Returns (taken, done): taken is False for a buffer with anything else
    (an error, messages of other sizes), which is left to parse_messages(); done when it ended with the
    dump's NLMSG_DONE, which the kernel may put in the same read as the last messages.
    """
    if len(data) < _NLMSGHDR.size:
        return False, False
    size = _NLMSGHDR.unpack_from(data, 0)[0]
    if size < _MSG_TAIL_OFFSET + _MSG_TAIL.size + _NLMSGHDR.size or size % 4:
        return False, False
    end, done = len(data), False
    if end % size:
        tail = end - _NLMSGHDR.size - 4          # NLMSG_DONE: a header and the dump's errno
        if tail < 0 or tail % size or _NLMSGHDR.unpack_from(data, tail)[:2] != (_NLMSGHDR.size + 4, NLMSG_DONE):
            return False, False
        end, done = tail, True
    records = list(_records_of(size).iter_unpack(data[:end] if done else data))
    if any(length != size or kind != SOCK_DIAG_BY_FAMILY for length, kind, dummy in records):
        return False, False
    for port in [raw for dummy, dummy2, raw in records]:
        counts[port] = counts.get(port, 0) + 1
    return True, done


def dump(states, on_message, seq_base=1, on_buffer=None):
    """Dump the TCP sockets of both families in the given states (a bit mask of 1 << TCP_*).

    on_buffer(data) -> (taken, done): a whole netlink read counted by itself (count_plain), else each
    message goes to on_message(data, offset). Raises DiagUnavailable where netlink or inet_diag is not there
    (the caller falls back to /proc).
    """
    try:
        sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_SOCK_DIAG)
    except (AttributeError, OSError) as exc:     # AttributeError: no AF_NETLINK (not Linux)
        raise DiagUnavailable('no NETLINK_SOCK_DIAG socket: %s' % exc)
    try:
        sock.settimeout(5)
        for seq, family in enumerate((socket.AF_INET, socket.AF_INET6), seq_base):
            sock.sendall(_request(family, states, seq))
            done = False
            while not done:
                data = sock.recv(1 << 20)
                if not data:
                    break
                if on_buffer is not None:
                    taken, done = on_buffer(data)
                    if taken:
                        continue
                try:
                    done = parse_messages(data, on_message)
                except DiagUnavailable:
                    if family == socket.AF_INET6:
                        # A kernel without IPv6 answers EAFNOSUPPORT/ENOENT for the v6 dump: v4 stands.
                        break
                    raise
    except (OSError, socket.timeout) as exc:
        if getattr(exc, 'errno', None) == errno.EINTR:
            raise
        raise DiagUnavailable('inet_diag dump failed: %s' % exc)
    finally:
        sock.close()


def listeners_and_established():
    """([listener dicts], {local port: established count}) of this network namespace, over inet_diag."""
    listeners = []
    established = {}

    def on_listener(data, offset):
        listeners.append(listener_of(data, offset))

    def on_established(data, offset):
        port = local_port_of(data, offset)
        if port in ports:
            established[port] = established.get(port, 0) + 1

    dump(1 << TCP_LISTEN, on_listener)
    ports = set(item['port'] for item in listeners)
    if ports:
        raw_counts = {}
        dump(1 << TCP_ESTABLISHED, on_established, seq_base=3, on_buffer=lambda data: count_plain(data, raw_counts))
        for port in ports:
            n = raw_counts.get(raw_port(port), 0)
            if n:
                established[port] = established.get(port, 0) + n
    return listeners, established
