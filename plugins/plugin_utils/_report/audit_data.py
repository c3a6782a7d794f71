# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet audit report's data: gathered tcp_limits facts of many hosts in, one plain dict out.

build(facts_by_host, ...) turns a dict host -> ``ansible_facts.tcp_limits`` (the contract in
docs/architecture.md) into the report data (its layout: docs/audit.md): a row per host (kernel,
containment, port range, TIME_WAIT against usable ports, conntrack fill, file handles, nofile of
PID 1, txqueuelen of the physical interfaces, headroom percentages), every finding of every host
sorted by severity, each distinct finding once with the hosts that have it (what the pages show),
and totals. _audit_render.py prints it as HTML, Markdown and JSON.

Controller side (the filter tcp_audit): pure, no I/O, no Ansible imports; the data is JSON-native,
so report.json is the data as it is.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netlimits.tcp.plugins.plugin_utils._report.services_table import service_rows
from ansible_collections.netlimits.tcp.plugins.module_utils._common.status import (
    CRITICAL, FAILED, HOST_STATUSES, NO_FACTS, OK, PRESENT, SEVERITIES, UNREACHABLE, WARNING,
)
from ansible_collections.netlimits.tcp.plugins.plugin_utils._report.plain import key_entries, plain

SCHEMA_VERSION = 1
TITLE = 'TCP connection limits audit'

SEVERITY_RANK = dict((name, rank) for rank, name in enumerate(SEVERITIES))

# Headroom (percent of a capacity still free) below which a bar is shown as critical / warning.
HEADROOM_CRITICAL_PCT = 10.0
HEADROOM_WARNING_PCT = 25.0
HEADROOM_KEYS = ('time_wait', 'conntrack', 'file_handles')
# A headroom percentage that cannot be computed (a capacity or a count unknown).
UNKNOWN = 'unknown'

# Statuses published by the tcp_tune role in tcp_tune_report, in the order shown.
TUNE_STATUSES = PRESENT

NA = 'n/a'


# ---------------------------------------------------------------------------
# small helpers

def _get(data, *path):
    """data[path[0]][path[1]]... or None when any step is missing or not a mapping."""
    for step in path:
        if not isinstance(data, dict):
            return None
        data = data.get(step)
    return data


def as_number(value):
    """An int or float as is; anything else (None, bool, text) as None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    return None


def share(used, capacity):
    """used / capacity as a float, or None when either is unknown or capacity is not positive."""
    used = as_number(used)
    capacity = as_number(capacity)
    if used is None or capacity is None or capacity <= 0:
        return None
    return used / float(capacity)


def headroom_pct(used, capacity):
    """Percent of capacity still free, clamped to 0..100 and rounded to 1 decimal; None when unknown."""
    part = share(used, capacity)
    if part is None:
        return None
    pct = (1.0 - part) * 100.0
    return round(min(100.0, max(0.0, pct)), 1)


def headroom_level(pct):
    """CRITICAL, WARNING, OK or UNKNOWN for a headroom percentage."""
    if pct is None:
        return UNKNOWN
    if pct < HEADROOM_CRITICAL_PCT:
        return CRITICAL
    if pct < HEADROOM_WARNING_PCT:
        return WARNING
    return OK


def severity_rank(severity):
    """Sort key of a severity: critical first, unknown ones last."""
    return SEVERITY_RANK.get(severity, len(SEVERITIES))


# ---------------------------------------------------------------------------
# the data

def containment_label(containment):
    """'host', 'podman container, own netns', ... from the containment facts."""
    if not isinstance(containment, dict):
        return NA
    container = containment.get('container')
    initial = containment.get('initial_netns')
    if container is None:
        where = 'unknown'
    elif container:
        where = '%s container' % (containment.get('engine') or 'unknown')
    else:
        where = 'host'
    if initial is True:
        netns = 'initial netns'
    elif initial is False:
        netns = 'own netns'
    else:
        netns = 'netns unknown'
    return '%s, %s' % (where, netns)


def _tune_key_items(report):
    """(key, entry) pairs of a tcp_tune_report.

    The role's report has ``sysctl`` (key -> entry) and ``txqueuelen`` (interface -> entry); a plain
    dict key -> entry or a list of entries with ``key`` is read as well.
    """
    if isinstance(report, list):
        return [(u'%s' % (e.get('key', e.get('name', '')),), e) for e in report if isinstance(e, dict)]
    if not isinstance(report, dict):
        return []
    if isinstance(report.get('sysctl'), dict) or isinstance(report.get('txqueuelen'), dict):
        return key_entries(report)
    for nested in ('keys', 'items', 'results'):
        if isinstance(report.get(nested), (dict, list)):
            return _tune_key_items(report[nested])
    return sorted((u'%s' % (k,), v) for k, v in report.items() if isinstance(v, dict) and 'status' in v)


def tune_summary(report):
    """Counts per status, the per key entries, profile, warnings and files of one host's tcp_tune_report."""
    if report is None:
        return None
    counts = dict((status, 0) for status in TUNE_STATUSES)
    keys = []
    for key, entry in _tune_key_items(report):
        status = u'%s' % (entry.get('status'),)
        counts[status] = counts.get(status, 0) + 1
        keys.append({'key': key, 'before': plain(entry.get('before')), 'wanted': plain(entry.get('wanted')),
                     'after': plain(entry.get('after')), 'status': status, 'reason': plain(entry.get('reason'))})
    extra = report if isinstance(report, dict) else {}
    files = extra.get('files') if isinstance(extra.get('files'), dict) else {}
    return {'counts': counts, 'keys': keys, 'profile': plain(extra.get('profile')),
            'check_mode': plain(extra.get('check_mode')),
            'warnings': [plain(w) for w in (extra.get('warnings') or []) if w],
            'files': dict((u'%s' % (k,), plain(v)) for k, v in files.items())}


