# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Workload sizing of the planner: profile < sizing < explicit variables, and the arithmetic behind it.

size() turns tcp_tune_target_connections and tcp_tune_target_outbound_rate into
port range, tw_reuse, nofile, file-max, nr_open and nf_conntrack_max;
size_conntrack_from_ports() sizes conntrack from a profile's port range (issue
#13). Each returns the lines of arithmetic the report shows. Pure; Python 3.6
compatible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netlimits.tcp.plugins.module_utils._plan.inputs import profile_values
from ansible_collections.netlimits.tcp.plugins.module_utils._plan.values import containment_of, sysctl_fact, var
from ansible_collections.netlimits.tcp.plugins.module_utils._common.keys import TIME_WAIT_SECONDS
from ansible_collections.netlimits.tcp.plugins.module_utils._common.values import ceil_int, is_int, pow2ceil

HEADROOM = 1.2                  # sizing margin
WIDEST_RANGE = (10000, 65535)   # widest port range sizing goes to (ends differ in parity)
CONNTRACK_PER_BUCKET = 8        # nf_conntrack_max = 8 x hashsize when hashsize= is given at module load
# conntrack sized from the profile's port range (issue #13): a closed connection stays in conntrack's
# TIME_WAIT for 120 s (nf_conntrack_proto_tcp.c, tcp_timeouts[TCP_CONNTRACK_TIME_WAIT] = 2 MINS), twice
# TCP's 60 s; at the rate one port range sustains (ports / 60 s) that many entries sit in the table.
CONNTRACK_TIME_WAIT_SECONDS = 120
# Memory bound: an nf_conntrack slab object is 256 bytes (/proc/slabinfo, objsize, on 6.x x86_64); the
# table may take at most 1/32 of RAM (a 1 GiB host: 131072 entries, 32 MiB when full).
CONNTRACK_ENTRY_BYTES = 256
CONNTRACK_RAM_SHARE = 32


def effective_values(params, facts, host=None, profiles=None):
    """(values, sizing) where values = profile < sizing < explicit, per short variable name.

    profiles: the role's profiles as validate() checked them (None: no profile values).
    """
    values = profile_values(params, profiles)
    explicit = dict((k, v) for k, v in params.items() if v is not None and k in (
        'local_port_range', 'reserved_ports', 'tw_reuse', 'fin_timeout', 'somaxconn', 'max_syn_backlog',
        'netdev_max_backlog', 'max_orphans', 'orphan_retries', 'conntrack_max', 'file_max', 'nr_open',
        'nofile', 'nofile_soft', 'systemd_default_nofile', 'systemd_default_nofile_soft', 'txqueuelen'))
    sizing = size(params, facts, values, explicit)
    if not sizing['values'].get('conntrack_max'):
        conntrack, lines = size_conntrack_from_ports(params, facts, host, explicit.get(
            'local_port_range') or sizing['values'].get('local_port_range') or values.get('local_port_range'))
        sizing['lines'].extend(lines)
        if conntrack:
            sizing['values']['conntrack_max'] = conntrack
    for short, value in sizing['values'].items():
        if short not in explicit:
            values[short] = value
    values.update(explicit)
    values['tw_recycle'] = 1 if params['tw_recycle'] else 0
    if is_int(values.get('nofile')) and is_int(values.get('nr_open')) and values['nofile'] > values['nr_open'] \
            and 'nr_open' not in explicit and 'nofile' not in explicit:
        # a profile's or sizing's nofile brings its nr_open along; an explicit nofile needs tcp_tune_nr_open
        values['nr_open'] = values['nofile']
    return values, sizing


