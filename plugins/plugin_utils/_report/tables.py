# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Text tables a person reads after a run: the plan of one host and the limits gathered on it.

``plan_lines(report, facts=None, host=None)`` turns one host's ``tcp_tune_report`` into aligned
lines: a row per key or file that changes or is skipped for a reason (``key  now -> after  status
why``), unchanged keys folded into a count, the port capacity before and after in words, the
findings one line each, totals. ``limits_lines(facts, host=None)`` does the same for the gathered
``tcp_limits`` facts, grouped (ports and TIME_WAIT, accept queue, conntrack, file handles,
txqueuelen, memory). Both only reword what the report or the facts say: every "why" comes from a
status and its reason, every figure from a value there.

Controller side (the filters tcp_plan_table and tcp_limits_table): plain data in, a list of
strings out, so a debug task prints one line per item with any stdout callback.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.netlimits.tcp.plugins.module_utils._common import status as _status
from ansible_collections.netlimits.tcp.plugins.module_utils._common.keys import TIME_WAIT_SECONDS
from ansible_collections.netlimits.tcp.plugins.plugin_utils._report.plain import key_entries

NA = '-'
SEVERITIES = _status.SEVERITIES
TW_REUSE_WORDS = {0: 'off', 1: 'on', 2: 'loopback only'}

PORT_RANGE = 'net.ipv4.ip_local_port_range'
RESERVED = 'net.ipv4.ip_local_reserved_ports'
TW_REUSE = 'net.ipv4.tcp_tw_reuse'
TW_REUSE_DELAY = 'net.ipv4.tcp_tw_reuse_delay'

CHANGING = _status.CHANGING
SKIPPED = _status.SKIPPED
# Row order in the plan: what changes, then what another file overrides, then what is skipped.
_RANK = {_status.APPLIED: 0, _status.RESTORED: 0, _status.OVERRIDDEN: 1}
_FILE_VERBS = {_status.APPLIED: 'write', _status.REMOVED: 'remove', _status.RESTORED: 'restore', _status.BLOCK_REMOVED: 'remove our block from'}


# ---------------------------------------------------------------- formatting

def _is_num(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def fmt_value(value):
    """A value as sysctl and the files spell it: lists space separated, port sets as 8080,9000-9010."""
    if value is None:
        return NA
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, dict):
        if 'soft' in value or 'hard' in value:
            return '%s:%s' % (fmt_value(value.get('soft')), fmt_value(value.get('hard')))
        return ', '.join('%s=%s' % (k, fmt_value(value[k])) for k in sorted(value))
    if isinstance(value, (list, tuple)):
        if not value:
            return '(none)'
        if all(isinstance(v, (list, tuple)) and len(v) == 2 for v in value):
            return ','.join('%s' % a if a == b else '%s-%s' % (a, b) for a, b in value)
        return ' '.join(fmt_value(v) for v in value)
    if _is_num(value) and value >= 2 ** 62:
        return 'unlimited'      # LONG_MAX (fs.file-max's default since 5.x): no limit in practice
    return '%s' % (value,)


def fmt_count(value):
    """An amount with thousands separators (28,232); '-' when unknown."""
    if not _is_num(value):
        return NA
    if value >= 2 ** 62:
        return 'unlimited'      # LONG_MAX: the kernel's "no limit"
    return '{0:,}'.format(int(value))


def align(rows, indent='  ', gap='  '):
    """Rows of cells as lines, every column but the last padded to its widest cell."""
    rows = [[('%s' % (c,)) for c in row] for row in rows]
    if not rows:
        return []
    cols = max(len(r) for r in rows)
    widths = [max(len(r[i]) for r in rows if i < len(r)) for i in range(cols)]
    lines = []
    for row in rows:
        cells = [cell.ljust(widths[i]) if i < len(row) - 1 else cell for i, cell in enumerate(row)]
        lines.append((indent + gap.join(cells)).rstrip())
    return lines


def _plural(count, word, plural=None):
    return '%d %s' % (count, word if count == 1 else (plural or word + 's'))


def _names(items, limit=60):
    """'a, b, c' shortened to about limit characters with '+N more'."""
    out, size = [], 0
    for i, item in enumerate(items):
        if out and size + len(item) > limit:
            return ', '.join(out) + ', +%d more' % (len(items) - i)
        out.append(item)
        size += len(item) + 2
    return ', '.join(out)


# ---------------------------------------------------------------- the "why" column

