# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Values of the tcp_tune planner: fact look-ups, kernel versions, port sets, sysctl value formats and comparisons.

Plain conversions (is_int, coerce_int, ...) are _values'.

Python 3.6 compatible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.netlimits.tcp.plugins.module_utils._common import keys as _keys
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.sysctl import parse_value as parse_text
from ansible_collections.netlimits.tcp.plugins.module_utils._common.values import is_int


PREFIX = 'tcp_tune_'
PORT_RANGE_KEY = 'net.ipv4.ip_local_port_range'


# ---------------------------------------------------------------- look-ups

def var(short):
    """The role variable of a short name: 'nofile' -> 'tcp_tune_nofile'."""
    return PREFIX + short


def version_tuple(text):
    """(major, minor, patch) of the first version number in a text ('sysctl from procps-ng 3.3.16'), or None."""
    match = re.search(r'(\d+)\.(\d+)(?:\.(\d+))?', text or '')
    if not match:
        return None
    return tuple(int(p or 0) for p in match.groups())


def kernel_text(facts):
    kernel = (facts or {}).get('kernel') or {}
    return kernel.get('release') or 'unknown'


def kernel_version(facts):
    version = ((facts or {}).get('kernel') or {}).get('version')
    return tuple(version) if version else None


def sysctl_fact(facts, name):
    """The facts' entry of one sysctl key ({} when the facts lack it)."""
    return ((facts or {}).get('sysctl') or {}).get(name) or {}


def containment_of(facts):
    """The facts' containment dict (container, engine, initial_netns; {} when unknown)."""
    return (facts or {}).get('containment') or {}


# ---------------------------------------------------------------- port sets

def format_port_set(pairs):
    return ','.join('%d' % lo if lo == hi else '%d-%d' % (lo, hi) for lo, hi in pairs)


# ---------------------------------------------------------------- values

def format_value(name, value):
    """Text of a value as sysctl files and `sysctl -w` take it."""
    key = _keys.BY_NAME.get(name)
    if key is not None and key.value_type == _keys.TYPE_PORT_SET:
        return format_port_set(value)
    if isinstance(value, (list, tuple)):
        return ' '.join(str(v) for v in value)
    if isinstance(value, bool):
        return '1' if value else '0'
    return str(value)


def normalize_raw(text):
    return ' '.join(str(text).split()) if text is not None else None


def planned_value(name, raw):
    """A sysctl text as the planner compares it: parsed as the facts parse it (int, int list, port
    pairs); the text itself, normalized, for a key outside _keys or a text that does not parse."""
    if raw is None:
        return None
    key = _keys.BY_NAME.get(name)
    parsed = parse_text(key.value_type, str(raw)) if key is not None else None
    return parsed if parsed is not None else normalize_raw(raw)


def same_value(name, a, b):
    if a is None or b is None:
        return a is b
    return format_value(name, a) == format_value(name, b)


def _greater(a, b):
    """a > b for ints, elementwise-all for lists; None when not comparable."""
    if is_int(a) and is_int(b):
        return a > b
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b) and all(is_int(x) for x in a + b):
        return any(x > y for x, y in zip(a, b)) and all(x >= y for x, y in zip(a, b))
    return None


def holds_more(name, kind, baseline, wanted):
    """Whether the value in effect allows more than the wanted one (what tcp_tune_raise_only keeps).

    Capacity keys compare as numbers; the port range, a behaviour key, by how
    many ports it holds: a wider range in effect is never narrowed.
    """
    if name == PORT_RANGE_KEY:
        if isinstance(baseline, list) and isinstance(wanted, list) and len(baseline) == len(wanted) == 2 \
                and all(is_int(x) for x in baseline + wanted):
            return baseline[1] - baseline[0] > wanted[1] - wanted[0]
        return False
    return kind == _keys.KIND_CAPACITY and bool(_greater(baseline, wanted))
