# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The limits table: one host's gathered tcp_limits facts as lines, grouped (ports and TIME_WAIT,
accept queue, conntrack, file handles, txqueuelen, memory, and services when gathered), each figure from a
value there.

``limits_lines(facts, host=None, findings=True)``. Controller side (the filter tcp_limits_table).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netlimits.tcp.plugins.module_utils._common.keys import TIME_WAIT_SECONDS
from ansible_collections.netlimits.tcp.plugins.plugin_utils._report.services_table import limits_rows
from ansible_collections.netlimits.tcp.plugins.plugin_utils._report.format import (
    NA, PORT_RANGE, TW_REUSE, TW_REUSE_WORDS, align, counts_text, finding_lines, fmt_count, fmt_value, is_num,
    names_text,
)


def _sysctl(facts, key):
    entry = ((facts or {}).get('sysctl') or {}).get(key)
    if not isinstance(entry, dict) or not entry.get('present', True):
        return None
    return entry


def _key_row(facts, key, note=''):
    entry = _sysctl(facts, key)
    if entry is None:
        return None
    return [key, fmt_value(entry.get('value')), note]


def containment_text(containment):
    if not isinstance(containment, dict):
        return 'containment unknown'
    container = containment.get('container')
    where = ('%s container' % (containment.get('engine') or 'unknown') if container
             else 'host' if container is False else 'unknown')
    netns = {True: 'initial netns', False: 'own netns'}.get(containment.get('initial_netns'), 'netns unknown')
    return '%s, %s' % (where, netns)


def _pct(used, capacity_):
    if not (is_num(used) and is_num(capacity_)) or capacity_ <= 0:
        return ''
    return ' (%.1f%%)' % (100.0 * used / capacity_)


def _nofile(pair):
    if not isinstance(pair, dict) or (pair.get('soft') is None and pair.get('hard') is None):
        return NA
    return '%s / %s' % (fmt_value(pair.get('soft')), fmt_value(pair.get('hard')))


def txqueuelen_interfaces(interfaces):
    """The physical interfaces; without any (a container's veth), the other non-loopback ones that are up.

    The same choice as the audit report's txqueuelen column (plugin_utils/_audit_data.txqueuelen_of).
    """
    interfaces = [i for i in interfaces or [] if isinstance(i, dict)]
    chosen = [i for i in interfaces if i.get('physical')]
    if not chosen:
        chosen = [i for i in interfaces if i.get('kind') != 'loopback' and i.get('name') != 'lo'
                  and i.get('operstate') in ('up', 'unknown')]
    return chosen


