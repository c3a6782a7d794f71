# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plain value conversions every part shares: the facts reading /proc text, the planner its variables.

One reading of an integer for both (to_int); the planner's coercions keep what
they cannot convert so that validation can name it. Imports nothing of the
collection. Pure; Python 3.6 compatible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

# A decimal integer, optional minus, surrounding whitespace allowed (a /proc value ends in "\n").
_DECIMAL = re.compile(r'\A\s*-?\d+\s*\Z')
_TRUE_WORDS = ('yes', 'true', 'on', '1', 'y')
_FALSE_WORDS = ('no', 'false', 'off', '0', 'n', '')


def is_int(value):
    """True for an int that is not a bool (True is an int to Python, not a number to the role)."""
    return isinstance(value, int) and not isinstance(value, bool)


def to_int(value):
    """The int an int, a whole float or a decimal string stands for; None for anything else (bools too)."""
    if is_int(value):
        return value
    if isinstance(value, float) and value == int(value):
        return int(value)
    if isinstance(value, str) and _DECIMAL.match(value):
        return int(value)
    return None


def coerce_int(value):
    """to_int(value) when value stands for an int, else value unchanged (validation reports it)."""
    number = to_int(value)
    return value if number is None else number


def coerce_bool(value):
    """A bool from a bool, a YAML-ish word or an int; anything else unchanged (validation reports it)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE_WORDS:
        return True
    if isinstance(value, str) and value.strip().lower() in _FALSE_WORDS:
        return False
    if is_int(value):
        return bool(value)
    return value


def is_blank(value):
    """None or a string of only whitespace (a variable left empty)."""
    return value is None or (isinstance(value, str) and value.strip() == '')


def ceil_int(x):
    """The smallest int >= x (x >= 0: sizes and counts)."""
    i = int(x)
    return i if i == x else i + 1


def merge_port_ranges(ranges):
    """[[lo, hi], ...] sorted, with overlapping or adjacent ranges merged (pure)."""
    merged = []
    for lo, hi in sorted([list(r) for r in ranges]):
        if merged and lo <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    return merged


def parse_port_set(value):
    """A port set as merged sorted [[lo, hi], ...]; ValueError naming the item that is not a port.

    Takes the kernel's text ('8080,9000-9010', as /proc/sys/net/ipv4/ip_local_reserved_ports
    shows it) and the role's forms ([8080, '9000-9010'], [[9000, 9010]]).
    """
    items = []
    if value is None:
        return []
    if isinstance(value, str):
        value = [p for p in re.split(r'[,\s]+', value.strip()) if p]
    if is_int(value):
        value = [value]
    for item in value:
        if isinstance(item, (list, tuple)) and len(item) == 2:
            lo, hi = coerce_int(item[0]), coerce_int(item[1])
        elif isinstance(item, str) and '-' in item:
            lo, hi = (coerce_int(p) for p in item.split('-', 1))
        else:
            lo = hi = coerce_int(item)
        if not (is_int(lo) and is_int(hi)) or not 1 <= lo <= hi <= 65535:
            raise ValueError('%r is not a port (1..65535) or a range "lo-hi"' % (item,))
        items.append([lo, hi])
    return merge_port_ranges(items)


def pow2ceil(n):
    """Smallest power of two >= n (n >= 1)."""
    p = 1
    while p < n:
        p *= 2
    return p
