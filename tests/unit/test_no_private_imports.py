# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""No plugin file uses another file's private (underscore) name.

A name shared between files is public in one module and imported from there:
`from ...module_utils._plan.values import _is_int` or `values._is_int`
in another file is how a second, drifting copy of a helper starts. The
subpackages are underscored (`_common`, `_plan`): importing a module
is fine, reaching into it for an underscored name is not.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ast
import os

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
COLLECTION = 'ansible_collections.netlimits.tcp.'


def _private(name):
    return name.startswith('_') and not (name.startswith('__') and name.endswith('__'))


def private_uses(source):
    """['line N: what'] for each use of another collection module's private name in a Python source."""
    tree = ast.parse(source)
    modules = set()          # local names bound to collection modules
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or '').startswith(COLLECTION):
            package = node.module[len(COLLECTION):].replace('.', os.sep)
            for alias in node.names:
                if os.path.isdir(os.path.join(ROOT, package)):
                    modules.add(alias.asname or alias.name)      # a module of a package
                elif _private(alias.name):
                    found.append('line %d: from %s import %s' % (node.lineno, node.module, alias.name))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(COLLECTION) and alias.asname:
                    modules.add(alias.asname)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr) and isinstance(node.value, ast.Name) \
                and node.value.id in modules:
            found.append('line %d: %s.%s' % (node.lineno, node.value.id, node.attr))
    return found


def _plugin_files():
    for base, dummy, names in os.walk(os.path.join(ROOT, 'plugins')):
        for name in sorted(names):
            if name.endswith('.py'):
                yield os.path.relpath(os.path.join(base, name), ROOT)


@pytest.mark.parametrize('path', sorted(_plugin_files()))
def test_no_private_name_of_another_module(path):
    with open(os.path.join(ROOT, path)) as handle:
        assert private_uses(handle.read()) == []


def test_the_check_finds_both_forms():
    source = '\n'.join([
        'from ansible_collections.netlimits.tcp.plugins.module_utils._common import keys as _keys',
        'from ansible_collections.netlimits.tcp.plugins.module_utils._plan import plan as plan_mod',
        'from ansible_collections.netlimits.tcp.plugins.module_utils._plan.values import _is_int, var',
        'import ansible_collections.netlimits.tcp.plugins.module_utils._common.paths as paths',
        'from ansible.utils.native_jinja import NativeJinjaText as _Text',
        'x = _keys.BY_NAME, _keys._private, plan_mod._helper, paths._IFNAME_CHARS, _keys.__name__',
    ])
    assert private_uses(source) == [
        'line 3: from ansible_collections.netlimits.tcp.plugins.module_utils._plan.values import _is_int',
        'line 6: _keys._private', 'line 6: plan_mod._helper', 'line 6: paths._IFNAME_CHARS']
