# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""tcp_tune_metrics through the role's own path: plan, render with the role's templates, apply, run, revert.

The installed script is run as the timer runs it (python -I -S) against the fixture host, from the files
the role wrote: what it imports is the copy under the fixture's /usr/local/lib/netlimits-tcp.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ast
import os
import subprocess
import sys

import pytest

from ansible_collections.netlimits.tcp.plugins.module_utils._common import paths as _paths
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.gather import gather
from ansible_collections.netlimits.tcp.plugins.module_utils._plan import metrics as _metrics
from ansible_collections.netlimits.tcp.plugins.module_utils._plan.inputs import PlanError
from ansible_collections.netlimits.tcp.tests.unit.plugins.module_utils.test_tune import (
    Runner, host_tree, read, run, snapshot,
)

MODULE_UTILS = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'plugins', 'module_utils')
PACKAGE = 'ansible_collections.netlimits.tcp.plugins.module_utils.'
TEXTFILE_DIR = '/var/lib/prometheus/node-exporter'
OUTPUT = TEXTFILE_DIR + '/netlimits_tcp.prom'
TIMER = ['systemctl', 'restart', 'netlimits-tcp-metrics.timer']
RUN_NOW = ['systemctl', 'start', 'netlimits-tcp-metrics.service']
STOP = ['systemctl', 'stop', 'netlimits-tcp-metrics.timer']


def imports_of(rel):
    """The module_utils files a module_utils file imports (relative paths), packages' __init__.py included."""
    with open(os.path.join(MODULE_UTILS, rel)) as handle:
        tree = ast.parse(handle.read())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or '').startswith(PACKAGE):
            mod = node.module[len(PACKAGE):].replace('.', '/')
            if os.path.isdir(os.path.join(MODULE_UTILS, mod)):
                found.update('%s/%s.py' % (mod, alias.name) for alias in node.names)
            else:
                found.add(mod + '.py')
    return found


def test_metrics_modules_are_the_import_closure_of_the_script():
    todo, closure = list(_metrics.METRICS_ENTRY), set()
    while todo:
        rel = todo.pop()
        if rel not in closure:
            closure.add(rel)
            todo.extend(imports_of(rel))
    closure.update('%s/__init__.py' % rel.split('/')[0] for rel in list(closure))
    assert sorted(_metrics.METRICS_MODULES) == sorted(closure)


def metrics_host(tmp_path):
    return host_tree(tmp_path, files={TEXTFILE_DIR.lstrip('/') + '/.keep': ''})


def run_script(root):
    """The installed script as the service runs it, against the fixture root."""
    script = os.path.join(root, _paths.METRICS_SCRIPT.lstrip('/'))
    return subprocess.run([sys.executable, '-I', '-S', script, root, os.path.join(root, OUTPUT.lstrip('/'))],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=60, check=False)


def test_metrics_install_files_start_the_timer_and_a_second_run_changes_nothing(tmp_path):
    root = metrics_host(tmp_path)
    runner = Runner()
    result = run(root, runner, metrics=True)
    assert result['changed'] is True
    for path in _metrics.metrics_paths():
        text = read(root, path).decode()
        assert _paths.is_ours(text), path
        assert _paths.is_managed_path(path)
    source = read(root, _metrics.module_path('_facts/prometheus.py')).decode()
    with open(os.path.join(MODULE_UTILS, '_facts', 'prometheus.py')) as handle:
        assert source.split('\n', 2)[2] == handle.read()     # header lines, then the module unchanged
    service = read(root, _paths.METRICS_SERVICE).decode()
    assert 'ExecStart=%s -I -S %s / %s\n' % (sys.executable, _paths.METRICS_SCRIPT, OUTPUT) in service
    assert 'OnUnitActiveSec=60s' in read(root, _paths.METRICS_TIMER).decode()
    assert 'Wants=netlimits-tcp-metrics.timer' in read(root, _paths.METRICS_WANTS).decode()
    calls = [c for c in runner.calls if c[0] == 'systemctl']
    assert calls.index(['systemctl', 'daemon-reload']) < calls.index(TIMER) < calls.index(RUN_NOW)
    runner = Runner()
    assert run(root, runner, metrics=True)['changed'] is False
    assert [c for c in runner.calls if c[0] == 'systemctl'] == []
    runner = Runner()
    assert run(root, runner, metrics=True, metrics_interval=30)['changed'] is True
    assert 'OnUnitActiveSec=30s' in read(root, _paths.METRICS_TIMER).decode()
    assert TIMER in runner.calls


