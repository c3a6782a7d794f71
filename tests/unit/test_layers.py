# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plugins are layered; an import may only point down (docs/architecture.md, "Layers").

module_utils (shipped to hosts):  _common < _formats < _facts < _plan < _apply
plugin_utils (controller only):   _report, _tune; they may import module_utils, never the reverse.

A subpackage imports its own layer and the layers below it. _facts never reads the planner or the
apply step: the facts module ships without them and gathers the same on a host the role never
touched.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ast
import os

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
PREFIX = 'ansible_collections.netlimits.tcp.plugins.'

# Each layer and what it may import (besides itself).
ALLOWED = {
    'module_utils._common': (),
    'module_utils._formats': ('module_utils._common',),
    'module_utils._facts': ('module_utils._common', 'module_utils._formats'),
    'module_utils._plan': ('module_utils._common', 'module_utils._formats', 'module_utils._facts'),
    'module_utils._apply': ('module_utils._common', 'module_utils._formats', 'module_utils._facts',
                            'module_utils._plan'),
    'plugin_utils._report': ('module_utils._common', 'module_utils._formats'),
    'plugin_utils._tune': ('module_utils._common', 'module_utils._formats', 'module_utils._plan',
                           'module_utils._apply', 'plugin_utils._report'),
}


def layer_of(dotted):
    """'module_utils._plan' for 'module_utils._plan.keys', or None outside the layered packages."""
    parts = dotted.split('.')
    if len(parts) >= 2 and parts[0] in ('module_utils', 'plugin_utils') and parts[1].startswith('_'):
        return '.'.join(parts[:2])
    return None


def collection_imports(source):
    """[(line, 'module_utils._x.y')] for each import of the collection's own plugin code."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or '').startswith(PREFIX):
            base = node.module[len(PREFIX):]
            if layer_of(base):
                found.append((node.lineno, base))
            else:       # from ...module_utils._plan import plan: the layer is in the module part
                found.extend((node.lineno, base + '.' + alias.name) for alias in node.names)
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name[len(PREFIX):]) for alias in node.names
                         if alias.name.startswith(PREFIX))
    return found


def violations(path, source):
    own = layer_of(os.path.relpath(path, os.path.join(ROOT, 'plugins')).replace(os.sep, '.'))
    out = []
    for line, target in collection_imports(source):
        target_layer = layer_of(target)
        if own is None or target_layer is None or target_layer == own:
            continue
        if target_layer not in ALLOWED[own]:
            out.append('line %d: %s imports %s' % (line, own, target))
    return out


def _layered_files():
    for kind in ('module_utils', 'plugin_utils'):
        for base, dummy, names in os.walk(os.path.join(ROOT, 'plugins', kind)):
            for name in sorted(names):
                if name.endswith('.py'):
                    yield os.path.relpath(os.path.join(base, name), ROOT)


def test_every_plugin_utils_and_module_utils_file_is_in_a_layer():
    loose = [p for p in _layered_files() if layer_of(os.path.relpath(p, 'plugins').replace(os.sep, '.')) is None]
    assert loose == []


@pytest.mark.parametrize('path', sorted(_layered_files()))
def test_imports_point_down(path):
    with open(os.path.join(ROOT, path)) as handle:
        assert violations(os.path.join(ROOT, path), handle.read()) == []


def test_the_check_finds_an_upward_import():
    path = os.path.join(ROOT, 'plugins', 'module_utils', '_facts', 'x.py')
    source = '\n'.join([
        'from ansible_collections.netlimits.tcp.plugins.module_utils._common import keys',
        'from ansible_collections.netlimits.tcp.plugins.module_utils._plan.values import var',
        'from ansible_collections.netlimits.tcp.plugins.module_utils._apply import apply',
        'import ansible_collections.netlimits.tcp.plugins.plugin_utils._report.tables',
    ])
    assert violations(path, source) == [
        'line 2: module_utils._facts imports module_utils._plan.values',
        'line 3: module_utils._facts imports module_utils._apply',
        'line 4: module_utils._facts imports plugin_utils._report.tables',
    ]
