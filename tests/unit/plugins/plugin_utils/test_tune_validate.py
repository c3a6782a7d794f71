# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The controller checks the role's variables once, before any remote call (issue #21 item 4).

The bad-input catalogue itself (docs/safety.md) is test_safety_input.py, which runs this check and
then the host's planner, as the action plugin does.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netlimits.tcp.plugins.plugin_utils._tune.steps import tune_steps
from ansible_collections.netlimits.tcp.plugins.plugin_utils._tune.validate import DEFAULTS, PARAMS, checked_variables
from ansible_collections.netlimits.tcp.tests.unit.fixtures.role import PROFILES, argument_specs


def test_bad_input_fails_on_the_controller_without_a_remote_call():
    calls = []
    result = tune_steps(lambda step, **options: calls.append(step), None,
                        {'tcp_tune_txqueuelen': -1, 'tcp_tune_tw_reuse': 3}, PROFILES)
    assert calls == []
    assert result['failed'] and not result['changed']
    assert 'invalid input, nothing was changed' in result['msg']
    assert [e.split(' ')[0] for e in result['errors']] == ['tcp_tune_tw_reuse', 'tcp_tune_txqueuelen']


def test_the_module_gets_every_variable_checked_with_the_defaults_filled():
    sent = {}

    def call(step, **options):
        sent.update(options)
        return {'failed': True, 'msg': 'stop here'}
    tune_steps(call, None, {'tcp_tune_somaxconn': '4096', 'tcp_tune_somaxcon': 1}, PROFILES)
    variables = sent['variables']
    assert sorted(variables) == sorted(argument_specs())
    assert variables['tcp_tune_somaxconn'] == 4096 and variables['tcp_tune_profile'] == DEFAULTS['profile']
    assert sent['profiles'] is PROFILES


def test_an_unknown_variable_is_a_warning_first_in_the_report():
    def call(step, **options):
        return {'plan': {}, 'facts': {}, 'settled_report': {'warnings': ['from the host']}, 'changed': False}
    result = tune_steps(call, lambda template, model: '', {'tcp_tune_somaxcon': 1}, PROFILES)
    assert result['report']['warnings'][0].startswith('tcp_tune_somaxcon is not a variable')
    assert result['report']['warnings'][1] == 'from the host'


def test_the_table_is_the_argument_specs_of_the_role():
    assert sorted('tcp_tune_' + short for short in PARAMS) == sorted(argument_specs())
    variables, warnings = checked_variables({}, PROFILES)
    assert warnings == [] and variables['tcp_tune_state'] == 'present'