def test_the_installed_script_writes_the_facts_values_atomically(tmp_path):
    root = metrics_host(tmp_path)
    run(root, Runner(), metrics=True)
    done = run_script(root)
    assert done.returncode == 0, done.stderr
    text = read(root, OUTPUT).decode()
    assert _paths.is_ours(text)
    facts = gather(root)
    assert 'netlimits_tcp_max_tw_buckets %d\n' % facts['sysctl']['net.ipv4.tcp_max_tw_buckets']['value'] in text
    assert 'netlimits_tcp_local_ports_usable %d\n' % facts['ports']['usable'] in text
    assert sorted(os.listdir(os.path.join(root, TEXTFILE_DIR.lstrip('/')))) == ['.keep', 'netlimits_tcp.prom']


def test_the_script_writes_nothing_without_the_textfile_directory(tmp_path):
    root = host_tree(tmp_path)
    result = run(root, Runner(), metrics=True)
    assert any('does not exist' in w and 'tcp_tune_metrics_dir' in w for w in result['report']['warnings'])
    done = run_script(root)
    assert done.returncode == 1 and 'tcp_tune_metrics_dir' in done.stderr


def test_revert_removes_everything_the_option_installed(tmp_path):
    root = metrics_host(tmp_path)
    before = snapshot(root)
    run(root, Runner(), metrics=True)
    assert run_script(root).returncode == 0
    runner = Runner()
    run(root, runner, state='absent')
    after = snapshot(root)
    # no file is left, and no directory but those the role leaves for all its files (limits.d, timers.target.d)
    added = sorted(path for path in after if path not in before)
    assert [path for path in added if after[path][0] is not None] == []
    assert [path for path in added if 'netlimits' in path or path.startswith('usr/local/lib/')] == []
    assert [path for path in before if path not in after] == []
    assert STOP in runner.calls and ['systemctl', 'daemon-reload'] in runner.calls
    assert RUN_NOW not in runner.calls and TIMER not in runner.calls


def test_metrics_off_again_removes_the_files_the_output_and_stops_the_timer(tmp_path):
    root = metrics_host(tmp_path)
    run(root, Runner(), metrics=True)
    assert run_script(root).returncode == 0
    runner = Runner()
    assert run(root, runner, metrics=False)['changed'] is True
    assert STOP in runner.calls and RUN_NOW not in runner.calls
    for path in _metrics.metrics_paths() + [OUTPUT]:
        assert not os.path.exists(os.path.join(root, path.lstrip('/'))), path
    assert not os.path.exists(os.path.join(root, _paths.METRICS_LIB_DIR.lstrip('/')))
    assert run(root, Runner(), metrics=False)['changed'] is False


def test_a_file_of_someone_else_keeps_the_code_directory(tmp_path):
    root = metrics_host(tmp_path)
    run(root, Runner(), metrics=True)
    site = os.path.join(root, _paths.METRICS_LIB_DIR.lstrip('/'), 'site-notes.txt')
    with open(site, 'w') as handle:
        handle.write('kept\n')
    run(root, Runner(), state='absent')
    assert read(root, _paths.METRICS_LIB_DIR + '/site-notes.txt') == b'kept\n'
    assert not os.path.exists(os.path.join(root, _metrics.module_path('_facts/gather.py').lstrip('/')))


def test_without_systemd_the_files_are_installed_with_a_warning_and_no_systemctl(tmp_path):
    root = host_tree(tmp_path, systemd=None, files={TEXTFILE_DIR.lstrip('/') + '/.keep': ''})
    runner = Runner()
    result = run(root, runner, metrics=True)
    assert any('systemd is not the init system' in w for w in result['report']['warnings'])
    assert [c for c in runner.calls if c[0] == 'systemctl'] == []
    assert run_script(root).returncode == 0


def test_a_site_output_file_is_never_removed(tmp_path):
    root = host_tree(tmp_path, files={OUTPUT.lstrip('/'): '# written by the site\nx 1\n'})
    run(root, Runner(), state='absent')
    assert read(root, OUTPUT) == b'# written by the site\nx 1\n'


@pytest.mark.parametrize('params,variable', [
    ({'metrics': True, 'metrics_dir': 'var/lib/x'}, 'tcp_tune_metrics_dir'),
    ({'metrics': True, 'metrics_dir': '/var/lib/x y'}, 'tcp_tune_metrics_dir'),
    ({'metrics': True, 'metrics_dir': '/var/../etc'}, 'tcp_tune_metrics_dir'),
    ({'metrics': True, 'metrics_interval': 5}, 'tcp_tune_metrics_interval'),
    ({'metrics': 'sometimes'}, 'tcp_tune_metrics'),
])
def test_bad_metrics_input_fails_naming_the_variable(tmp_path, params, variable):
    root = metrics_host(tmp_path)
    before = snapshot(root)
    with pytest.raises(PlanError) as err:
        run(root, Runner(), **params)
    assert variable in str(err.value)
    assert snapshot(root) == before
