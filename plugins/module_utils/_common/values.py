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


def pow2ceil(n):
    """Smallest power of two >= n (n >= 1)."""
    p = 1
    while p < n:
        p *= 2
    return p
