# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fleet audit report over gathered tcp_limits facts: the data, and its HTML, Markdown and JSON forms.

build(facts_by_host, ...) turns a dict host -> ``ansible_facts.tcp_limits`` (the contract in
docs/architecture.md) into plain report data: a row per host (kernel, containment, port range,
TIME_WAIT against usable ports, conntrack fill, file handles, nofile of PID 1, txqueuelen of the
physical interfaces, headroom percentages), every finding of every host sorted by severity, each
distinct finding once with the hosts that have it (what the pages show), and totals.
render_html / render_markdown / render_json print that same data. All pure: no I/O, no
Ansible imports. The HTML is one self-contained file: inline CSS, no script, no external asset,
every value escaped. Python 2.7/3.6 compatible (no f-strings).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.netlimits.tcp.plugins.module_utils import _status

SCHEMA_VERSION = 1
TITLE = 'TCP connection limits audit'

SEVERITIES = ('critical', 'warning', 'info')
SEVERITY_RANK = dict((name, rank) for rank, name in enumerate(SEVERITIES))

# Host status in the report.
OK = 'ok'
UNREACHABLE = 'unreachable'
FAILED = 'failed'
NO_FACTS = 'no_facts'
STATUS_ORDER = (OK, UNREACHABLE, FAILED, NO_FACTS)

# Headroom (percent of a capacity still free) below which a bar is shown as critical / warning.
HEADROOM_CRITICAL_PCT = 10.0
HEADROOM_WARNING_PCT = 25.0
HEADROOM_KEYS = ('time_wait', 'conntrack', 'file_handles')

# Statuses published by the tcp_tune role in tcp_tune_report, in the order shown.
TUNE_STATUSES = _status.PRESENT

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


