# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet summary of playbooks/tune.yml: one line per host, each finding once with its hosts, totals.

``summarize()`` is the pure part (plain dicts and lists in, plain data out); ``tcp_summary()``
(the filter of the same name) finds each host's tcp_tune_report, first-contact result, verify
result and failure record in hostvars and hands them to it. Controller side.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from collections.abc import Mapping

from ansible.module_utils.parsing.convert_bool import boolean
from ansible_collections.netlimits.tcp.plugins.module_utils._common import status as _status
from ansible_collections.netlimits.tcp.plugins.plugin_utils._report.plain import host_list, key_entries, plain
from ansible_collections.netlimits.tcp.plugins.plugin_utils._report.format import align

TUNED = 'tuned'
UNREACHABLE = _status.UNREACHABLE
FAILED = _status.FAILED

CHANGED_STATUSES = _status.CHANGING
SKIPPED_STATUSES = _status.SKIPPED
OVERRIDDEN = _status.OVERRIDDEN
SEVERITIES = _status.SEVERITIES
MSG_MAX = 200


def _one_line(text):
    """A message on one line ('' for None)."""
    return u' '.join((u'%s' % (text,)).split()) if text is not None else u''


def _short(text):
    """At most MSG_MAX characters of a message, for its summary line."""
    return text if len(text) <= MSG_MAX else text[:MSG_MAX - 3] + u'...'


def changed_keys(report):
    """Keys the run set live (or would set, in check mode), sorted: sysctl keys, then 'txqueuelen IFACE'."""
    return [key for key, entry in key_entries(report)
            if entry.get('status') in CHANGED_STATUSES
            or (entry.get('status') == OVERRIDDEN and entry.get('live') in CHANGED_STATUSES)]


def skipped_keys(report):
    """Key -> status of the keys left alone for a reason (missing, read-only, kernel, lower, host scope)."""
    return dict((key, entry['status']) for key, entry in key_entries(report) if entry.get('status') in SKIPPED_STATUSES)


def overridden_keys(report):
    """Key -> the file loaded after ours that sets it (it wins at boot)."""
    return dict((key, entry.get('overridden_by') or '?') for key, entry in key_entries(report)
                if entry.get('status') == OVERRIDDEN)


def _findings(report, fallback):
    """[{id, severity}] from the report's own findings, else from fallback; None when neither is a list."""
    found = report.get('findings') if isinstance(report, Mapping) else None
    if not isinstance(found, list):
        found = fallback
    if not isinstance(found, list):
        return None
    out = []
    for item in found:
        if isinstance(item, Mapping):
            out.append({'id': u'%s' % (item.get('id') or '?',), 'severity': u'%s' % (item.get('severity') or 'info',)})
    rank = dict((name, i) for i, name in enumerate(SEVERITIES))
    return sorted(out, key=lambda f: (rank.get(f['severity'], len(SEVERITIES)), f['id']))


def _list_text(count, items):
    return u'%d (%s)' % (count, u', '.join(items)) if items else u'%d' % count


def _severity_text(findings):
    """'1 critical, 2 warning' of the severities present (findings already sorted)."""
    counts = []
    for f in findings:
        if counts and counts[-1][0] == f['severity']:
            counts[-1][1] += 1
        else:
            counts.append([f['severity'], 1])
    return [u'%d %s' % (n, sev) for sev, n in counts]


def host_line(entry):
    """The summary line of one host entry."""
    host = entry['host']
    if entry['status'] == UNREACHABLE:
        return u'%s: UNREACHABLE%s' % (host, u' - ' + _short(entry['msg']) if entry.get('msg') else u'')
    if entry['status'] == FAILED:
        return u'%s: FAILED%s' % (host, u' - ' + _short(entry['msg']) if entry.get('msg') else u'')
    parts = [
        u'%s %s' % (u'would change' if entry['check_mode'] else u'changed',
                    _list_text(len(entry['changed']), entry['changed'])),
        u'skipped %s' % _list_text(len(entry['skipped']),
                                   [u'%s: %s' % (k, entry['skipped'][k]) for k in sorted(entry['skipped'])]),
    ]
    if entry['overridden']:
        parts.append(u'overridden %s' % _list_text(len(entry['overridden']), [
            u'%s by %s' % (k, entry['overridden'][k]) for k in sorted(entry['overridden'])]))
    # In check mode nothing changed: the findings are those of the host as it is now.
    label = u'findings now' if entry['check_mode'] else u'findings left'
    if entry['findings'] is None:
        parts.append(u'%s n/a' % label)
    else:
        # Which findings: once for the fleet, in the lines after the hosts (finding_groups).
        parts.append(u'%s %s' % (label, _list_text(len(entry['findings']), _severity_text(entry['findings']))))
    return u'%s: %s' % (host, u'; '.join(parts))


