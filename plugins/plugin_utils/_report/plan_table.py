# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plan table: one host's tcp_tune_report as lines a person reads after a run.

``plan_lines(report, facts=None, host=None)``: a row per key or file that changes or is skipped
for a reason (``key  now -> after  status  why``), unchanged keys folded into a count, the port
capacity before and after in words, the findings one line each, totals. It only rewords what
the report says: every "why" comes from a status and its reason, every figure from a value there.
Controller side (the filter tcp_plan_table): plain data in, a list of strings out.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netlimits.tcp.plugins.module_utils._common import status as _status
from ansible_collections.netlimits.tcp.plugins.module_utils._common.keys import TIME_WAIT_SECONDS
from ansible_collections.netlimits.tcp.plugins.plugin_utils._report.format import (
    PORT_RANGE, RESERVED, TW_REUSE, TW_REUSE_DELAY, TW_REUSE_WORDS, align, counts_text, finding_lines, fmt_count,
    fmt_value, is_num, names_text, plural, short_why,
)
from ansible_collections.netlimits.tcp.plugins.plugin_utils._report.plain import key_entries

CHANGING = _status.CHANGING
SKIPPED = _status.SKIPPED
# Row order in the plan: what changes, then what another file overrides, then what is skipped.
_RANK = {_status.APPLIED: 0, _status.RESTORED: 0, _status.OVERRIDDEN: 1}
_FILE_VERBS = {_status.APPLIED: 'write', _status.REMOVED: 'remove', _status.RESTORED: 'restore', _status.BLOCK_REMOVED: 'remove our block from'}


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
    them), then limits.d nofile groups, DefaultLimitNOFILE and each service's LimitNOFILE."""
    out = [(name, entry, True) for name, entry in key_entries(report)]
    out.extend((name, entry, False) for name, entry in _limits_rows(report))
    systemd = report.get('systemd_default_nofile')
    if isinstance(systemd, dict) and systemd.get('status'):
        out.append(('DefaultLimitNOFILE', systemd, False))
    services = report.get('services')
    if isinstance(services, dict):
        out.extend(('LimitNOFILE %s' % unit, services[unit], False) for unit in sorted(services)
                   if isinstance(services[unit], dict))
    return out


def _port_figures(port_range, reserved):
    """Usable ports of a range minus the reserved ports inside it, or None."""
    if not (isinstance(port_range, (list, tuple)) and len(port_range) == 2 and all(is_num(p) for p in port_range)):
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
    reuse_seconds = delay_ms / 1000.0 if is_num(delay_ms) and delay_ms > 0 else 1.0
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
        lines.append('  unchanged: %d (%s)' % (len(unchanged), names_text(unchanged, 100)))

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
        lines.append('%s: %d (%s)' % (label, len(findings), counts_text(findings)))
        lines += finding_lines(findings)

    # Keys counted as the fleet summary counts them (sysctl keys and interfaces); limits named.
    total = ['%s %s' % (plural(changed, 'key'), 'would change' if check else 'changed')]
    if others:
        total[0] += ' (and %s)' % ', '.join(others)
    total += ['%d skipped' % skipped, '%d unchanged' % len(unchanged)]
    if overridden:
        total.append('%d overridden at boot' % overridden)
    total.append('%s %s' % (plural(len(changed_files), 'file'), 'would change' if check else 'changed'))
    if isinstance(findings, list):
        total.append('%s %d' % (label, len(findings)))
    lines.append('total: ' + ', '.join(total))
    return lines
