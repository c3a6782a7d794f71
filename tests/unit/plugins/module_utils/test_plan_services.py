# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""tcp_tune_listening_services_nofile: LimitNOFILE drop-ins for the units that own listening sockets, planned
from the facts' services view over fixture hosts (/proc/net/tcp and /proc/PID/fd), applied by the module's
steps around the controller's rendering (tests/unit/tuning.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest

from ansible_collections.netlimits.tcp.plugins.module_utils._common import paths as _paths
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.gather import gather
from ansible_collections.netlimits.tcp.plugins.module_utils._plan.inputs import PlanError
from ansible_collections.netlimits.tcp.tests.unit.fixtures.checked import checked_plan
from ansible_collections.netlimits.tcp.tests.unit.fixtures.role import PROFILES
from ansible_collections.netlimits.tcp.tests.unit.plugins.module_utils.test_tune import (
    Runner, host_tree, read, run, snapshot,
)

NGINX = _paths.SERVICE_FILE % 'nginx'
APP = _paths.SERVICE_FILE % 'app'
LIMITS = ('Limit                     Soft Limit           Hard Limit           Units\n'
          'Max open files            %d                 %d                 files\n')


def _process(pid, inode, unit, soft=1024, hard=524288, comm='srv'):
    """Fixture files of one process holding the socket with that inode, in that cgroup."""
    return {
        'proc/%d/fd/3' % pid: '->socket:[%d]' % inode,
        'proc/%d/comm' % pid: comm + '\n',
        'proc/%d/cgroup' % pid: '0::/system.slice/%s\n' % unit,
        'proc/%d/limits' % pid: LIMITS % (soft, hard),
        'proc/%d/status' % pid: 'Name:\t%s\nUid:\t0\t0\t0\t0\n' % comm,
        'proc/%d/stat' % pid: '%d (%s) S 1 1 1 0 -1\n' % (pid, comm),
    }


def services_host(tmp_path, extra=None):
    """nginx.service on port 80 (hard 524288), app.service on 8080 (hard 4096), a scope on 9000 and a
    unit whose name is not a service name the role accepts on 9001. Inodes are 1000 + the line index."""
    files = {}
    files.update(_process(812, 1000, 'nginx.service', comm='nginx'))
    files.update(_process(900, 1001, 'app.service', soft=1024, hard=4096, comm='app'))
    files.update(_process(950, 1002, 'session-3.scope'))
    files.update(_process(960, 1003, 'bad;name.service'))
    files.update(extra or {})
    return host_tree(tmp_path, files=files,
                     tcp=[(80, 'LISTEN'), (8080, 'LISTEN'), (9000, 'LISTEN'), (9001, 'LISTEN')])


def plan(root, **params):
    """The plan from the controller-checked variables (as the action passes them) and the host's facts."""
    params = dict(('tcp_tune_' + k, v) for k, v in params.items())
    return checked_plan(params, gather(root, services=True), {}, PROFILES)


def test_the_planned_dropins_name_each_listening_unit(tmp_path):
    root = services_host(tmp_path)
    result = plan(root, profile='none', listening_services_nofile=65536)
    assert result['services'] == ['app', 'nginx']                 # not the scope, not the bad name
    models = dict((f['path'], f['model']) for f in result['files'] if _paths.is_service_dropin(f['path']))
    assert models[NGINX] == {'unit': 'nginx', 'nofile': 65536, 'hard': 524288}
    assert models[APP] == {'unit': 'app', 'nofile': 65536}          # hard 4096 < 65536: soft = hard = 65536


def test_excluded_and_named_services_win(tmp_path):
    root = services_host(tmp_path)
    result = plan(root, profile='none', listening_services_nofile=65536, listening_services_exclude=['app.service'],
                  service_nofile={'nginx': 200000})
    models = dict((f['path'], f['model']) for f in result['files'] if _paths.is_service_dropin(f['path']))
    assert models == {NGINX: {'unit': 'nginx', 'nofile': 200000}}


