# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""plain(): Ansible's lazy, templated containers (hostvars, AnsibleMapping) as plain dicts and lists.

The collection's filters take facts, reports and hostvars; their Python works
on plain data, with text keys. Controller side only.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError


def plain(value):
    """A JSON-native deep copy: every mapping a dict with text keys, every sequence a list, every
    scalar that is not None, a bool, an int, a float or text as text (so a JSON file equals the data)."""
    if isinstance(value, Mapping):
        return dict((u'%s' % (k,), plain(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return u'%s' % (value,)


def key_entries(report):
    """[(name, entry)] of the keys of one tcp_tune_report: its sysctl keys, then 'txqueuelen IFACE'
    for each interface, each part sorted by name (entries that are not mappings left out)."""
    out = []
    for section, prefix in (('sysctl', u''), ('txqueuelen', u'txqueuelen ')):
        items = report.get(section) if isinstance(report, Mapping) else None
        if isinstance(items, Mapping):
            out.extend((prefix + u'%s' % (name,), items[name]) for name in sorted(items)
                       if isinstance(items[name], Mapping))
    return out


def host_list(hostvars, hosts, name, what):
    """The host names a fleet filter covers: hosts (a name or a list), or every key of hostvars.

    AnsibleFilterError naming the filter when hostvars is not a mapping (host -> what) or hosts
    is neither a name nor a list.
    """
    if not isinstance(hostvars, Mapping):
        raise AnsibleFilterError('%s expects hostvars or a dict host -> %s, got %s' % (name, what, type(hostvars).__name__))
    if hosts is None:
        hosts = list(hostvars.keys())
    if isinstance(hosts, (str, bytes)):
        hosts = [hosts]
    if not isinstance(hosts, (list, tuple)):
        raise AnsibleFilterError('%s: hosts must be a list of host names, got %s' % (name, type(hosts).__name__))
    return [u'%s' % (host,) for host in hosts]