_WHY = (
    # (status, pattern on the reason, short text; \1.. from the pattern)
    (_status.SKIPPED_KERNEL, re.compile(r'was removed in (\d+\.\d+)'), r'removed in \1'),
    (_status.SKIPPED_KERNEL, re.compile(r'=(\S+) needs kernel (\d+\.\d+)'), r'value \1 needs kernel \2+'),
    (_status.SKIPPED_KERNEL, re.compile(r'exists from (\d+\.\d+)'), r'needs kernel \1+'),
    (_status.SKIPPED_MISSING, re.compile(r'(\w+) is not loaded'), r'\1 not loaded'),
    (_status.SKIPPED_MISSING, re.compile(r'exists only while (\w+) is loaded'), r'\1 not loaded'),
    (_status.SKIPPED_MISSING, re.compile(r'only in the initial network namespace'), 'absent in a container netns'),
    (_status.SKIPPED_MISSING, re.compile(r'^no interface'), 'no such interface'),
    (_status.SKIPPED_MISSING, re.compile(r'does not exist'), 'not on this host'),
    (_status.SKIPPED_READ_ONLY, re.compile(r'CAP_NET_ADMIN'), 'no CAP_NET_ADMIN: next boot only'),
    (_status.SKIPPED_READ_ONLY, re.compile(r'container network namespace|outside the initial network namespace'),
     'read-only in a container'),
    (_status.SKIPPED_READ_ONLY, re.compile(r'read-only'), 'read-only here'),
    (_status.KEPT_HOST_SCOPE, re.compile(r'-scope'), 'host-wide: not restored from a container'),
    (_status.UNKNOWN_ORIGINAL, re.compile(r'left at (\S+)'), r'no recorded original: left at \1'),
    (_status.RESTORED, re.compile(r'kernel default'), 'kernel default'),
    (_status.APPLIED, re.compile(r'no effect while net.ipv4.tcp_syncookies'), 'no effect while syncookies are on'),
    (_status.UNCHANGED, re.compile(r'no effect while net.ipv4.tcp_syncookies'), 'no effect while syncookies are on'),
    (_status.SKIPPED_LOWER, re.compile(r'infinity'), 'infinity already'),
)


def short_why(entry):
    """A few words on why a key is not simply set: from its status and reason (the reason itself when no rule fits)."""
    status = entry.get('status')
    reason = ' '.join(('%s' % (entry.get('reason') or '')).split())
    if status == _status.OVERRIDDEN:
        return 'loses at boot to %s' % (entry.get('overridden_by') or '?')
    if status == _status.SKIPPED_LOWER and entry.get('before') is not None:
        return 'raise_only: %s already higher' % fmt_value(entry.get('before'))
    for rule_status, pattern, text in _WHY:
        if status == rule_status:
            match = pattern.search(reason)
            if match:
                return match.expand(text)
    return reason


# ---------------------------------------------------------------- the plan of one host

def _status_word(status, check_mode):
    if status == _status.APPLIED:
        return 'would set' if check_mode else 'set'
    if status == _status.RESTORED:
        return 'would restore' if check_mode else 'restored'
    return '%s' % (status,)


def _changes(entry):
    """True when the run sets this entry live (or would, in check mode)."""
    status = entry.get('status')
    return status in CHANGING or (status == _status.OVERRIDDEN and entry.get('live') in CHANGING)


def _limits_rows(report):
    """limits.d entries grouped: one row per (status, before, wanted) with the domains and types it covers."""
    groups = []
    for item in report.get('limits') or []:
        if not isinstance(item, dict):
            continue
        sig = (item.get('status'), fmt_value(item.get('before')), fmt_value(item.get('wanted')),
               item.get('reason') or '', item.get('item') or 'nofile')
        for group in groups:
            if group['sig'] == sig:
                break
        else:
            group = {'sig': sig, 'domains': [], 'types': [], 'entry': item}
            groups.append(group)
        for field, value in (('domains', item.get('domain')), ('types', item.get('type'))):
            if value not in group[field]:
                group[field].append(value)
    rows = []
    for group in groups:
        entry = dict(group['entry'])
        name = '%s %s (%s)' % (group['sig'][4], '+'.join('%s' % t for t in group['types']),
                               ' '.join('%s' % d for d in group['domains']))
        rows.append((name, entry))
    return rows


def _entries(report):
    """(name, entry, is_key) of every managed item: sysctl keys and txqueuelen (keys, as the fleet summary counts
    them), then limits.d nofile groups and DefaultLimitNOFILE."""
    out = [(name, entry, True) for name, entry in key_entries(report)]
    out.extend((name, entry, False) for name, entry in _limits_rows(report))
    systemd = report.get('systemd_default_nofile')
    if isinstance(systemd, dict) and systemd.get('status'):
        out.append(('DefaultLimitNOFILE', systemd, False))
    return out


