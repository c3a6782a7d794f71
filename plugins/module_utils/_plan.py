# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The planner of the role netlimits.tcp.tcp_tune (pure Python, no I/O).

Inputs: the role's variables (``tcp_tune_*``), ``ansible_facts.tcp_limits``
(docs/architecture.md) and the host readings of ``_host.read_host`` (listening
ports, the sysctl loader's version, the role's own state file, the text of
rc.local and 99-default.link). Output: one plain dict that ``_apply`` carries
out: per key the wanted value and its status, the content of every managed
file, the live values to set, txqueuelen changes, what revert restores. Every
decision shown in ``tcp_tune_report`` is made here. Keys come from ``_keys``
(the one table); nothing here lists sysctl keys.

Beside it: ``_plan_input`` (profiles, variables, validation), ``_plan_values``
(conversions and value formats), ``_plan_text`` (file texts: rc.local block,
.link files) and ``_plan_report`` (tcp_tune_report).

Python 3.6 compatible (it also runs in unit tests on old cores).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.netlimits.tcp.plugins.module_utils import _keys
from ansible_collections.netlimits.tcp.plugins.module_utils._facts_provenance import would_be_overridden_by
from ansible_collections.netlimits.tcp.plugins.module_utils._plan_text import (
    RC_LOCAL_PATH, RcLocalError, rc_local_block_lines, rc_local_insert, rc_local_remove, rc_local_has_block, render_link,
    parse_sysctl_file,
)
from ansible_collections.netlimits.tcp.plugins.module_utils._plan_input import (
    PROFILES, PlanError, _IFNAME, _SYSCTL_BAD, normalize_params, nr_open_after, validate,
)
from ansible_collections.netlimits.tcp.plugins.module_utils._plan_values import (
    PREFIX, _ceil, _containment, _holds_more, _is_int, _same, _sysctl_fact, _to_int, _version_tuple,
    format_value, kernel_text, kernel_version, listening_ports, normalize_raw, parse_port_set, parse_value,
    pow2ceil, var,
)


# ---------------------------------------------------------------- constants

NAME = '90-netlimits-tcp'
SYSCTL_FILE = '/etc/sysctl.d/90-netlimits-tcp.conf'
LIMITS_FILE = '/etc/security/limits.d/90-netlimits-tcp.conf'
MANAGER_FILE = '/etc/systemd/system.conf.d/90-netlimits-tcp.conf'
SERVICE_FILE = '/etc/systemd/system/%s.service.d/90-netlimits-tcp.conf'
RC_LOCAL = RC_LOCAL_PATH
UDEV_FILE = '/etc/udev/rules.d/90-netlimits-tcp-txqueuelen.rules'
LINK_FILE = '/etc/systemd/network/90-netlimits-tcp-%s.link'
MODPROBE_FILE = '/etc/modprobe.d/90-netlimits-tcp.conf'
MODULES_LOAD_FILE = '/etc/modules-load.d/90-netlimits-tcp.conf'
STATE_DIR = '/var/lib/netlimits-tcp'
STATE_FILE = STATE_DIR + '/original.json'
BACKUP_DIR = STATE_DIR + '/backup'
HEADER = '# Managed by the Ansible role netlimits.tcp.tcp_tune; changes here are overwritten.'
_UNIT_CHARS = frozenset('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789:_.\\@-')
_IFNAME_CHARS = frozenset('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.+-')

TIME_WAIT_SECONDS = 60          # TCP_TIMEWAIT_LEN, include/net/tcp.h
HEADROOM = 1.2                  # sizing margin
WIDEST_RANGE = (10000, 65535)   # widest port range sizing goes to (ends differ in parity)
SYSTEMD_BUILTIN_NOFILE = {'soft': 1024, 'hard': 524288}
SYSTEMD_TXQ_SINCE = 248         # .link TransmitQueueLength=
SYSTEMD_DASH_SINCE = 243        # '-' prefix in sysctl.d
PROCPS_DASH_SINCE = (3, 3, 16)
RC_LOCAL_REMOVED_IN = 260
CONNTRACK_PER_BUCKET = 8        # nf_conntrack_max = 8 x hashsize when hashsize= is given at module load
# systemd >= 240 as PID 1 raises fs.nr_open to the largest value the kernel takes (1073741816 on 64-bit:
# INT_MAX rounded down to a multiple of 8 is refused, half of it is not) and fs.file-max to LONG_MAX at every
# boot (bump_file_max_and_nr_open, systemd src/core/main.c). Revert never goes below them.
# conntrack sized from the profile's port range (issue #13): a closed connection stays in conntrack's
# TIME_WAIT for 120 s (nf_conntrack_proto_tcp.c, tcp_timeouts[TCP_CONNTRACK_TIME_WAIT] = 2 MINS), twice
# TCP's 60 s; at the rate one port range sustains (ports / 60 s) that many entries sit in the table.
CONNTRACK_TIME_WAIT_SECONDS = 120
# Memory bound: an nf_conntrack slab object is 256 bytes (/proc/slabinfo, objsize, on 6.x x86_64); the
# table may take at most 1/32 of RAM (a 1 GiB host: 131072 entries, 32 MiB when full).
CONNTRACK_ENTRY_BYTES = 256
CONNTRACK_RAM_SHARE = 32
SYN_QUEUE_FROM_BACKLOG = (4, 4)   # from 4.4 the SYN queue is min(backlog, somaxconn), not tcp_max_syn_backlog
SYSTEMD_BUMPS_SINCE = 240
SYSTEMD_BOOT_VALUES = {'fs.nr_open': 1073741816, 'fs.file-max': 9223372036854775807}
KERNEL_NR_OPEN = 1048576        # fs/file.c sysctl_nr_open (1024 * 1024) without systemd

# statuses (present)
APPLIED = 'applied'
UNCHANGED = 'unchanged'
SKIPPED_MISSING = 'skipped_missing'
SKIPPED_READ_ONLY = 'skipped_read_only'
SKIPPED_KERNEL = 'skipped_kernel'
SKIPPED_LOWER = 'skipped_lower'
OVERRIDDEN = 'overridden'
# statuses (absent)
RESTORED = 'restored'
KEPT_HOST_SCOPE = 'kept_host_scope'
UNKNOWN_ORIGINAL = 'unknown_original'


class HostRefused(PlanError):
    """A file of the host is in a state the role will not edit (a broken rc.local block): nothing changed."""


# ---------------------------------------------------------------- profile + sizing

