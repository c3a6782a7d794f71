# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Socket totals (sockstat), TcpExt counters (netstat) and, on request, TCP states.

sockstat and netstat cost the same whatever the number of sockets; only
connection_states() and listening_ports() walk proc/net/tcp and tcp6, one
line per socket, through the one line parser socket_line().
Python 3.6 compatible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import socket
import struct

from ansible_collections.netlimits.tcp.plugins.module_utils._facts.read import open_text, read_text
from ansible_collections.netlimits.tcp.plugins.module_utils._common.values import to_int
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.sysctl import value_of

COUNTERS = ('ListenOverflows', 'ListenDrops', 'TCPTimeWaitOverflow', 'TCPAbortOnMemory')

# include/net/tcp_states.h, as /proc/net/tcp prints them (hex).
TCP_STATES = {
    '01': 'ESTABLISHED', '02': 'SYN_SENT', '03': 'SYN_RECV', '04': 'FIN_WAIT1',
    '05': 'FIN_WAIT2', '06': 'TIME_WAIT', '07': 'CLOSE', '08': 'CLOSE_WAIT',
    '09': 'LAST_ACK', '0A': 'LISTEN', '0B': 'CLOSING', '0C': 'NEW_SYN_RECV',
}


def parse_sockstat(text):
    """{'TCP': {'inuse': 1, ...}, 'TCP6': {...}, ...} from a sockstat text."""
    result = {}
    for line in (text or '').splitlines():
        if ':' not in line:
            continue
        proto, rest = line.split(':', 1)
        fields = rest.split()
        values = {}
        for i in range(0, len(fields) - 1, 2):
            values[fields[i]] = to_int(fields[i + 1])
        result[proto.strip()] = values
    return result


def parse_netstat(text, prefix='TcpExt'):
    """{counter: int} of the prefix section of /proc/net/netstat (header line, then values line)."""
    header = None
    for line in (text or '').splitlines():
        if not line.startswith(prefix + ':'):
            continue
        fields = line.split()[1:]
        if header is None:
            header = fields
        else:
            return dict(zip(header, [to_int(f) for f in fields]))
    return {}


def sockets(root, sysctl=None, unreadable=None):
    """The 'sockets' facts without connections (O(1) in the number of sockets)."""
    sysctl = sysctl or {}
    stat4 = parse_sockstat(read_text(root, 'proc/net/sockstat', unreadable))
    stat6 = parse_sockstat(read_text(root, 'proc/net/sockstat6', unreadable))
    counters = parse_netstat(read_text(root, 'proc/net/netstat', unreadable))
    tcp = stat4.get('TCP') or {}
    return {
        'tcp': dict((k, tcp.get(k)) for k in ('inuse', 'orphan', 'tw', 'alloc', 'mem')),
        'tcp6': {'inuse': (stat6.get('TCP6') or {}).get('inuse')},
        'tcp_mem_pages': value_of(sysctl, 'net.ipv4.tcp_mem'),
        'counters': dict((k, counters.get(k)) for k in COUNTERS),
        'connections': None,
    }


def proc_address(text):
    """The text form of a proc/net/tcp(6) hex address: the kernel prints each 32-bit word in host order.

    net/ipv4/tcp_ipv4.c get_tcp4_sock() prints the address as one %08X of the __be32;
    net/ipv6/tcp_ipv6.c get_tcp6_sock() prints four %08X words of s6_addr32.
    """
    raw = b''.join(struct.pack('=I', int(text[i:i + 8], 16)) for i in range(0, len(text), 8))
    return socket.inet_ntop(socket.AF_INET if len(raw) == 4 else socket.AF_INET6, raw)


def socket_line(line):
    """(local port, state name) of one /proc/net/tcp or tcp6 line; None for the header and malformed lines.

    The kernel prints one socket per line (net/ipv4/tcp_ipv4.c get_tcp4_sock(), net/ipv6/tcp_ipv6.c
    get_tcp6_sock()): "sl local_address rem_address st ...", addresses as HEX_ADDR:HEX_PORT and the state
    as two hex digits (TCP_STATES).
    """
    fields = line.split()
    if len(fields) < 4 or ':' not in fields[1]:
        return None
    try:
        port = int(fields[1].rsplit(':', 1)[1], 16)
    except ValueError:
        return None
    return port, TCP_STATES.get(fields[3].upper(), fields[3])


def count_states(lines, port_range=None):
    """(states {name: n}, scanned) from /proc/net/tcp lines, counting local ports in port_range only when given."""
    states = {}
    scanned = 0
    for line in lines:
        parsed = socket_line(line)
        if parsed is None:
            continue  # the header line
        scanned += 1
        port, name = parsed
        if port_range is not None and (port < port_range[0] or port > port_range[1]):
            continue
        states[name] = states.get(name, 0) + 1
    return states, scanned


def listening_in(lines):
    """Sorted local ports of the sockets in state LISTEN among /proc/net/tcp or tcp6 lines."""
    ports = set()
    for line in lines:
        parsed = socket_line(line)
        if parsed is not None and parsed[1] == 'LISTEN':
            ports.add(parsed[0])
    return sorted(ports)


def _tcp_tables(root, unreadable):
    """Open handles of proc/net/tcp and tcp6 (those that can be read), streamed line by line."""
    for rel in ('proc/net/tcp', 'proc/net/tcp6'):
        handle = open_text(root, rel, unreadable)
        if handle is not None:
            yield handle


def listening_ports(root, unreadable=None):
    """Sorted local ports listening on TCP (IPv4 and IPv6) under root."""
    ports = set()
    for handle in _tcp_tables(root, unreadable):
        with handle:
            ports.update(listening_in(handle))
    return sorted(ports)


def connection_states(root, port_range=None, unreadable=None):
    """{states, port_range, sockets_scanned} over proc/net/tcp and tcp6, streamed line by line."""
    states = {}
    scanned = 0
    for handle in _tcp_tables(root, unreadable):
        with handle:
            part, count = count_states(handle, port_range)
        scanned += count
        for name, n in part.items():
            states[name] = states.get(name, 0) + n
    return {
        'states': states,
        'port_range': list(port_range) if port_range is not None else None,
        'sockets_scanned': scanned,
    }
