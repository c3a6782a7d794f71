# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The write path as a state machine: runs, reverts, admin edits and lost or corrupt state between them.

Hypothesis' RuleBasedStateMachine drives one fixture host through a sequence of present runs (any
variables), reverts, re-runs, and edits people make between runs (an admin's sysctl file, lines
added to rc.local, the state directory wiped, the state file corrupt or wrongly typed, a backup
lost). After every step: no traceback (each run succeeds or fails with the module's error), nothing
outside the managed set changed and no link was replaced; a re-run after a successful run changes
nothing (I5); a revert with no edit since the last revert (or the start) gives back every file and
value as they were then, or says why not (I4).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import shutil
import tempfile

from hypothesis import settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from ansible_collections.netlimits.tcp.plugins.module_utils._common import paths as _paths
from ansible_collections.netlimits.tcp.plugins.module_utils._plan.inputs import PlanError
from ansible_collections.netlimits.tcp.tests.unit.properties.hosts import (
    build, hosts, is_managed, live_values, params, snapshot,
)
from ansible_collections.netlimits.tcp.tests.unit.properties.test_write_path_properties import (
    assert_reverted, changed_paths, tune_run,
)

STATE_FILE = _paths.STATE_FILE.lstrip('/')
EDITS = ('admin sysctl file', 'rc.local line', 'state directory wiped', 'state file not JSON',
         'state file wrongly typed', 'backup lost')


class WritePath(RuleBasedStateMachine):

    @initialize(host=hosts())
    def make_host(self, host):
        self.base = tempfile.mkdtemp(prefix='netlimits-machine.')
        self.root = build(self.base, host)
        self.original, self.original_live = snapshot(self.root), live_values(self.root)
        self.last = None            # the variables of the last successful present run
        self.edited = False         # an edit since the baseline
        # what a revert must give back (I4): the host before the first present run since the last revert
        self.baseline = self.original, self.original_live

    def teardown(self):
        shutil.rmtree(getattr(self, 'base', ''), ignore_errors=True)

    def path(self, rel):
        return os.path.join(self.root, rel)

    @rule(variables=params())
    def present(self, variables):
        before = snapshot(self.root)
        result, error, dummy = tune_run(self.root, variables)
        if isinstance(error, PlanError):
            assert snapshot(self.root) == before, error
        self.last = variables if error is None else None

    @rule()
    def rerun(self):
        if self.last is None:
            return
        result, error, dummy = tune_run(self.root, self.last)
        assert error is None and result['changed'] is False, (error, result and result['diff'])

    @rule()
    def revert(self):
        result, error, dummy = tune_run(self.root, {'state': 'absent'})
        if isinstance(error, PlanError) and _paths.STATE_FILE in str(error):
            return      # a corrupt state file: a clear error (fix_state is the admin's answer)
        assert error is None, error
        if not self.edited:
            assert_reverted(self.root, self.baseline[0], self.baseline[1], result['report'])
        self.last = None
        self.edited = False
        self.baseline = snapshot(self.root), live_values(self.root)

    @rule(edit=st.sampled_from(EDITS))
    def admin_edit(self, edit):
        self.edited = True
        self.last = None
        if edit == 'admin sysctl file':
            if not os.path.isdir(self.path('etc/sysctl.d')):
                os.makedirs(self.path('etc/sysctl.d'))
            with open(self.path('etc/sysctl.d/99-admin.conf'), 'w') as handle:
                handle.write('net.core.somaxconn = 65535\n')
        elif edit == 'rc.local line':
            rc = self.path('etc/rc.local')
            if os.path.isfile(rc) and not os.path.islink(rc):
                with open(rc, 'a') as handle:
                    handle.write('echo added by an admin\n')
        elif edit == 'state directory wiped':
            shutil.rmtree(self.path(_paths.STATE_DIR.lstrip('/')), ignore_errors=True)
        elif edit in ('state file not JSON', 'state file wrongly typed') and os.path.isfile(self.path(STATE_FILE)):
            with open(self.path(STATE_FILE), 'w') as handle:
                handle.write('{"sysctl": ' if edit == 'state file not JSON' else json.dumps({'files': []}))
        elif edit == 'backup lost':
            shutil.rmtree(self.path(_paths.BACKUP_DIR.lstrip('/')), ignore_errors=True)

    @rule()
    def fix_state(self):
        """What the error about a corrupt state file tells the admin: move it away."""
        if os.path.isfile(self.path(STATE_FILE)):
            os.unlink(self.path(STATE_FILE))
            self.edited = True
            self.last = None

    @invariant()
    def only_the_managed_set_changed_and_no_link_was_replaced(self):
        if not hasattr(self, 'root'):
            return
        now = snapshot(self.root)
        for rel in changed_paths(self.original, now):
            if rel == 'etc/sysctl.d/99-admin.conf' or (rel == 'etc/rc.local' and self.edited):
                continue        # the admin's own edits
            assert is_managed(rel), rel
            assert self.original.get(rel, ('',))[0] != 'link', rel


WritePath.TestCase.settings = settings(settings(), max_examples=max(5, settings().max_examples // 2),
                                       stateful_step_count=8)
test_write_path_machine = WritePath.TestCase
