# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The per-service LimitNOFILE drop-ins: tcp_tune_service_nofile (named units) and
tcp_tune_listening_services_nofile (every unit that owns a listening TCP socket in the facts' services
view), as file models for the controller to render (systemd-service.conf.j2); and the listeners that
keep their backlog when the run raises net.core.somaxconn.

Python 3.6 compatible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netlimits.tcp.plugins.module_utils._common.paths import (
    SERVICE_FILE, TEMPLATE_SERVICE, dropin_unit, is_service_name,
)
from ansible_collections.netlimits.tcp.plugins.module_utils._common.values import coerce_int, is_int
from ansible_collections.netlimits.tcp.plugins.module_utils._plan.files import file_spec


def service_unit(name):
    name = str(name)
    return name[:-len('.service')] if name.endswith('.service') else name


def listening_units(params, facts, host=None):
    """{unit: (soft, hard or None)} for tcp_tune_listening_services_nofile: every .service that holds a
    listening TCP socket in the facts' services view, plus the units whose drop-in of ours is on the host
    (a service restarting during the run keeps its limit), less the excluded and the explicitly named ones.

    Unit names come from /proc/PID/cgroup: data, kept only when they pass is_service_name. The hard limit
    is the highest the unit's processes have now when that is above soft: a drop-in never lowers it.
    """
    soft = coerce_int(params.get('listening_services_nofile'))
    if not is_int(soft):
        return {}
    hard = {}
    for process in ((facts or {}).get('services') or {}).get('processes') or []:
        unit = process.get('unit') or ''
        if unit.endswith('.service') and is_service_name(unit):
            current = ((process.get('nofile') or {}).get('hard'))
            hard[service_unit(unit)] = max(hard.get(service_unit(unit)) or 0, current if is_int(current) else 0)
    for path, info in ((host or {}).get('files') or {}).items():
        unit = dropin_unit(path)
        if unit and info.get('exists') and info.get('ours'):
            hard.setdefault(unit, 0)
    skip = set(service_unit(name) for name in (params.get('listening_services_exclude') or []))
    skip.update(service_unit(name) for name in (params.get('service_nofile') or {}))
    return dict((unit, (soft, top if top > soft else None)) for unit, top in hard.items() if unit not in skip)


def units_nofile_now(facts):
    """{unit: 'soft:hard'} of the .service units in the facts' services view (their highest soft limit)."""
    now = {}
    for process in ((facts or {}).get('services') or {}).get('processes') or []:
        unit, nofile = process.get('unit') or '', process.get('nofile') or {}
        if unit.endswith('.service') and is_int(nofile.get('soft')) and is_int(nofile.get('hard')):
            name = service_unit(unit)
            if name not in now or nofile['soft'] > now[name][0]:
                now[name] = (nofile['soft'], nofile['hard'])
    return dict((unit, '%d:%d' % pair) for unit, pair in now.items())


def service_limits(params, facts=None, host=None):
    """{unit: (soft, hard or None)}: every service drop-in the run writes, named ones over listening ones."""
    limits = listening_units(params, facts, host)
    for name, value in (params.get('service_nofile') or {}).items():
        limits[service_unit(name)] = (coerce_int(value), None)
    return limits


def plan_services(limits):
    """{path: file_spec} of the per-service drop-ins, from service_limits()."""
    files = {}
    for unit, (soft, hard) in sorted(limits.items()):
        model = {'unit': unit, 'nofile': soft}
        if hard is not None:
            model['hard'] = hard
        files[SERVICE_FILE % unit] = file_spec(TEMPLATE_SERVICE, model)
    return files


def service_rows(limits, facts):
    """{unit: {'limit': 'soft[:hard]' written, 'now': 'soft:hard' of its processes or None}}: the report's rows."""
    now = units_nofile_now(facts)
    return dict((unit, {'limit': '%d:%d' % pair if pair[1] else '%d' % pair[0], 'now': now.get(unit)})
                for unit, pair in limits.items())


def somaxconn_rise(entries):
    """(before, wanted) when the plan's sysctl entries raise net.core.somaxconn live, else None."""
    entry = next((e for e in entries if e.get('key') == 'net.core.somaxconn'), None) or {}
    before, wanted = entry.get('before'), entry.get('wanted')
    if entry.get('apply') and is_int(before) and is_int(wanted) and wanted > before:
        return before, wanted
    return None


def stale_backlog_warnings(entries, services, restarting=()):
    """A warning naming the listeners of the services view whose backlog is today's net.core.somaxconn when
    the plan's sysctl entries raise it.

    listen() caps the backlog at somaxconn when the program calls it, and the socket keeps that value
    (__sys_listen(), net/socket.c; kernel-limits.md): a listener at today's cap gets the raised value only
    when its service listens again. Units in restarting (tcp_tune_restart_services with a drop-in of this
    run) are restarted only when their drop-in changes, which the plan does not know yet: they are marked.
    """
    rise = somaxconn_rise(entries)
    if rise is None:
        return []
    before, wanted = rise
    services = services or {}
    units = dict((p.get('pid'), p.get('unit') or p.get('command') or 'pid %s' % p.get('pid'))
                 for p in services.get('processes') or [])
    restarted = set('%s.service' % service_unit(unit) for unit in restarting)
    names = []
    for listener in services.get('listeners') or []:
        if listener.get('backlog') != before:
            continue
        owners = sorted(set(units[pid] for pid in listener.get('pids') or [] if pid in units))
        names.append('%s:%s (%s)' % (listener.get('address'), listener.get('port'), ', '.join(
            owner + (': restarted by this run if its drop-in changes' if owner in restarted else '')
            for owner in owners) or 'owner unknown'))
    if not names:
        return []
    return ['net.core.somaxconn rises from %d to %d, but %s listen%s with a backlog of %d, fixed when the '
            'program called listen(): a program that asks for more gets it only when it listens again '
            '(restart the service)' % (before, wanted, ', '.join(names), 's' if len(names) == 1 else '', before)]
