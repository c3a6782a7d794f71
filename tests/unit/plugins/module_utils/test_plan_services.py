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
from hypothesis import given, strategies as st

from ansible_collections.netlimits.tcp.plugins.module_utils._apply import steps as _steps
from ansible_collections.netlimits.tcp.plugins.module_utils._common import paths as _paths
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.services import services as services_view
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.gather import gather
from ansible_collections.netlimits.tcp.plugins.module_utils._plan.inputs import PlanError
from ansible_collections.netlimits.tcp.plugins.module_utils._plan.services import stale_backlog_warnings
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


# ---- listeners that keep their backlog when the run raises somaxconn -------------------------------------

def _somaxconn(before, wanted, apply=True):
    return [{'key': 'net.core.somaxconn', 'before': before, 'wanted': wanted, 'apply': apply}]


def _listeners_view(backlogs):
    """The services view with one listener per backlog on ports 8000.., each owned by unit-N.service."""
    return {
        'listeners': [{'address': '127.0.0.1', 'port': 8000 + n, 'backlog': backlog, 'pids': [100 + n]}
                      for n, backlog in enumerate(backlogs)],
        'processes': [{'pid': 100 + n, 'unit': 'unit-%d.service' % n, 'command': 'srv'}
                      for n in range(len(backlogs))],
    }


@given(before=st.integers(1, 70000), wanted=st.integers(1, 70000), apply=st.booleans(),
       backlogs=st.lists(st.integers(1, 70000) | st.sampled_from([128, 511, 4096]), max_size=6),
       at_cap=st.lists(st.booleans(), max_size=6))
def test_the_warning_names_exactly_the_listeners_at_todays_somaxconn_when_it_rises(
        before, wanted, apply, backlogs, at_cap):
    # Some listeners exactly at today's somaxconn (capped when they listened, or asked for exactly that).
    backlogs = [before if cap else backlog for backlog, cap in zip(backlogs, at_cap + [False] * len(backlogs))]
    warnings = stale_backlog_warnings(_somaxconn(before, wanted, apply), _listeners_view(backlogs))
    stale = [n for n, backlog in enumerate(backlogs) if backlog == before]
    assert bool(warnings) == (apply and wanted > before and bool(stale))
    for n in range(len(backlogs)):
        named = '127.0.0.1:%d (unit-%d.service)' % (8000 + n, n)
        assert (named in ''.join(warnings)) == (n in stale and bool(warnings))


def test_the_warning_says_what_to_do_and_marks_the_units_this_run_may_restart():
    warnings = stale_backlog_warnings(_somaxconn(4096, 65535), _listeners_view([4096, 511, 4096]),
                                      restarting={'unit-2': (65536, None)})
    assert warnings == [
        'net.core.somaxconn rises from 4096 to 65535, but 127.0.0.1:8000 (unit-0.service), 127.0.0.1:8002 '
        '(unit-2.service: restarted by this run if its drop-in changes) listen with a backlog of 4096, fixed when '
        'the program called listen(): a program that asks for more gets it only when it listens again (restart '
        'the service)']


def test_no_warning_without_the_services_view_or_a_somaxconn_entry():
    assert stale_backlog_warnings(_somaxconn(4096, 8192), {}) == []
    assert stale_backlog_warnings([], _listeners_view([4096])) == []
    assert stale_backlog_warnings(_somaxconn(None, 8192), _listeners_view([4096])) == []


def test_a_run_that_raises_somaxconn_names_the_listeners_at_todays_cap_and_a_rerun_does_not_look(
        tmp_path, monkeypatch):
    root = services_host(tmp_path)
    somaxconn = int(read(root, 'proc/sys/net/core/somaxconn'))
    looked = []

    def view_with_backlogs(where):
        # /proc/net/tcp has no backlog; inet_diag would give nginx's capped one and app's own 511.
        looked.append(where)
        view = services_view(where)
        for item in view['listeners']:
            item['backlog'] = {80: somaxconn, 8080: 511}.get(item['port'], 128)
        return view

    monkeypatch.setattr(_steps, 'services_view', view_with_backlogs)
    first = run(root, profile='none', somaxconn=somaxconn * 2)
    assert looked == [root]
    stale = [w for w in first['report']['warnings'] if w.startswith('net.core.somaxconn rises')]
    assert len(stale) == 1 and ':80 (nginx.service) listens with a backlog of %d' % somaxconn in stale[0]
    assert ':8080' not in stale[0]
    assert 'services' not in first['facts']                     # the facts the run reports stay as gathered
    again = run(root, profile='none', somaxconn=somaxconn * 2)
    assert looked == [root]                                     # nothing rises: the view is not walked
    assert not [w for w in again['report']['warnings'] if w.startswith('net.core.somaxconn rises')]
