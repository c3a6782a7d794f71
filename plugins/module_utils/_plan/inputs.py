# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The tcp_tune planner's input on the host: the variables as the controller checked them, the
profiles the role passes in, and the checks that need the host's facts.

The action plugin tcp_tune_apply validates the variables on the controller before any remote call
(plugins/plugin_utils/_tune/validate.py: defaults, types, ranges, patterns, rules between them)
and hands the module every variable. Only what depends on this host is checked here: the port
range against net.ipv4.ip_unprivileged_port_start (check_on_host) and nofile against fs.nr_open
as this run leaves it (nr_open_after; _plan.plan and _plan.nofile).

The profiles are data of the role (vars/main.yml, __tcp_tune_profiles), which it passes to its
module: {name: {'description': text, 'settings': {short name: {'value': v, 'why': text}}}}.

Python 3.6 compatible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.netlimits.tcp.plugins.module_utils._plan.values import PREFIX, sysctl_fact, var
from ansible_collections.netlimits.tcp.plugins.module_utils._common.values import is_int

# IFNAME: an interface name the role puts in rc.local, udev rules and .link file names (IFNAMSIZ 16
# with the NUL, include/uapi/linux/if.h); the planner also filters sysfs names with it.
IFNAME = re.compile(r'\A[A-Za-z0-9_.+-]{1,15}\Z')
# SYSCTL_BAD: what a key of tcp_tune_sysctl must not hold ('/' would change the separator, '=' and
# whitespace would end the name in a sysctl file); _plan.extra_keys skips such names before validation.
SYSCTL_BAD = re.compile(r'[/=\s]')

NO_PROFILE = 'none'     # sets nothing, by its name: the one profile that needs no data


class PlanError(Exception):
    """Bad input: the message names each variable and what is allowed."""

    def __init__(self, errors):
        self.errors = list(errors)
        super(PlanError, self).__init__('; '.join(self.errors))


def params_of(variables):
    """{short name: value} of the role's variables ({'tcp_tune_x': v}; the prefix may be left out)."""
    out = {}
    for name, value in (variables or {}).items():
        name = '%s' % (name,)
        out[name[len(PREFIX):] if name.startswith(PREFIX) else name] = value
    return out


def profile_values(params, profiles):
    """{short name: value} of the chosen profile ({} without profiles or for profile none)."""
    if profiles is None or params.get('profile') == NO_PROFILE:
        return {}
    return dict((short, entry['value']) for short, entry in profiles[params['profile']]['settings'].items())


def nr_open_after(params, facts, values):
    """fs.nr_open as this run leaves it: raised first when tcp_tune_nr_open (or the profile) asks and it is writable."""
    fact = sysctl_fact(facts, 'fs.nr_open')
    current = fact.get('value') if is_int(fact.get('value')) else 1048576
    wanted = values.get('nr_open')
    if is_int(wanted) and wanted > current and fact.get('writable', True) and fact.get('present', True):
        return wanted
    return current


def check_on_host(params, facts):
    """Raises PlanError for what the controller could not check: the port range's low end against
    net.ipv4.ip_unprivileged_port_start here (ports below it are for services)."""
    unpriv = sysctl_fact(facts, 'net.ipv4.ip_unprivileged_port_start').get('value')
    unpriv = unpriv if is_int(unpriv) else 1024
    rng = params.get('local_port_range')
    if isinstance(rng, list) and len(rng) == 2 and is_int(rng[0]) and rng[0] < unpriv:
        raise PlanError(['%s: low (%d) must be >= net.ipv4.ip_unprivileged_port_start (%d) on this host'
                         % (var('local_port_range'), rng[0], unpriv)])
