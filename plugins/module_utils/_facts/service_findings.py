# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Findings over the services view (services.py): the service that will fall over first, and why.

Each finding names the process (command, unit, pid) and the listening ports it serves, and says the
fix in words; docs/findings.md explains each id. Pure: reads only the facts dict.
Python 3.6 compatible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netlimits.tcp.plugins.module_utils._common.status import CRITICAL, WARNING
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.findings import finding
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.sysctl import value_of

# Open descriptors as a share of the process's soft RLIMIT_NOFILE.
SERVICE_NOFILE_WARNING = 0.80
SERVICE_NOFILE_CRITICAL = 0.95
# systemd's default soft limit for services (systemd.exec(5), LimitNOFILE=: "defaults to 1024:524288"
# from v240; the soft 1024 keeps select() users safe). A service still there while it serves at least
# this many established connections will run out first.
SYSTEMD_SOFT_NOFILE = 1024
BUSY_CONNECTIONS = 512
# Accept queue now as a share of its maximum: the service is not calling accept() fast enough.
ACCEPT_QUEUE_WARNING = 0.5
# A listen() backlog at or below this is a program's own small default (nginx: 511, its NGX_LISTEN_BACKLOG
# on Linux, src/core/ngx_connection.h); somaxconn only caps the backlog, it never raises it.
SMALL_BACKLOG = 511


def _label(process):
    where = ' (%s)' % process['unit'] if process.get('unit') else ''
    return '%s%s, pid %s' % (process.get('command'), where, process.get('pid'))


def _ports_of(services, pid):
    return sorted(set(item['port'] for item in services.get('listeners') or [] if pid in (item.get('pids') or [])))


def _established(services, ports):
    """Established connections to the ports (counted once per port: both families share the count)."""
    per_port = dict((item['port'], item.get('established') or 0) for item in services.get('listeners') or [])
    return sum(per_port.get(port, 0) for port in ports)


def _fix_nofile(process):
    unit = process.get('unit')
    if unit and unit.endswith('.service'):
        return ('raise LimitNOFILE= for %s (tcp_tune_service_nofile: {"%s": 65536}), or the program\'s own '
                'setting (nginx: worker_rlimit_nofile), then restart it' % (unit, unit[:-len('.service')]))
    return 'raise the soft nofile of the program that runs it (its own setting, or the limit it is started with)'


def check_service_nofile(facts):
    """service_nofile_near_limit / service_nofile_default_soft: a service against its own soft nofile."""
    services = facts.get('services') or {}
    result = []
    for process in services.get('processes') or []:
        soft = (process.get('nofile') or {}).get('soft')
        fds = process.get('fds')
        if not isinstance(soft, int) or not isinstance(fds, int) or soft <= 0:
            continue
        ports = _ports_of(services, process['pid'])
        share = float(fds) / soft
        value = {'pid': process['pid'], 'unit': process.get('unit'), 'command': process.get('command'),
                 'fds': fds, 'soft': soft, 'hard': (process.get('nofile') or {}).get('hard'), 'ports': ports}
        if share >= SERVICE_NOFILE_WARNING:
            result.append(finding(
                'service_nofile_near_limit', CRITICAL if share >= SERVICE_NOFILE_CRITICAL else WARNING,
                '%s serving port(s) %s has %d descriptors open, %d%% of its soft limit %d: at the limit '
                'accept() fails with EMFILE and new connections wait in the accept queue'
                % (_label(process), ', '.join(str(p) for p in ports), fds, int(share * 100), soft),
                value, _fix_nofile(process)))
            continue
        connections = _established(services, ports)
        if soft == SYSTEMD_SOFT_NOFILE and connections >= BUSY_CONNECTIONS:
            value['established'] = connections
            result.append(finding(
                'service_nofile_default_soft', WARNING,
                '%s still has the default soft nofile %d while it serves %d connections on port(s) %s'
                % (_label(process), soft, connections, ', '.join(str(p) for p in ports)),
                value, _fix_nofile(process)))
    return result


def _owners(by_pid, listener):
    names = [_label(by_pid[pid]) for pid in listener.get('pids') or [] if pid in by_pid]
    return names[0] if names else 'an unidentified process'


def check_listeners(facts):
    """accept_queue_filling / listen_backlog_stale / listen_backlog_small: each listener's queue."""
    services = facts.get('services') or {}
    somaxconn = value_of(facts.get('sysctl') or {}, 'net.core.somaxconn')
    somaxconn_default = ((facts.get('kernel') or {}).get('behaviour') or {}).get('somaxconn_default')
    overflows = (((facts.get('sockets') or {}).get('counters')) or {}).get('ListenOverflows')
    by_pid = dict((p['pid'], p) for p in services.get('processes') or [])
    result = []
    for item in services.get('listeners') or []:
        backlog, queue = item.get('backlog'), item.get('queue')
        where = '%s:%s' % (item.get('address'), item.get('port'))
        value = {'address': item.get('address'), 'port': item.get('port'), 'queue': queue, 'backlog': backlog,
                 'pids': item.get('pids')}
        if not isinstance(backlog, int) or backlog <= 0:
            continue
        if isinstance(queue, int) and queue >= ACCEPT_QUEUE_WARNING * backlog:
            result.append(finding(
                'accept_queue_filling', CRITICAL if queue >= backlog else WARNING,
                'the accept queue of %s (%s) holds %d of at most %d connections: the service is not calling '
                'accept() fast enough' % (where, _owners(by_pid, item), queue, backlog),
                value, 'look at the service (busy workers, descriptors, CPU); a larger backlog only buys time'))
        if isinstance(somaxconn, int) and backlog < somaxconn and backlog == somaxconn_default:
            result.append(finding(
                'listen_backlog_stale', WARNING,
                'the listener %s (%s) has a backlog of %d, the kernel\'s default somaxconn, below today\'s '
                'net.core.somaxconn %d: the backlog was fixed when the socket was created'
                % (where, _owners(by_pid, item), backlog, somaxconn),
                value, 'restart the service so that it listens again under the raised somaxconn'))
        elif backlog <= SMALL_BACKLOG and isinstance(overflows, int) and overflows > 0:
            result.append(finding(
                'listen_backlog_small', WARNING,
                'the listener %s (%s) asks for a backlog of %d while ListenOverflows is %d since boot: '
                'somaxconn caps the backlog, it never raises it'
                % (where, _owners(by_pid, item), backlog, overflows),
                value, 'raise the backlog in the program (nginx: listen ... backlog=N) up to net.core.somaxconn'))
    return result


FINDING_IDS = ('service_nofile_near_limit', 'service_nofile_default_soft', 'accept_queue_filling',
               'listen_backlog_stale', 'listen_backlog_small')


def service_findings(facts):
    """The findings over facts['services'] (none when the view was not gathered)."""
    return check_service_nofile(facts) + check_listeners(facts)
