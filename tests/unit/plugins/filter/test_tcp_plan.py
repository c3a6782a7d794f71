# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The tcp_plan filters: errors as AnsibleFilterError naming the variable, host readings, report."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.netlimits.tcp.plugins.filter import tcp_plan as f
from ansible_collections.netlimits.tcp.plugins.module_utils._facts import gather
from ansible_collections.netlimits.tcp.tests.unit.fixtures.tree import make_tree


def b64(text):
    return base64.b64encode(text.encode('utf-8')).decode('ascii')


def test_filters_are_registered():
    expected = {'tcp_plan', 'tcp_plan_paths', 'tcp_report', 'tcp_host', 'tcp_host_state', 'tcp_warn'}
    assert set(f.FilterModule().filters()) >= expected


def test_bad_input_is_a_filter_error_naming_the_variable(tmp_path):
    facts = gather(make_tree(tmp_path))
    with pytest.raises(AnsibleFilterError) as err:
        f.tcp_plan({'tcp_tune_tw_reuse': 5}, facts, {})
    assert 'tcp_tune_tw_reuse' in str(err.value)


def test_host_readings_from_registered_results():
    state = {'sysctl': {'net.core.somaxconn': {'value': '4096'}}}
    readings = {
        'stats': [{'item': '/etc/rc.local', 'stat': {'exists': True, 'mode': '0644', 'xusr': False}},
                  {'item': '/etc/sysctl.d/90-netlimits-tcp.conf', 'stat': {'exists': False}}],
        'slurps': [{'item': '/etc/rc.local', 'content': b64('#!/bin/sh\r\nexit 0\r\n')}],
        'state': {'content': b64(json.dumps(state))},
        'listening': {'stdout': '0100007F:4E20'},
        'sysctl_version': {'stdout': 'sysctl from procps-ng 4.0.2'},
        'generator': True,
        'extra_values': {'stdout': 'net.ipv4.x = 1'},
        'extra_stats': [{'item': 'net.ipv4.x', 'stat': {'exists': True, 'writeable': True}}],
    }
    host = f.tcp_host(readings)
    assert host['files']['/etc/rc.local'] == {'exists': True, 'mode': '0644', 'executable': False,
                                              'content': '#!/bin/sh\r\nexit 0\r\n'}
    assert host['state'] == state
    assert host['extra_sysctl']['net.ipv4.x']['value'] == '1'
    assert f.tcp_host_state(readings['state']) == state
    assert f.tcp_host_state({'failed': True}) == {}


def test_plan_then_report(tmp_path):
    facts = gather(make_tree(tmp_path))
    the_plan = f.tcp_plan({'tcp_tune_profile': 'none', 'tcp_tune_fin_timeout': 30}, facts, {})
    report = f.tcp_report(the_plan, {}, True, [])
    entry = report['sysctl']['net.ipv4.tcp_fin_timeout']
    assert entry == {'before': 60, 'wanted': 30, 'after': 30, 'status': 'applied',
                     'variable': 'tcp_tune_fin_timeout'}
    assert report['summary']['applied'] == 1
