# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Sysctl values of the managed keys (_keys.KEYS) and the ephemeral port figures.

Python 3.6 compatible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netlimits.tcp.plugins.module_utils._common import keys as _keys
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.read import (
    exists, is_writable, read_text,
)
from ansible_collections.netlimits.tcp.plugins.module_utils._common.keys import TIME_WAIT_SECONDS
from ansible_collections.netlimits.tcp.plugins.module_utils._common.values import parse_port_set, to_int


def parse_value(value_type, raw):
    """Parse /proc/sys text by _keys TYPE_*: int, list of ints, or merged port ranges; None when malformed."""
    if raw is None:
        return None
    if value_type == _keys.TYPE_INT:
        return to_int(raw)
    if value_type == _keys.TYPE_INT_LIST:
        values = [to_int(f) for f in raw.split()]
        return None if None in values else values
    if value_type == _keys.TYPE_PORT_SET:
        try:
            return parse_port_set(raw)
        except ValueError:
            return None
    return raw


def read_key(root, key, version=None, unreadable=None):
    """One _keys.SysctlKey as the facts entry."""
    rel = _keys.key_path(key.name)
    present = exists(root, rel)
    raw = read_text(root, rel, unreadable) if present else None
    if raw is not None:
        raw = raw.strip()
    return {
        'present': present,
        'readable': raw is not None,
        'value': parse_value(key.value_type, raw),
        'raw': raw,
        'writable': is_writable(root, rel) if present else False,
        'scope': key.scope,
        'kernel_default': _keys.default_for(key, version),
        'in_kernel': None if version is None else _keys.exists_in_kernel(key, version),
    }


def sysctls(root, version=None, unreadable=None):
    """{name: entry} for every key in _keys.KEYS."""
    return dict((key.name, read_key(root, key, version, unreadable)) for key in _keys.KEYS)


def value_of(sysctl, name):
    """The parsed value of name from a sysctls() result, or None."""
    entry = sysctl.get(name) or {}
    return entry.get('value')


def ports(sysctl):
    """Ephemeral port figures from sysctls() output (pure).

    usable = ports in the range minus reserved ports inside it. One source IP
    can open at most usable connections per TIME_WAIT_SECONDS to one
    destination ip:port when it closes first; with tcp_tw_reuse (and
    timestamps) a TIME_WAIT tuple is reusable after tcp_tw_reuse_delay ms
    (1 s where that key does not exist).
    """
    port_range = value_of(sysctl, 'net.ipv4.ip_local_port_range')
    reserved_entry = sysctl.get('net.ipv4.ip_local_reserved_ports') or {}
    reserved = reserved_entry.get('value') or []
    delay_ms = value_of(sysctl, 'net.ipv4.tcp_tw_reuse_delay')
    reuse_after = (delay_ms / 1000.0) if delay_ms else 1.0
    result = {
        'range': None,
        'size': None,
        'reserved': reserved_entry.get('raw'),
        'reserved_in_range': None,
        'usable': None,
        'time_wait_seconds': TIME_WAIT_SECONDS,
        'tw_reuse_after_seconds': reuse_after,
        'outbound_rate_per_destination': {'without_tw_reuse': None, 'with_tw_reuse': None},
    }
    if not port_range or len(port_range) != 2:
        return result
    lo, hi = port_range
    size = max(0, hi - lo + 1)
    inside = 0
    for r_lo, r_hi in reserved:
        a, b = max(lo, r_lo), min(hi, r_hi)
        if a <= b:
            inside += b - a + 1
    usable = size - inside
    result.update({
        'range': [lo, hi],
        'size': size,
        'reserved_in_range': inside,
        'usable': usable,
        'outbound_rate_per_destination': {
            'without_tw_reuse': round(usable / float(TIME_WAIT_SECONDS), 1),
            'with_tw_reuse': round(usable / reuse_after, 1),
        },
    })
    return result
