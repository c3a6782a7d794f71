# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Findings over gathered tcp_limits facts: what limits are hit or close, and the fix.

Every threshold is a named constant below; docs/findings.md explains each
finding id (the heading is the id, so ``doc`` links to its section).
findings(facts) is pure: it reads only the facts dict.
Python 3.6 compatible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netlimits.tcp.plugins.module_utils._facts.finding import finding
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.findings_boot import (
    check_nofile_above_nr_open, check_not_persisted,
)
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.sysctl import value_of
from ansible_collections.netlimits.tcp.plugins.module_utils._common.status import CRITICAL, WARNING

# TIME_WAIT sockets (sockstat tw, whole netns) as a share of the usable ephemeral ports.
PORT_RANGE_TIME_WAIT_SHARE = 0.5      # port_range_small (warning) from here...
TIME_WAIT_NEAR_RANGE_SHARE = 0.9      # ...time_wait_near_port_range (critical) from here
# TIME_WAIT sockets that mark a host opening many connections (~17 new connections/s over 60 s).
TW_REUSE_MIN_TIME_WAIT = 1000
# net.core.somaxconn below this caps accept queues (the kernel default since 5.4).
SOMAXCONN_MIN = 4096
# TcpExt counters: any count above this means the limit was hit since boot.
LISTEN_OVERFLOWS_MAX = 0
TIME_WAIT_OVERFLOW_MAX = 0
# conntrack count / max.
CONNTRACK_FILL_WARNING = 0.75
CONNTRACK_FILL_CRITICAL = 0.90
# RLIMIT_NOFILE soft limit below this (the gathering process; PID 1 where systemd is not PID 1); for services
# started by systemd, their hard limit below this (the most a service can raise its own soft limit to).
NOFILE_SOFT_MIN = 65536
# sockstat TCP mem (pages) as a share of tcp_mem[1] (pressure threshold).
TCP_MEM_PRESSURE_WARNING = 0.8
TCP_MEM_PRESSURE_CRITICAL = 1.0


def _sysctl(facts, name):
    return value_of(facts.get('sysctl') or {}, name)


def _time_wait(facts):
    return ((facts.get('sockets') or {}).get('tcp') or {}).get('tw')


def check_time_wait_vs_ports(facts):
    """port_range_small / time_wait_near_port_range: TIME_WAIT load against the usable ports."""
    usable = (facts.get('ports') or {}).get('usable')
    tw = _time_wait(facts)
    if not usable or tw is None:
        return []
    share = tw / float(usable)
    value = {'time_wait': tw, 'usable_ports': usable, 'share': round(share, 3)}
    if share >= TIME_WAIT_NEAR_RANGE_SHARE:
        return [finding('time_wait_near_port_range', CRITICAL,
                        '%d sockets in TIME_WAIT against %d usable ephemeral ports: new outbound connections '
                        'to a busy destination fail with EADDRNOTAVAIL.' % (tw, usable), value,
                        'Widen net.ipv4.ip_local_port_range (e.g. 15000 65000) and set net.ipv4.tcp_tw_reuse=1.')]
    if share >= PORT_RANGE_TIME_WAIT_SHARE:
        return [finding('port_range_small', WARNING,
                        'TIME_WAIT sockets (%d) hold %d%% of the %d usable ephemeral ports.'
                        % (tw, int(share * 100), usable), value,
                        'Widen net.ipv4.ip_local_port_range and keep listening ports in ip_local_reserved_ports.')]
    return []


def check_tw_reuse_off(facts):
    reuse = _sysctl(facts, 'net.ipv4.tcp_tw_reuse')
    tw = _time_wait(facts)
    if reuse not in (0, 2) or tw is None or tw < TW_REUSE_MIN_TIME_WAIT:
        return []
    mode = 'off' if reuse == 0 else 'loopback only'
    return [finding('tw_reuse_off', WARNING,
                    'net.ipv4.tcp_tw_reuse is %s (%d) while %d sockets wait in TIME_WAIT: outbound connections '
                    'to one destination top out at usable ports / 60 s.' % (mode, reuse, tw),
                    {'tcp_tw_reuse': reuse, 'time_wait': tw},
                    'Set net.ipv4.tcp_tw_reuse=1 (with net.ipv4.tcp_timestamps=1).')]


def check_tw_reuse_without_timestamps(facts):
    reuse = _sysctl(facts, 'net.ipv4.tcp_tw_reuse')
    stamps = _sysctl(facts, 'net.ipv4.tcp_timestamps')
    if reuse != 1 or stamps != 0:
        return []
    return [finding('tw_reuse_without_timestamps', WARNING,
                    'net.ipv4.tcp_tw_reuse=1 does nothing while net.ipv4.tcp_timestamps=0.',
                    {'tcp_tw_reuse': reuse, 'tcp_timestamps': stamps},
                    'Set net.ipv4.tcp_timestamps=1.')]


