# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run the module as Ansible would (python -m with an args file) on this machine."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import subprocess
import sys

import pytest

MODULE = 'ansible_collections.netlimits.tcp.plugins.modules.tcp_limits_facts'

pytestmark = pytest.mark.skipif(not sys.platform.startswith('linux'), reason='reads a Linux /proc')


def run_module(tmp_path, args):
    path = tmp_path / 'args.json'
    path.write_text(json.dumps({'ANSIBLE_MODULE_ARGS': args}))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    proc = subprocess.run([sys.executable, '-m', MODULE, str(path)], env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=120, check=False)
    out = proc.stdout.decode()
    return proc.returncode, json.loads(out[out.index('{'):]), proc.stderr.decode()


def test_module_returns_only_ansible_facts(tmp_path):
    rc, result, err = run_module(tmp_path, {})
    assert rc == 0, err
    assert set(result) - {'changed', 'invocation', 'warnings', 'deprecations'} == {'ansible_facts'}
    assert result['changed'] is False
    assert list(result['ansible_facts']) == ['tcp_limits']
    facts = result['ansible_facts']['tcp_limits']
    assert facts['sockets']['connections'] is None
    with open('/proc/sys/net/core/somaxconn') as handle:
        assert facts['sysctl']['net.core.somaxconn']['value'] == int(handle.read())


def test_module_in_check_mode_with_connections_and_port_range(tmp_path):
    rc, result, err = run_module(tmp_path, {'connections': True, 'port_range': [1, 65535],
                                            '_ansible_check_mode': True})
    assert rc == 0, err
    assert result['changed'] is False
    connections = result['ansible_facts']['tcp_limits']['sockets']['connections']
    assert connections['port_range'] == [1, 65535]
    assert isinstance(connections['states'], dict)


def test_module_rejects_port_range_without_connections(tmp_path):
    rc, result, dummy = run_module(tmp_path, {'port_range': [1000, 2000]})
    assert rc == 1 and result['failed'] is True
    assert 'connections' in result['msg']


def test_module_rejects_a_reversed_port_range(tmp_path):
    rc, result, dummy = run_module(tmp_path, {'connections': True, 'port_range': [2000, 1000]})
    assert rc == 1 and 'port_range' in result['msg']
