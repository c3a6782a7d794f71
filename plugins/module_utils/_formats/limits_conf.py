# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The parser of pam_limits files (limits.conf(5)): the nofile lines, as the facts read them and the
controller checks a rendered limits file against its plan. Python 3.6 compatible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netlimits.tcp.plugins.module_utils._common.values import to_int

UNLIMITED = 'unlimited'


def limit_value(text):
    """'65536' -> 65536; 'unlimited' / 'infinity' / '-1' -> 'unlimited'; else None."""
    if text is None:
        return None
    text = text.strip().lower()
    if text in ('unlimited', 'infinity', '-1'):
        return UNLIMITED
    return to_int(text)


def parse_limits_conf(text, path):
    """nofile entries of a pam_limits file: [{file, line, domain, type, value}]."""
    entries = []
    for number, line in enumerate((text or '').splitlines(), 1):
        line = line.split('#', 1)[0].strip()
        fields = line.split()
        if len(fields) != 4 or fields[2] != 'nofile' or fields[1] not in ('soft', 'hard', '-'):
            continue
        value = limit_value(fields[3])
        if value is None:
            value = fields[3]
        entries.append({'file': path, 'line': number, 'domain': fields[0], 'type': fields[1], 'value': value})
    return entries
