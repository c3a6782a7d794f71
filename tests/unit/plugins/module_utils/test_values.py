# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shared conversions (_values): one reading of an integer for the facts and the planner."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netlimits.tcp.plugins.module_utils._common.values import (
    ceil_int, coerce_bool, coerce_int, is_blank, is_int, pow2ceil, to_int,
)


def test_to_int_reads_proc_text_and_numbers_and_nothing_else():
    assert to_int('4096\n') == 4096 and to_int(' -1 ') == -1 and to_int(7) == 7 and to_int(8.0) == 8
    for value in (None, '', '12abc', '1 2', '0x10', 8.5, True, False, [1]):
        assert to_int(value) is None, value


def test_coercions_keep_what_they_cannot_convert_for_validation_to_name():
    assert coerce_int('65536') == 65536 and coerce_int('lots') == 'lots' and coerce_int(True) is True
    assert coerce_bool('Yes') is True and coerce_bool('off') is False and coerce_bool(0) is False
    assert coerce_bool('maybe') == 'maybe' and coerce_bool(2) is True


def test_predicates_and_rounding():
    assert is_int(3) and not is_int(True) and not is_int('3') and not is_int(3.0)
    assert is_blank(None) and is_blank(' \t') and not is_blank(0) and not is_blank('x')
    assert ceil_int(2.0) == 2 and ceil_int(2.1) == 3 and ceil_int(0) == 0
    assert pow2ceil(1) == 1 and pow2ceil(1025) == 2048 and pow2ceil(2048) == 2048