def txqueuelen_of(interfaces):
    """txqueuelen of the physical interfaces; without any (a container's veth), of the other non-loopback ones that are up."""
    interfaces = [i for i in (interfaces or []) if isinstance(i, dict)]
    chosen = [i for i in interfaces if i.get('physical')]
    if not chosen:
        chosen = [i for i in interfaces if i.get('kind') != 'loopback' and i.get('operstate') in ('up', 'unknown')
                  and i.get('name') != 'lo']
    return [{'name': u'%s' % (i.get('name'),), 'txqueuelen': plain(i.get('txqueuelen')), 'kind': plain(i.get('kind')),
             'physical': bool(i.get('physical'))} for i in chosen]


def host_row(host, facts, status=OK, reason=None, tune_report=None):
    """One report row for one host (facts may be None for a host that gave none)."""
    row = {
        'host': u'%s' % (host,),
        'status': status,
        'reason': reason,
        'kernel': None,
        'containment': None,
        'port_range': None,
        'ports_usable': None,
        'time_wait': None,
        'outbound_per_destination': None,
        'conntrack': None,
        'file_handles': None,
        'nofile_pid1': None,
        'txqueuelen': [],
        'headroom': dict((k, None) for k in HEADROOM_KEYS),
        'headroom_min': None,
        'findings': dict((s, 0) for s in SEVERITIES),
        'worst': None,
        'tune': tune_summary(tune_report),
        'services': [],
        'services_notes': [],
    }
    if not isinstance(facts, dict):
        if status == OK:
            row['status'] = NO_FACTS
        return row
    containment = facts.get('containment') or {}
    row['kernel'] = _get(facts, 'kernel', 'release')
    row['containment'] = {
        'label': containment_label(containment),
        'container': containment.get('container'),
        'engine': containment.get('engine'),
        'initial_netns': containment.get('initial_netns'),
    }
    ports = facts.get('ports') or {}
    port_range = ports.get('range')
    row['port_range'] = list(port_range) if isinstance(port_range, (list, tuple)) else None
    row['ports_usable'] = as_number(ports.get('usable'))
    tw = as_number(_get(facts, 'sockets', 'tcp', 'tw'))
    row['time_wait'] = {'used': tw, 'capacity': row['ports_usable'],
                        'share': _round(share(tw, row['ports_usable']), 4)}
    rate = ports.get('outbound_rate_per_destination') or {}
    row['outbound_per_destination'] = {'without_tw_reuse': as_number(rate.get('without_tw_reuse')),
                                       'with_tw_reuse': as_number(rate.get('with_tw_reuse')),
                                       'tw_reuse': _get(facts, 'sysctl', 'net.ipv4.tcp_tw_reuse', 'value')}
    conntrack = facts.get('conntrack') or {}
    row['conntrack'] = {'loaded': conntrack.get('loaded'), 'used': as_number(conntrack.get('count')),
                        'capacity': as_number(conntrack.get('max')),
                        'share': _round(share(conntrack.get('count'), conntrack.get('max')), 4)}
    files = facts.get('files') or {}
    row['file_handles'] = {'used': as_number(files.get('allocated')), 'capacity': as_number(files.get('file_max')),
                           'share': _round(share(files.get('allocated'), files.get('file_max')), 6),
                           'nr_open': as_number(files.get('nr_open'))}
    pid1 = _get(files, 'nofile', 'pid1') or {}
    row['nofile_pid1'] = {'soft': plain(pid1.get('soft')), 'hard': plain(pid1.get('hard'))}
    row['txqueuelen'] = txqueuelen_of(facts.get('interfaces'))
    row['services'] = service_rows(facts.get('services'))
    row['services_notes'] = list((facts.get('services') or {}).get('notes') or [])
    row['headroom'] = {
        'time_wait': headroom_pct(tw, row['ports_usable']),
        'conntrack': headroom_pct(conntrack.get('count'), conntrack.get('max')),
        'file_handles': headroom_pct(files.get('allocated'), files.get('file_max')),
    }
    known = [v for v in row['headroom'].values() if v is not None]
    row['headroom_min'] = min(known) if known else None
    for item in facts.get('findings') or []:
        severity = (item or {}).get('severity')
        row['findings'][severity] = row['findings'].get(severity, 0) + 1
    present = [s for s in row['findings'] if row['findings'][s]]
    row['worst'] = sorted(present, key=severity_rank)[0] if present else None
    return row


