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
    """A deep copy of value with every mapping a dict (keys as text) and every sequence a list."""
    if isinstance(value, Mapping):
        return dict(('%s' % (k,), plain(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value
