# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""gather(): the whole ansible_facts.tcp_limits dict (schema: docs/architecture.md).

Python 3.6 compatible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netlimits.tcp.plugins.module_utils._common import keys as _keys
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.boot import after_boot
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.files import files, systemd_running
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.kernel import containment, kernel
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.net import conntrack, interfaces
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.persistence import persistence
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.provenance import provenance
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.sockets import connection_states, sockets
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.sysctl import ports, sysctls
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.findings import findings
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.service_findings import service_findings
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.services import DEFAULT_BUDGET_SECONDS, services as services_view


def gather(root='/', connections=False, port_range=None, systemd_version=None, services=False,
           services_budget=None):
    """Read everything under root and return the tcp_limits facts with findings.

    connections: also count TCP states from proc/net/tcp and tcp6 (cost grows
    with the number of sockets), only local ports in port_range [lo, hi] when
    given. systemd_version: a version found another way (the module's
    `systemctl --version` fallback) when the file-based probe finds none.
    services: also the listeners, their queues and owning processes (services.py), within
    services_budget seconds of walking /proc/*/fd.
    """
    unreadable = []
    kern = kernel(root, unreadable)
    version = kern['version']
    sysctl = sysctls(root, version, unreadable)
    systemd_present = systemd_running(root, unreadable)
    persist = persistence(root, systemd_present, systemd_version, unreadable)
    facts = {
        'kernel': kern,
        'containment': containment(root, unreadable),
        'sysctl': sysctl,
        'ports': ports(sysctl),
        'files': files(root, sysctl, persist['systemd_version'], unreadable),
        'sockets': sockets(root, sysctl, unreadable),
        'conntrack': conntrack(root, unreadable),
        'interfaces': interfaces(root, unreadable),
        'provenance': provenance(root, [key.name for key in _keys.KEYS], unreadable),
        'persistence': persist,
    }
    if connections:
        facts['sockets']['connections'] = connection_states(root, port_range, unreadable)
    if services:
        budget = services_budget if services_budget is not None else DEFAULT_BUDGET_SECONDS
        facts['services'] = services_view(root, unreadable, budget)
    facts['after_boot'] = after_boot(root, facts, unreadable)
    facts['findings'] = findings(facts) + service_findings(facts)
    facts['unreadable'] = sorted(unreadable)
    return facts