def _port_figures(port_range, reserved):
    """Usable ports of a range minus the reserved ports inside it, or None."""
    if not (isinstance(port_range, (list, tuple)) and len(port_range) == 2 and all(_is_num(p) for p in port_range)):
        return None
    lo, hi = port_range
    inside = 0
    for pair in reserved or []:
        if isinstance(pair, (list, tuple)) and len(pair) == 2:
            a, b = max(lo, pair[0]), min(hi, pair[1])
            if a <= b:
                inside += b - a + 1
    return max(0, hi - lo + 1) - inside


def _before_after(report, facts, key):
    """(before, after) of a key: from the report when it manages the key, else the gathered value for both."""
    entry = (report.get('sysctl') or {}).get(key)
    if isinstance(entry, dict):
        return entry.get('before'), entry.get('after')
    fact = ((facts or {}).get('sysctl') or {}).get(key)
    value = fact.get('value') if isinstance(fact, dict) else None
    return value, value


def capacity(report, facts=None):
    """Ports and outbound connection rates before and after, from the report (facts fill in unmanaged keys).

    Per docs/limits.md: one source IP opens at most usable ports per 60 s (TIME_WAIT) to one destination
    ip:port when it closes first; with tcp_tw_reuse=1 a TIME_WAIT tuple is reusable after tcp_tw_reuse_delay
    (1 s where that key does not exist), so about usable ports per second.
    """
    range_before, range_after = _before_after(report, facts, PORT_RANGE)
    res_before, res_after = _before_after(report, facts, RESERVED)
    reserved_known = res_before is not None or RESERVED in (report.get('sysctl') or {})
    usable_before = _port_figures(range_before, res_before)
    usable_after = _port_figures(range_after, res_after)
    reuse_before, reuse_after = _before_after(report, facts, TW_REUSE)
    dummy, delay_ms = _before_after(report, facts, TW_REUSE_DELAY)
    reuse_seconds = delay_ms / 1000.0 if _is_num(delay_ms) and delay_ms > 0 else 1.0
    out = {'usable_before': usable_before, 'usable_after': usable_after, 'reserved_known': reserved_known,
           'tw_reuse_before': reuse_before, 'tw_reuse_after': reuse_after, 'reuse_after_seconds': reuse_seconds,
           'rate_before': None, 'rate_after': None, 'rate_with_reuse': None}
    if usable_before is not None:
        out['rate_before'] = usable_before // TIME_WAIT_SECONDS
    if usable_after is not None:
        out['rate_after'] = usable_after // TIME_WAIT_SECONDS
        out['rate_with_reuse'] = int(usable_after / reuse_seconds)
    return out


def _reuse_text(value):
    return '%s (%s)' % (value, TW_REUSE_WORDS[value]) if value in TW_REUSE_WORDS else fmt_value(value)


def capacity_lines(report, facts=None):
    cap = capacity(report, facts)
    if cap['usable_before'] is None and cap['usable_after'] is None:
        return []
    arrow = '%s -> %s'
    ports = arrow % (fmt_count(cap['usable_before']), fmt_count(cap['usable_after']))
    if cap['usable_before'] == cap['usable_after']:
        ports = fmt_count(cap['usable_after'])
    lines = ['ephemeral ports %s%s' % (ports, '' if cap['reserved_known'] else ' (reserved ports not known: none counted)')]
    rate = arrow % ('%s/s' % fmt_count(cap['rate_before']), '%s/s' % fmt_count(cap['rate_after']))
    if cap['rate_before'] == cap['rate_after']:
        rate = '%s/s' % fmt_count(cap['rate_after'])
    reuse = _reuse_text(cap['tw_reuse_after'])
    if cap['tw_reuse_before'] != cap['tw_reuse_after']:
        reuse = '%s -> %s' % (_reuse_text(cap['tw_reuse_before']), reuse)
    lines.append('outbound to one destination ip:port: %s without reuse, ~%s/s with reuse; tcp_tw_reuse %s'
                 % (rate, fmt_count(cap['rate_with_reuse']), reuse))
    return lines


def _severity_rank(severity):
    return SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)


def finding_lines(findings, indent='  '):
    """One line per finding: severity, id, message; critical first."""
    items = [f for f in findings or [] if isinstance(f, dict)]
    items.sort(key=lambda f: (_severity_rank(f.get('severity')), '%s' % (f.get('id'),)))
    return align([[f.get('severity') or 'info', f.get('id') or '?', ' '.join(('%s' % (f.get('message') or '')).split())]
                  for f in items], indent=indent)


