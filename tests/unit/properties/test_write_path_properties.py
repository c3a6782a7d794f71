# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Invariants of the write path over generated hosts, role variables and faults (issue #20 item 2).

Each test is one invariant of docs/safety.md ("Invariants"), checked by Hypothesis over fixture
hosts (hosts.py). The runs go through tests/unit/tuning.tune: the module's plan and apply steps
around the controller's rendering, as the action plugin runs them. Values are read back from the
tree. A failing example found once is kept as an @example or a plain test.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import os
from unittest import mock

from hypothesis import event, example, given, strategies as st

from ansible_collections.netlimits.tcp.plugins.module_utils._apply import apply as _apply
from ansible_collections.netlimits.tcp.plugins.module_utils._apply import files as _apply_files
from ansible_collections.netlimits.tcp.plugins.module_utils._apply.files import ApplyError
from ansible_collections.netlimits.tcp.plugins.module_utils._common import paths as _paths
from ansible_collections.netlimits.tcp.plugins.module_utils._plan.inputs import PlanError
from ansible_collections.netlimits.tcp.tests.unit.fixtures.role import PROFILES
from ansible_collections.netlimits.tcp.tests.unit.properties.hosts import (
    INTERRUPT, TempRoot, build, faults, hosts, is_managed, live_values, params, snapshot,
)
from ansible_collections.netlimits.tcp.tests.unit.tuning import tune

OWNER = (0, 0) if os.geteuid() == 0 else None
STATE = _paths.STATE_DIR.lstrip('/')
# Statuses under which a revert leaves a live value as it is (reported so): see docs/safety.md, I4.
LEFT_ALONE = ('overridden', 'unknown_original', 'kept_host_scope', 'skipped_read_only', 'skipped_missing')


class Runner(object):
    """AnsibleModule.run_command's stand-in: records argv lists; fail_at: the index of a command that fails."""

    def __init__(self, fail_at=None):
        self.calls, self.fail_at = [], fail_at

    def __call__(self, argv):
        self.calls.append(list(argv))
        if argv[-1] == '--version':
            return 0, 'sysctl from procps-ng 4.0.2\n' if 'sysctl' in argv[0] else 'systemd 252 (252.22-1)\n', ''
        if self.fail_at is not None and len(self.mutating()) - 1 == self.fail_at:
            return 1, '', 'simulated failure'
        return 0, '', ''

    def mutating(self):
        return [c for c in self.calls if c[-1] != '--version']


def find_bin(name):
    return '/usr/bin/' + name


def tune_run(root, variables, check_mode=False, runner=None):
    """(result or None, the PlanError/ApplyError raised or None, runner)."""
    runner = runner or Runner()
    try:
        result = tune(root, dict(('tcp_tune_' + k, v) for k, v in variables.items()), check_mode, runner,
                      find_bin, OWNER, profiles=PROFILES)
    except (PlanError, ApplyError) as exc:
        event('%s run: %s' % (variables.get('state', 'present'), type(exc).__name__))
        return None, exc, runner
    event('%s run: changed=%s' % (variables.get('state', 'present'), result['changed']))
    return result, None, runner


def changed_paths(before, after):
    return sorted(rel for rel in set(before) | set(after) if before.get(rel) != after.get(rel))


# ---------------------------------------------------------------- I2 check mode

@given(hosts(), params(valid=False))
def test_i2_check_mode_changes_nothing_and_runs_no_mutating_command(host, variables):
    with TempRoot() as base:
        root = build(base, host)
        files, live = snapshot(root), live_values(root)
        dummy, dummy2, runner = tune_run(root, variables, check_mode=True)
        assert snapshot(root) == files
        assert live_values(root) == live
        assert runner.mutating() == []


# ---------------------------------------------------------------- I3 only the managed set changes

@given(hosts(), params())
def test_i3_nothing_outside_the_managed_set_changes_and_nothing_is_written_through_a_link(host, variables):
    with TempRoot() as base:
        root = build(base, host)
        before = snapshot(root)
        result, error, dummy = tune_run(root, variables)
        after = snapshot(root)
        if isinstance(error, PlanError):
            assert after == before
        for rel in changed_paths(before, after):
            assert is_managed(rel), rel
            # a link (a mask, the site's rc.local link) stays the link it was
            assert before.get(rel, ('',))[0] != 'link', rel


# ---------------------------------------------------------------- I4 present then absent

def assert_reverted(root, before, live_before, report):
    after = snapshot(root)
    kept = [w for w in report['warnings'] if 'kept with fs.nr_open' in w]
    for rel in changed_paths(before, after):
        if rel not in before and after[rel][0] == 'dir':
            continue        # a directory the role created for its file (empty again)
        if rel == _paths.SYSCTL_FILE.lstrip('/') and kept:
            continue        # fs.nr_open kept for another limits file, with a warning
        assert False, '%s: %r -> %r' % (rel, before.get(rel), after.get(rel))
    live = live_values(root)
    for rel in sorted(live):
        if live[rel] == live_before.get(rel):
            continue
        name = rel[len('proc/sys/'):].replace('/', '.') if rel.startswith('proc/sys/') else None
        item = report['sysctl'].get(name) if name else None
        assert item is not None and (item['status'] in LEFT_ALONE or item.get('reason')), (rel, item)