def check_tw_recycle(facts):
    recycle = _sysctl(facts, 'net.ipv4.tcp_tw_recycle')
    if not recycle:
        return []
    return [finding('tw_recycle_on', CRITICAL,
                    'net.ipv4.tcp_tw_recycle=%d drops connections from clients behind NAT '
                    '(removed from the kernel in 4.12).' % recycle,
                    recycle, 'Set net.ipv4.tcp_tw_recycle=0 and use tcp_tw_reuse instead.')]


def check_somaxconn(facts):
    value = _sysctl(facts, 'net.core.somaxconn')
    if value is None or value >= SOMAXCONN_MIN:
        return []
    return [finding('somaxconn_low', WARNING,
                    'net.core.somaxconn=%d caps every listen() backlog below %d.' % (value, SOMAXCONN_MIN),
                    value, 'Set net.core.somaxconn to at least %d (the default since 5.4).' % SOMAXCONN_MIN)]


def _counter(facts, name):
    return (((facts.get('sockets') or {}).get('counters')) or {}).get(name)


def check_listen_overflows(facts):
    value = _counter(facts, 'ListenOverflows')
    if value is None or value <= LISTEN_OVERFLOWS_MAX:
        return []
    return [finding('listen_overflows', WARNING,
                    'TcpExt ListenOverflows=%d: accept queues overflowed since boot (new SYNs and handshake ACKs '
                    'were dropped).' % value,
                    {'ListenOverflows': value, 'ListenDrops': _counter(facts, 'ListenDrops')},
                    'Raise net.core.somaxconn and the application backlog (listen()), or make the application '
                    'accept faster.')]


def check_time_wait_overflow(facts):
    value = _counter(facts, 'TCPTimeWaitOverflow')
    if value is None or value <= TIME_WAIT_OVERFLOW_MAX:
        return []
    return [finding('time_wait_overflow', WARNING,
                    'TcpExt TCPTimeWaitOverflow=%d: TIME_WAIT sockets were not created (tcp_max_tw_buckets); '
                    'the kernel counts this, it no longer logs it.' % value,
                    {'TCPTimeWaitOverflow': value, 'tcp_max_tw_buckets': _sysctl(facts, 'net.ipv4.tcp_max_tw_buckets')},
                    'Raise net.ipv4.tcp_max_tw_buckets, or cut TIME_WAIT with tcp_tw_reuse and connection reuse.')]


def check_conntrack(facts):
    conntrack = facts.get('conntrack') or {}
    fill = conntrack.get('fill')
    if fill is None or fill <= CONNTRACK_FILL_WARNING:
        return []
    severity = CRITICAL if fill > CONNTRACK_FILL_CRITICAL else WARNING
    where = '' if conntrack.get('writable') else ' It is read-only here: raise it on the host.'
    return [finding('conntrack_fill', severity,
                    'conntrack table %d%% full (%s of %s); when full, packets are dropped.%s'
                    % (int(fill * 100), conntrack.get('count'), conntrack.get('max'), where),
                    {'fill': fill, 'count': conntrack.get('count'), 'max': conntrack.get('max')},
                    'Raise net.netfilter.nf_conntrack_max (and buckets/hashsize) in the initial network namespace.')]


def check_conntrack_dropped(facts):
    """The table was full at some point since boot, even when it is not full now (issue #13).

    drop counts packets conntrack could not track (__nf_conntrack_alloc, net/netfilter/nf_conntrack_core.c), not
    connections; neither counter says when, so the max read now may be higher than the one they hit (issue #25).
    """
    conntrack = facts.get('conntrack') or {}
    stat = conntrack.get('stat') or {}
    drop, early = stat.get('drop') or 0, stat.get('early_drop') or 0
    if not drop and not early:
        return []
    where = '' if conntrack.get('writable') else ' It is read-only here: raise it on the host.'
    what = ('could not track %d packets since boot because its table was full at the time ("nf_conntrack: table '
            'full, dropping packet")' % drop) if drop else 'evicted %d entries since boot to make room in a full table' % early
    message = ('conntrack %s: the max now is %s; these counters do not say when, and the max may have been lower then '
               '(raised since boot, e.g. by tuning).%s' % (what, conntrack.get('max'), where))
    return [finding('conntrack_dropped', CRITICAL if drop else WARNING, message, dict(stat, max_now=conntrack.get('max')),
                    'Raise net.netfilter.nf_conntrack_max (and buckets/hashsize) in the initial network namespace '
                    'if the drops are recent (compare with the counters later): the role sizes it from the profile\'s '
                    'port range, or set tcp_tune_conntrack_max.')]


