# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The role's templates: golden files, a site's override, the header, and the steps around rendering.

Golden files: tests/unit/fixtures/expected/CASE/ holds, at the paths they land on, the files the
role writes for each case of tests/unit/golden/cases.py, compared byte for byte (regenerate with
tests/unit/golden/regenerate.py after a deliberate change, and review the diff).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import difflib
import os

import pytest

from ansible_collections.netlimits.tcp.plugins.module_utils._common import paths as _paths
from ansible_collections.netlimits.tcp.plugins.module_utils._apply.files import StalePlan
from ansible_collections.netlimits.tcp.plugins.module_utils._plan.plan import PlanError
from ansible_collections.netlimits.tcp.tests.unit.golden import cases
from ansible_collections.netlimits.tcp.tests.unit.fixtures.checked import HEADER
from ansible_collections.netlimits.tcp.tests.unit.golden.renderer import ROLE, role_renderer
from ansible_collections.netlimits.tcp.tests.unit.plugins.module_utils.test_tune import Runner, find_bin, host_tree, read, OWNER
from ansible_collections.netlimits.tcp.tests.unit.tuning import Calls, tune


@pytest.mark.parametrize('name', sorted(cases.CASES))
def test_golden_files(tmp_path, name):
    got = cases.planned_files(tmp_path, name)
    want = cases.expected_files(name)
    assert sorted(got) == sorted(want), 'files differ: run tests/unit/golden/regenerate.py and review the diff'
    for path in sorted(want):
        assert got[path] == want[path], ''.join(difflib.unified_diff(
            want[path].splitlines(True), got[path].splitlines(True), 'expected' + path, 'rendered' + path))


def test_every_template_of_the_role_is_covered_by_a_golden_file():
    names = set(os.listdir(os.path.join(ROLE, 'templates')))
    assert names == set(_paths.TEMPLATES)
    seen = set()
    for name in cases.CASES:
        for path in cases.expected_files(name):
            seen.add(path if '.service.d/' not in path and not path.endswith('.link') else os.path.basename(path))
    assert {'/etc/sysctl.d/90-netlimits-tcp.conf', '/etc/security/limits.d/90-netlimits-tcp.conf',
            '/etc/systemd/system.conf.d/90-netlimits-tcp.conf', '/etc/rc.local', _paths.UDEV_FILE,
            _paths.MODPROBE_FILE, _paths.MODULES_LOAD_FILE} <= seen
    assert any(p.endswith('.link') for p in seen) and '90-netlimits-tcp.conf' in seen   # a .link, a service drop-in


def run(root, calls=None, render=None, **params):
    return tune(root, dict(('tcp_tune_' + k, v) for k, v in params.items()), False, Runner(), find_bin, OWNER,
                render=render, calls=calls)


def test_a_site_template_overrides_the_role_s_and_lands_on_the_host(tmp_path):
    site = tmp_path / 'site'
    site.mkdir()
    (site / 'our-limits.j2').write_text(
        '# {{ tcp_tune_managed_header }}\n# site policy: nofile for everyone\n'
        '{% for line in model.lines %}{{ line.domain }} {{ line.type }} {{ line.item }} {{ line.value }}\n{% endfor %}')
    overrides = {'limits.conf.j2': str(site / 'our-limits.j2')}
    root = host_tree(tmp_path)
    run(root, render=role_renderer(overrides=overrides), profile='server', templates=overrides)
    text = read(root, _paths.LIMITS_FILE).decode()
    assert text.startswith(HEADER + '\n# site policy: nofile for everyone\n')
    assert '* hard nofile 1048576\n' in text
    # the other files still come from the role's templates
    assert read(root, _paths.SYSCTL_FILE).decode().startswith(HEADER + '\n# Keys the running kernel')


def test_the_header_variable_heads_every_file_and_marks_them_ours(tmp_path):
    header = 'Managed by netlimits.tcp.tcp_tune from the infra repo (site: lab)'
    root = host_tree(tmp_path)
    result = run(root, render=role_renderer(header=header), profile='server', managed_header=header,
                 txqueuelen=5000, interfaces=['eth0'], txqueuelen_persist='udev')
    written = [p for p, status in result['report']['files'].items() if status == 'applied']
    assert _paths.UDEV_FILE in written and _paths.SYSCTL_FILE in written
    for path in written:
        assert read(root, path).decode().split('\n', 1)[0] == '# ' + header
    # without its state file the role still knows these files as its own: revert removes them
    os.remove(os.path.join(root, _paths.STATE_FILE.lstrip('/')))
    run(root, render=role_renderer(header=header), state='absent')
    assert not any(os.path.exists(os.path.join(root, p.lstrip('/'))) for p in written if p != _paths.RC_LOCAL)