def revert_and_check(root, before, live_before):
    """Revert, which must succeed, then assert_reverted against the host as it was before."""
    reverted, error, dummy = tune_run(root, {'state': 'absent'})
    assert error is None, error
    assert_reverted(root, before, live_before, reverted['report'])


@given(hosts(), params())
@example(host={'profile': '6.1', 'container': None, 'systemd': 'profile', 'modes': {}, 'read_only': [],
               'nr_open': '1048576', 'files': {'etc/security/limits.d/50-site.conf': 'oracle hard nofile 1500000\n'}},
         variables={'profile': 'none', 'nr_open': 4194304})
def test_i4_present_then_absent_leaves_every_file_and_value_as_it_was(host, variables):
    with TempRoot() as base:
        root = build(base, host)
        before, live_before = snapshot(root), live_values(root)
        result, error, dummy = tune_run(root, variables)
        if isinstance(error, PlanError):
            return
        revert_and_check(root, before, live_before)


# ---------------------------------------------------------------- I5 a second run changes nothing

@given(hosts(), params())
def test_i5_a_second_run_with_the_same_input_changes_nothing(host, variables):
    with TempRoot() as base:
        root = build(base, host)
        first, error, dummy = tune_run(root, variables)
        if error is not None:
            return
        between = snapshot(root), live_values(root)
        second, error, runner = tune_run(root, variables)
        assert error is None, error
        assert second['changed'] is False, second['diff']
        assert (snapshot(root), live_values(root)) == between
        assert runner.mutating() == []


# ---------------------------------------------------------------- I6 faults

class Faults(object):
    """Fails the index-th write, rename, sysctl write or removal of an apply with an errno, or interrupts it."""

    def __init__(self, index, code):
        self.index, self.code, self.count, self.fired = index, code, 0, False

    def step(self, what):
        if self.fired:
            return
        if self.count == self.index:
            self.fired = True
            if self.code == INTERRUPT:
                raise KeyboardInterrupt()
            raise OSError(self.code, os.strerror(self.code), what)
        self.count += 1


def faulty(fault):
    """mock patches that count every mutating step of an apply and fail the chosen one."""
    real_replace, real_remove = _apply_files._replace, _apply.remove
    real_open = open

    def replace(full, *args):
        fault.step(full)
        return real_replace(full, *args)

    def remove(root, path, out):
        if not out.check_mode:
            fault.step(path)
        return real_remove(root, path, out)

    def open_(path, mode='r', *args, **kwargs):
        if 'w' in mode:
            fault.step(path)
        return real_open(path, mode, *args, **kwargs)
    return [mock.patch.object(_apply_files, '_replace', replace), mock.patch.object(_apply, 'remove', remove),
            mock.patch.object(_apply, 'open', open_, create=True)]


def applied_files(applied):
    return set(a.rstrip('/') for a in applied if a.startswith('/') and not (a + '/').startswith(_paths.STATE_DIR)
               and not (_paths.STATE_DIR + '/').startswith(a.rstrip('/') + '/'))


PLAIN_419 = {'profile': '4.19', 'container': None, 'systemd': 'profile', 'files': {}, 'modes': {}, 'read_only': [],
             'nr_open': '1048576'}


@given(hosts(), params(), faults, st.booleans())
# found once: the kernel refuses the third sysctl write; the action's error listed only the first apply's
# changes, not the second's (the files): tune_steps now returns both as 'applied'
@example(host=PLAIN_419, variables={'profile': 'server'}, fault=(2, errno.EINVAL), command_fails=False)
def test_i6_after_any_fault_the_report_is_exact_the_next_run_converges_and_revert_works(
        host, variables, fault, command_fails):
    index, code = fault
    with TempRoot() as base:
        root = build(base, host)
        before, live_before = snapshot(root), live_values(root)
        injected = Faults(index, code)
        patches = faulty(injected)
        for patch in patches:
            patch.start()
        interrupted = False
        try:
            # command_fails: the first systemctl call fails too (rc 1), where the fault left the run that far
            result, error, dummy = tune_run(root, variables, runner=Runner(fail_at=0 if command_fails else None))
        except KeyboardInterrupt:
            interrupted, error = True, None     # no report: only convergence and revert are asked of it
            event('interrupted')
        finally:
            for patch in patches:
                patch.stop()
        if isinstance(error, PlanError) and not interrupted:
            assert snapshot(root) == before
            return
        after = snapshot(root)
        if isinstance(error, ApplyError):
            # what the error lists as applied is what changed on disk (the role's state directory aside)
            on_disk = set('/' + rel for rel in changed_paths(before, after)
                          if not rel.startswith(STATE) and not STATE.startswith(rel + '/'))
            assert applied_files(error.applied) == on_disk, (error, error.applied)
            assert error.changed == bool(error.applied) or error.changed
        again, error2, dummy = tune_run(root, variables)
        assert error2 is None, error2
        settled, error3, dummy = tune_run(root, variables)
        assert error3 is None and settled['changed'] is False, (error3, settled and settled['diff'])
        revert_and_check(root, before, live_before)