def test_off_by_default(tmp_path):
    assert plan(services_host(tmp_path), profile='none')['services'] == []


@pytest.mark.parametrize('value,excluded,message', [
    (0, [], 'tcp_tune_listening_services_nofile must be an integer from 1'),
    ('many', [], 'tcp_tune_listening_services_nofile must be an integer from 1'),
    (65536, 'nginx', 'tcp_tune_listening_services_exclude must be a list'),
    (65536, ['../etc'], 'tcp_tune_listening_services_exclude: '),
])
def test_bad_input_is_named_before_anything_changes(tmp_path, value, excluded, message):
    root = services_host(tmp_path)
    before = snapshot(root)
    with pytest.raises(PlanError) as info:
        run(root, profile='none', listening_services_nofile=value, listening_services_exclude=excluded)
    assert message in str(info.value)
    assert snapshot(root) == before


def test_above_nr_open_is_refused(tmp_path):
    root = services_host(tmp_path)
    with pytest.raises(PlanError) as info:
        plan(root, profile='none', listening_services_nofile=2000000)
    assert 'tcp_tune_listening_services_nofile (2000000) is above fs.nr_open' in str(info.value)


def test_applied_from_the_host_then_idempotent_and_kept_while_the_service_is_down(tmp_path):
    root = services_host(tmp_path)
    runner = Runner()
    first = run(root, runner, profile='none', listening_services_nofile=65536)
    assert first['changed'] is True
    assert read(root, NGINX).decode().splitlines()[1:] == ['[Service]', 'LimitNOFILE=65536:524288']
    assert read(root, APP).decode().splitlines()[1:] == ['[Service]', 'LimitNOFILE=65536']
    assert any(c[-1] == 'daemon-reload' for c in runner.calls)
    assert not any('try-restart' in c for c in runner.calls)     # tcp_tune_restart_services is false
    before = snapshot(root)
    second = run(root, profile='none', listening_services_nofile=65536)
    assert second['changed'] is False and snapshot(root) == before
    # app stops listening (its process is gone): its drop-in of ours stays while the variable is set
    for name in os.listdir(os.path.join(root, 'proc', '900', 'fd')):
        os.unlink(os.path.join(root, 'proc', '900', 'fd', name))
    third = run(root, profile='none', listening_services_nofile=65536)
    assert third['changed'] is False and os.path.exists(os.path.join(root, APP.lstrip('/')))


def test_restart_when_asked(tmp_path):
    root = services_host(tmp_path)
    runner = Runner()
    run(root, runner, profile='none', listening_services_nofile=65536, restart_services=True)
    restarted = set(c[-1] for c in runner.calls if 'try-restart' in c)
    assert restarted == set(['app.service', 'nginx.service'])


def test_the_report_and_the_plan_table_show_each_unit_and_when_it_takes_effect(tmp_path):
    from ansible_collections.netlimits.tcp.plugins.plugin_utils._report.plan_table import plan_lines
    root = services_host(tmp_path)
    check = run(root, check_mode=True, profile='none', listening_services_nofile=65536)['report']
    assert check['services']['nginx'] == {'before': '1024:524288', 'wanted': '65536:524288', 'status': 'applied',
                                          'after': '1024:524288',
                                          'reason': 'takes effect at the next restart of nginx.service'}
    table = '\n'.join(plan_lines(check, host='web1'))
    assert 'LimitNOFILE app' in table and 'LimitNOFILE nginx' in table
    assert 'takes effect at the next restart of nginx.service' in table
    restarted = run(root, profile='none', listening_services_nofile=65536, restart_services=True)['report']
    assert restarted['services']['app']['reason'] == 'restarted app.service'
    assert restarted['services']['app']['after'] == '65536'
    again = run(root, profile='none', listening_services_nofile=65536, restart_services=True)['report']
    assert set(row['status'] for row in again['services'].values()) == set(['unchanged'])
