# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""gather('/') on the machine running the tests, checked against other ways of reading the same values."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile

import pytest

from ansible_collections.netlimits.tcp.plugins.module_utils._facts import gather as gather_module
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.gather import gather
from ansible_collections.netlimits.tcp.tests.unit.fixtures.tree import make_tree

pytestmark = pytest.mark.skipif(not sys.platform.startswith('linux'), reason='reads a Linux /proc')

# The interpreter the user 'nobody' can run: pyenv's may sit under /root.
SYSTEM_PYTHON = '/usr/bin/python3'


def _sysctl_n(name):
    sysctl = shutil.which('sysctl') or '/usr/sbin/sysctl'
    if not os.path.exists(sysctl):
        pytest.skip('no sysctl binary')
    return subprocess.check_output([sysctl, '-n', name]).decode().strip()


def test_kernel_release_matches_platform():
    facts = gather('/')
    assert facts['kernel']['release'] == platform.release()
    assert facts['kernel']['version'][:2] == [int(x) for x in re.match(r'(\d+)\.(\d+)', platform.release()).groups()]


def test_sysctl_values_match_sysctl_n():
    facts = gather('/')
    for name in ('net.core.somaxconn', 'net.ipv4.tcp_tw_reuse', 'fs.nr_open'):
        assert facts['sysctl'][name]['value'] == int(_sysctl_n(name))
    assert facts['sysctl']['net.ipv4.ip_local_port_range']['value'] == [
        int(x) for x in _sysctl_n('net.ipv4.ip_local_port_range').split()]
    port_range = facts['ports']['range']
    assert facts['ports']['size'] == port_range[1] - port_range[0] + 1


def test_nofile_of_this_process_matches_getrlimit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    mine = gather('/')['files']['nofile']['self']
    assert mine == {'soft': soft if soft != resource.RLIM_INFINITY else 'unlimited',
                    'hard': hard if hard != resource.RLIM_INFINITY else 'unlimited'}


def test_nofile_of_pid1_matches_proc_1_limits_split_by_columns():
    with open('/proc/1/limits') as handle:
        row = [line for line in handle if line.startswith('Max open files')][0]
    soft, hard = re.split(r'\s{2,}', row.strip())[1:3]
    facts = gather('/')['files']['nofile']['pid1']
    assert [str(facts['soft']), str(facts['hard'])] == [soft, hard]


def test_gather_on_host_has_the_schema_sections():
    facts = gather('/', connections=True)
    assert sorted(facts) == ['after_boot', 'conntrack', 'containment', 'files', 'findings', 'interfaces', 'kernel', 'persistence',
                             'ports', 'provenance', 'sockets', 'sysctl', 'unreadable']
    assert 'lo' in [i['name'] for i in facts['interfaces']]
    assert facts['sockets']['connections']['sockets_scanned'] >= 0
    json.dumps(facts)  # plain data


def _run_python(code, prefix=(), python=None, path=None):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (path or sys.path) if p))
    return subprocess.run(list(prefix) + [python or sys.executable, '-c', code], env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)


def readable_module_utils(base):
    """A directory under base (made world-readable) holding a copy of this collection's module_utils.

    Returns the directory to put on PYTHONPATH: it has ansible_collections/netlimits/tcp/plugins/module_utils,
    all that gather() imports, so a process that cannot read the checkout can still import it.
    """
    source = os.path.dirname(os.path.dirname(os.path.abspath(gather_module.__file__)))
    top = os.path.join(base, 'lib')
    shutil.copytree(source, os.path.join(top, 'ansible_collections', 'netlimits', 'tcp', 'plugins', 'module_utils'),
                    ignore=shutil.ignore_patterns('__pycache__'))
    for here, dirs, files in os.walk(top):
        os.chmod(here, 0o755)
        for name in files:
            os.chmod(os.path.join(here, name), 0o644)
    return top


GATHER_JSON = ('import json; from ansible_collections.netlimits.tcp.plugins.module_utils._facts.gather import gather; '
               'print(json.dumps(gather(%r)))')


def test_child_network_namespace_is_told_apart():
    unshare = shutil.which('unshare')
    if not unshare or os.geteuid() != 0:
        pytest.skip('needs root and unshare')
    proc = _run_python(GATHER_JSON % '/', prefix=[unshare, '-n'])
    if proc.returncode != 0 and b'unshare' in proc.stderr:
        pytest.skip('unshare -n not permitted here: %s' % proc.stderr.decode()[:200])
    assert proc.returncode == 0, proc.stderr
    facts = json.loads(proc.stdout.decode())
    assert facts['containment']['initial_netns'] is False
    assert facts['sysctl']['net.core.netdev_max_backlog']['present'] is False
    assert facts['sysctl']['net.core.somaxconn']['writable'] is True
    if facts['conntrack']['key'] == 'net.netfilter.nf_conntrack_max':
        assert facts['conntrack']['writable'] is False
    assert gather('/')['containment']['initial_netns'] is True


def test_non_root_user_gets_unreadable_list_not_an_error():
    setpriv = shutil.which('setpriv')
    if not setpriv or os.geteuid() != 0 or not os.path.exists(SYSTEM_PYTHON):
        pytest.skip('needs root to drop to nobody, and %s' % SYSTEM_PYTHON)
    base = tempfile.mkdtemp()
    try:
        os.chmod(base, 0o755)
        root = make_tree(base, '6.1', files={'etc/security/limits.d/secret.conf': '* soft nofile 1\n'})
        os.chmod(os.path.join(root, 'etc/security/limits.d/secret.conf'), 0o600)
        # nobody may not be able to read this checkout (a clone in a 0700 directory such as /root/x):
        # it imports a copy of module_utils under base, which is 0755.
        proc = _run_python(GATHER_JSON % root, prefix=[setpriv, '--reuid=65534', '--regid=65534', '--clear-groups'],
                           python=SYSTEM_PYTHON, path=[readable_module_utils(base)])
        assert proc.returncode == 0, proc.stderr
        facts = json.loads(proc.stdout.decode())
    finally:
        shutil.rmtree(base)
    assert facts['unreadable'] == ['/etc/security/limits.d/secret.conf', '/proc/1/environ']
    assert facts['files']['limits_entries'] == []
    assert facts['sysctl']['net.core.somaxconn']['writable'] is False  # root-owned 0644: not for nobody
    assert facts['sysctl']['net.core.somaxconn']['value'] == 4096