def effective_values(params, facts, host=None):
    """(values, sizing) where values = profile < sizing < explicit, per short variable name."""
    values = dict(PROFILES.get(params['profile']) or {})
    explicit = dict((k, v) for k, v in params.items() if v is not None and k in (
        'local_port_range', 'reserved_ports', 'tw_reuse', 'fin_timeout', 'somaxconn', 'max_syn_backlog',
        'netdev_max_backlog', 'max_orphans', 'orphan_retries', 'conntrack_max', 'file_max', 'nr_open',
        'nofile', 'nofile_soft', 'systemd_default_nofile', 'txqueuelen'))
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
    if _is_int(values.get('nofile')) and _is_int(values.get('nr_open')) and values['nofile'] > values['nr_open'] \
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
        need = _ceil(rate * TIME_WAIT_SECONDS * HEADROOM)
        out['lines'].append('outbound: %s new connections/s to one destination x %d s TIME_WAIT x %.1f headroom '
                            '= %d ports without tw_reuse; range %d-%d has %d'
                            % (rate, TIME_WAIT_SECONDS, HEADROOM, need, rng[0], rng[1], have))
        tw_reuse = explicit.get('tw_reuse', base.get('tw_reuse'))
        if tw_reuse == 1:
            need = _ceil(rate * reuse_after * HEADROOM)
            out['lines'].append('tw_reuse=1: a TIME_WAIT port is reusable after %s s: %s x %s x %.1f = %d ports'
                                % (reuse_after, rate, reuse_after, HEADROOM, need))
        elif need > widest:
            out['values']['tw_reuse'] = 1
            need = _ceil(rate * reuse_after * HEADROOM)
            out['lines'].append('%d > %d (widest range %d-%d): tw_reuse=1, reusable after %s s: %s x %s x %.1f = %d ports'
                                % (_ceil(rate * TIME_WAIT_SECONDS * HEADROOM), widest, WIDEST_RANGE[0],
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
        if not _is_int(base.get('nofile')) or nofile > base['nofile']:
            out['values']['nofile'] = nofile
        nofile_final = explicit.get('nofile', out['values'].get('nofile', base.get('nofile')))
        file_max = pow2ceil(2 * conns + 65536)
        out['lines'].append('file-max: 2 x %d (proxies hold two per connection) + 65536 system files, '
                            'power of two = %d' % (conns, file_max))
        if not _is_int(base.get('file_max')) or file_max > base['file_max']:
            out['values']['file_max'] = file_max
        nr_open = _sysctl_fact(facts, 'fs.nr_open').get('value')
        if _is_int(nofile_final) and _is_int(nr_open) and nofile_final > nr_open:
            out['values']['nr_open'] = nofile_final
            out['lines'].append('nr_open: nofile %d > fs.nr_open %d: nr_open = %d (raised first)'
                                % (nofile_final, nr_open, nofile_final))
        tw_entries = _ceil(rate * 120) if rate else 0
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
    if params.get('profile') == 'none' or not ct.get('loaded') or not _containment(facts).get('initial_netns') \
            or not port_range:
        return None, []
    ports = port_range[1] - port_range[0] + 1
    rate = ports / float(TIME_WAIT_SECONDS)
    need = _ceil(rate * CONNTRACK_TIME_WAIT_SECONDS * HEADROOM)
    wanted = pow2ceil(need)
    lines = ['conntrack: %d ports / %d s TIME_WAIT = %.0f connections/s; x %d s conntrack TIME_WAIT x %.1f '
             'headroom = %d entries, power of two = %d'
             % (ports, TIME_WAIT_SECONDS, rate, CONNTRACK_TIME_WAIT_SECONDS, HEADROOM, need, wanted)]
    mem = (host or {}).get('mem_total_bytes')
    if _is_int(mem) and mem > 0:
        cap = pow2floor(max(1, mem // CONNTRACK_RAM_SHARE // CONNTRACK_ENTRY_BYTES))
        if cap < wanted:
            lines.append('conntrack: at most 1/%d of RAM (%d MiB) at %d bytes an entry: %d'
                         % (CONNTRACK_RAM_SHARE, mem // 1048576, CONNTRACK_ENTRY_BYTES, cap))
            wanted = cap
    return wanted, lines


# ---------------------------------------------------------------- sysctl

def loader_supports_dash(facts, sysctl_version_text):
    """'-key = value' is understood by every loader present: systemd >= 243 and procps-ng >= 3.3.16."""
    systemd = (((facts or {}).get('persistence') or {}).get('systemd_version'))
    procps = _version_tuple(sysctl_version_text) if sysctl_version_text else None
    if systemd is not None and systemd < SYSTEMD_DASH_SINCE:
        return False
    if procps is not None and procps < PROCPS_DASH_SINCE:
        return False
    return systemd is not None or procps is not None


def _wanted_sysctl(values, params, facts, host):
    """[(name, wanted, source variable)] from the table's variables, then tcp_tune_sysctl."""
    wanted = []
    listening = listening_ports((host or {}).get('listening_text'))
    for key in _keys.KEYS:
        if not key.variable:
            continue
        short = key.variable[len(PREFIX):]
        value = values.get(short)
        if short == 'tw_recycle':
            wanted.append((key.name, value, key.variable))
            continue
        if short == 'reserved_ports':
            fact = _sysctl_fact(facts, key.name)
            current = fact.get('value') if isinstance(fact.get('value'), list) else []
            original = _original_value(host, key.name)
            pairs = list(value or [])
            rng = values.get('local_port_range')
            added = []
            if params.get('reserve_listening_ports') and rng:
                added = [p for p in listening if rng[0] <= p <= rng[1]]
            if not pairs and not added and params.get('reserved_ports') is None:
                continue
            base = original if original is not None else current
            merged = parse_port_set([[a, b] for a, b in (base or [])] + pairs + added)
            wanted.append((key.name, merged, key.variable))
            continue
        if short == 'conntrack_max':
            continue  # planned by plan_conntrack
        if value is None:
            continue
        wanted.append((key.name, value, key.variable))
    for name, value in sorted(((params or {}).get('sysctl') or {}).items()):
        key = _keys.BY_NAME.get(name)
        parsed = parse_value(name, format_value(name, value)) if key is not None else normalize_raw(format_value(name, value))
        wanted.append((name, parsed, var('sysctl')))
    return wanted


def _original_value(host, name):
    state = (host or {}).get('state') or {}
    entry = (state.get('sysctl') or {}).get(name)
    if not entry:
        return None
    return parse_value(name, entry.get('value'))


def _entry(name, fact, wanted, source):
    key = _keys.BY_NAME.get(name)
    return {
        'key': name, 'variable': source, 'before': fact.get('value') if fact else None,
        'wanted': wanted, 'after': None, 'status': None, 'reason': '',
        'scope': key.scope if key else (fact or {}).get('scope'),
        'kind': key.kind if key else _keys.KIND_BEHAVIOUR,
        'in_file': False, 'apply': False, 'overridden_by': None, 'live': None,
    }


def plan_key(name, wanted, source, facts, params, host):
    """Status of one key: the heart of the planner. Returns the report entry."""
    key = _keys.BY_NAME.get(name)
    extra = ((host or {}).get('extra_sysctl') or {})
    fact = _sysctl_fact(facts, name) if key is not None else extra.get(name) or {}
    if key is None and fact:
        fact = dict(fact)
        fact['value'] = normalize_raw(fact.get('value'))
    entry = _entry(name, fact, wanted, source)
    version = kernel_version(facts)
    release = kernel_text(facts)
    warnings = []
    if key is not None and not _keys.exists_in_kernel(key, version):
        entry['status'] = SKIPPED_KERNEL
        if key.until:
            entry['reason'] = '%s was removed in %d.%d; kernel %s does not have it' % (
                name, key.until[0], key.until[1], release)
        else:
            entry['reason'] = '%s exists from %d.%d; kernel %s does not have it' % (
                name, key.since[0], key.since[1], release)
        if name == 'net.ipv4.tcp_tw_recycle' and wanted:
            warnings.append('tcp_tw_recycle: not set: %s (it broke clients behind NAT)' % entry['reason'])
        elif name != 'net.ipv4.tcp_tw_recycle':
            warnings.append('%s: skipped: %s' % (name, entry['reason']))
        return entry, warnings
    if key is not None and _is_int(wanted) and not _keys.value_allowed_on(name, wanted, version):
        since = _keys.VALUE_GUARDS[(name, wanted)]
        entry['status'] = SKIPPED_KERNEL
        entry['reason'] = '%s=%s needs kernel %d.%d or newer; this is %s' % (name, wanted, since[0], since[1], release)
        warnings.append('%s: refused: %s' % (name, entry['reason']))
        return entry, warnings
    if not fact.get('present'):
        entry['status'] = SKIPPED_MISSING
        if key is not None and key.needs_module:
            entry['reason'] = '%s exists only while %s is loaded' % (name, key.needs_module)
        elif key is not None and key.scope == _keys.SCOPE_INIT_NETNS:
            entry['reason'] = '%s exists only in the initial network namespace (not in a container)' % name
        else:
            entry['reason'] = '%s does not exist on this host' % name
        return entry, warnings
    if name == 'net.ipv4.tcp_tw_recycle' and wanted:
        warnings.append('tcp_tw_recycle=1 on kernel %s: it drops connections from clients behind NAT '
                        '(removed in 4.12 for that reason)' % release)
    before = fact.get('value')
    raise_only = params.get('raise_only', True)
    original = _original_value(host, name) if key is not None else None
    baseline = original if original is not None else before
    if raise_only and _holds_more(name, entry['kind'], baseline, wanted):
        entry['status'] = SKIPPED_LOWER
        entry['reason'] = '%s is %s here, above the wanted %s (tcp_tune_raise_only)' % (
            name, format_value(name, baseline), format_value(name, wanted))
        if not _same(name, before, baseline) and fact.get('writable'):
            # our own earlier run raised it further: go back to the higher value in effect before us
            entry['wanted'] = baseline
            entry['apply'] = True
        return entry, warnings
    entry['in_file'] = True
    if _same(name, before, wanted):
        entry['status'] = UNCHANGED
    elif not fact.get('writable'):
        entry['status'] = SKIPPED_READ_ONLY
        entry['reason'] = '%s is read-only here%s: the file persists it; the host must set it live' % (
            name, ' (container network namespace)' if _containment(facts).get('container') else '')
        warnings.append('%s: %s' % (name, entry['reason']))
    else:
        entry['status'] = APPLIED
        entry['apply'] = True
    entry['live'] = entry['status']
    if name == 'net.ipv4.tcp_max_syn_backlog' and (version is None or tuple(version[:2]) >= SYN_QUEUE_FROM_BACKLOG):
        cookies = _sysctl_fact(facts, 'net.ipv4.tcp_syncookies').get('value')
        if cookies != 0:
            # tcp_conn_request() (net/ipv4/tcp_input.c) reads it only while tcp_syncookies=0; with cookies
            # on, a full SYN queue (min(backlog, somaxconn)) sends cookies instead of dropping. Before 4.4,
            # reqsk_queue_alloc() (net/core/request_sock.c) also sized the SYN queue from it.
            entry['reason'] = ('no effect while net.ipv4.tcp_syncookies=%s: the kernel reads it only with '
                               'syncookies off' % (cookies if cookies is not None else 'unknown'))
    prov = ((facts or {}).get('provenance') or {}).get(name)
    if prov:
        winner = would_be_overridden_by(prov, SYSCTL_FILE)
        if winner:
            entry['status'] = OVERRIDDEN
            entry['overridden_by'] = winner
            value = [f['value'] for f in prov.get('files', ()) if f['path'] == winner]
            entry['reason'] = '%s sets %s = %s and is loaded after %s: it wins at boot' % (
                winner, name, value[-1] if value else '?', SYSCTL_FILE)
            warnings.append('%s: overridden: %s' % (name, entry['reason']))
    return entry, warnings


def render_sysctl(entries, dash, exclude=()):
    """Lines of /etc/sysctl.d/90-netlimits-tcp.conf: only keys present on the host (and not in exclude)."""
    lines = [HEADER, '# Keys the running kernel lacks are left out; see tcp_tune_report.']
    for entry in entries:
        if not entry['in_file'] or entry['key'] in exclude:
            continue
        key = _keys.BY_NAME.get(entry['key'])
        if key is not None:
            lines.append('# %s' % key.doc)
        lines.append('%s%s = %s' % ('-' if dash else '', entry['key'], format_value(entry['key'], entry['wanted'])))
    return lines


def sysctl_file_text(entries, dash, exclude=()):
    """The sysctl file's content; exclude: keys the kernel refused (_apply leaves them out)."""
    return '\n'.join(render_sysctl(entries, dash, exclude)) + '\n'


def apply_argv(entries):
    """['sysctl', '-w', 'k=v', ...] for the keys to set live, fs.nr_open first; [] when none."""
    todo = [e for e in entries if e['apply']]
    todo.sort(key=lambda e: 0 if e['key'] == 'fs.nr_open' else 1)
    if not todo:
        return []
    return ['sysctl', '-w'] + ['%s=%s' % (e['key'], format_value(e['key'], e['wanted'])) for e in todo]


# ---------------------------------------------------------------- fs.nr_open against every nofile

def systemd_boot_value(facts, name):
    """What systemd sets the key to at every boot (fs.nr_open, fs.file-max), or None (no such systemd here)."""
    systemd = ((facts or {}).get('persistence') or {}).get('systemd_version')
    # files.systemd_default_nofile is None where systemd is not PID 1 (_facts_files.systemd_default_nofile)
    pid1 = ((facts or {}).get('files') or {}).get('systemd_default_nofile') is not None
    if not pid1 or systemd is None or systemd < SYSTEMD_BUMPS_SINCE or _containment(facts).get('container'):
        return None
    return SYSTEMD_BOOT_VALUES.get(name)


def other_nofile(facts):
    """(value, entry) of the highest numeric nofile set by a limits file other than ours, or (None, None)."""
    best = (None, None)
    for entry in ((facts or {}).get('files') or {}).get('limits_entries') or []:
        if entry.get('file') != LIMITS_FILE and _is_int(entry.get('value')) \
                and (best[0] is None or entry['value'] > best[0]):
            best = (entry['value'], entry)
    return best


def nr_open_at_boot(entries, facts):
    """(value, source) of fs.nr_open after the next boot, with the sysctl file this plan writes.

    The last sysctl file that sets it wins (_facts_provenance's load order, ours
    included when the plan puts the key in it); with none, systemd's bump or the
    kernel's default.
    """
    entry = [e for e in entries if e['key'] == 'fs.nr_open']
    entry = entry[0] if entry else None
    prov = ((facts or {}).get('provenance') or {}).get('fs.nr_open') or {}
    others = [f for f in prov.get('files', ()) if f['path'] != SYSCTL_FILE]
    if entry is not None and entry['in_file']:
        winner = entry.get('overridden_by')
        if not winner:
            return entry['wanted'], SYSCTL_FILE
        others = [f for f in others if f['path'] == winner]
    if others:
        return _to_int(others[-1]['value']), others[-1]['path']
    live = _sysctl_fact(facts, 'fs.nr_open').get('value')
    if _containment(facts).get('container') and _is_int(live):
        # fs.nr_open is the machine's: restarting the container does not reset it
        return live, 'the machine (fs.nr_open is not namespaced)'
    boot = systemd_boot_value(facts, 'fs.nr_open')
    if boot is not None:
        return boot, 'systemd (raised at every boot)'
    return KERNEL_NR_OPEN, 'the kernel default'


def check_nofile_after_boot(values, params, entries, facts, host):
    """Keep every nofile the run writes at or below fs.nr_open after the next boot (H1).

    When the value in effect now is high enough but nothing persists it (raised by
    hand, or skipped_lower), the plan persists fs.nr_open at that value; when
    another file sets a lower one at boot, the run is refused.
    """
    asked = [(var(short), values.get(short)) for short in ('nofile', 'nofile_soft', 'systemd_default_nofile')]
    asked.extend(('%s[%s]' % (var('service_nofile'), name), _to_int(value))
                 for name, value in sorted((params.get('service_nofile') or {}).items()))
    asked = [(name, value) for name, value in asked if _is_int(value)]
    if not asked:
        return []
    highest = max(value for dummy, value in asked)
    boot, source = nr_open_at_boot(entries, facts)
    if _is_int(boot) and boot >= highest:
        return []
    fact = _sysctl_fact(facts, 'fs.nr_open')
    live = fact.get('value')
    if fact.get('present') and _is_int(live) and live >= highest:
        entry = [e for e in entries if e['key'] == 'fs.nr_open']
        if entry:
            entry = entry[0]
            persisted = entry['wanted'] if entry['in_file'] and _is_int(entry['wanted']) and entry['wanted'] >= highest \
                else live
        else:
            entry, dummy = plan_key('fs.nr_open', live, var('nr_open'), facts, params, host)
            entries.append(entry)
            persisted = live
        if not entry['in_file'] or entry['wanted'] != persisted:
            entry['wanted'] = persisted
            entry['in_file'] = True
            entry['apply'] = not _same('fs.nr_open', live, persisted) and bool(fact.get('writable'))
        if not entry.get('overridden_by'):
            entry['reason'] = ('persisted at %d: %s (%d) needs it after boot, when %s would give %s'
                               % (persisted, asked[0][0] if len(asked) == 1 else 'the nofile limits', highest,
                                  source, boot))
            return []
        boot, source = nr_open_at_boot(entries, facts)
    return ['%s (%d) is above fs.nr_open after the next boot (%s, from %s, read after %s): logins would fail '
            'then; set fs.nr_open there too (or remove it there), or lower %s'
            % (name, value, boot, source, SYSCTL_FILE, name) for name, value in asked if value > boot]


def revert_floor(name, facts):
    """(value, why) a revert never takes fs.nr_open or fs.file-max below, or (None, '').

    systemd's boot value (it would come back at the next boot anyway), and for
    fs.nr_open the highest nofile another limits file sets (below it, those users
    could not log in).
    """
    floors = []
    boot = systemd_boot_value(facts, name)
    if boot is not None:
        floors.append((boot, 'systemd raises %s to %d at every boot: not restored below it' % (name, boot)))
    if name == 'fs.nr_open':
        value, limit = other_nofile(facts)
        if value is not None:
            floors.append((value, '%s sets nofile %d for %s: fs.nr_open is not restored below it'
                           % (limit['file'], value, limit['domain'])))
    if not floors:
        return None, ''
    return max(floors)


def check_nr_open_lowering(entries, facts):
    """Errors when the plan would lower fs.nr_open below a nofile another limits file sets (M8)."""
    value, limit = other_nofile(facts)
    if value is None:
        return []
    errors = []
    for entry in entries:
        if entry['key'] == 'fs.nr_open' and entry['apply'] and _is_int(entry['wanted']) and entry['wanted'] < value:
            errors.append('%s (%d) would lower fs.nr_open below the nofile %d that %s sets for %s (line %s): '
                          'that user could no longer log in; keep tcp_tune_nr_open at or above %d'
                          % (var('nr_open'), entry['wanted'], value, limit['file'], limit['domain'],
                             limit.get('line'), value))
    return errors


# ---------------------------------------------------------------- limits and systemd

def plan_limits(values, params, facts):
    """(report entries, lines of limits.d/90-netlimits-tcp.conf or None, warnings)."""
    hard = values.get('nofile')
    if not _is_int(hard):
        return [], None, []
    soft = values.get('nofile_soft') if _is_int(values.get('nofile_soft')) else hard
    soft = min(soft, hard)
    entries_in = ((facts or {}).get('files') or {}).get('limits_entries') or []
    ours = [e for e in entries_in if e.get('file') == LIMITS_FILE]
    others = [e for e in entries_in if e.get('file') != LIMITS_FILE]
    report, lines, warnings = [], [HEADER, '# <domain> <type> <item> <value>; root is listed by name: Debian\'s pam_limits does not apply "*" to root.'], []
    for domain in params['limits_domains']:
        for kind, value in (('soft', soft), ('hard', hard)):
            entry = {'domain': domain, 'type': kind, 'item': 'nofile', 'wanted': value, 'before': None,
                     'status': None, 'reason': '', 'overridden_by': None}
            before_ours = [e for e in ours if e.get('domain') == domain and e.get('type') in (kind, '-')]
            same = [e for e in others if e.get('domain') == domain and e.get('type') in (kind, '-')]
            earlier = [e for e in same if e['file'] < LIMITS_FILE or e['file'] == '/etc/security/limits.conf']
            later = [e for e in same if e not in earlier]
            in_effect = (earlier[-1]['value'] if earlier else None)
            entry['before'] = before_ours[-1]['value'] if before_ours else in_effect
            higher = in_effect == 'unlimited' or (_is_int(in_effect) and in_effect > value)
            if params.get('raise_only') and higher:
                entry['status'] = SKIPPED_LOWER
                entry['reason'] = '%s sets %s %s nofile %s, above %s (tcp_tune_raise_only)' % (
                    earlier[-1]['file'], domain, kind, in_effect, value)
                report.append(entry)
                continue
            lines.append('%-8s %-4s nofile %d' % (domain, kind, value))
            if before_ours and before_ours[-1]['value'] == value:
                entry['status'] = UNCHANGED
            else:
                entry['status'] = APPLIED
            if later and later[-1]['value'] != value:
                entry['status'] = OVERRIDDEN
                entry['overridden_by'] = later[-1]['file']
                entry['reason'] = '%s (read after ours) sets %s %s nofile %s' % (
                    later[-1]['file'], domain, kind, later[-1]['value'])
                warnings.append('limits: %s' % entry['reason'])
            report.append(entry)
    return report, lines, warnings


def plan_manager(values, params, facts, host):
    """DefaultLimitNOFILE for the systemd manager: (entry or None, lines or None)."""
    wanted = values.get('systemd_default_nofile')
    if not _is_int(wanted):
        return None, None
    current = ((facts or {}).get('files') or {}).get('systemd_default_nofile')
    if current is None:
        return ({'wanted': wanted, 'before': None, 'status': SKIPPED_MISSING,
                 'reason': 'systemd is not the init system here'}, None)
    state = (host or {}).get('state') or {}
    original = state.get('systemd_default_nofile')
    if current.get('source') == MANAGER_FILE:
        base = original or SYSTEMD_BUILTIN_NOFILE
    else:
        base = {'soft': current.get('soft'), 'hard': current.get('hard')}
    soft, hard = wanted, wanted
    if params.get('raise_only'):
        if _is_int(base.get('soft')) and base['soft'] > soft:
            soft = base['soft']
        if _is_int(base.get('hard')) and base['hard'] > hard:
            hard = base['hard']
        if base.get('hard') == 'infinity' or base.get('soft') == 'infinity':
            return ({'wanted': wanted, 'before': current, 'status': SKIPPED_LOWER,
                     'reason': 'DefaultLimitNOFILE is infinity already'}, None)
    entry = {'wanted': '%d:%d' % (soft, hard), 'before': current, 'status': APPLIED, 'reason': ''}
    if current.get('soft') == soft and current.get('hard') == hard:
        entry['status'] = UNCHANGED if current.get('source') == MANAGER_FILE else SKIPPED_LOWER
        if entry['status'] == SKIPPED_LOWER:
            entry['reason'] = 'DefaultLimitNOFILE is %s:%s already (%s)' % (soft, hard, current.get('source'))
            return entry, None
    lines = [HEADER, '# Applied to the manager by `systemctl daemon-reexec`; services get it when (re)started.',
             '[Manager]', 'DefaultLimitNOFILE=%d:%d' % (soft, hard)]
    return entry, lines


def service_unit(name):
    name = str(name)
    return name[:-len('.service')] if name.endswith('.service') else name


def plan_services(params):
    """{path: lines} of the per-service drop-ins."""
    files = {}
    for name, value in sorted((params.get('service_nofile') or {}).items()):
        unit = service_unit(name)
        files[SERVICE_FILE % unit] = [HEADER, '[Service]', 'LimitNOFILE=%d' % _to_int(value)]
    return files


# ---------------------------------------------------------------- txqueuelen

def _interfaces(params, facts):
    """[(name, fact or None)] of the interfaces to set, and warnings.

    Names read from sysfs (the default `physical`) may hold any byte but '/'
    and whitespace; those outside _IFNAME (what tcp_tune_interfaces accepts) are
    skipped: they would land in rc.local, udev rules and .link files.
    """
    known = dict((i.get('name'), i) for i in ((facts or {}).get('interfaces') or []))
    if params['interfaces'] != 'physical':
        return [(n, known.get(n)) for n in params['interfaces']], []
    chosen, warnings = [], []
    for name, iface in sorted(known.items()):
        if not iface.get('physical'):
            continue
        if _IFNAME.match(name or '') and name not in ('.', '..'):
            chosen.append((name, iface))
        else:
            warnings.append('txqueuelen: interface %r skipped: its name has characters other than '
                            'A-Z a-z 0-9 _ . + - (name it in tcp_tune_interfaces after renaming it)' % name)
    return chosen, warnings


def rc_local_mode(current):
    """rc.local's mode: the current one plus execute bits where it has read bits ('0755' for a new file).

    systemd's rc-local.service runs it only when it is executable; adding only
    execute bits keeps a 0700 file private (0600 -> 0700, 0644 -> 0755).
    """
    if current is None:
        return '0755'
    mode = int(current, 8)
    mode |= 0o100 | ((mode & 0o444) >> 2)
    return '%04o' % mode


def plan_txqueuelen(values, params, facts, host):
    """Live commands, report entries and the persistence method's files."""
    out = {'value': values.get('txqueuelen'), 'entries': [], 'commands': [], 'method': None,
           'files': {}, 'warnings': []}
    wanted = values.get('txqueuelen')
    if not _is_int(wanted):
        return out
    state = (host or {}).get('state') or {}
    originals = state.get('txqueuelen') or {}
    names = []
    chosen, out['warnings'] = _interfaces(params, facts)
    for name, iface in chosen:
        entry = {'interface': name, 'before': None, 'wanted': wanted, 'status': None, 'reason': ''}
        out['entries'].append(entry)
        if iface is None:
            entry['status'] = SKIPPED_MISSING
            entry['reason'] = 'no interface %s here' % name
            out['warnings'].append('txqueuelen: %s' % entry['reason'])
            continue
        before = iface.get('txqueuelen')
        entry['before'] = before
        baseline = originals.get(name, before)
        if params.get('raise_only') and _is_int(baseline) and baseline > wanted:
            entry['status'] = SKIPPED_LOWER
            entry['reason'] = '%s has txqueuelen %d, above %d (tcp_tune_raise_only)' % (name, baseline, wanted)
            continue
        names.append(name)
        if before == wanted:
            entry['status'] = UNCHANGED
        else:
            entry['status'] = APPLIED
            out['commands'].append(['ip', 'link', 'set', 'dev', name, 'txqueuelen', str(wanted)])
    if params['interfaces'] == 'physical' and not out['entries']:
        out['warnings'].append('txqueuelen: no physical interface here (containers have veth; '
                               'name interfaces in tcp_tune_interfaces)')
    method = params['txqueuelen_persist']
    persistence = (facts or {}).get('persistence') or {}
    systemd = persistence.get('systemd_version')
    if method == 'rc_local' and systemd is not None and systemd >= RC_LOCAL_REMOVED_IN:
        out['warnings'].append('txqueuelen: systemd %d has no rc.local support (removed in %d): persisting with '
                               'udev instead' % (systemd, RC_LOCAL_REMOVED_IN))
        method = 'udev'
    if method == 'rc_local' and systemd is not None and not (host or {}).get('rc_local_generator', True):
        out['warnings'].append('txqueuelen: systemd-rc-local-generator is missing: persisting with udev instead')
        method = 'udev'
    if method == 'rc_local' and not (host or {}).get('ip_binary', True):
        out['warnings'].append('txqueuelen: no ip binary (iproute2), which rc.local lines need: persisting with udev instead')
        method = 'udev'
    if method == 'systemd_link' and (systemd is None or systemd < SYSTEMD_TXQ_SINCE):
        out['warnings'].append('txqueuelen: .link TransmitQueueLength= needs systemd %d (this has %s): '
                               'persisting with udev instead' % (SYSTEMD_TXQ_SINCE, systemd))
        method = 'udev'
    out['method'] = method
    if not names or method == 'none':
        return out
    if method == 'rc_local':
        files = (host or {}).get('files') or {}
        info = files.get(RC_LOCAL) or {}
        text = info.get('content') if info.get('exists') else None
        new, notes = rc_local_insert(text, rc_local_block_lines(names, wanted))
        out['warnings'].extend('rc.local: %s' % n for n in notes if not n.startswith('created'))
        mode = rc_local_mode(info.get('mode') if info.get('exists') else None)
        if info.get('exists') and not info.get('executable', True):
            out['warnings'].append('rc.local: %s was not executable, so it never ran at boot: made it %s'
                                   % (RC_LOCAL, mode))
        out['files'][RC_LOCAL] = {'content': new, 'mode': mode}
    elif method == 'udev':
        lines = [HEADER] + ['ACTION=="add", SUBSYSTEM=="net", KERNEL=="%s", ATTR{tx_queue_len}="%d"' % (n, wanted)
                            for n in names]
        out['files'][UDEV_FILE] = {'content': '\n'.join(lines) + '\n', 'mode': '0644'}
    elif method == 'systemd_link':
        default_link = (host or {}).get('default_link')
        for n in names:
            out['files'][LINK_FILE % n] = {'content': render_link(default_link, n, wanted, HEADER), 'mode': '0644'}
    return out


# ---------------------------------------------------------------- conntrack

def plan_conntrack(values, params, facts, host):
    """(sysctl entries, modprobe lines or None, modules-load lines or None, warnings)."""
    entries, warnings = [], []
    wanted = values.get('conntrack_max')
    ct = (facts or {}).get('conntrack') or {}
    load_lines = [HEADER, 'nf_conntrack'] if params.get('conntrack_load') else None
    if not _is_int(wanted):
        return entries, None, load_lines, warnings
    name = ct.get('key') or 'net.netfilter.nf_conntrack_max'
    entry, warn = plan_key(name, wanted, var('conntrack_max'), facts, params, host)
    warnings.extend(warn)
    if entry['status'] == SKIPPED_MISSING:
        entry['reason'] = 'nf_conntrack is not loaded (set tcp_tune_conntrack_load: true to load it)'
    if entry['status'] == SKIPPED_READ_ONLY:
        entry['reason'] = ('%s is read-only outside the initial network namespace: the host must set it '
                           '(the file keeps it for when this runs on the host)' % name)
    entries.append(entry)
    buckets = max(1, _ceil(float(entry['wanted']) / CONNTRACK_PER_BUCKET)) if _is_int(entry['wanted']) else None
    modprobe = None
    if buckets and entry['status'] not in (SKIPPED_LOWER, SKIPPED_KERNEL):
        bentry, warn = plan_key('net.netfilter.nf_conntrack_buckets', buckets, var('conntrack_max'),
                                facts, params, host)
        bentry['in_file'] = False  # persisted by modprobe.d, not sysctl.d
        if bentry['status'] == SKIPPED_READ_ONLY:
            bentry['reason'] = 'conntrack buckets are read-only outside the initial network namespace: the host must set them'
        if bentry['status'] != SKIPPED_MISSING:
            warnings.extend(w for w in warn if 'overridden' not in w)
        entries.append(bentry)
        if bentry['status'] != SKIPPED_LOWER:
            # a hashsize below the buckets in effect would lower them at the next module load
            modprobe = [HEADER, '# hashsize = nf_conntrack_max / %d: at module load nf_conntrack_max becomes '
                        '%d x hashsize.' % (CONNTRACK_PER_BUCKET, CONNTRACK_PER_BUCKET),
                        'options nf_conntrack hashsize=%d' % buckets]
    return entries, modprobe, load_lines, warnings


# ---------------------------------------------------------------- files, state

def concern_of(path):
    """Which task file of the role handles a managed path."""
    if path == SYSCTL_FILE:
        return 'sysctl'
    if path == LIMITS_FILE:
        return 'limits'
    if path == MANAGER_FILE or '.service.d/' in path:
        return 'systemd'
    if path in (MODPROBE_FILE, MODULES_LOAD_FILE):
        return 'conntrack'
    return 'txqueuelen'


def backup_path(path):
    return BACKUP_DIR + path


def is_managed_path(path):
    """True for the paths the role writes: the fixed ones, service drop-ins and our .link files."""
    if path in (SYSCTL_FILE, LIMITS_FILE, MANAGER_FILE, RC_LOCAL, UDEV_FILE, MODPROBE_FILE, MODULES_LOAD_FILE):
        return True
    for pattern, charset in ((SERVICE_FILE, _UNIT_CHARS), (LINK_FILE, _IFNAME_CHARS)):
        head, tail = pattern.split('%s')
        middle = path[len(head):len(path) - len(tail)] if path.startswith(head) and path.endswith(tail) else ''
        if middle and '..' not in middle and all(c in charset for c in middle):
            return True
    return False


def rc_local_created_only(text):
    """True when rc.local, our block taken out, is what the role writes when it creates the file."""
    skeleton = rc_local_remove(rc_local_insert(None, ['true'])[0])
    return text is not None and rc_local_remove(text) == skeleton


def _file_ops(wanted_files, host):
    """Writes, backups and stale removals for the present state.

    wanted_files: {path: {'content', 'mode'}}. A file that exists and is not ours
    yet is backed up once (byte copy under BACKUP_DIR) before the first write.
    """
    files = (host or {}).get('files') or {}
    state = (host or {}).get('state') or {}
    recorded = state.get('files') or {}
    writes, backups, record = [], [], {}
    for path in sorted(wanted_files):
        spec = wanted_files[path]
        info = files.get(path) or {}
        if path in recorded:
            record[path] = recorded[path]
        else:
            # A file with our header (or an rc.local that is only what we create) is ours from an earlier
            # run whose state directory is gone: not an original to back up and restore.
            existed = bool(info.get('exists')) and not info.get('ours') and not (
                path == RC_LOCAL and rc_local_created_only(info.get('content')))
            record[path] = {'existed': existed, 'mode': info.get('mode') if existed else None,
                            'backup': backup_path(path) if existed else None}
            if existed:
                backups.append({'src': path, 'dest': backup_path(path)})
        writes.append({'path': path, 'content': spec['content'], 'mode': spec['mode'], 'concern': concern_of(path)})
    stale = [p for p in sorted(recorded) if p not in wanted_files]
    return writes, backups, record, stale


def _undo_ops(paths, host):
    """How to undo our files: restore a backup, take our block out of rc.local, or remove a file of ours.

    Without a record (state file lost) only what is provably ours goes: a file
    that starts with our header, our block in rc.local. rc.local itself is removed
    only when nothing but what the role creates is left in it.
    """
    files = (host or {}).get('files') or {}
    state = (host or {}).get('state') or {}
    recorded = state.get('files') or {}
    restores, removes, writes = [], [], []
    for path in paths:
        rec = recorded.get(path) or {}
        info = files.get(path) or {}
        if not info.get('exists'):
            continue
        if path == RC_LOCAL:
            text = info.get('content')
            if text is None:
                continue
            if not rec.get('existed') and rc_local_created_only(text):
                removes.append(path)
            elif rc_local_has_block(text):
                writes.append({'path': path, 'content': rc_local_remove(text), 'mode': rec.get('mode') or info.get('mode')})
            elif rec.get('mode') and info.get('mode') != rec.get('mode'):
                writes.append({'path': path, 'content': text, 'mode': rec.get('mode')})
        elif rec.get('existed') and rec.get('backup'):
            restores.append({'src': rec['backup'], 'dest': path, 'mode': rec.get('mode') or '0644'})
        elif info.get('ours'):
            removes.append(path)
    return restores, removes, writes


def ours_persisted(host):
    """(sysctl keys our sysctl file sets, whether a txqueuelen file of ours exists) as found on the host."""
    files = (host or {}).get('files') or {}
    sysctl = files.get(SYSCTL_FILE) or {}
    keys = set(name for name, dummy in parse_sysctl_file(sysctl.get('content'))) if sysctl.get('ours') else set()
    rc = files.get(RC_LOCAL) or {}
    txq = rc_local_has_block(rc.get('content')) or any(
        info.get('ours') for path, info in files.items() if path == UDEV_FILE or path.endswith('.link'))
    return keys, txq


def _state_record(facts, host, entries, tx_entries, manager, record_files, conntrack_load):
    """The state file's new content: originals recorded once (before the first change), merged additively."""
    old = (host or {}).get('state') or {}
    state = {
        'format': 1,
        'written_by': 'netlimits.tcp.tcp_tune',
        'container': old.get('container', bool(_containment(facts).get('container'))),
        'initial_netns': old.get('initial_netns', _containment(facts).get('initial_netns')),
        'kernel': old.get('kernel', kernel_text(facts)),
        'sysctl': dict(old.get('sysctl') or {}),
        'txqueuelen': dict(old.get('txqueuelen') or {}),
        'files': dict(old.get('files') or {}),
    }
    if 'systemd_default_nofile' in old:
        state['systemd_default_nofile'] = old['systemd_default_nofile']
    if 'conntrack_loaded_by_role' in old:
        state['conntrack_loaded_by_role'] = old['conntrack_loaded_by_role']
    # Without a state file, live values our own files persist are ours (an earlier run whose state
    # directory is gone), not originals: revert then treats them as unrecorded.
    ours = ours_persisted(host) if not old else (set(), False)
    for entry in entries:
        name = entry['key']
        fact = _sysctl_fact(facts, name) if name in _keys.BY_NAME else ((host or {}).get('extra_sysctl') or {}).get(name)
        if name in state['sysctl'] or name in ours[0] or not fact or not fact.get('present'):
            continue
        if entry['status'] in (SKIPPED_KERNEL, SKIPPED_MISSING):
            continue
        raw = fact.get('raw') if fact.get('raw') is not None else fact.get('value')
        state['sysctl'][name] = {'value': normalize_raw(raw),
                                 'scope': fact.get('scope') or (_keys.BY_NAME[name].scope if name in _keys.BY_NAME else None)}
    for entry in tx_entries:
        if entry['interface'] not in state['txqueuelen'] and _is_int(entry['before']) and not ours[1]:
            state['txqueuelen'][entry['interface']] = entry['before']
    if manager is not None and 'systemd_default_nofile' not in state:
        current = manager.get('before') or {}
        if current and current.get('source') != MANAGER_FILE:
            state['systemd_default_nofile'] = {'soft': current.get('soft'), 'hard': current.get('hard'),
                                               'source': current.get('source')}
    for path, rec in record_files.items():
        state['files'].setdefault(path, rec)
    if conntrack_load and 'conntrack_loaded_by_role' not in state:
        state['conntrack_loaded_by_role'] = not ((facts or {}).get('conntrack') or {}).get('loaded')
    return state


def state_text(state):
    return json.dumps(state, indent=2, sort_keys=True) + '\n'


def plan_paths(params, facts, state=None):
    """Paths whose existence/mode the role must stat before planning (ours, plus any in the state file)."""
    params, dummy = normalize_params(params)
    paths = {SYSCTL_FILE, LIMITS_FILE, MANAGER_FILE, RC_LOCAL, UDEV_FILE, MODPROBE_FILE, MODULES_LOAD_FILE}
    for name in (params.get('service_nofile') or {}) if isinstance(params.get('service_nofile'), dict) else ():
        paths.add(SERVICE_FILE % service_unit(name))
    ifaces = params.get('interfaces')
    names = []
    if params.get('txqueuelen_persist') == 'systemd_link':
        names = [i.get('name') for i in ((facts or {}).get('interfaces') or [])]
        if isinstance(ifaces, list):
            names.extend(n for n in ifaces if isinstance(n, str) and _IFNAME.match(n))
    for n in names:
        if n:
            paths.add(LINK_FILE % n)
    paths.update(((state or {}).get('files') or {}).keys())
    return sorted(paths)


def extra_keys(params, state=None):
    """Keys outside the table the role must read itself: tcp_tune_sysctl's, and those the state file recorded."""
    params, dummy = normalize_params(params)
    names = set(k for k in (params.get('sysctl') or {}) if isinstance(k, str) and k and not _SYSCTL_BAD.search(k)
                and '..' not in k and not k.startswith('-')) if isinstance(params.get('sysctl'), dict) else set()
    names.update(((state or {}).get('sysctl') or {}).keys())
    return sorted(n for n in names if n not in _keys.BY_NAME)


# ---------------------------------------------------------------- the plans

def plan(raw_params, facts, host=None):
    """The whole plan for tcp_tune_state present or absent.

    Raises PlanError on bad input, HostRefused when a file of the host cannot be
    edited safely; in both cases before anything is written.
    """
    try:
        return _plan(raw_params, facts, host)
    except RcLocalError as exc:
        raise HostRefused([str(exc)])


def _plan(raw_params, facts, host=None):
    params, warnings = normalize_params(raw_params)
    validate(params, facts)
    if params['state'] == 'absent':
        result = plan_revert(params, facts, host)
        result['warnings'] = warnings + result['warnings']
        return result
    values, sizing = effective_values(params, facts, host)
    warnings.extend(sizing['warnings'])
    # nofile against the fs.nr_open this run leaves
    leaves = nr_open_after(params, facts, values)
    errors = []
    for short in ('nofile', 'nofile_soft', 'systemd_default_nofile'):
        value = values.get(short)
        if _is_int(value) and value > leaves:
            if params.get(short) is not None:
                errors.append('%s (%d) is above fs.nr_open (%d) as this run leaves it: raise tcp_tune_nr_open in '
                              'the same run (it is applied first) or lower %s; a nofile above fs.nr_open makes '
                              'PAM logins fail' % (var(short), value, leaves, var(short)))
            else:
                warnings.append('%s from the profile (%d) is above fs.nr_open (%d), which cannot be raised here: '
                                'using %d' % (var(short), value, leaves, leaves))
                values[short] = leaves
    for name, value in (params.get('service_nofile') or {}).items():
        if _to_int(value) > leaves:
            errors.append('%s[%s] (%s) is above fs.nr_open (%d) as this run leaves it: it must be an integer from 1 '
                          'to fs.nr_open (raise tcp_tune_nr_open in the same run); a service cannot start with a '
                          'LimitNOFILE above it' % (var('service_nofile'), name, value, leaves))
    soft, hard = values.get('nofile_soft'), values.get('nofile')
    if params.get('nofile_soft') is not None and not _is_int(hard):
        errors.append('%s needs a hard limit to stay under: set %s too (profile %s sets none)'
                      % (var('nofile_soft'), var('nofile'), params['profile']))
    elif params.get('nofile') is None and _is_int(soft) and soft > hard:
        errors.append('%s (%d) must not be above the hard limit (%d, %s from profile %s): lower it or set %s'
                      % (var('nofile_soft'), soft, hard, var('nofile'), params['profile'], var('nofile')))
    if errors:
        raise PlanError(errors)

    entries = []
    for name, wanted, source in _wanted_sysctl(values, params, facts, host):
        entry, warn = plan_key(name, wanted, source, facts, params, host)
        entries.append(entry)
        warnings.extend(warn)
    ct_entries, modprobe, modules_load, warn = plan_conntrack(values, params, facts, host)
    entries.extend(ct_entries)
    warnings.extend(warn)
    errors = check_nofile_after_boot(values, params, entries, facts, host) + check_nr_open_lowering(entries, facts)
    if errors:
        raise PlanError(errors)
    dash = loader_supports_dash(facts, (host or {}).get('sysctl_version'))
    wanted_files = {}
    if any(e['in_file'] for e in entries):
        wanted_files[SYSCTL_FILE] = {'content': sysctl_file_text(entries, dash), 'mode': '0644'}
    limits, limits_lines, warn = plan_limits(values, params, facts)
    warnings.extend(warn)
    if limits_lines and len(limits_lines) > 2:
        wanted_files[LIMITS_FILE] = {'content': '\n'.join(limits_lines) + '\n', 'mode': '0644'}
    manager, manager_lines = plan_manager(values, params, facts, host)
    if manager_lines:
        wanted_files[MANAGER_FILE] = {'content': '\n'.join(manager_lines) + '\n', 'mode': '0644'}
    services = plan_services(params)
    for path, lines in services.items():
        wanted_files[path] = {'content': '\n'.join(lines) + '\n', 'mode': '0644'}
    tx = plan_txqueuelen(values, params, facts, host)
    warnings.extend(tx['warnings'])
    wanted_files.update(tx['files'])
    if modprobe:
        wanted_files[MODPROBE_FILE] = {'content': '\n'.join(modprobe) + '\n', 'mode': '0644'}
    if modules_load:
        wanted_files[MODULES_LOAD_FILE] = {'content': '\n'.join(modules_load) + '\n', 'mode': '0644'}
    writes, backups, record_files, stale = _file_ops(wanted_files, host)
    restores, removes, undo_writes = _undo_ops(stale, host)
    state = _state_record(facts, host, entries, tx['entries'], manager, record_files, params.get('conntrack_load'))
    for path in stale:
        state['files'].pop(path, None)
    return {
        'state': 'present',
        'profile': params['profile'],
        'values': values,
        'sizing': {'lines': sizing['lines']},
        'sysctl': entries,
        'sysctl_dash': dash,
        'apply_argv': apply_argv(entries),
        'limits': limits,
        'systemd_default_nofile': manager,
        'services': sorted(service_unit(n) for n in (params.get('service_nofile') or {})),
        'service_files': sorted(services),
        'restart_services': bool(params.get('restart_services')),
        'txqueuelen': {'value': tx['value'], 'method': tx['method'], 'entries': tx['entries'],
                       'commands': tx['commands']},
        'conntrack_load': bool(params.get('conntrack_load')) and not ((facts or {}).get('conntrack') or {}).get('loaded'),
        'files': writes,
        'backups': backups,
        'restores': restores,
        'removes': removes,
        'undo_writes': undo_writes,
        'state_file': {'path': STATE_FILE, 'content': state_text(state)},
        'state_dirs': [STATE_DIR, BACKUP_DIR],
        'manager_file': MANAGER_FILE,
        'warnings': warnings,
        'kernel': kernel_text(facts),
        'container': bool(_containment(facts).get('container')),
    }


def plan_revert(params, facts, host):
    """tcp_tune_state absent: remove our files, restore backups, put live values back.

    Live values go back to what the state file recorded before the role first
    changed them; a key our sysctl file sets but the state file lacks goes to
    the kernel default (_keys.default_for) when one is known. Keys of scope
    host/init_netns are restored only outside a container: from a container
    they belong to the machine (fs.*) or are not ours to write.
    """
    host = host or {}
    state = host.get('state') or {}
    warnings = []
    container = bool(_containment(facts).get('container'))
    recorded = dict(state.get('sysctl') or {})
    files = host.get('files') or {}
    ours_text = (files.get(SYSCTL_FILE) or {}).get('content')
    names = list(recorded)
    for name, dummy in parse_sysctl_file(ours_text):
        if name not in recorded:
            names.append(name)
    entries = []
    version = kernel_version(facts)
    for name in names:
        key = _keys.BY_NAME.get(name)
        fact = _sysctl_fact(facts, name) if key else ((host.get('extra_sysctl') or {}).get(name) or {})
        scope = (recorded.get(name) or {}).get('scope') or (key.scope if key else _keys.SCOPE_NETNS)
        if name in recorded:
            original = parse_value(name, recorded[name].get('value'))
        else:
            original = _keys.default_for(key, version) if key else None
        before = fact.get('value') if key else normalize_raw(fact.get('value'))
        floor, why = revert_floor(name, facts)
        if floor is not None and _is_int(original) and original < floor and _is_int(before):
            original = min(floor, before)   # never below the floor; never raised by a revert either
        entry = _entry(name, fact, original, 'revert')
        entry['before'] = before
        if floor is not None and original == min(floor, before if _is_int(before) else floor):
            entry['reason'] = why
        if original is None:
            entry['status'] = UNKNOWN_ORIGINAL
            entry['reason'] = 'no recorded original and no fixed kernel default: left at %s' % before
        elif not fact.get('present'):
            entry['status'] = SKIPPED_MISSING
        elif scope != _keys.SCOPE_NETNS and container:
            entry['status'] = KEPT_HOST_SCOPE
            entry['reason'] = '%s is %s-scope: not restored from inside a container (it is the machine\'s)' % (
                name, scope)
        elif _same(name, before, original):
            entry['status'] = UNCHANGED
        elif not fact.get('writable'):
            entry['status'] = SKIPPED_READ_ONLY
            entry['reason'] = '%s is read-only here' % name
        else:
            entry['status'] = RESTORED
            entry['apply'] = True
            if name not in recorded and not entry['reason']:
                entry['reason'] = 'no recorded original: kernel default'
        entries.append(entry)
    tx_entries, tx_commands = [], []
    known = dict((i.get('name'), i) for i in ((facts or {}).get('interfaces') or []))
    for name, original in sorted((state.get('txqueuelen') or {}).items()):
        iface = known.get(name)
        entry = {'interface': name, 'before': iface.get('txqueuelen') if iface else None, 'wanted': original,
                 'status': None, 'reason': ''}
        if iface is None:
            entry['status'] = SKIPPED_MISSING
        elif iface.get('txqueuelen') == original:
            entry['status'] = UNCHANGED
        else:
            entry['status'] = RESTORED
            tx_commands.append(['ip', 'link', 'set', 'dev', name, 'txqueuelen', str(original)])
        tx_entries.append(entry)
    paths = sorted(set(state.get('files') or {}) | set(p for p in (
        SYSCTL_FILE, LIMITS_FILE, MANAGER_FILE, UDEV_FILE, MODPROBE_FILE, MODULES_LOAD_FILE)
        if (files.get(p) or {}).get('exists')))
    for path in files:
        if path.endswith('/90-netlimits-tcp.conf') and '.service.d/' in path and (files.get(path) or {}).get('exists'):
            paths.append(path)
        if path.startswith('/etc/systemd/network/90-netlimits-tcp-') and (files.get(path) or {}).get('exists'):
            paths.append(path)
    rc = files.get(RC_LOCAL) or {}
    if rc.get('exists') and rc.get('content') is not None and rc_local_has_block(rc['content']) \
            and RC_LOCAL not in paths:
        paths.append(RC_LOCAL)
    paths = sorted(set(paths))
    restores, removes, writes = _undo_ops(paths, host)
    if not state and any(True for dummy in paths):
        warnings.append('no state file %s: files removed, live values put to kernel defaults where known' % STATE_FILE)
    return {
        'state': 'absent',
        'sysctl': entries,
        'apply_argv': apply_argv(entries),
        'txqueuelen': {'entries': tx_entries, 'commands': tx_commands},
        'restores': restores,
        'removes': removes,
        'undo_writes': writes,
        'manager_touched': MANAGER_FILE in paths,
        'services_touched': any('.service.d/' in p for p in paths),
        'state_dirs': [STATE_DIR],
        'warnings': warnings,
        'kernel': kernel_text(facts),
        'container': container,
        'files': [], 'backups': [],
    }
