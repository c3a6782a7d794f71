# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""docs/safety.md: every case has a test, and every test it names exists.

A row's test column names pytest tests (`test_x.py::test_name[case-id]`) and
molecule scenarios (molecule `name`). Each named test function must exist in
that file under tests/unit, each case id must be in that file, and each
scenario must exist under extensions/molecule. The catalogue has at least 30
cases, as issue #7 asks.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
TEST_REF = re.compile(r'(test_[a-z0-9_]+\.py)::(test_[a-z0-9_]+)(?:\[([^\]]+)\])?')
SCENARIO_REF = re.compile(r'molecule `([a-z_]+)`((?:, `[a-z_]+`)*)')


def _doc():
    with open(os.path.join(ROOT, 'docs', 'safety.md')) as handle:
        return handle.read()


def _rows():
    return [line for line in _doc().splitlines()
            if line.startswith('| ') and not line.startswith(('| case |', '| property |'))]


def _test_files():
    found = {}
    for base, dummy, names in os.walk(os.path.join(ROOT, 'tests', 'unit')):
        for name in names:
            if name.startswith('test_') and name.endswith('.py'):
                found[name] = os.path.join(base, name)
    return found


def test_every_row_names_a_test():
    rows = _rows()
    assert len(rows) >= 30
    for row in rows:
        test_column = row.rstrip(' |').rsplit(' | ', 1)[-1]
        assert TEST_REF.search(test_column) or SCENARIO_REF.search(test_column), row


def test_every_named_test_exists():
    files = _test_files()
    refs = TEST_REF.findall(_doc())
    assert refs
    for filename, function, case in refs:
        assert filename in files, filename
        with open(files[filename]) as handle:
            source = handle.read()
        assert re.search(r'^def %s\(' % re.escape(function), source, re.M), '%s::%s' % (filename, function)
        if case:
            assert case in source, '%s::%s[%s]' % (filename, function, case)


def test_every_named_scenario_exists():
    names = set()
    for first, more in SCENARIO_REF.findall(_doc()):
        names.add(first)
        names.update(re.findall(r'`([a-z_]+)`', more))
    assert names
    for name in sorted(names):
        assert os.path.isfile(os.path.join(ROOT, 'extensions', 'molecule', name, 'molecule.yml')), name
