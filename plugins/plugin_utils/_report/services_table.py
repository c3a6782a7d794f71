# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The services table: one row per listening socket of a host's services view (facts['services']),
with the process that comes closest to its soft nofile among those holding it.

One source for the limits table (limits_table.py) and the audit report (audit_data.py). Controller side.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netlimits.tcp.plugins.plugin_utils._report.format import NA, fmt_value


def _share(process):
    soft = (process.get('nofile') or {}).get('soft')
    fds = process.get('fds')
    if isinstance(soft, int) and isinstance(fds, int) and soft > 0:
        return float(fds) / soft
    return -1.0


def service_rows(services):
    """[{unit, command, pids, address, port, fds, soft, hard, queue, backlog, established}] by port; [] without a view.

    unit: the systemd unit of the owners (else their command, else None); fds/soft/hard: of the owner nearest
    its soft limit (a pre-forking server's busiest worker), None where unknown.
    """
    if not isinstance(services, dict):
        return []
    by_pid = dict((p.get('pid'), p) for p in services.get('processes') or [] if isinstance(p, dict))
    rows = []
    for item in services.get('listeners') or []:
        if not isinstance(item, dict):
            continue
        owners = [by_pid[pid] for pid in item.get('pids') or [] if pid in by_pid]
        nearest = sorted(owners, key=_share, reverse=True)[0] if owners else {}
        nofile = nearest.get('nofile') or {}
        rows.append({
            'unit': nearest.get('unit') or nearest.get('command'),
            'command': nearest.get('command'),
            'pids': [p.get('pid') for p in owners],
            'address': item.get('address'), 'port': item.get('port'),
            'fds': nearest.get('fds'), 'soft': nofile.get('soft'), 'hard': nofile.get('hard'),
            'queue': item.get('queue'), 'backlog': item.get('backlog'), 'established': item.get('established'),
        })
    return rows


def endpoint(row):
    """'0.0.0.0:80', '[::]:80': the listener's address and port as ss prints them."""
    address = row.get('address') or '*'
    return ('[%s]:%s' if ':' in address else '%s:%s') % (address, row.get('port'))


def fds_text(row):
    """'14 / 1024 / 524288': descriptors now / soft / hard."""
    return ' / '.join(fmt_value(row.get(k)) if row.get(k) is not None else NA for k in ('fds', 'soft', 'hard'))


def backlog_text(row):
    """'0 / 511': accept queue now / its maximum."""
    return ' / '.join(fmt_value(row.get(k)) if row.get(k) is not None else NA for k in ('queue', 'backlog'))


def limits_rows(services):
    """The services group of the limits table: [key, value, note] per listener."""
    rows = []
    for row in service_rows(services):
        rows.append(['%s %s' % (row['unit'] or '(owner unknown)', endpoint(row)),
                     'fds %s' % fds_text(row),
                     'backlog %s, %s established' % (backlog_text(row), fmt_value(row['established']))])
    if isinstance(services, dict) and services.get('notes'):
        rows.append(['(partial view)', '', '; '.join(services['notes'])])
    return rows