def _round(value, digits):
    return None if value is None else round(value, digits)


def doc_url(doc, doc_base):
    """Where a finding's doc ('docs/findings.md#id') is read: doc_base + doc, or None without a usable doc_base.

    Only http(s) URLs and relative paths are accepted as doc_base, so no javascript: or data: link can be made.
    """
    if not doc or not doc_base:
        return None
    base = u'%s' % (doc_base,)
    scheme = base.split(':', 1)[0].lower() if ':' in base.split('/', 1)[0] else ''
    if scheme not in ('', 'http', 'https'):
        return None
    if not base.endswith('/'):
        base += '/'
    return base + u'%s' % (doc,)


def host_findings(host, facts, doc_base=None):
    """The findings of one host, each with the host name added."""
    result = []
    for item in (facts or {}).get('findings') or []:
        if not isinstance(item, dict):
            continue
        result.append({
            'host': u'%s' % (host,),
            'id': u'%s' % (item.get('id'),),
            'severity': u'%s' % (item.get('severity'),),
            'message': plain(item.get('message')),
            'value': plain(item.get('value')),
            'recommendation': plain(item.get('recommendation')),
            'doc': plain(item.get('doc')),
            'doc_url': doc_url(item.get('doc'), doc_base),
        })
    return result


def sort_findings(items):
    """Critical first, then warning, then info (unknown severities last); then host, then id."""
    return sorted(items, key=lambda f: (severity_rank(f.get('severity')), f.get('host') or '', f.get('id') or ''))


