# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""No shell command string is built anywhere in what runs on a managed host.

The role, the playbooks and the plugins may run commands only as argv lists:
no shell/raw/script tasks, no free-form or `cmd:` commands, no shell=True,
os.system or os.popen. At run time, tests/unit/plugins/module_utils/test_tune.py
checks every command the module runs is a list (its Runner asserts it).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

import pytest
import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
SHELL_MODULES = ('shell', 'raw', 'script', 'ansible.builtin.shell', 'ansible.builtin.raw',
                 'ansible.builtin.script', 'ansible.legacy.shell', 'ansible.legacy.raw')
COMMAND_MODULES = ('command', 'ansible.builtin.command', 'ansible.legacy.command')
PYTHON_SHELL = re.compile(r'shell\s*=\s*True|use_unsafe_shell|os\.system\(|os\.popen\(|subprocess\.')


def _files(top, suffixes):
    for base, dirs, names in os.walk(os.path.join(ROOT, top)):
        for name in names:
            if name.endswith(suffixes):
                yield os.path.join(base, name)


def _tasks(node):
    """Every task dict in a playbook or task file, including blocks."""
    if isinstance(node, list):
        for item in node:
            yield from _tasks(item)
    elif isinstance(node, dict):
        if any(k in node for k in ('hosts', 'import_playbook')):
            for key in ('pre_tasks', 'tasks', 'post_tasks', 'handlers'):
                yield from _tasks(node.get(key) or [])
            return
        yield node
        for key in ('block', 'rescue', 'always'):
            yield from _tasks(node.get(key) or [])


def _yaml_tasks():
    for top in ('roles', 'playbooks'):
        for path in _files(top, ('.yml', '.yaml')):
            if os.sep + 'meta' + os.sep in path or os.sep + 'defaults' + os.sep in path \
                    or os.sep + 'vars' + os.sep in path or 'host_vars' in path:
                continue
            with open(path) as handle:
                data = yaml.safe_load(handle)
            for task in _tasks(data or []):
                yield os.path.relpath(path, ROOT), task


def test_there_are_tasks_to_check():
    assert len(list(_yaml_tasks())) >= 5


@pytest.mark.parametrize('path, task', list(_yaml_tasks()), ids=lambda v: v if isinstance(v, str) else v.get('name'))
def test_tasks_use_no_shell_and_commands_only_as_argv(path, task):
    used = [m for m in SHELL_MODULES if m in task]
    assert not used, '%s: task %r uses %s' % (path, task.get('name'), used)
    for module in COMMAND_MODULES:
        if module in task:
            args = task[module]
            assert isinstance(args, dict) and 'argv' in args and 'cmd' not in args, \
                '%s: task %r must give the command as argv' % (path, task.get('name'))


@pytest.mark.parametrize('path', sorted(_files('plugins', ('.py',))), ids=lambda p: os.path.relpath(p, ROOT))
def test_plugins_run_no_shell(path):
    with open(path) as handle:
        found = [(number, line.strip()) for number, line in enumerate(handle, 1) if PYTHON_SHELL.search(line)]
    assert not found, '%s: %s' % (os.path.relpath(path, ROOT), found)
