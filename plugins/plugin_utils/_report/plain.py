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