def _nofile_soft_finding(who, label, soft, hard, extra=None):
    value = {'process': who, 'soft': soft, 'hard': hard}
    value.update(extra or {})
    return finding('nofile_soft_low', WARNING,
                   'RLIMIT_NOFILE soft limit of %s is %d (below %d): each connection uses a file handle.'
                   % (label, soft, NOFILE_SOFT_MIN), value,
                   'Raise nofile in /etc/security/limits.d (PAM sessions: logins, and units with PAMName=); for a '
                   'service, LimitNOFILE in its unit.')


def _services_nofile_finding(label, soft, hard, source):
    """Services whose hard limit keeps them from raising their soft limit far enough.

    A soft 1024 under a high hard limit is systemd's intended default (systemd.exec(5), LimitNOFILE=):
    select() breaks on descriptors above 1023; programs that need more raise their own soft limit.
    """
    return finding('nofile_soft_low', WARNING,
                   'RLIMIT_NOFILE hard limit of %s is %d (soft %s): no service can raise its soft limit above it '
                   '(below %d); each connection uses a file handle.' % (label, hard, soft, NOFILE_SOFT_MIN),
                   {'process': 'services', 'soft': soft, 'hard': hard, 'source': source},
                   'Raise the hard limit of DefaultLimitNOFILE (tcp_tune_systemd_default_nofile; the soft limit '
                   'best stays 1024 for all services), and LimitNOFILE for a service that needs a higher soft '
                   'limit and does not raise its own (tcp_tune_service_nofile).')


def check_nofile_soft(facts):
    """nofile_soft_low for the limits connections really get.

    - self: the gathering process, an Ansible login (sshd, sudo: PAM sessions): its soft limit.
    - services: where systemd is PID 1, what it gives services (DefaultLimitNOFILE or its built-in default):
      the hard limit, the most a service can raise its soft one to (_services_nofile_finding). Not PID 1's
      own: systemd raises it and hands children the saved one (src/core/main.c); logins get PAM's.
    - pid1: only where systemd is not PID 1 (a container whose PID 1 is the service itself): its soft
      limit. Where systemd's version is unknown (source 'pid1'), services are not judged.
    """
    result = []
    files = facts.get('files') or {}
    nofile = files.get('nofile') or {}
    services = files.get('systemd_default_nofile')
    checks = []
    if services is None:
        pid1 = nofile.get('pid1') or {}
        checks.append(('pid1', 'PID 1 (no systemd: in a container, the service itself)',
                       pid1.get('soft'), pid1.get('hard'), None))
    elif services.get('source') != 'pid1':
        hard = services.get('hard')
        if isinstance(hard, int) and hard < NOFILE_SOFT_MIN:
            source = services.get('source')
            result.append(_services_nofile_finding(
                'services started by systemd (DefaultLimitNOFILE, %s)'
                % ('built-in default' if source == 'builtin' else source), services.get('soft'), hard, source))
    me = nofile.get('self') or {}
    checks.append(('self', 'the gathering process (a PAM login through sshd/sudo)', me.get('soft'), me.get('hard'),
                   None))
    for who, label, soft, hard, extra in checks:
        if isinstance(soft, int) and soft < NOFILE_SOFT_MIN:
            result.append(_nofile_soft_finding(who, label, soft, hard, extra))
    return result


def check_sysctl_overridden(facts):
    result = []
    for name, entry in sorted((facts.get('provenance') or {}).items()):
        files = entry.get('files') or []
        if len(files) < 2:
            continue
        last = files[-1]
        losers = [f for f in files[:-1] if f['value'].split() != last['value'].split()]
        if not losers:
            continue
        result.append(finding('sysctl_overridden', WARNING,
                              '%s: %s is overridden by %s (%s).'
                              % (name, ', '.join('%s=%s' % (f['path'], f['value']) for f in losers),
                                 last['path'], last['value']),
                              {'key': name, 'winner': last['path'], 'value': last['value'],
                               'overridden': [f['path'] for f in losers]},
                              'Set %s in one file only, or remove it from %s.' % (name, last['path'])))
    return result


