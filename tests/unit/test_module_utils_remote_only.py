# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""plugins/module_utils holds what modules ship to the managed host: nothing there may need the controller.

Ansible copies a module's module_utils imports to the host; plugin_utils, filters and jinja2 are not
there (and plugin_utils is not shipped at all), so an import of them would fail only on a real host.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ast
import os

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
MODULE_UTILS = os.path.join(ROOT, 'plugins', 'module_utils')
CONTROLLER_ONLY = ('ansible_collections.netlimits.tcp.plugins.plugin_utils', 'ansible_collections.netlimits.tcp.plugins.filter',
                   'jinja2', 'markupsafe')


def _imports(path):
    with open(path) as handle:
        tree = ast.parse(handle.read(), path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def _module_utils_files():
    """Every .py file under plugins/module_utils, its layers' packages included, relative to it."""
    return sorted(os.path.relpath(os.path.join(top, name), MODULE_UTILS)
                  for top, dummy, names in os.walk(MODULE_UTILS) for name in names
                  if name.endswith('.py') and name != '__init__.py')


def test_every_layer_is_checked():
    # The layers moved the files into packages (#21); a flat listing once found none and checked nothing.
    layers = set(name.split(os.sep)[0] for name in _module_utils_files())
    assert {'_common', '_formats', '_facts', '_plan', '_apply'} <= layers


@pytest.mark.parametrize('name', _module_utils_files())
def test_module_utils_import_nothing_of_the_controller(name):
    imported = list(_imports(os.path.join(MODULE_UTILS, name)))
    assert imported, 'no imports found: the parser missed them'
    assert [m for m in imported if m.startswith(CONTROLLER_ONLY)] == []