def size(params, facts, base, explicit):
    """Workload sizing: port range, tw_reuse, nofile, file-max, nr_open, conntrack from the two targets.

    Returns {'values': {short: value}, 'lines': [arithmetic], 'warnings': [...]}. Values only raise
    what the profile gives; explicit variables win later (a shortfall is a warning).
    """
    out = {'values': {}, 'lines': [], 'warnings': []}
    conns = params.get('target_connections')
    rate = params.get('target_outbound_rate')
    ports = (facts or {}).get('ports') or {}
    if rate:
        rng = explicit.get('local_port_range') or base.get('local_port_range') or ports.get('range') or [32768, 60999]
        have = rng[1] - rng[0] + 1
        reuse_after = ports.get('tw_reuse_after_seconds') or 1.0
        widest = WIDEST_RANGE[1] - WIDEST_RANGE[0] + 1
        need = ceil_int(rate * TIME_WAIT_SECONDS * HEADROOM)
        out['lines'].append('outbound: %s new connections/s to one destination x %d s TIME_WAIT x %.1f headroom '
                            '= %d ports without tw_reuse; range %d-%d has %d'
                            % (rate, TIME_WAIT_SECONDS, HEADROOM, need, rng[0], rng[1], have))
        tw_reuse = explicit.get('tw_reuse', base.get('tw_reuse'))
        if tw_reuse == 1:
            need = ceil_int(rate * reuse_after * HEADROOM)
            out['lines'].append('tw_reuse=1: a TIME_WAIT port is reusable after %s s: %s x %s x %.1f = %d ports'
                                % (reuse_after, rate, reuse_after, HEADROOM, need))
        elif need > widest:
            out['values']['tw_reuse'] = 1
            need = ceil_int(rate * reuse_after * HEADROOM)
            out['lines'].append('%d > %d (widest range %d-%d): tw_reuse=1, reusable after %s s: %s x %s x %.1f = %d ports'
                                % (ceil_int(rate * TIME_WAIT_SECONDS * HEADROOM), widest, WIDEST_RANGE[0],
                                   WIDEST_RANGE[1], reuse_after, rate, reuse_after, HEADROOM, need))
            if 'tw_reuse' in explicit and explicit['tw_reuse'] != 1:
                out['warnings'].append('%s=%s is explicit, but %s new connections/s to one destination need '
                                       'tcp_tw_reuse=1' % (var('tw_reuse'), explicit['tw_reuse'], rate))
        if need <= have:
            out['lines'].append('%d <= %d: the range %d-%d suffices' % (need, have, rng[0], rng[1]))
        else:
            lo = max(WIDEST_RANGE[0], WIDEST_RANGE[1] + 1 - need)
            if lo % 2:
                lo -= 1  # 65535 is odd: an even low end keeps the parity split of connect()/bind()
            lo = max(lo, WIDEST_RANGE[0])
            new = [lo, WIDEST_RANGE[1]]
            out['values']['local_port_range'] = new
            out['lines'].append('%d > %d: range %d-%d (%d ports)' % (need, have, new[0], new[1], new[1] - new[0] + 1))
            if need > new[1] - new[0] + 1:
                out['warnings'].append('%s new connections/s to one destination need %d ports, more than one source '
                                       'IP has (%d): add source addresses or destinations'
                                       % (rate, need, new[1] - new[0] + 1))
            if 'local_port_range' in explicit:
                out['warnings'].append('%s=%s is explicit and smaller than the %d ports the outbound rate needs'
                                       % (var('local_port_range'), explicit['local_port_range'], need))
    if conns:
        nofile = pow2ceil(conns + 1024)
        out['lines'].append('nofile: %d connections + 1024 other files, power of two = %d' % (conns, nofile))
        if not is_int(base.get('nofile')) or nofile > base['nofile']:
            out['values']['nofile'] = nofile
        nofile_final = explicit.get('nofile', out['values'].get('nofile', base.get('nofile')))
        file_max = pow2ceil(2 * conns + 65536)
        out['lines'].append('file-max: 2 x %d (proxies hold two per connection) + 65536 system files, '
                            'power of two = %d' % (conns, file_max))
        if not is_int(base.get('file_max')) or file_max > base['file_max']:
            out['values']['file_max'] = file_max
        nr_open = sysctl_fact(facts, 'fs.nr_open').get('value')
        if is_int(nofile_final) and is_int(nr_open) and nofile_final > nr_open:
            out['values']['nr_open'] = nofile_final
            out['lines'].append('nr_open: nofile %d > fs.nr_open %d: nr_open = %d (raised first)'
                                % (nofile_final, nr_open, nofile_final))
        tw_entries = ceil_int(rate * 120) if rate else 0
        conntrack = pow2ceil(2 * conns + tw_entries)
        out['lines'].append('conntrack: 2 x %d connections%s, power of two = %d; buckets = max / %d = %d'
                            % (conns, (' + %s/s x 120 s TIME_WAIT entries' % rate) if rate else '',
                               conntrack, CONNTRACK_PER_BUCKET, max(1, conntrack // CONNTRACK_PER_BUCKET)))
        out['values']['conntrack_max'] = conntrack
    return out


def pow2floor(n):
    power = 1
    while power * 2 <= n:
        power *= 2
    return power


def size_conntrack_from_ports(params, facts, host, port_range):
    """(nf_conntrack_max or None, arithmetic lines) for a profile without tcp_tune_target_connections.

    Only where nf_conntrack is loaded in the initial network namespace (elsewhere
    the key is read-only or missing): the entries that sit in conntrack's 120 s
    TIME_WAIT at the rate the port range sustains (ports / 60 s), x 1.2 headroom,
    next power of two, at most 1/32 of RAM. raise_only (plan_key) keeps a higher
    value in effect.
    """
    ct = (facts or {}).get('conntrack') or {}
    if params.get('profile') == 'none' or not ct.get('loaded') or not containment_of(facts).get('initial_netns') \
            or not port_range:
        return None, []
    ports = port_range[1] - port_range[0] + 1
    rate = ports / float(TIME_WAIT_SECONDS)
    need = ceil_int(rate * CONNTRACK_TIME_WAIT_SECONDS * HEADROOM)
    wanted = pow2ceil(need)
    lines = ['conntrack: %d ports / %d s TIME_WAIT = %.0f connections/s; x %d s conntrack TIME_WAIT x %.1f '
             'headroom = %d entries, power of two = %d'
             % (ports, TIME_WAIT_SECONDS, rate, CONNTRACK_TIME_WAIT_SECONDS, HEADROOM, need, wanted)]
    mem = (host or {}).get('mem_total_bytes')
    if is_int(mem) and mem > 0:
        cap = pow2floor(max(1, mem // CONNTRACK_RAM_SHARE // CONNTRACK_ENTRY_BYTES))
        if cap < wanted:
            lines.append('conntrack: at most 1/%d of RAM (%d MiB) at %d bytes an entry: %d'
                         % (CONNTRACK_RAM_SHARE, mem // 1048576, CONNTRACK_ENTRY_BYTES, cap))
            wanted = cap
    return wanted, lines
