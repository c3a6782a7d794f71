# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The golden-file cases: every managed file the role renders, per profile and fixture host.

Each case is a fixture host (tests/unit/fixtures/tree.py) and the role's
variables. planned_files() plans it as the role does on a host and renders
the files with the role's templates as the action plugin does on the
controller; tests/unit/fixtures/expected/CASE/ holds what must come out, byte
for byte, at the paths the files land on. A reviewer reads those files to
see what lands on a host.

Regenerate after a deliberate change of a template or the planner:
    tests/harness/run.sh 2.21 python -m ansible_collections.netlimits.tcp.tests.unit.golden.regenerate
and review the diff.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.netlimits.tcp.plugins.module_utils._apply.apply import spliced
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.gather import gather
from ansible_collections.netlimits.tcp.plugins.module_utils._plan.readings import read_host
from ansible_collections.netlimits.tcp.plugins.module_utils._plan.plan import plan
from ansible_collections.netlimits.tcp.plugins.plugin_utils._tune.render import render_plan
from ansible_collections.netlimits.tcp.tests.unit.fixtures.role import PROFILES
from ansible_collections.netlimits.tcp.tests.unit.fixtures.checked import checked
from ansible_collections.netlimits.tcp.tests.unit.fixtures.tree import make_tree
from ansible_collections.netlimits.tcp.tests.unit.golden.renderer import role_renderer

EXPECTED = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'fixtures', 'expected')
TOOLS = {'usr/sbin/ip': '', 'usr/lib/systemd/system-generators/systemd-rc-local-generator': ''}
SITE_RC_LOCAL = '#!/bin/sh\n# site rc.local\nset -eu\necho started >/dev/kmsg\nexit 0\n'

# name -> (fixture host: make_tree arguments, role variables without the tcp_tune_ prefix)
CASES = {
    # the three profiles and none on Debian 12's kernel and systemd, outside a container
    'balanced-debian12': ({'profile': '6.1'}, {'profile': 'balanced', 'txqueuelen': 5000}),
    'server-debian12': ({'profile': '6.1'}, {'profile': 'server', 'txqueuelen': 10000,
                                             'service_nofile': {'nginx': 262144}}),
    'client-debian12': ({'profile': '6.1'}, {'profile': 'client'}),
    'none-debian12': ({'profile': '6.1'}, {'profile': 'none', 'somaxconn': 8192, 'nofile': 65536,
                                           'limits_domains': ['*', 'root', '@web']}),
    # the txqueuelen persistence methods, conntrack loaded at boot
    'server-udev-ubuntu2204': ({'profile': '5.15'}, {'profile': 'server', 'txqueuelen': 10000,
                                                     'txqueuelen_persist': 'udev', 'conntrack_load': True}),
    'balanced-link-debian13': ({'profile': '6.14'}, {'profile': 'balanced', 'txqueuelen': 5000,
                                                     'txqueuelen_persist': 'systemd_link'}),
    # rc.local of the site: our block goes after its #! line and the comment and set lines
    'balanced-rclocal-debian10': ({'profile': '4.19', 'files': {'etc/rc.local': SITE_RC_LOCAL},
                                   'modes': {'etc/rc.local': 0o755}},
                                  {'profile': 'balanced', 'txqueuelen': 5000}),
    # an old kernel: tcp_tw_recycle still exists, somaxconn 128
    'client-centos7': ({'profile': '3.10'}, {'profile': 'client', 'tw_recycle': False}),
    # inside a podman container: netns keys only, host-wide ones read-only
    'server-podman-debian12': ({'profile': '6.1', 'container': 'podman'},
                               {'profile': 'server', 'txqueuelen': 5000, 'interfaces': ['eth0']}),
}


def host_for(tmp_path, tree):
    tree = dict(tree)
    files = dict(TOOLS)
    files.update(tree.pop('files', {}))
    return make_tree(tmp_path, tree.pop('profile'), files=files, **tree)


def planned_files(tmp_path, name, render=None):
    """{path: content} of every file the role writes for case NAME (rendered as on the controller)."""
    tree, params = CASES[name]
    root = host_for(tmp_path, tree)
    params = checked(dict(('tcp_tune_' + k, v) for k, v in params.items()), PROFILES)
    facts = gather(root)
    the_plan = plan(params, facts, read_host(root, params, facts, 'sysctl from procps-ng 4.0.2\n'), PROFILES)
    the_plan = render_plan(the_plan, render or role_renderer())
    # rc.local: the controller renders the block, the apply step on the host puts it into the file
    return dict((item['path'], spliced(root, item)['content']) for item in the_plan['files'])


def expected_path(name, path):
    return os.path.join(EXPECTED, name, path.lstrip('/'))


def expected_files(name):
    """{path: content} under tests/unit/fixtures/expected/NAME."""
    base = os.path.join(EXPECTED, name)
    out = {}
    for folder, dummy, names in os.walk(base):
        for file_name in names:
            full = os.path.join(folder, file_name)
            with open(full, 'rb') as handle:
                out['/' + os.path.relpath(full, base)] = handle.read().decode('utf-8')
    return out