def _names(value):
    """A list of host names or a dict host -> message, as a dict host -> message (or None)."""
    if isinstance(value, Mapping):
        return dict((u'%s' % (k,), v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return dict((u'%s' % (h,), None) for h in value)
    if value:
        return {u'%s' % (value,): None}
    return {}


def summarize(hosts, reports, findings=None, unreachable=None, failed=None, keep_reports=False):
    """The fleet summary.

    hosts: the target hosts, in the order of the lines.
    reports: host -> tcp_tune_report.
    findings: host -> list of findings, used where the report has no ``findings`` of its own.
    unreachable, failed: host names, or host -> message.
    keep_reports: keep each tuned host's report in its entry ('report').
    """
    reports = reports or {}
    findings = findings or {}
    unreachable = _names(unreachable)
    failed = _names(failed)
    entries, seen = [], set()
    for host in hosts:
        host = u'%s' % (host,)
        if host in seen:
            continue
        seen.add(host)
        report = reports.get(host)
        entry = {'host': host, 'status': TUNED, 'changed': [], 'skipped': {}, 'overridden': {},
                 'findings': None, 'check_mode': False, 'msg': None}
        if host in unreachable:
            entry.update(status=UNREACHABLE, msg=_one_line(unreachable[host]) or None)
        elif host in failed:
            entry.update(status=FAILED, msg=_one_line(failed[host]) or None)
        elif not isinstance(report, Mapping):
            entry.update(status=FAILED, msg=u'no tcp_tune_report: the host left the run (failed or lost its connection)')
        else:
            entry.update(changed=changed_keys(report), skipped=skipped_keys(report), overridden=overridden_keys(report),
                         findings=_findings(report, findings.get(host)), check_mode=bool(report.get('check_mode')))
        entry['line'] = host_line(entry)
        if keep_reports:
            entry['report'] = report if entry['status'] == TUNED else None
        entries.append(entry)
    return _with_totals(entries)


def _s(count):
    return u'' if count == 1 else u's'


def finding_groups(entries):
    """Each distinct (severity, id) of the tuned hosts once, with the hosts that have it."""
    groups = {}
    for e in entries:
        if e['status'] != TUNED:
            continue
        for f in e['findings'] or []:
            group = groups.setdefault((f['severity'], f['id']), {'severity': f['severity'], 'id': f['id'],
                                                                 'hosts': [], 'count': 0})
            group['count'] += 1
            if e['host'] not in group['hosts']:
                group['hosts'].append(e['host'])
    rank = dict((name, i) for i, name in enumerate(SEVERITIES))
    return sorted(groups.values(), key=lambda g: (rank.get(g['severity'], len(SEVERITIES)), -len(g['hosts']), g['id']))


def _host_names(group):
    """'a, b' and, when a host has the finding more than once in all, the occurrences."""
    names = u', '.join(group['hosts'])
    if len(names) > MSG_MAX:
        names = names[:MSG_MAX - 3] + u'...'
    extra = group['count'] - len(group['hosts'])
    return names + (u' (%d times in all)' % group['count'] if extra else u'')


def finding_group_lines(groups, check_mode):
    """A heading and one aligned line per distinct finding: severity, id, host count, host names."""
    if not groups:
        return []
    label = u'findings now' if check_mode else u'findings left'
    return [u'%s, by finding:' % label] + align(
        [[g['severity'], g['id'], u'%d host%s' % (len(g['hosts']), _s(len(g['hosts']))), _host_names(g)]
         for g in groups])


def _with_totals(entries):
    tuned = [e for e in entries if e['status'] == TUNED]
    unreachable = [e['host'] for e in entries if e['status'] == UNREACHABLE]
    failed = [e['host'] for e in entries if e['status'] == FAILED]
    check_mode = any(e['check_mode'] for e in tuned)
    counts = dict((s, 0) for s in SEVERITIES)
    total_findings = 0
    for e in tuned:
        for f in e['findings'] or []:
            total_findings += 1
            if f['severity'] in counts:
                counts[f['severity']] += 1
    counts['total'] = total_findings
    totals = {
        'hosts': len(entries), 'tuned': len(tuned), 'unreachable': len(unreachable), 'failed': len(failed),
        'changed': sum(len(e['changed']) for e in tuned), 'skipped': sum(len(e['skipped']) for e in tuned),
        'overridden': sum(len(e['overridden']) for e in tuned), 'findings': counts,
    }
    groups = finding_groups(entries)
    lines = [e['line'] for e in entries]
    lines += finding_group_lines(groups, check_mode)
    lines.append(u'TOTAL%s %d host%s: %d tuned, %d unreachable, %d failed; %d key%s %s, %d skipped%s; '
                 u'%s %d (%d critical, %d warning, %d info)' % (
                     u' (check mode, nothing changed)' if check_mode else u'',
                     totals['hosts'], _s(totals['hosts']), totals['tuned'], totals['unreachable'], totals['failed'],
                     totals['changed'], _s(totals['changed']), u'would change' if check_mode else u'changed',
                     totals['skipped'], u', %d overridden' % totals['overridden'] if totals['overridden'] else u'',
                     u'findings now' if check_mode else u'findings left',
                     counts['total'], counts['critical'], counts['warning'], counts['info']))
    lines.append(u'unreachable: %s' % (u', '.join(unreachable) or u'none'))
    lines.append(u'failed: %s' % (u', '.join(failed) or u'none'))
    return {'lines': lines, 'hosts': entries, 'unreachable': unreachable, 'failed': failed,
            'totals': totals, 'check_mode': check_mode, 'finding_groups': groups}


def _vars_of(hostvars, host):
    try:
        hv = hostvars[host]
    except KeyError:
        return {}
    return hv if isinstance(hv, Mapping) else {}


def _failure_text(record):
    if isinstance(record, Mapping):
        task, msg = record.get('task'), record.get('msg')
        return u'%s%s' % (u'in "%s": ' % (task,) if task else u'', msg if msg is not None else u'failed')
    return record if record else u'failed'


def _names_of(var):
    """A variable name or a list of them as a list ([] for none)."""
    if not var:
        return []
    return [var] if isinstance(var, str) else list(var)


def tcp_summary(hostvars, hosts=None, report_var='tcp_tune_report', reach_var='__netlimits_tcp_reach',
                verify_var='__netlimits_tcp_verify', failure_var='__netlimits_tcp_failure', reports=False):
    """The fleet summary from hostvars (see summarize)."""
    keep_reports = boolean(reports, strict=False)
    hosts = host_list(hostvars, hosts, 'tcp_summary', 'vars')
    reports, findings, unreachable, failed = {}, {}, {}, {}
    for host in hosts:
        host = u'%s' % (host,)
        hv = _vars_of(hostvars, host)
        reaches = [plain(hv.get(name)) for name in _names_of(reach_var)]
        reach = next((r for r in reaches if isinstance(r, Mapping) and r.get('unreachable')), None)
        if reach is not None:
            unreachable[host] = reach.get('msg') or 'unreachable'
            continue
        record = plain(hv.get(failure_var)) if failure_var else None
        if record:
            failed[host] = _failure_text(record)
            continue
        report = plain(hv.get(report_var))
        if isinstance(report, Mapping):
            reports[host] = report
        verify = plain(hv.get(verify_var)) if verify_var else None
        limits = ((verify or {}).get('ansible_facts') or {}).get('tcp_limits') if isinstance(verify, Mapping) else None
        if isinstance(limits, Mapping) and isinstance(limits.get('findings'), list):
            findings[host] = limits['findings']
    return summarize(hosts, reports, findings=findings, unreachable=unreachable, failed=failed,
                     keep_reports=keep_reports)