def _num(value):
    """An int or float as is; anything else (None, bool, text) as None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    return None


def share(used, capacity):
    """used / capacity as a float, or None when either is unknown or capacity is not positive."""
    used = _num(used)
    capacity = _num(capacity)
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
    """'critical', 'warning', 'ok' or 'unknown' for a headroom percentage."""
    if pct is None:
        return 'unknown'
    if pct < HEADROOM_CRITICAL_PCT:
        return 'critical'
    if pct < HEADROOM_WARNING_PCT:
        return 'warning'
    return 'ok'


def severity_rank(severity):
    """Sort key of a severity: critical first, unknown ones last."""
    return SEVERITY_RANK.get(severity, len(SEVERITIES))


def _text(value):
    if value is None:
        return ''
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, (list, tuple)):
        return ' '.join(_text(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True)
    return u'%s' % (value,)


def _plain(value):
    """A JSON-native copy (tuples become lists, keys become text), so the JSON file equals the data."""
    if isinstance(value, dict):
        return dict((u'%s' % (k,), _plain(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return u'%s' % (value,)


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
        items = sorted((u'%s' % (k,), v) for k, v in (report.get('sysctl') or {}).items() if isinstance(v, dict))
        items += sorted((u'txqueuelen %s' % (k,), v) for k, v in (report.get('txqueuelen') or {}).items()
                        if isinstance(v, dict))
        return items
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
        keys.append({'key': key, 'before': _plain(entry.get('before')), 'wanted': _plain(entry.get('wanted')),
                     'after': _plain(entry.get('after')), 'status': status, 'reason': _plain(entry.get('reason'))})
    extra = report if isinstance(report, dict) else {}
    files = extra.get('files') if isinstance(extra.get('files'), dict) else {}
    return {'counts': counts, 'keys': keys, 'profile': _plain(extra.get('profile')),
            'check_mode': _plain(extra.get('check_mode')),
            'warnings': [_plain(w) for w in (extra.get('warnings') or []) if w],
            'files': dict((u'%s' % (k,), _plain(v)) for k, v in files.items())}


def txqueuelen_of(interfaces):
    """txqueuelen of the physical interfaces; without any (a container's veth), of the other non-loopback ones that are up."""
    interfaces = [i for i in (interfaces or []) if isinstance(i, dict)]
    chosen = [i for i in interfaces if i.get('physical')]
    if not chosen:
        chosen = [i for i in interfaces if i.get('kind') != 'loopback' and i.get('operstate') in ('up', 'unknown')
                  and i.get('name') != 'lo']
    return [{'name': u'%s' % (i.get('name'),), 'txqueuelen': _plain(i.get('txqueuelen')), 'kind': _plain(i.get('kind')),
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
    row['ports_usable'] = _num(ports.get('usable'))
    tw = _num(_get(facts, 'sockets', 'tcp', 'tw'))
    row['time_wait'] = {'used': tw, 'capacity': row['ports_usable'],
                        'share': _round(share(tw, row['ports_usable']), 4)}
    rate = ports.get('outbound_rate_per_destination') or {}
    row['outbound_per_destination'] = {'without_tw_reuse': _num(rate.get('without_tw_reuse')),
                                       'with_tw_reuse': _num(rate.get('with_tw_reuse')),
                                       'tw_reuse': _get(facts, 'sysctl', 'net.ipv4.tcp_tw_reuse', 'value')}
    conntrack = facts.get('conntrack') or {}
    row['conntrack'] = {'loaded': conntrack.get('loaded'), 'used': _num(conntrack.get('count')),
                        'capacity': _num(conntrack.get('max')),
                        'share': _round(share(conntrack.get('count'), conntrack.get('max')), 4)}
    files = facts.get('files') or {}
    row['file_handles'] = {'used': _num(files.get('allocated')), 'capacity': _num(files.get('file_max')),
                           'share': _round(share(files.get('allocated'), files.get('file_max')), 6),
                           'nr_open': _num(files.get('nr_open'))}
    pid1 = _get(files, 'nofile', 'pid1') or {}
    row['nofile_pid1'] = {'soft': _plain(pid1.get('soft')), 'hard': _plain(pid1.get('hard'))}
    row['txqueuelen'] = txqueuelen_of(facts.get('interfaces'))
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
            'message': _plain(item.get('message')),
            'value': _plain(item.get('value')),
            'recommendation': _plain(item.get('recommendation')),
            'doc': _plain(item.get('doc')),
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
            rows.append(host_row(host, None, FAILED, _plain(failed[host]), tunes.get(host)))
            continue
        facts = by_text.get(host)
        rows.append(host_row(host, facts, OK, None, tunes.get(host)))
        findings.extend(host_findings(host, facts, doc_base))
    findings = sort_findings(findings)

    totals = {
        'hosts': len(rows),
        'status': dict((s, len([r for r in rows if r['status'] == s])) for s in STATUS_ORDER),
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
    return _plain({
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


# ---------------------------------------------------------------------------
# formatting shared by the renderers

def fmt_int(value):
    value = _num(value)
    if value is None:
        return NA
    if isinstance(value, float) and value != int(value):
        return '{0:,.1f}'.format(value)
    value = int(value)
    if value >= 2 ** 62:
        return 'unlimited'          # LONG_MAX and the like: no limit in practice
    return '{0:,}'.format(value)


def fmt_pct(value):
    return NA if value is None else '%.1f%%' % value


def fmt_used(block):
    if not block:
        return NA
    return '%s / %s' % (fmt_int(block.get('used')), fmt_int(block.get('capacity')))


def fmt_range(row):
    port_range = row.get('port_range')
    if not port_range:
        return NA
    return '%s-%s (%s usable)' % (port_range[0], port_range[1], fmt_int(row.get('ports_usable')))


def fmt_nofile(row):
    nofile = row.get('nofile_pid1') or {}
    if nofile.get('soft') is None and nofile.get('hard') is None:
        return NA
    return '%s / %s' % (_limit(nofile.get('soft')), _limit(nofile.get('hard')))


def _limit(value):
    if value is None:
        return NA
    if _num(value) is None:
        return _text(value)
    return fmt_int(value)


def fmt_txq(row):
    items = row.get('txqueuelen') or []
    if row.get('status') != OK:
        return NA
    if not items:
        return 'none'
    return ', '.join('%s %s%s' % (i['name'], _limit(i['txqueuelen']), '' if i.get('physical') else ' (%s)' % (i.get('kind') or 'virtual'))
                     for i in items)


def fmt_conntrack(row):
    conntrack = row.get('conntrack') or {}
    if conntrack.get('loaded') is False:
        return 'not loaded'
    return fmt_used(conntrack)


def fmt_rate(row):
    rate = row.get('outbound_per_destination') or {}
    if rate.get('without_tw_reuse') is None:
        return NA
    return '%s/s (tw_reuse=%s: %s/s)' % (
        fmt_int(rate.get('without_tw_reuse')), _text(rate.get('tw_reuse')) or NA, fmt_int(rate.get('with_tw_reuse')))


def fmt_value(value):
    if value is None:
        return ''
    if isinstance(value, dict):
        return ', '.join('%s=%s' % (k, _text(value[k])) for k in sorted(value))
    return _text(value)


def finding_groups_of(data):
    """The data's finding groups (computed for data from before they were part of it)."""
    groups = data.get('finding_groups')
    return groups if isinstance(groups, list) else group_findings(data.get('findings') or [])


def hosts_text(group, limit=None):
    """'3: web-1, web-2, db-1' (host count, names; 'x2' after a host that has the finding twice)."""
    seen = {}
    for item in group['items']:
        seen[item['host']] = seen.get(item['host'], 0) + 1
    names = ['%s%s' % (h, ' x%d' % seen[h] if seen.get(h, 1) > 1 else '') for h in group['hosts']]
    if limit is not None and len(names) > limit:
        names = names[:limit] + ['+%d more' % (len(names) - limit)]
    return '%d: %s' % (len(group['hosts']), ', '.join(names))


def group_message(group):
    """The message of a finding group; when hosts differ (their values), the first host's, marked as such."""
    if group['same_message'] or len(group['items']) < 2:
        return _text(group['message'])
    return '%s (on %s; differs per host)' % (_text(group['message']), group['items'][0]['host'])


def status_text(row):
    if row['status'] == OK:
        return 'ok'
    if row.get('reason'):
        return '%s: %s' % (row['status'], _text(row['reason']))
    return row['status']


def tune_text(summary):
    if not summary:
        return ''
    return ', '.join('%s %d' % (status, summary['counts'][status]) for status in _tune_order(summary['counts'])
                     if summary['counts'][status])


def _tune_order(counts):
    return list(TUNE_STATUSES) + sorted(s for s in counts if s not in TUNE_STATUSES)


# ---------------------------------------------------------------------------
# JSON

def render_json(data):
    """The report data as JSON text (json.loads of it equals the data)."""
    return json.dumps(data, indent=2, sort_keys=True) + '\n'


# ---------------------------------------------------------------------------
# Markdown

def md_escape(value):
    """Text safe in a Markdown table cell: HTML-escaped, Markdown punctuation backslash-escaped, one line."""
    text = _text(value)
    text = text.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')
    for char in ('\\', '`', '*', '_', '[', ']', '|', '#'):
        text = text.replace(char, '\\' + char)
    return ' '.join(text.split())


def _md_table(header, rows):
    lines = ['| ' + ' | '.join(header) + ' |', '|' + '---|' * len(header)]
    for cells in rows:
        lines.append('| ' + ' | '.join(md_escape(c) for c in cells) + ' |')
    return lines


def render_markdown(data):
    """The report data as Markdown."""
    totals = data['totals']
    out = ['# ' + md_escape(data.get('title') or TITLE), '']
    if data.get('generated'):
        out += ['Generated ' + md_escape(data['generated']) + '.', '']
    out += ['%d hosts: %d ok, %d unreachable, %d failed. Findings: %d critical, %d warning, %d info.' % (
        totals['hosts'], totals['status'][OK], totals['status'][UNREACHABLE],
        totals['status'][FAILED] + totals['status'][NO_FACTS],
        totals['findings']['critical'], totals['findings']['warning'], totals['findings']['info']), '']
    if data['unreachable']:
        out += ['Unreachable: ' + ', '.join(md_escape(h) for h in data['unreachable']) + '.', '']
    if data['failed']:
        out += ['Failed: ' + ', '.join(md_escape(h) for h in data['failed']) + '.', '']

    out += ['## Hosts', '']
    header = ['host', 'status', 'kernel', 'containment', 'port range', 'TIME_WAIT / usable ports', 'outbound per destination',
              'conntrack', 'file handles', 'nofile PID 1 (soft / hard)', 'txqueuelen', 'headroom TIME_WAIT',
              'headroom conntrack', 'headroom files', 'findings (crit / warn / info)']
    cells = []
    for row in data['hosts']:
        cells.append([
            row['host'], status_text(row), row['kernel'] or NA, (row['containment'] or {}).get('label', NA),
            fmt_range(row), fmt_used(row['time_wait']), fmt_rate(row), fmt_conntrack(row), fmt_used(row['file_handles']),
            fmt_nofile(row), fmt_txq(row), fmt_pct(row['headroom']['time_wait']), fmt_pct(row['headroom']['conntrack']),
            fmt_pct(row['headroom']['file_handles']),
            '%d / %d / %d' % (row['findings'].get('critical', 0), row['findings'].get('warning', 0),
                              row['findings'].get('info', 0)),
        ])
    out += _md_table(header, cells) + ['']

    out += ['## Findings', '']
    if data['findings']:
        # One row per finding, however many hosts have it.
        out += _md_table(['severity', 'finding', 'hosts', 'message', 'fix', 'doc'], [
            [g['severity'], g['id'], hosts_text(g), group_message(g), g['recommendation'], g.get('doc_url') or g['doc']]
            for g in finding_groups_of(data)]) + ['']
    else:
        out += ['No findings.', '']

    tuned = [row for row in data['hosts'] if row.get('tune')]
    if tuned:
        out += ['## Tuning (tcp_tune_report)', '']
        out += _md_table(['host', 'key', 'before', 'wanted', 'after', 'status', 'why'], [
            [row['host'], k['key'], k['before'], k['wanted'], k['after'], k['status'], k.get('reason') or '']
            for row in tuned for k in row['tune']['keys']]) + ['']
    return '\n'.join(out)


# ---------------------------------------------------------------------------
# HTML

def html_escape(value):
    """Text safe in HTML element content and in quoted attribute values."""
    text = _text(value)
    return (text.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')
            .replace('"', '&quot;').replace("'", '&#x27;'))


CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
       margin: 0; padding: 24px 32px; color: #1d2330; background: #f6f7f9; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 10px; }
.meta { color: #5b6475; margin: 0 0 16px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 0 0 8px; }
.card { background: #fff; border: 1px solid #dde1e8; border-radius: 8px; padding: 10px 16px; min-width: 120px; }
.card .n { font-size: 22px; font-weight: 600; display: block; }
.card .l { color: #5b6475; font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.card.critical .n { color: #b42318; } .card.warning .n { color: #b54708; } .card.info .n { color: #175cd3; }
.card.unreachable .n { color: #b42318; }
.scroll { overflow-x: auto; background: #fff; border: 1px solid #dde1e8; border-radius: 8px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 7px 9px; border-bottom: 1px solid #eceef2; }
th { background: #f0f2f5; font-size: 12px; color: #404859; white-space: nowrap; }
tr:last-child td { border-bottom: 0; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.host { font-weight: 600; overflow-wrap: break-word; min-width: 90px; }
td.status div + div { margin-top: 3px; }
td.nowrap { white-space: nowrap; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; white-space: nowrap; }
.b-critical, .b-unreachable, .b-failed, .b-no_facts { background: #fee4e2; color: #912018; }
.b-warning { background: #fef0c7; color: #93370d; }
.b-info { background: #d1e9ff; color: #194185; }
.b-ok { background: #d1fadf; color: #05603a; }
.b-none { background: #eceef2; color: #5b6475; }
.nowrap { white-space: nowrap; }
td.metric { min-width: 110px; }
td.metric .num { text-align: left; white-space: nowrap; }
.bar { width: 100px; height: 10px; background: #eceef2; border-radius: 5px; overflow: hidden; margin-top: 3px; }
.bar span { display: block; height: 100%; }
.l-ok span { background: #32d583; } .l-warning span { background: #fdb022; } .l-critical span { background: #f04438; }
.l-unknown span { background: transparent; }
.pct { font-size: 12px; color: #404859; white-space: nowrap; }
.small { font-size: 12px; color: #5b6475; }
code { font: 12px/1.4 ui-monospace, "DejaVu Sans Mono", monospace; background: #f0f2f5; padding: 1px 4px; border-radius: 4px; }
tr.row-unreachable td, tr.row-failed td, tr.row-no_facts td { background: #fffbfa; }
details { margin: 8px 0; background: #fff; border: 1px solid #dde1e8; border-radius: 8px; padding: 6px 12px; }
summary { cursor: pointer; font-weight: 600; }
details.hosts { margin: 0; border: 0; padding: 0; background: transparent; }
details.hosts summary { font-weight: 400; overflow-wrap: anywhere; }
details.hosts ul { margin: 4px 0 0; padding-left: 16px; }
td.hosts { min-width: 160px; max-width: 320px; }
.host-name { font-weight: 600; overflow-wrap: anywhere; }
footer { margin-top: 28px; color: #5b6475; font-size: 12px; }
"""


CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


def _badge(kind, text=None):
    return '<span class="badge b-%s">%s</span>' % (html_escape(kind), html_escape(kind if text is None else text))


def _bar(pct):
    level = headroom_level(pct)
    width = 0.0 if pct is None else max(0.0, min(100.0, float(pct)))
    return ('<div class="bar l-%s" role="img" aria-label="headroom %s">'
            '<span style="width:%.1f%%"></span></div><div class="pct">%s free</div>' % (
                level, html_escape(fmt_pct(pct)), width, html_escape(fmt_pct(pct))))


def _tune_badge(status):
    """Green for what is in effect as wanted (applied, unchanged, restored), grey for the rest."""
    return _badge('ok' if status in ('applied', 'unchanged', 'restored', 'removed') else 'none', status)


def _metric(used_text, pct):
    """A table cell: used / capacity, then the headroom bar."""
    return '<td class="metric"><div class="num">%s</div>%s</td>' % (html_escape(used_text), _bar(pct))


def _cell(value, cls=None):
    if cls:
        return '<td class="%s">%s</td>' % (cls, html_escape(value))
    return '<td>%s</td>' % html_escape(value)


def _card(number, label, cls=''):
    return '<div class="card %s"><span class="n">%s</span><span class="l">%s</span></div>' % (
        cls, html_escape(number), html_escape(label))


def render_html(data):
    """The report data as one self-contained HTML page (inline CSS, no script, no external reference)."""
    totals = data['totals']
    title = data.get('title') or TITLE
    out = ['<!DOCTYPE html>', '<html lang="en">', '<head>', '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           # Nothing may load or run: only the inline style sheet and style attributes are allowed.
           '<meta http-equiv="Content-Security-Policy" content="%s">' % CSP,
           '<title>%s</title>' % html_escape(title), '<style>%s</style>' % CSS, '</head>', '<body>',
           '<h1>%s</h1>' % html_escape(title)]
    meta = '%d hosts' % totals['hosts']
    if data.get('generated'):
        meta += ', generated %s' % _text(data['generated'])
    out.append('<p class="meta">%s</p>' % html_escape(meta))
    out.append('<div class="cards">')
    out.append(_card(totals['status'][OK], 'hosts ok', 'ok'))
    out.append(_card(totals['status'][UNREACHABLE], 'unreachable', 'unreachable' if totals['status'][UNREACHABLE] else ''))
    out.append(_card(totals['status'][FAILED] + totals['status'][NO_FACTS], 'failed'))
    for severity in SEVERITIES:
        out.append(_card(totals['findings'][severity], '%s findings' % severity, severity))
    out.append('</div>')
    if data['unreachable']:
        out.append('<p><strong>Unreachable:</strong> %s</p>' % ', '.join(
            '<span class="badge b-unreachable">%s</span>' % html_escape(h) for h in data['unreachable']))

    out += ['<h2 id="hosts">Hosts</h2>', '<div class="scroll"><table id="hosts-table">', '<thead><tr>']
    for head in ('host', 'status / findings', 'kernel / containment', 'ephemeral ports', 'TIME_WAIT / usable ports',
                 'conntrack', 'file handles', 'nofile PID 1', 'txqueuelen'):
        out.append('<th>%s</th>' % html_escape(head))
    out.append('</tr></thead><tbody>')
    for row in data['hosts']:
        out.append('<tr class="host-row row-%s" data-host="%s">' % (html_escape(row['status']), html_escape(row['host'])))
        out.append(_cell(row['host'], 'host'))
        counts = ''.join('<div>%s</div>' % _badge(s, '%d %s' % (row['findings'][s], s))
                         for s in SEVERITIES if row['findings'].get(s))
        if row['status'] == OK and not counts:
            counts = '<div class="small">no findings</div>'
        out.append('<td class="status"><div>%s</div>%s%s</td>' % (_badge(row['status']), (
            '<div class="small">%s</div>' % html_escape(row['reason'])) if row.get('reason') else '', counts))
        if row['status'] != OK:
            out.append('<td colspan="7" class="small">no facts: %s</td>' % html_escape(
                'host could not be reached' if row['status'] == UNREACHABLE else 'gathering failed'))
            out.append('</tr>')
            continue
        out.append('<td><div class="nowrap">%s</div><div class="small">%s</div></td>' % (
            html_escape(row['kernel'] or NA), html_escape((row['containment'] or {}).get('label', NA))))
        port_range = row.get('port_range')
        rate = row.get('outbound_per_destination') or {}
        out.append('<td title="new connections per second to one destination ip:port with tcp_tw_reuse=1: %s">'
                   '<div class="nowrap">%s</div><div class="small">%s usable, tw_reuse=%s<br>%s new/s per destination</div></td>' % (
                       html_escape(fmt_int(rate.get('with_tw_reuse'))),
                       html_escape('%s-%s' % (port_range[0], port_range[1]) if port_range else NA),
                       html_escape(fmt_int(row.get('ports_usable'))), html_escape(_text(rate.get('tw_reuse')) or NA),
                       html_escape(fmt_int(rate.get('without_tw_reuse')))))
        out.append(_metric(fmt_used(row['time_wait']), row['headroom']['time_wait']))
        conntrack = row.get('conntrack') or {}
        if conntrack.get('loaded') is False:
            out.append('<td class="small">not loaded</td>')
        else:
            out.append(_metric(fmt_used(conntrack), row['headroom']['conntrack']))
        out.append(_metric(fmt_used(row['file_handles']), row['headroom']['file_handles']))
        out.append('<td class="num">%s<div class="small">soft / hard</div></td>' % html_escape(fmt_nofile(row)))
        out.append(_cell(fmt_txq(row), 'nowrap'))
        out.append('</tr>')
    out.append('</tbody></table></div>')

    out.append('<h2 id="findings">Findings</h2>')
    if data['findings']:
        # One row per finding, however many hosts have it; the hosts (each with its own message and value)
        # fold out of the row with <details>, which needs no script.
        out += ['<div class="scroll"><table id="findings-table">',
                '<thead><tr><th>severity</th><th>finding</th><th>hosts</th><th>what</th><th>fix</th><th>doc</th></tr></thead><tbody>']
        for group in finding_groups_of(data):
            out.append('<tr class="finding-row" data-finding="%s" data-hosts="%d">' % (
                html_escape(group['id']), len(group['hosts'])))
            out.append('<td>%s</td>' % _badge(group['severity']))
            out.append('<td><code>%s</code></td>' % html_escape(group['id']))
            out.append('<td class="hosts"><details class="hosts"><summary>%s</summary><ul>%s</ul></details></td>' % (
                html_escape(hosts_text(group, limit=5)), ''.join(
                    '<li><span class="host-name">%s</span> <span class="small">%s%s</span></li>' % (
                        html_escape(item['host']), html_escape(item['message']),
                        html_escape('; value: %s' % fmt_value(item['value'])) if fmt_value(item['value']) else '')
                    for item in group['items'])))
            value = fmt_value(group['items'][0]['value']) if len(group['items']) == 1 else ''
            out.append('<td>%s%s</td>' % (html_escape(group_message(group)), (
                '<div class="small">value: %s</div>' % html_escape(value)) if value else ''))
            out.append(_cell(group['recommendation']))
            if group.get('doc_url'):
                out.append('<td><a href="%s"><code>%s</code></a></td>' % (html_escape(group['doc_url']), html_escape(group['doc'])))
            else:
                out.append('<td><code>%s</code></td>' % html_escape(group['doc']))
            out.append('</tr>')
        out.append('</tbody></table></div>')
    else:
        out.append('<p>No findings.</p>')

    tuned = [row for row in data['hosts'] if row.get('tune')]
    if tuned:
        out.append('<h2 id="tuning">Tuning (tcp_tune_report)</h2>')
        for row in tuned:
            out.append('<details><summary>%s <span class="small">%s%s</span></summary>' % (
                html_escape(row['host']), html_escape(tune_text(row['tune'])),
                html_escape(' (profile %s)' % row['tune']['profile']) if row['tune'].get('profile') else ''))
            for warning in row['tune'].get('warnings') or []:
                out.append('<p class="small">%s</p>' % html_escape(warning))
            out.append('<table><thead><tr><th>key</th><th>before</th><th>wanted</th><th>after</th><th>status</th>'
                       '<th>why</th></tr></thead><tbody>')
            for key in row['tune']['keys']:
                out.append('<tr>%s%s%s%s<td>%s</td>%s</tr>' % (
                    _cell(key['key']), _cell(key['before'], 'nowrap'), _cell(key['wanted'], 'nowrap'),
                    _cell(key['after'], 'nowrap'), _tune_badge(key['status']),
                    _cell(key.get('reason') or '', 'small')))
            for path in sorted(row['tune'].get('files') or {}):
                out.append('<tr><td colspan="4"><code>%s</code></td><td>%s</td><td class="small">file</td></tr>' % (
                    html_escape(path), _tune_badge(row['tune']['files'][path])))
            out.append('</tbody></table></details>')

    out.append('<footer>Headroom: share of a capacity still free (TIME_WAIT sockets against usable ephemeral ports, '
               'conntrack entries against nf_conntrack_max, allocated file handles against fs.file-max); '
               'red below %d%%, amber below %d%%. Finding ids are described in docs/findings.md of the netlimits.tcp '
               'collection.</footer>' % (HEADROOM_CRITICAL_PCT, HEADROOM_WARNING_PCT))
    out += ['</body>', '</html>', '']
    return '\n'.join(out)