def check_rc_local(facts):
    persistence = facts.get('persistence') or {}
    rc = persistence.get('rc_local') or {}
    if not rc.get('exists'):
        return []
    result = []
    if not rc.get('executable'):
        result.append(finding('rc_local_not_executable', WARNING,
                              '/etc/rc.local exists but is not executable: rc-local.service never runs it.',
                              rc, 'chmod 0755 /etc/rc.local, or persist with a udev rule or a systemd .link file.'))
    if persistence.get('rc_local_supported') is False and rc.get('txqueuelen_lines'):
        result.append(finding('rc_local_unsupported', WARNING,
                              '/etc/rc.local sets txqueuelen but systemd %s no longer runs rc.local.'
                              % persistence.get('systemd_version'),
                              rc, 'Persist txqueuelen with a udev rule or a systemd .link file.'))
    return result


def check_txqueuelen_persisted(facts):
    """A persisted txqueuelen that is not in effect: the boot step that should set it did not (issue #14 L12).

    Sources: the `ip link set` lines of /etc/rc.local, udev rules with KERNEL=="IF",
    .link files with OriginalName=IF. rc.local runs last at boot (rc-local.service
    is ordered after network.target), so its value is the one expected when it sets one.
    """
    persistence = facts.get('persistence') or {}
    expected = {}
    for kind in ('udev_txqueuelen', 'systemd_link_txqueuelen'):
        for hit in persistence.get(kind) or []:
            if hit.get('interface'):
                expected[hit['interface']] = (hit['value'], hit['file'])
    rc = persistence.get('rc_local') or {}
    if rc.get('exists') and rc.get('executable') and persistence.get('rc_local_supported') is not False:
        for name, value in (rc.get('txqueuelen') or {}).items():
            expected[name] = (value, '/etc/rc.local')
    result = []
    for iface in facts.get('interfaces') or []:
        name = iface.get('name')
        if name not in expected or iface.get('txqueuelen') is None:
            continue
        value, source = expected[name]
        if iface['txqueuelen'] != value:
            result.append(finding('txqueuelen_not_in_effect', WARNING,
                                  '%s has txqueuelen %d, but %s persists %d: it was not applied at boot.'
                                  % (name, iface['txqueuelen'], source, value),
                                  {'interface': name, 'txqueuelen': iface['txqueuelen'], 'persisted': value,
                                   'file': source},
                                  'Check that %s ran at boot (for rc.local: systemctl status rc-local.service; '
                                  'an earlier exit in the script skips later lines), or persist with a udev rule '
                                  'or a systemd .link file.' % source))
    return result


def check_tcp_mem(facts):
    sockets = facts.get('sockets') or {}
    tcp_mem = sockets.get('tcp_mem_pages')
    mem = (sockets.get('tcp') or {}).get('mem')
    if not tcp_mem or len(tcp_mem) < 2 or mem is None or not tcp_mem[1]:
        return []
    share = mem / float(tcp_mem[1])
    if share < TCP_MEM_PRESSURE_WARNING:
        return []
    severity = CRITICAL if share >= TCP_MEM_PRESSURE_CRITICAL else WARNING
    return [finding('tcp_mem_pressure', severity,
                    'TCP sockets use %d pages, %d%% of the tcp_mem pressure threshold %d.'
                    % (mem, int(share * 100), tcp_mem[1]),
                    {'mem_pages': mem, 'tcp_mem': tcp_mem, 'share': round(share, 3)},
                    'Raise net.ipv4.tcp_mem, or lower tcp_rmem/tcp_wmem maxima; check TCPAbortOnMemory.')]


CHECKS = (
    check_time_wait_vs_ports,
    check_tw_reuse_off,
    check_tw_reuse_without_timestamps,
    check_tw_recycle,
    check_somaxconn,
    check_listen_overflows,
    check_time_wait_overflow,
    check_conntrack,
    check_conntrack_dropped,
    check_nofile_soft,
    check_nofile_above_nr_open,
    check_sysctl_overridden,
    check_rc_local,
    check_txqueuelen_persisted,
    check_tcp_mem,
    check_not_persisted,
)

FINDING_IDS = (
    'port_range_small', 'time_wait_near_port_range', 'tw_reuse_off', 'tw_reuse_without_timestamps',
    'tw_recycle_on', 'somaxconn_low', 'listen_overflows', 'time_wait_overflow', 'conntrack_fill', 'conntrack_dropped',
    'nofile_soft_low', 'nofile_above_nr_open', 'sysctl_overridden', 'rc_local_not_executable',
    'rc_local_unsupported', 'txqueuelen_not_in_effect', 'tcp_mem_pressure', 'not_persisted',
)


def findings(facts):
    """All findings for a tcp_limits facts dict, in CHECKS order."""
    result = []
    for check in CHECKS:
        result.extend(check(facts))
    return result
