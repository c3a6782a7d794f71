# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""How the tables word values: sysctl spellings, counts, aligned columns, the short "why", findings.

Shared by the plan table (plan_table.py), the limits table (limits_table.py) and the fleet
summary (summary.py). Controller side: plain data in, text out.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.netlimits.tcp.plugins.module_utils._common import status as _status

NA = '-'
SEVERITIES = _status.SEVERITIES
TW_REUSE_WORDS = {0: 'off', 1: 'on', 2: 'loopback only'}

PORT_RANGE = 'net.ipv4.ip_local_port_range'
RESERVED = 'net.ipv4.ip_local_reserved_ports'
TW_REUSE = 'net.ipv4.tcp_tw_reuse'
TW_REUSE_DELAY = 'net.ipv4.tcp_tw_reuse_delay'


# ---------------------------------------------------------------- formatting

def is_num(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def fmt_value(value):
    """A value as sysctl and the files spell it: lists space separated, port sets as 8080,9000-9010."""
    if value is None:
        return NA
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, dict):
        if 'soft' in value or 'hard' in value:
            return '%s:%s' % (fmt_value(value.get('soft')), fmt_value(value.get('hard')))
        return ', '.join('%s=%s' % (k, fmt_value(value[k])) for k in sorted(value))
    if isinstance(value, (list, tuple)):
        if not value:
            return '(none)'
        if all(isinstance(v, (list, tuple)) and len(v) == 2 for v in value):
            return ','.join('%s' % a if a == b else '%s-%s' % (a, b) for a, b in value)
        return ' '.join(fmt_value(v) for v in value)
    if is_num(value) and value >= 2 ** 62:
        return 'unlimited'      # LONG_MAX (fs.file-max's default since 5.x): no limit in practice
    return '%s' % (value,)


def fmt_count(value):
    """An amount with thousands separators (28,232); '-' when unknown."""
    if not is_num(value):
        return NA
    if value >= 2 ** 62:
        return 'unlimited'      # LONG_MAX: the kernel's "no limit"
    return '{0:,}'.format(int(value))


def align(rows, indent='  ', gap='  '):
    """Rows of cells as lines, every column but the last padded to its widest cell."""
    rows = [[('%s' % (c,)) for c in row] for row in rows]
    if not rows:
        return []
    cols = max(len(r) for r in rows)
    widths = [max(len(r[i]) for r in rows if i < len(r)) for i in range(cols)]
    lines = []
    for row in rows:
        cells = [cell.ljust(widths[i]) if i < len(row) - 1 else cell for i, cell in enumerate(row)]
        lines.append((indent + gap.join(cells)).rstrip())
    return lines


def plural(count, word, plural=None):
    return '%d %s' % (count, word if count == 1 else (plural or word + 's'))


def names_text(items, limit=60):
    """'a, b, c' shortened to about limit characters with '+N more'."""
    out, size = [], 0
    for i, item in enumerate(items):
        if out and size + len(item) > limit:
            return ', '.join(out) + ', +%d more' % (len(items) - i)
        out.append(item)
        size += len(item) + 2
    return ', '.join(out)


# ---------------------------------------------------------------- the "why" column

_WHY = (
    # (status, pattern on the reason, short text; \1.. from the pattern)
    (_status.SKIPPED_KERNEL, re.compile(r'was removed in (\d+\.\d+)'), r'removed in \1'),
    (_status.SKIPPED_KERNEL, re.compile(r'=(\S+) needs kernel (\d+\.\d+)'), r'value \1 needs kernel \2+'),
    (_status.SKIPPED_KERNEL, re.compile(r'exists from (\d+\.\d+)'), r'needs kernel \1+'),
    (_status.SKIPPED_MISSING, re.compile(r'(\w+) is not loaded'), r'\1 not loaded'),
    (_status.SKIPPED_MISSING, re.compile(r'exists only while (\w+) is loaded'), r'\1 not loaded'),
    (_status.SKIPPED_MISSING, re.compile(r'only in the initial network namespace'), 'absent in a container netns'),
    (_status.SKIPPED_MISSING, re.compile(r'^no interface'), 'no such interface'),
    (_status.SKIPPED_MISSING, re.compile(r'does not exist'), 'not on this host'),
    (_status.SKIPPED_READ_ONLY, re.compile(r'CAP_NET_ADMIN'), 'no CAP_NET_ADMIN: next boot only'),
    (_status.SKIPPED_READ_ONLY, re.compile(r'container network namespace|outside the initial network namespace'),
     'read-only in a container'),
    (_status.SKIPPED_READ_ONLY, re.compile(r'read-only'), 'read-only here'),
    (_status.KEPT_HOST_SCOPE, re.compile(r'-scope'), 'host-wide: not restored from a container'),
    (_status.UNKNOWN_ORIGINAL, re.compile(r'left at (\S+)'), r'no recorded original: left at \1'),
    (_status.RESTORED, re.compile(r'kernel default'), 'kernel default'),
    (_status.APPLIED, re.compile(r'no effect while net.ipv4.tcp_syncookies'), 'no effect while syncookies are on'),
    (_status.UNCHANGED, re.compile(r'no effect while net.ipv4.tcp_syncookies'), 'no effect while syncookies are on'),
    (_status.SKIPPED_LOWER, re.compile(r'infinity'), 'infinity already'),
)


def short_why(entry):
    """A few words on why a key is not simply set: from its status and reason (the reason itself when no rule fits)."""
    status = entry.get('status')
    reason = ' '.join(('%s' % (entry.get('reason') or '')).split())
    if status == _status.OVERRIDDEN:
        return 'loses at boot to %s' % (entry.get('overridden_by') or '?')
    if status == _status.SKIPPED_LOWER and entry.get('before') is not None:
        return 'raise_only: %s already higher' % fmt_value(entry.get('before'))
    for rule_status, pattern, text in _WHY:
        if status == rule_status:
            match = pattern.search(reason)
            if match:
                return match.expand(text)
    return reason


def severity_rank(severity):
    return SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)


def finding_lines(findings, indent='  '):
    """One line per finding: severity, id, message; critical first."""
    items = [f for f in findings or [] if isinstance(f, dict)]
    items.sort(key=lambda f: (severity_rank(f.get('severity')), '%s' % (f.get('id'),)))
    return align([[f.get('severity') or 'info', f.get('id') or '?', ' '.join(('%s' % (f.get('message') or '')).split())]
                  for f in items], indent=indent)


def severity_counts(findings):
    counts = dict((s, 0) for s in SEVERITIES)
    for f in findings or []:
        if isinstance(f, dict) and f.get('severity') in counts:
            counts[f['severity']] += 1
    return counts


def counts_text(findings):
    counts = severity_counts(findings)
    return ', '.join('%d %s' % (counts[s], s) for s in SEVERITIES)