def limits_groups(facts):
    """[(group, [rows of key, value, note])] of the gathered facts; keys the host lacks are left out."""
    facts = facts or {}
    ports = facts.get('ports') or {}
    sockets = facts.get('sockets') or {}
    tcp = sockets.get('tcp') or {}
    counters = sockets.get('counters') or {}
    files = facts.get('files') or {}
    conntrack = facts.get('conntrack') or {}

    rate = ports.get('outbound_rate_per_destination') or {}
    reuse = _sysctl(facts, TW_REUSE)
    reuse_value = reuse.get('value') if reuse else None
    timestamps = _sysctl(facts, 'net.ipv4.tcp_timestamps')
    port_rows = [
        _key_row(facts, PORT_RANGE, '%s ports, %s reserved in range, %s usable' % (
            fmt_count(ports.get('size')), fmt_count(ports.get('reserved_in_range')), fmt_count(ports.get('usable')))),
        ['outbound to one destination', '%s/s' % fmt_count(rate.get('without_tw_reuse')),
         'without reuse (ports / %d s TIME_WAIT); ~%s/s with reuse' % (
             ports.get('time_wait_seconds') or TIME_WAIT_SECONDS, fmt_count(rate.get('with_tw_reuse')))],
        _key_row(facts, TW_REUSE, '%s%s' % (TW_REUSE_WORDS.get(reuse_value, ''), (
            '; tcp_timestamps %s' % fmt_value(timestamps.get('value'))) if timestamps else '')),
        _key_row(facts, 'net.ipv4.tcp_max_tw_buckets', 'TIME_WAIT sockets now: %s' % fmt_count(tcp.get('tw'))),
        _key_row(facts, 'net.ipv4.tcp_fin_timeout'),
        _key_row(facts, 'net.ipv4.tcp_tw_recycle'),
    ]
    syncookies = _sysctl(facts, 'net.ipv4.tcp_syncookies')
    accept_rows = [
        _key_row(facts, 'net.core.somaxconn', 'ListenOverflows %s, ListenDrops %s (since boot)' % (
            fmt_count(counters.get('ListenOverflows')), fmt_count(counters.get('ListenDrops')))),
        _key_row(facts, 'net.ipv4.tcp_max_syn_backlog', ('tcp_syncookies %s' % fmt_value(syncookies.get('value')))
                 if syncookies else ''),
        _key_row(facts, 'net.core.netdev_max_backlog'),
    ]
    if conntrack.get('loaded') is False:
        conntrack_rows = [['nf_conntrack', 'not loaded', '']]
    else:
        conntrack_rows = [[conntrack.get('key') or 'net.netfilter.nf_conntrack_max', fmt_value(conntrack.get('max')),
                           'entries now %s%s, buckets %s' % (
                               fmt_count(conntrack.get('count')), _pct(conntrack.get('count'), conntrack.get('max')),
                               fmt_count(conntrack.get('buckets')))]]
    nofile = files.get('nofile') or {}
    systemd = files.get('systemd_default_nofile')
    file_rows = [
        _key_row(facts, 'fs.file-max', 'allocated now %s' % fmt_count(files.get('allocated'))),
        _key_row(facts, 'fs.nr_open', 'ceiling of any nofile'),
        ['nofile PID 1 (soft / hard)', _nofile(nofile.get('pid1')), 'this process %s; systemd DefaultLimitNOFILE %s' % (
            _nofile(nofile.get('self')), _nofile(systemd) + (' (%s)' % systemd['source'] if isinstance(systemd, dict)
                                                             and systemd.get('source') else ''))],
    ]
    txq_rows = []
    for iface in txqueuelen_interfaces(facts.get('interfaces')):
        txq_rows.append([iface.get('name') or '?', fmt_value(iface.get('txqueuelen')),
                         '%s, %s' % (iface.get('kind') or '?', iface.get('operstate') or '?')])
    memory_rows = [
        _key_row(facts, 'net.ipv4.tcp_max_orphans', 'orphans now %s' % fmt_count(tcp.get('orphan'))),
        _key_row(facts, 'net.ipv4.tcp_mem', 'pages: low, pressure, high'),
    ]
    rmem, wmem = _sysctl(facts, 'net.core.rmem_max'), _sysctl(facts, 'net.core.wmem_max')
    if rmem or wmem:
        memory_rows.append(['net.core.rmem_max / wmem_max', '%s / %s' % (
            fmt_value((rmem or {}).get('value')), fmt_value((wmem or {}).get('value'))), 'bytes'])
    groups = [('ports, TIME_WAIT', port_rows), ('accept queue', accept_rows), ('conntrack', conntrack_rows),
              ('file handles', file_rows), ('txqueuelen', txq_rows or [['(no interface but lo)', '', '']]),
              ('memory', memory_rows)]
    if 'services' in facts:
        groups.append(('services', limits_rows(facts['services']) or [['(no TCP listener)', '', '']]))
    return [(name, [r for r in rows if r is not None]) for name, rows in groups]


def limits_lines(facts, host=None, findings=True):
    """The gathered limits of one host as one aligned table, the group named on its first row."""
    facts = facts or {}
    kernel = (facts.get('kernel') or {}).get('release') or 'unknown kernel'
    lines = ['%s: limits gathered - kernel %s, %s' % (host or 'host', kernel, containment_text(facts.get('containment')))]
    rows = []
    for name, group_rows in limits_groups(facts):
        for i, row in enumerate(group_rows):
            rows.append([name if i == 0 else ''] + row)
    lines += align(rows)
    if facts.get('unreadable'):
        lines.append('  unreadable here (n/a above): %s' % names_text(['%s' % p for p in facts['unreadable']], 80))
    found = facts.get('findings')
    if findings and isinstance(found, list):
        lines.append('findings: %d (%s)' % (len(found), counts_text(found)))
        lines += finding_lines(found)
    return lines
