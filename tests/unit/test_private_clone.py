# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The unit tests work from a clone in a private (0700) directory, such as /root/tcp (issue #20, item 0).

Tests that drop privileges (test_facts_host.py runs gather() as nobody) must not import from the
checkout, which such a user cannot read there. This clones the commit under test into a mktemp -d
directory (0700), links it as ansible_collections/netlimits/tcp the way setup-collections.sh does, and
runs those test files there; only the files that drop privileges, to keep it cheap.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import shutil
import subprocess
import sys
import tempfile

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
CHECKOUT = os.path.dirname(os.path.dirname(HERE))
# The test files that run code as another user.
PRIVILEGE_DROPPING = ('tests/unit/plugins/module_utils/test_facts_host.py',)
# The commit to clone: HEAD unless NETLIMITS_CLONE_COMMIT names another (to show the test failing on an old one).
COMMIT = os.environ.get('NETLIMITS_CLONE_COMMIT', 'HEAD')


def _git(*args):
    return subprocess.run(['git'] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)


def test_privilege_dropping_tests_pass_from_a_clone_in_a_0700_directory():
    if shutil.which('git') is None or _git('-C', CHECKOUT, 'rev-parse', '--git-dir').returncode != 0:
        pytest.skip('not a git checkout (a built collection)')
    if os.geteuid() != 0 or shutil.which('setpriv') is None:
        pytest.skip('needs root and setpriv: without them the tests below skip themselves')
    sha = _git('-C', CHECKOUT, 'rev-parse', COMMIT).stdout.decode().strip()
    base = tempfile.mkdtemp()
    try:
        os.chmod(base, 0o700)
        clone = os.path.join(base, 'tcp')
        for args in (('clone', '-q', '--no-checkout', CHECKOUT, clone), ('-C', clone, 'checkout', '-q', sha)):
            proc = _git(*args)
            assert proc.returncode == 0, proc.stderr.decode()
        collections = os.path.join(clone, '.cache', 'collections')
        os.makedirs(os.path.join(collections, 'ansible_collections', 'netlimits'))
        os.symlink('../../../..', os.path.join(collections, 'ansible_collections', 'netlimits', 'tcp'))
        env = dict(os.environ, PYTHONPATH=collections, NETLIMITS_ROOT=clone)
        proc = subprocess.run([sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider', '-rs']
                              + list(PRIVILEGE_DROPPING), cwd=clone, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
        output = proc.stdout.decode(errors='replace')
        assert proc.returncode == 0, output[-3000:]
        assert 'skipped' not in output.splitlines()[-1], output[-3000:]
    finally:
        shutil.rmtree(base)
