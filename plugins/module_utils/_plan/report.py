# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""tcp_tune_report: what the role publishes, from the plan and the limits gathered after it.

Python 3.6 compatible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netlimits.tcp.plugins.module_utils._common.paths import RC_LOCAL, SERVICE_FILE
from ansible_collections.netlimits.tcp.plugins.module_utils._common.status import (
    APPLIED, BLOCK_REMOVED, OVERRIDDEN, REMOVED, RESTORED, SKIPPED_READ_ONLY, UNCHANGED,
)
from ansible_collections.netlimits.tcp.plugins.module_utils._plan.values import sysctl_fact


def service_rows(the_plan, files, check_mode):
    """{unit: {before, wanted, after, status, reason}} of the LimitNOFILE drop-ins: when each takes effect."""
    rows = {}
    for unit, item in sorted((the_plan.get('service_limits') or {}).items()):
        status = files.get(SERVICE_FILE % unit, UNCHANGED)
        row = {'before': item.get('now'), 'wanted': item['limit'], 'status': status}
        if status == APPLIED:
            if the_plan.get('restart_services'):
                row['reason'] = 'would restart %s.service' % unit if check_mode else 'restarted %s.service' % unit
            else:
                row['reason'] = 'takes effect at the next restart of %s.service' % unit
            row['after'] = row['wanted'] if the_plan.get('restart_services') else item.get('now')
        rows[unit] = row
    return rows


def report(the_plan, facts_after=None, check_mode=False, changed_files=None, denied_interfaces=None):
    """tcp_tune_report: per key before, wanted, after, status; plus limits, systemd, txqueuelen, files, sizing."""
    out = {'state': the_plan.get('state'), 'kernel': the_plan.get('kernel'), 'sysctl': {},
           'warnings': list(the_plan.get('warnings') or []), 'check_mode': bool(check_mode)}
    for entry in the_plan.get('sysctl') or []:
        if check_mode or not facts_after:
            after = entry['wanted'] if entry.get('apply') else entry.get('before')
        else:
            fact = sysctl_fact(facts_after, entry['key'])
            after = fact.get('value') if fact else (entry['wanted'] if entry.get('apply') else entry.get('before'))
        item = {'before': entry.get('before'), 'wanted': entry.get('wanted'), 'after': after,
                'status': entry['status']}
        for extra in ('reason', 'overridden_by', 'variable'):
            if entry.get(extra):
                item[extra] = entry[extra]
        if entry['status'] == OVERRIDDEN:
            item['live'] = entry.get('live')
        out['sysctl'][entry['key']] = item
    tx = the_plan.get('txqueuelen') or {}
    known = dict((i.get('name'), i) for i in ((facts_after or {}).get('interfaces') or []))
    out['txqueuelen'] = {}
    for entry in tx.get('entries') or []:
        name = entry['interface']
        if check_mode or name not in known:
            after = entry['wanted'] if entry['status'] in (APPLIED, RESTORED) else entry['before']
        else:
            after = known[name].get('txqueuelen')
        out['txqueuelen'][name] = {'before': entry['before'], 'wanted': entry['wanted'], 'after': after,
                                   'status': entry['status']}
        if name in (denied_interfaces or ()):
            out['txqueuelen'][name]['status'] = SKIPPED_READ_ONLY
            out['txqueuelen'][name]['reason'] = ('ip link set was not permitted here (no CAP_NET_ADMIN): '
                                                 'persisted for the next boot only')
            out['warnings'].append('txqueuelen %s: %s' % (name, out['txqueuelen'][name]['reason']))
        elif entry.get('reason'):
            out['txqueuelen'][name]['reason'] = entry['reason']
    if tx.get('method'):
        out['txqueuelen_persist'] = tx['method']
    if the_plan.get('state') == 'present':
        out['profile'] = the_plan.get('profile')
        out['sizing'] = (the_plan.get('sizing') or {}).get('lines') or []
        out['limits'] = the_plan.get('limits') or []
        out['systemd_default_nofile'] = the_plan.get('systemd_default_nofile')
    changed = set(changed_files or [])
    out['files'] = dict((w['path'], APPLIED if w['path'] in changed else UNCHANGED)
                        for w in the_plan.get('files') or [])
    for r in the_plan.get('removes') or []:
        out['files'][r] = REMOVED
    for r in the_plan.get('restores') or []:
        out['files'][r['dest']] = RESTORED
    for w in the_plan.get('undo_writes') or []:
        out['files'][w['path']] = BLOCK_REMOVED if w['path'] == RC_LOCAL else RESTORED
    out['services'] = service_rows(the_plan, out['files'], check_mode)
    counts = {}
    for item in out['sysctl'].values():
        counts[item['status']] = counts.get(item['status'], 0) + 1
    out['summary'] = counts
    return out