@pytest.mark.parametrize('header', ['Ansible managed', 'two\nlines netlimits.tcp.tcp_tune', 'netlimits.tcp managed'])
def test_a_header_that_does_not_name_the_role_is_refused(tmp_path, header):
    with pytest.raises(PlanError) as caught:
        run(host_tree(tmp_path), managed_header=header)
    assert 'tcp_tune_managed_header' in str(caught.value) and 'netlimits.tcp.tcp_tune' in str(caught.value)


def test_an_unknown_template_name_is_refused_naming_the_allowed_ones(tmp_path):
    with pytest.raises(PlanError) as caught:
        run(host_tree(tmp_path), templates={'sysctl.j2': 'x.j2'})
    assert 'tcp_tune_templates' in str(caught.value) and 'sysctl.conf.j2' in str(caught.value)


def test_a_settled_host_takes_one_call_and_a_changed_template_brings_the_apply_back(tmp_path):
    root = host_tree(tmp_path)
    first = Calls(root, {'tcp_tune_profile': 'server'}, False, Runner(), find_bin, OWNER, None)
    assert run(root, calls=first, profile='server')['changed'] is True
    assert first.steps == ['plan', 'apply']
    again = Calls(root, {'tcp_tune_profile': 'server'}, False, Runner(), find_bin, OWNER, None)
    result = run(root, calls=again, profile='server')
    assert again.steps == ['plan'] and result['changed'] is False
    assert result['report']['sysctl']['net.core.somaxconn']['status'] == 'unchanged'
    # a site template that renders other text: the settled host needs the apply again
    site = tmp_path / 'sysctl-site.j2'
    site.write_text('# {{ tcp_tune_managed_header }}\n{% for e in model.entries %}{{ e.key }} = {{ e.value }}\n{% endfor %}')
    params = {'tcp_tune_profile': 'server', 'tcp_tune_templates': {'sysctl.conf.j2': str(site)}}
    third = Calls(root, params, False, Runner(), find_bin, OWNER, None)
    result = tune(root, params, False, Runner(), find_bin, OWNER,
                  render=role_renderer(overrides=params['tcp_tune_templates']), calls=third)
    assert third.steps == ['plan', 'apply'] and result['changed'] is True
    assert '# Ephemeral ports' not in read(root, _paths.SYSCTL_FILE).decode()


def test_a_file_edited_between_plan_and_apply_is_not_overwritten(tmp_path):
    root = host_tree(tmp_path, files={'etc/rc.local': '#!/bin/sh\nexit 0\n'}, modes={'etc/rc.local': 0o755})
    render = role_renderer()

    def edit_then_render(template, model):
        # a person (or another run) edits rc.local while the controller renders
        with open(os.path.join(root, 'etc/rc.local'), 'a') as handle:
            handle.write('echo late edit\n')
        return render(template, model)
    calls = Calls(root, {'tcp_tune_txqueuelen': 5000, 'tcp_tune_interfaces': ['eth0']}, False, Runner(), find_bin,
                  OWNER, None)
    with pytest.raises(StalePlan) as caught:
        run(root, calls=calls, render=edit_then_render, txqueuelen=5000, interfaces=['eth0'])
    assert '/etc/rc.local changed since this run read it: nothing was changed' in str(caught.value)
    text = read(root, 'etc/rc.local')
    assert text.startswith(b'#!/bin/sh\nexit 0\necho late edit\n') and b'netlimits' not in text
    assert not os.path.exists(os.path.join(root, _paths.SYSCTL_FILE.lstrip('/')))
    assert not os.path.exists(os.path.join(root, _paths.STATE_FILE.lstrip('/')))


def test_docs_name_every_template():
    with open(os.path.join(ROLE, '..', '..', 'docs', 'templates.md')) as handle:
        text = handle.read()
    missing = [name for name in _paths.TEMPLATES if '`%s`' % name not in text]
    assert not missing, 'docs/templates.md does not describe %s' % missing
