# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The tables of playbooks/tune.yml come out one line per table line with the default stdout callback,
as JSON (its default) and as YAML (ANSIBLE_CALLBACK_RESULT_FORMAT=yaml, which folds long list items).

Runs ansible-playbook with tune.yml's own print tasks and variables (read from the playbook, not copied):
the limits of this machine (the read-only facts module) and the plan of a tcp_tune_report the planner
made over a fixture host. The expected lines come from the filters, in this process, over the same data.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import subprocess
import sys

import pytest
import yaml

from ansible_collections.netlimits.tcp.plugins.filter.tcp_limits_table import tcp_limits_table
from ansible_collections.netlimits.tcp.plugins.filter.tcp_plan_table import tcp_plan_table
from ansible_collections.netlimits.tcp.tests.unit.tuning import tune
from ansible_collections.netlimits.tcp.tests.unit.fixtures.role import PROFILES
from ansible_collections.netlimits.tcp.tests.unit.fixtures.tree import make_tree

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
PLAYBOOK = os.path.join(ROOT, 'playbooks', 'tune.yml')
PRINT_TASKS = ('Print the limits before tuning', 'Print the plan')


def _tasks(node):
    if isinstance(node, list):
        for item in node:
            yield from _tasks(item)
    elif isinstance(node, dict):
        yield node
        for key in ('block', 'rescue', 'always'):
            yield from _tasks(node.get(key) or [])


def _report(tmp_path):
    root = make_tree(tmp_path, '6.1', files={'usr/sbin/ip': ''})
    return tune(root, {}, True, lambda argv: (0, '', ''), lambda name: '/usr/bin/' + name, None,
                profiles=PROFILES)['report']


@pytest.fixture(scope='module')
def playbook(tmp_path_factory):
    """A playbook of tune.yml's print tasks and their variables, the gathered facts' file and the report."""
    base = tmp_path_factory.mktemp('printed')
    with open(PLAYBOOK) as handle:
        play = yaml.safe_load(handle)[0]
    tasks = dict((t.get('name'), t) for t in _tasks(play['tasks']))
    report = _report(base)
    facts_file = str(base / 'facts.json')
    variables = dict((k, v) for k, v in play['vars'].items() if k in ('__netlimits_tcp_as_text', '__netlimits_tcp_nl'))
    assert len(variables) == 2, 'tune.yml no longer has the variables this test reads'
    variables.update({'tcp_tune_report': report, 'netlimits_tcp_print_limits': True,
                      'ansible_python_interpreter': sys.executable})
    pb = [{'name': 'Print the tables', 'hosts': 'localhost', 'gather_facts': False, 'vars': variables, 'tasks': [
        {'name': 'Gather', 'netlimits.tcp.tcp_limits_facts': {}},
        {'name': 'Keep the facts',
         'ansible.builtin.copy': {'content': '{{ ansible_facts.tcp_limits | to_json }}', 'dest': facts_file, 'mode': '0600'}},
    ] + [tasks[name] for name in PRINT_TASKS]}]
    path = base / 'print.yml'
    path.write_text(yaml.safe_dump(pb))
    return str(path), facts_file, report


def _run(path, **env):
    environ = dict(os.environ, ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0', **env)
    for name in ('ANSIBLE_STDOUT_CALLBACK', 'ANSIBLE_CALLBACK_RESULT_FORMAT'):
        if name not in env:
            environ.pop(name, None)
    proc = subprocess.run(['ansible-playbook', '-i', 'localhost,', '-c', 'local', path], env=environ,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, check=False)
    assert proc.returncode == 0, proc.stdout
    return proc.stdout.splitlines()


def _expected(facts_file, report):
    with open(facts_file) as handle:
        facts = json.load(handle)
    return [tcp_limits_table(facts, host='localhost', findings=False),
            tcp_plan_table(report, facts=facts, host='localhost')]


def _contains_run(output, run):
    """True when the lines of run are consecutive lines of output."""
    for i in range(len(output) - len(run) + 1):
        if output[i:i + len(run)] == run:
            return True
    return False


@pytest.mark.parametrize('env', [
    {},
    {'ANSIBLE_STDOUT_CALLBACK': 'ansible.builtin.default', 'ANSIBLE_CALLBACK_RESULT_FORMAT': 'yaml'},
], ids=['default', 'default-yaml'])
def test_each_table_line_is_one_output_line(playbook, env):
    path, facts_file, report = playbook
    output = _run(path, **env)
    tables = _expected(facts_file, report)
    assert max(len(line) for table in tables for line in table) > 80, 'the tables should be wide enough to fold'
    for table in tables:
        if env:
            # A YAML block: every line as it is, indented under "msg: |-".
            assert _contains_run(output, ['        ' + line for line in table]), '\n'.join(output)
        else:
            # JSON: one quoted string per line.
            run = ['        %s%s' % (json.dumps(line), ',' if i < len(table) - 1 else '') for i, line in enumerate(table)]
            assert _contains_run(output, run), '\n'.join(output)
