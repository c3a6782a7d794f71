# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""conntrack table and network interfaces.

Python 3.6 compatible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netlimits.tcp.plugins.module_utils._facts.read import (
    exists, is_dir, is_writable, list_dir, read_first, read_int, read_text,
)
from ansible_collections.netlimits.tcp.plugins.module_utils._common.values import to_int
from ansible_collections.netlimits.tcp.plugins.module_utils._common.keys import key_path

CONNTRACK_MAX_NEW = 'net.netfilter.nf_conntrack_max'
CONNTRACK_MAX_OLD = 'net.ipv4.netfilter.ip_conntrack_max'

# uevent DEVTYPE= values the kernel sets, and the kind we report.
_DEVTYPE_KINDS = {
    'bridge': 'bridge', 'bond': 'bond', 'vlan': 'vlan', 'wireguard': 'wireguard',
    'vxlan': 'vxlan', 'macvlan': 'macvlan', 'ipvlan': 'ipvlan', 'wlan': 'physical',
}

ARPHRD_ETHER = 1
ARPHRD_LOOPBACK = 772


# Counters of proc/net/stat/nf_conntrack summed over its per-CPU rows (hex, one column each;
# net/netfilter/nf_conntrack_standalone.c ct_cpu_seq_show), since boot. drop: packets conntrack could not
# track, the table being full ("nf_conntrack: table full, dropping packet", __nf_conntrack_alloc; packets,
# not connections); early_drop: an entry evicted to
# make room; insert_failed: a clash when an entry was inserted.
CONNTRACK_STAT_COUNTERS = ('drop', 'early_drop', 'insert_failed')


def parse_conntrack_stat(text):
    """{drop, early_drop, insert_failed} summed over the CPUs of a proc/net/stat/nf_conntrack text, or None."""
    lines = (text or '').split('\n')
    header = lines[0].split() if lines else []
    if not all(name in header for name in CONNTRACK_STAT_COUNTERS):
        return None
    totals = dict((name, 0) for name in CONNTRACK_STAT_COUNTERS)
    for line in lines[1:]:
        fields = line.split()
        if len(fields) != len(header):
            continue
        try:
            for name in CONNTRACK_STAT_COUNTERS:
                totals[name] += int(fields[header.index(name)], 16)
        except ValueError:
            continue
    return totals


def conntrack(root, unreadable=None):
    """{loaded, max, count, buckets, fill, writable, key, stat}.

    Loaded when net/netfilter/nf_conntrack_max exists (or the pre-2.6.25
    net/ipv4/netfilter/ip_conntrack_max, or /sys/module/nf_conntrack: in a
    container netns the module can be loaded while the sysctls are missing).
    buckets falls back to the hashsize module parameter. writable is about the
    max key, read-only outside the initial network namespace. count is this
    network namespace's own: the one global max is checked against each
    namespace's count (__nf_conntrack_alloc), so on the host it leaves out
    containers' entries. stat: the
    counters since boot of proc/net/stat/nf_conntrack (parse_conntrack_stat).
    """
    key = None
    for name in (CONNTRACK_MAX_NEW, CONNTRACK_MAX_OLD):
        if exists(root, key_path(name)):
            key = name
            break
    loaded = key is not None or is_dir(root, 'sys/module/nf_conntrack')
    result = {'loaded': loaded, 'max': None, 'count': None, 'buckets': None,
              'fill': None, 'writable': False, 'key': key, 'stat': None}
    if not loaded:
        return result
    result['stat'] = parse_conntrack_stat(read_text(root, 'proc/net/stat/nf_conntrack', unreadable))
    if key is not None:
        rel = key_path(key)
        result['max'] = read_int(root, rel, unreadable)
        result['writable'] = is_writable(root, rel)
        prefix = rel.rsplit('_', 1)[0]  # .../nf_conntrack or .../ip_conntrack
        result['count'] = read_int(root, prefix + '_count', unreadable)
        result['buckets'] = read_int(root, prefix + '_buckets', unreadable)
    if result['buckets'] is None:
        result['buckets'] = read_int(root, 'sys/module/nf_conntrack/parameters/hashsize', unreadable)
    if result['max'] and result['count'] is not None:
        result['fill'] = round(result['count'] / float(result['max']), 4)
    return result


def _uevent(root, base, unreadable):
    values = {}
    for line in (read_text(root, base + '/uevent', unreadable) or '').splitlines():
        if '=' in line:
            name, value = line.split('=', 1)
            values[name] = value
    return values


def interface_kind(root, name, unreadable=None):
    """(kind, physical) of sys/class/net/<name>, from cheap sysfs facts.

    loopback: type 772. physical: a 'device' link (a bus device backs it).
    Then uevent DEVTYPE (bridge, bond, vlan, wireguard, ...), tun_flags (tun/tap),
    bridge/ or bonding/ directories; an Ethernet device whose iflink differs
    from its ifindex and has no DEVTYPE is a veth (iflink is the peer); a
    name starting with 'dummy' is dummy; anything else 'virtual'.
    """
    base = 'sys/class/net/' + name
    dev_type = read_int(root, base + '/type', unreadable)
    if dev_type == ARPHRD_LOOPBACK or name == 'lo':
        return 'loopback', False
    if exists(root, base + '/device'):
        return 'physical', True
    devtype = _uevent(root, base, unreadable).get('DEVTYPE')
    if devtype in _DEVTYPE_KINDS:
        kind = _DEVTYPE_KINDS[devtype]
        return kind, kind == 'physical'
    if exists(root, base + '/tun_flags'):
        return 'tun', False
    if is_dir(root, base + '/bridge'):
        return 'bridge', False
    if is_dir(root, base + '/bonding'):
        return 'bond', False
    if name.startswith('dummy'):
        return 'dummy', False
    iflink = read_int(root, base + '/iflink', unreadable)
    ifindex = read_int(root, base + '/ifindex', unreadable)
    if (dev_type == ARPHRD_ETHER and iflink is not None and ifindex is not None and iflink != ifindex) \
            or name.startswith('veth'):
        return 'veth', False
    return 'virtual', False


def interfaces(root, unreadable=None):
    """[{name, txqueuelen, mtu, operstate, kind, physical, qdisc}] from sys/class/net.

    qdisc is always null: the root qdisc is only available over netlink
    (what `tc qdisc show` uses); sysfs and /proc have no reliable file for it,
    and a file reader does not speak netlink.
    """
    result = []
    for name in list_dir(root, 'sys/class/net', unreadable):
        base = 'sys/class/net/' + name
        if not is_dir(root, base):
            continue  # bonding_masters and other plain files
        kind, physical = interface_kind(root, name, unreadable)
        result.append({
            'name': name,
            'txqueuelen': read_int(root, base + '/tx_queue_len', unreadable),
            'mtu': to_int(read_first(root, base + '/mtu', unreadable)),
            'operstate': read_first(root, base + '/operstate', unreadable),
            'kind': kind,
            'physical': physical,
            'qdisc': None,
        })
    return result
