# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The tcp_limits facts as Prometheus metrics: the text node_exporter's textfile collector reads.

Only what node_exporter does not export already: it has conntrack entries and limit
(node_nf_conntrack_entries{,_limit}, node_nf_conntrack_stat_*), sockstat (node_sockstat_TCP_tw),
file handles (node_filefd_allocated, node_filefd_maximum) and TcpExt.Listen* (node_netstat_TcpExt_*).
This adds the limits those are measured against and what only the collection sees: the ports in use
toward one destination against the usable range, tcp_max_tw_buckets, per-listener accept queues, per
service descriptors against their soft nofile, the findings. docs/monitoring.md lists every metric.

Text exposition format 0.0.4 (https://prometheus.io/docs/instrumenting/exposition_formats/): a HELP
and a TYPE line per metric family, base units, `_total` only on counters. A family whose value is
unknown (null in the facts) is left out rather than written as NaN. Pure; Python 3.6 compatible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netlimits.tcp.plugins.module_utils._common.values import is_int

PREFIX = 'netlimits_tcp_'
FILE_NAME = 'netlimits_tcp.prom'


def escape(value):
    """A label value as the exposition format wants it: backslash, double quote and newline escaped."""
    return ('%s' % value).replace('\\', '\\\\').replace('"', '\\"').replace('\n', '\\n')


def number(value):
    if isinstance(value, bool):
        return '1' if value else '0'
    if isinstance(value, float):
        return repr(value)
    return '%d' % value


class Families(object):
    """Metric families in the order they were added, each with its samples."""

    def __init__(self):
        self.order = []
        self.families = {}

    def add(self, name, kind, text, value, labels=None):
        """One sample of PREFIX + name; a value that is not a number is skipped (unknown)."""
        if not (is_int(value) or isinstance(value, (float, bool))):
            return
        name = PREFIX + name
        if name not in self.families:
            self.order.append(name)
            self.families[name] = (kind, text, [])
        label_text = ','.join('%s="%s"' % (k, escape(v)) for k, v in sorted((labels or {}).items()))
        self.families[name][2].append('%s%s %s' % (name, '{%s}' % label_text if label_text else '', number(value)))

    def text(self, header=None):
        lines = ['# %s' % header] if header else []
        for name in self.order:
            kind, text, samples = self.families[name]
            lines.append('# HELP %s %s' % (name, text))
            lines.append('# TYPE %s %s' % (name, kind))
            lines.extend(samples)
        return '\n'.join(lines) + '\n'


def _value(facts, *path):
    node = facts
    for part in path:
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def add_ports(out, facts, dest):
    out.add('local_ports_usable', 'gauge', 'Ports of net.ipv4.ip_local_port_range minus ip_local_reserved_ports '
            'in it: the local ports connect() has toward one destination ip:port.', _value(facts, 'ports', 'usable'))
    if not dest:
        return
    out.add('destination_ports_in_use_max', 'gauge', 'Most local ports of the range in use (any state but LISTEN, '
            'TIME_WAIT included) toward one destination ip:port.', dest.get('max'))
    for item in dest.get('top') or []:
        out.add('destination_ports_in_use', 'gauge', 'Local ports of the range in use toward the busiest '
                'destinations (the top few by count).', item['ports'], {'destination': item['destination']})
    out.add('destinations', 'gauge', 'Distinct destination ip:port with a socket from a local port of the range.',
            dest.get('destinations'))
    out.add('sockets_scanned', 'gauge', 'Lines of /proc/net/tcp and tcp6 read for the destination counts.',
            dest.get('sockets_scanned'))
    out.add('sockets_scan_truncated', 'gauge', '1 when the scan stopped at its bound (the counts are partial).',
            bool(dest.get('truncated')))


def add_sysctls(out, facts):
    sysctl = facts.get('sysctl') or {}
    for name, key, text in (
            ('max_tw_buckets', 'net.ipv4.tcp_max_tw_buckets', 'net.ipv4.tcp_max_tw_buckets: past it no TIME_WAIT '
             'socket is created (TcpExt.TCPTimeWaitOverflow counts up); compare node_sockstat_TCP_tw.'),
            ('somaxconn', 'net.core.somaxconn', 'net.core.somaxconn: the cap on every listen() backlog.'),
            ('nr_open', 'fs.nr_open', 'fs.nr_open: the ceiling of any RLIMIT_NOFILE.')):
        out.add(name, 'gauge', text, (sysctl.get(key) or {}).get('value'))
    counters = _value(facts, 'sockets', 'counters') or {}
    out.add('time_wait_overflows_total', 'counter', 'TcpExt.TCPTimeWaitOverflow: TIME_WAIT sockets not created '
            'because tcp_max_tw_buckets was reached.', counters.get('TCPTimeWaitOverflow'))
    out.add('abort_on_memory_total', 'counter', 'TcpExt.TCPAbortOnMemory: connections reset because tcp_mem '
            'or tcp_max_orphans was exceeded.', counters.get('TCPAbortOnMemory'))


def worst_listeners(listeners):
    """One listener per (address, port): the fullest (SO_REUSEPORT gives a port several listeners)."""
    chosen = {}
    for item in listeners:
        key = (item.get('address'), item.get('port'))
        backlog = item.get('backlog')
        fill = (item.get('queue') or 0) / float(backlog) if is_int(backlog) and backlog > 0 else 0.0
        rank = (fill, item.get('queue') or 0)
        if key not in chosen or rank > chosen[key][0]:
            chosen[key] = (rank, item)
    return [chosen[key][1] for key in sorted(chosen, key=lambda k: (k[1] or 0, '%s' % k[0]))]


def worst_processes(processes):
    """One process per (unit, command): the one with the most descriptors against its soft nofile."""
    chosen = {}
    for proc in processes:
        key = (proc.get('unit') or '', proc.get('command') or '')
        soft = (proc.get('nofile') or {}).get('soft')
        fds = proc.get('fds')
        fill = fds / float(soft) if is_int(fds) and is_int(soft) and soft > 0 else 0.0
        if key not in chosen or (fill, fds or 0) > chosen[key][0]:
            chosen[key] = ((fill, fds or 0), proc, chosen.get(key, (None, None, 0))[2] + 1)
        else:
            chosen[key] = (chosen[key][0], chosen[key][1], chosen[key][2] + 1)
    return [(chosen[key][1], chosen[key][2]) for key in sorted(chosen)]


def add_services(out, facts):
    services = facts.get('services')
    if not isinstance(services, dict):
        return
    out.add('services_complete', 'gauge', '1 when every listener\'s owning process was found within the '
            'time budget.', bool(services.get('complete')))
    established = {}
    for item in worst_listeners(services.get('listeners') or []):
        labels = {'address': item.get('address'), 'port': item.get('port')}
        out.add('listener_accept_queue', 'gauge', 'Connections in the listener\'s accept queue now (not yet '
                'accept()ed).', item.get('queue'), labels)
        out.add('listener_accept_queue_max', 'gauge', 'The listener\'s accept queue maximum: min(listen() '
                'backlog, somaxconn) when it listened.', item.get('backlog'), labels)
        established[item.get('port')] = item.get('established')
    for port in sorted(p for p in established if is_int(p)):
        out.add('listener_established_connections', 'gauge', 'Established connections to a listening port.',
                established[port], {'port': port})
    for proc, count in worst_processes(services.get('processes') or []):
        labels = {'unit': proc.get('unit') or '', 'command': proc.get('command') or ''}
        nofile = proc.get('nofile') or {}
        out.add('service_processes', 'gauge', 'Processes of a service that hold a listener (or are children '
                'of one that does).', count, labels)
        out.add('service_open_fds', 'gauge', 'Open descriptors of the service\'s process with the most of them '
                'against its soft nofile.', proc.get('fds'), labels)
        out.add('service_nofile_soft_limit', 'gauge', 'Soft RLIMIT_NOFILE of that process (/proc/PID/limits).',
                nofile.get('soft'), labels)
        out.add('service_nofile_hard_limit', 'gauge', 'Hard RLIMIT_NOFILE of that process.', nofile.get('hard'),
                labels)


def add_findings(out, facts):
    counts = {}
    for item in facts.get('findings') or []:
        key = (item.get('id') or '', item.get('severity') or '')
        counts[key] = counts.get(key, 0) + 1
    for (fid, severity), n in sorted(counts.items()):
        out.add('findings', 'gauge', 'Findings of the facts now, by id and severity (docs/findings.md).', n,
                {'finding': fid, 'severity': severity})


def exposition(facts, dest=None, now=None, duration=None, header=None):
    """The metrics text of one collection run.

    facts: gather()'s dict (with 'services' when gathered); dest: destinations() or None;
    now: the run's Unix time; duration: seconds the run took; header: a comment for the first line.
    """
    out = Families()
    out.add('collect_timestamp_seconds', 'gauge', 'When the collection last wrote this file (Unix time).', now)
    out.add('collect_duration_seconds', 'gauge', 'Seconds the last collection took.', duration)
    add_ports(out, facts or {}, dest)
    add_sysctls(out, facts or {})
    add_services(out, facts or {})
    add_findings(out, facts or {})
    return out.text(header)
