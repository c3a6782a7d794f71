# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Local ports in use toward each destination ip:port: how close connect() is to running out of ports.

connect() without bind() picks a local port from ip_local_port_range such that the 4-tuple
(local address, local port, remote address, remote port) is unique (net/ipv4/inet_hashtables.c
__inet_hash_connect() and __inet_check_established()): the range runs out per destination ip:port, not
per host. Every socket that holds a 4-tuple holds its port, TIME_WAIT included (tcp_tw_reuse lets
connect() take a TIME_WAIT tuple over after tcp_tw_reuse_delay, so with it the count overstates what is
blocked). This counts, over proc/net/tcp and tcp6, the sockets that are not listening and whose local
port is inside the range, per remote ip:port. Sockets from several local addresses to one destination
are counted together: an upper bound when a host connects from more than one address.

Cost: one pass over the tables, a dict of remote keys kept as the kernel's hex text (converted only
for the top ones); at most max_sockets lines are read (then 'truncated' is true).
Python 3.6 compatible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


from ansible_collections.netlimits.tcp.plugins.module_utils._facts.sockets import proc_address
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.read import open_text

# Lines read at most per run (both tables): a bound on the time a busy host spends here.
MAX_SOCKETS = 1000000
TOP = 5
_LISTEN = '0A'


def destination_text(key):
    """'10.0.0.5:443' or '[2001:db8::1]:443' from a (hex address, hex port) key."""
    address, port = key
    text = proc_address(address)
    return '%s:%d' % ('[%s]' % text if ':' in text else text, int(port, 16))


def count_lines(lines, port_range, counts, budget):
    """Add the lines' non-listening sockets with a local port in port_range to counts; lines read."""
    lo, hi = port_range
    read = 0
    for line in lines:
        if read >= budget:
            break
        read += 1
        fields = line.split()
        if len(fields) < 4 or ':' not in fields[1] or ':' not in fields[2] or fields[3].upper() == _LISTEN:
            continue
        try:
            port = int(fields[1].rsplit(':', 1)[1], 16)
        except ValueError:
            continue
        if lo <= port <= hi:
            key = tuple(fields[2].rsplit(':', 1))
            counts[key] = counts.get(key, 0) + 1
    return read


def destinations(root, port_range, top=TOP, max_sockets=MAX_SOCKETS, unreadable=None):
    """{'port_range', 'max', 'top': [{'destination', 'ports'}], 'destinations', 'sockets_scanned', 'truncated'}.

    port_range: [lo, hi] (facts ports.range); None gives None (the range could not be read).
    max: the most ports in use toward one destination (0 when none); top: the `top` busiest.
    """
    if not port_range:
        return None
    counts = {}
    scanned = 0
    truncated = False
    for rel in ('proc/net/tcp', 'proc/net/tcp6'):
        handle = open_text(root, rel, unreadable)
        if handle is None:
            continue
        with handle:
            next(handle, None)  # the header line
            scanned += count_lines(handle, port_range, counts, max_sockets - scanned)
            if scanned >= max_sockets and next(handle, None) is not None:
                truncated = True
    busiest = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:top]
    return {
        'port_range': list(port_range),
        'max': busiest[0][1] if busiest else 0,
        'top': [{'destination': destination_text(key), 'ports': n} for key, n in busiest],
        'destinations': len(counts),
        'sockets_scanned': scanned,
        'truncated': truncated,
    }