def group_findings(findings):
    """Each distinct finding (severity, id) once, with the hosts that have it (findings already sorted).

    Critical first, then the finding on more hosts, then id. ``message``, ``recommendation`` and ``doc`` are
    those of the first host (by name); ``same_message`` tells whether every host has that message (the
    values in it differ from host to host); ``items`` has each host's own message and value.
    """
    groups, index = [], {}
    for item in findings:
        key = (item.get('severity'), item.get('id'))
        group = index.get(key)
        if group is None:
            group = {'severity': item.get('severity'), 'id': item.get('id'), 'hosts': [], 'count': 0,
                     'message': item.get('message'), 'recommendation': item.get('recommendation'),
                     'doc': item.get('doc'), 'doc_url': item.get('doc_url'), 'same_message': True, 'items': []}
            index[key] = group
            groups.append(group)
        group['count'] += 1
        if item.get('host') not in group['hosts']:
            group['hosts'].append(item.get('host'))
        if item.get('message') != group['message']:
            group['same_message'] = False
        group['items'].append({'host': item.get('host'), 'message': item.get('message'), 'value': item.get('value')})
    return sorted(groups, key=lambda g: (severity_rank(g['severity']), -len(g['hosts']), g['id'] or ''))


def build(facts_by_host, tune_reports=None, unreachable=None, failed=None, generated=None, title=None, doc_base=None):
    """The report data for a fleet.

    facts_by_host: dict host -> tcp_limits facts (None for a host that gave none).
    tune_reports: optional dict host -> tcp_tune_report of the tcp_tune role.
    unreachable: host names that could not be reached; failed: host names (or dict host -> reason)
    whose gathering failed. Hosts listed only there still get a row.
    generated: a timestamp text to print (the caller's clock: this function reads none).
    doc_base: where the collection's docs are read (an http(s) URL or a relative path); each finding's doc
    becomes a link doc_base/docs/findings.md#id. Without it the doc is printed as text and the HTML refers to
    nothing outside itself.
    """
    facts_by_host = facts_by_host or {}
    tune_reports = tune_reports or {}
    unreachable = dict((u'%s' % (h,), None) for h in (unreachable or []))
    if isinstance(failed, dict):
        failed = dict((u'%s' % (h,), r) for h, r in failed.items())
    else:
        failed = dict((u'%s' % (h,), None) for h in (failed or []))
    hosts = set(u'%s' % (h,) for h in facts_by_host) | set(unreachable) | set(failed)
    by_text = dict((u'%s' % (h,), v) for h, v in facts_by_host.items())
    tunes = dict((u'%s' % (h,), v) for h, v in tune_reports.items())

    rows = []
    findings = []
    for host in sorted(hosts):
        if host in unreachable:
            rows.append(host_row(host, None, UNREACHABLE, unreachable[host], tunes.get(host)))
            continue
        if host in failed:
            rows.append(host_row(host, None, FAILED, plain(failed[host]), tunes.get(host)))
            continue
        facts = by_text.get(host)
        rows.append(host_row(host, facts, OK, None, tunes.get(host)))
        findings.extend(host_findings(host, facts, doc_base))
    findings = sort_findings(findings)

    totals = {
        'hosts': len(rows),
        'status': dict((s, len([r for r in rows if r['status'] == s])) for s in HOST_STATUSES),
        'findings': dict((s, len([f for f in findings if f['severity'] == s])) for s in SEVERITIES),
        'hosts_with': dict((s, len([r for r in rows if r['findings'].get(s)])) for s in SEVERITIES),
        'findings_total': len(findings),
        'findings_distinct': len(set((f['severity'], f['id']) for f in findings)),
        'tune': None,
    }
    tune_rows = [r['tune'] for r in rows if r['tune']]
    if tune_rows:
        totals['tune'] = {}
        for summary in tune_rows:
            for status, count in summary['counts'].items():
                totals['tune'][status] = totals['tune'].get(status, 0) + count
    return plain({
        'schema': SCHEMA_VERSION,
        'title': title or TITLE,
        'generated': generated,
        'hosts': rows,
        'unreachable': [r['host'] for r in rows if r['status'] == UNREACHABLE],
        'failed': [r['host'] for r in rows if r['status'] in (FAILED, NO_FACTS)],
        'findings': findings,
        'finding_groups': group_findings(findings),
        'totals': totals,
    })


def finding_groups_of(data):
    """The data's finding groups (computed for data from before they were part of it)."""
    groups = data.get('finding_groups')
    return groups if isinstance(groups, list) else group_findings(data.get('findings') or [])