def severity_counts(findings):
    counts = dict((s, 0) for s in SEVERITIES)
    for f in findings or []:
        if isinstance(f, dict) and f.get('severity') in counts:
            counts[f['severity']] += 1
    return counts


def _counts_text(findings):
    counts = severity_counts(findings)
    return ', '.join('%d %s' % (counts[s], s) for s in SEVERITIES)


def plan_lines(report, facts=None, host=None):
    """The plan table of one host's tcp_tune_report (see the module docstring)."""
    if not isinstance(report, dict):
        return ['%s: no tcp_tune_report' % (host or 'host')]
    check = bool(report.get('check_mode'))
    would = 'would ' if check else ''
    head = []
    if report.get('profile'):
        head.append('profile %s' % report['profile'])
    if report.get('state') and report.get('state') != 'present':
        head.append('state %s' % report['state'])
    if report.get('kernel'):
        head.append('kernel %s' % report['kernel'])
    done = 'reverted' if report.get('state') == 'absent' else 'tuned'
    title = '%s: %s' % (host or 'host', 'plan (check mode, nothing changed)' if check else done)
    lines = [title + (' - ' + ', '.join(head) if head else '')]

    rows, unchanged, changed, others, skipped, overridden = [], [], 0, [], 0, 0
    for name, entry, is_key in _entries(report):
        status = entry.get('status')
        if status == _status.UNCHANGED:
            unchanged.append(name)
            continue
        if _changes(entry):
            if is_key:
                changed += 1
            else:
                others.append(name)
        if status in SKIPPED:
            skipped += 1
        if status == _status.OVERRIDDEN:
            overridden += 1
        before = entry.get('before')
        after = entry.get('after') if 'after' in entry else (entry.get('wanted') if status in CHANGING else before)
        rows.append((_RANK.get(status, 2), name, [name, fmt_value(before), '->', fmt_value(after),
                                                  _status_word(status, check), short_why(entry)]))
    rows.sort(key=lambda r: (r[0], r[1]))
    if rows:
        lines += align([['key', 'now', '', 'after', 'status', 'why']] + [r[2] for r in rows])
    else:
        lines.append('  nothing to change')
    if unchanged:
        lines.append('  unchanged: %d (%s)' % (len(unchanged), _names(unchanged, 100)))

    files = report.get('files') or {}
    changed_files = [p for p in sorted(files) if files[p] in _FILE_VERBS]
    # One line per kind of change, the files named in it.
    for status in sorted(set(files[p] for p in changed_files)):
        lines.append('  %s%s %s' % (would, _FILE_VERBS[status], ', '.join(p for p in changed_files if files[p] == status)))

    shown_reasons = [e.get('reason') for dummy, e, dummy2 in _entries(report) if e.get('reason')]
    for warning in report.get('warnings') or []:
        # Most warnings repeat a row's reason; print only those that say something else.
        if not any(r in warning for r in shown_reasons):
            lines.append('  warning: %s' % ' '.join(('%s' % warning).split()))

    label = 'capacity%s: ' % (' (would be)' if check else '')
    lines += [label + line for line in capacity_lines(report, facts)]

    findings = report.get('findings')
    label = 'findings now' if check else 'findings left'
    if isinstance(findings, list):
        lines.append('%s: %d (%s)' % (label, len(findings), _counts_text(findings)))
        lines += finding_lines(findings)

    # Keys counted as the fleet summary counts them (sysctl keys and interfaces); limits named.
    total = ['%s %s' % (_plural(changed, 'key'), 'would change' if check else 'changed')]
    if others:
        total[0] += ' (and %s)' % ', '.join(others)
    total += ['%d skipped' % skipped, '%d unchanged' % len(unchanged)]
    if overridden:
        total.append('%d overridden at boot' % overridden)
    total.append('%s %s' % (_plural(len(changed_files), 'file'), 'would change' if check else 'changed'))
    if isinstance(findings, list):
        total.append('%s %d' % (label, len(findings)))
    lines.append('total: ' + ', '.join(total))
    return lines


# ---------------------------------------------------------------- the gathered limits

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
    if not (_is_num(used) and _is_num(capacity_)) or capacity_ <= 0:
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
        lines.append('  unreadable here (n/a above): %s' % _names(['%s' % p for p in facts['unreadable']], 80))
    found = facts.get('findings')
    if findings and isinstance(found, list):
        lines.append('findings: %d (%s)' % (len(found), _counts_text(found)))
        lines += finding_lines(found)
    return lines