# ---------------------------------------------------------------- I1 (live): no nofile above fs.nr_open

@given(hosts(), params())
def test_i1_live_every_nofile_the_files_set_is_at_most_the_live_nr_open(host, variables):
    from ansible_collections.netlimits.tcp.plugins.module_utils._formats.limits_conf import parse_limits_conf
    with TempRoot() as base:
        root = build(base, host)
        tune_run(root, variables)
        with open(os.path.join(root, 'proc/sys/fs/nr_open')) as handle:
            nr_open = int(handle.read())
        path = os.path.join(root, _paths.LIMITS_FILE.lstrip('/'))
        if os.path.isfile(path) and not os.path.islink(path):
            with open(path) as handle:
                text = handle.read()
            if _paths.is_ours(text):
                for entry in parse_limits_conf(text, _paths.LIMITS_FILE):
                    assert not isinstance(entry['value'], int) or entry['value'] <= nr_open, entry


# ---------------------------------------------------------------- I7 site templates

ROLE_TEMPLATES = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))), 'roles', 'tcp_tune', 'templates')
# How a site may rewrite a template: some keep what the plan decided, some do not.
SITE_EDITS = {
    'as shipped': lambda text: text,
    'banner above the header': lambda text: '# ACME: managed centrally\n' + text,
    'comments added below the header': lambda text: text.replace('\n', '\n# reviewed by ops\n', 1),
    'fs keys left out': lambda text: text.replace('{% for entry in model.entries %}',
                                                  "{% for entry in model.entries if not entry.key.startswith('fs.') %}"),
    'key=value without spaces': lambda text: text.replace(' = ', '='),
    'first nofile line dropped': lambda text: text.replace('{% for line in model.lines %}',
                                                           '{% for line in model.lines[1:] %}'),
}


@given(hosts(), params(), st.sampled_from(['sysctl.conf.j2', 'limits.conf.j2']), st.sampled_from(sorted(SITE_EDITS)))
def test_i7_every_file_written_from_a_site_template_starts_with_the_header_and_parses_back(
        host, variables, template, edit):
    from ansible_collections.netlimits.tcp.plugins.module_utils._formats.limits_conf import parse_limits_conf
    from ansible_collections.netlimits.tcp.plugins.module_utils._formats.sysctl_conf import parse_sysctl_conf
    from ansible_collections.netlimits.tcp.tests.unit.golden.renderer import role_renderer
    from ansible_collections.netlimits.tcp.tests.unit.tuning import Calls
    from ansible_collections.netlimits.tcp.plugins.plugin_utils._tune.steps import tune_steps
    with TempRoot() as base:
        root = build(base, host)
        with open(os.path.join(ROLE_TEMPLATES, template)) as handle:
            site = SITE_EDITS[edit](handle.read())
        path = os.path.join(base, 'site-' + template)
        with open(path, 'w') as handle:
            handle.write(site)
        before = snapshot(root)
        calls = Calls(root, dict(('tcp_tune_' + k, v) for k, v in variables.items()), False, Runner(), find_bin,
                      OWNER, None, PROFILES)
        planned = []

        def call(step, plan=None, recheck=True, **options):
            result = calls(step, plan, recheck, **options)
            if step == 'plan' and not result.get('failed'):
                planned.append(result['plan'])
            return result
        result = tune_steps(call, role_renderer({template: path}), calls.params, calls.profiles)
        if result.get('failed') and 'refused' in result.get('msg', '') and 'rendered' in result.get('msg', ''):
            event('site template refused')
            assert snapshot(root) == before or result.get('changed')
            return
        if not planned or result.get('failed'):
            return
        event('site template written')
        for item in planned[0]['files']:
            full = os.path.join(root, item['path'].lstrip('/'))
            if item.get('template') not in ('sysctl.conf.j2', 'limits.conf.j2') or not os.path.isfile(full):
                continue
            with open(full) as handle:
                text = handle.read()
            assert _paths.is_ours(text), (item['path'], text[:80])
            if item['template'] == 'sysctl.conf.j2':
                found = dict((line.name, ' '.join(line.value.split())) for line in parse_sysctl_conf(text))
                assert found == dict((e['key'], ' '.join(str(e['value']).split())) for e in item['model']['entries'])
            else:
                found = sorted((e['domain'], e['type'], e['value']) for e in parse_limits_conf(text, ''))
                assert found == sorted((line['domain'], line['type'], line['value']) for line in item['model']['lines'])
