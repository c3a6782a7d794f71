# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write-path defects of issue #20 item 3, each as a run over a fixture host.

Every test here failed before its fix (the commit that fixed it says so) and passes after;
docs/safety.md names each. Values are read back from the fixture tree, never from the plan.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import json
import os

import pytest

from ansible_collections.netlimits.tcp.plugins.module_utils._apply import apply as _apply
from ansible_collections.netlimits.tcp.plugins.module_utils._apply import files as _apply_files
from ansible_collections.netlimits.tcp.plugins.module_utils._common import paths as _paths
from ansible_collections.netlimits.tcp.plugins.module_utils._plan.inputs import PlanError
from ansible_collections.netlimits.tcp.tests.unit.plugins.module_utils.test_tune import (
    Runner, host_tree, live, read, run, snapshot,
)
from ansible_collections.netlimits.tcp.tests.unit.plugins.module_utils.test_write_path import exists, refusing_open

STATE_DIR = _paths.STATE_DIR.lstrip('/')
MASK = '->/dev/null'
DEV_NULL = {'dev/null': ''}     # stands in for the character device: any write to it shows in the snapshot


def lexists(root, rel):
    return os.path.lexists(os.path.join(root, rel.lstrip('/')))


def is_link(root, rel):
    return os.path.islink(os.path.join(root, rel.lstrip('/')))


# ---------------------------------------------------------------- masks and other non-regular paths

@pytest.mark.parametrize('path,params', [
    (_paths.UDEV_FILE, dict(txqueuelen=5000, interfaces=['eth0'], txqueuelen_persist='udev')),
    (_paths.SYSCTL_FILE, dict(fin_timeout=30)),
    (_paths.LIMITS_FILE, dict(nofile=65536)),
], ids=['udev-rule', 'sysctl-file', 'limits-file'])
def test_a_managed_path_masked_with_dev_null_is_never_written(tmp_path, path, params):
    root = host_tree(tmp_path, files=dict(DEV_NULL, **{path.lstrip('/'): MASK}))
    before = snapshot(root)
    with pytest.raises(PlanError) as err:
        run(root, **params)
    assert path in str(err.value) and '/dev/null' in str(err.value)
    assert snapshot(root) == before


def test_revert_leaves_a_mask_alone(tmp_path):
    root = host_tree(tmp_path)
    run(root, fin_timeout=30)
    os.unlink(os.path.join(root, _paths.SYSCTL_FILE.lstrip('/')))
    os.symlink('/dev/null', os.path.join(root, _paths.SYSCTL_FILE.lstrip('/')))
    os.makedirs(os.path.join(root, 'dev'))
    with open(os.path.join(root, 'dev/null'), 'w'):
        pass
    run(root, state='absent')
    assert is_link(root, _paths.SYSCTL_FILE) and read(root, 'dev/null') == b''


@pytest.mark.parametrize('kind', ['directory', 'dangling-link'])
def test_a_managed_path_that_is_not_a_regular_file_is_refused(tmp_path, kind):
    files = {'etc/udev/rules.d/90-netlimits-tcp-txqueuelen.rules/keep': ''} if kind == 'directory' else {
        _paths.UDEV_FILE.lstrip('/'): '->/etc/udev/site.rules'}
    root = host_tree(tmp_path, files=files)
    before = snapshot(root)
    with pytest.raises(PlanError) as err:
        run(root, txqueuelen=5000, interfaces=['eth0'], txqueuelen_persist='udev')
    assert _paths.UDEV_FILE in str(err.value)
    assert snapshot(root) == before


def test_a_dangling_rc_local_link_is_never_written_through(tmp_path):
    # Before: the role wrote the link's target (a new file), and revert removed the site's link, leaving that file.
    root = host_tree(tmp_path, files={'etc/rc.local': '->/etc/rc.d/rc.local'})
    result = run(root, txqueuelen=5000, interfaces=['eth0'], txqueuelen_persist='rc_local')
    assert not lexists(root, 'etc/rc.d/rc.local')
    assert b'5000' in read(root, _paths.UDEV_FILE)
    assert any('/etc/rc.local' in w and 'udev' in w for w in result['report']['warnings'])
    run(root, state='absent')
    assert os.readlink(os.path.join(root, 'etc/rc.local')) == '/etc/rc.d/rc.local'
    assert not lexists(root, 'etc/rc.d/rc.local') and not lexists(root, _paths.UDEV_FILE)


# ---------------------------------------------------------------- .link files: a masked 99-default.link, a site .link

LINK_DIR = 'etc/systemd/network/'


def test_a_masked_99_default_link_is_kept_masked_in_effect(tmp_path):
    # Masking 99-default.link keeps kernel names (eth0); a .link of ours repeating the packaged NamePolicy=
    # would rename the interface at the next boot.
    root = host_tree(tmp_path, files=dict(DEV_NULL, **{LINK_DIR + '99-default.link': MASK,
                                                       'usr/lib/systemd/network/99-default.link':
                                                       '[Match]\nOriginalName=*\n\n[Link]\nNamePolicy=keep kernel '
                                                       'database onboard slot path\nMACAddressPolicy=persistent\n'}))
    result = run(root, txqueuelen=5000, interfaces=['eth0'], txqueuelen_persist='systemd_link')
    ours = [n for n in os.listdir(os.path.join(root, LINK_DIR)) if n.startswith('90-netlimits')]
    for name in ours:
        assert b'NamePolicy' not in read(root, LINK_DIR + name)
    assert any('99-default.link' in w for w in result['report']['warnings'])


def test_a_site_link_file_is_never_overridden_silently(tmp_path):
    site = '[Match]\nMACAddress=52:54:00:12:34:56\n\n[Link]\nName=lan0\n'
    root = host_tree(tmp_path, files={LINK_DIR + '95-lan0.link': site})
    result = run(root, txqueuelen=5000, interfaces=['eth0'], txqueuelen_persist='systemd_link')
    assert not [n for n in os.listdir(os.path.join(root, LINK_DIR)) if n.startswith('90-netlimits')]
    assert any('95-lan0.link' in w for w in result['report']['warnings'])
    assert read(root, LINK_DIR + '95-lan0.link').decode() == site
    assert b'5000' in read(root, _paths.UDEV_FILE)


# ---------------------------------------------------------------- rc.local with another interpreter

@pytest.mark.parametrize('shebang,name', [('#!/usr/bin/python3', 'python3'), ('#!/usr/bin/perl -w', 'perl'),
                                          ('#!/usr/bin/env python3', 'python3')])
def test_an_rc_local_in_another_language_gets_no_shell_lines(tmp_path, shebang, name):
    text = shebang + '\nprint("site")\n'
    root = host_tree(tmp_path, files={'etc/rc.local': text}, modes={'etc/rc.local': 0o755})
    result = run(root, txqueuelen=5000, interfaces=['eth0'], txqueuelen_persist='rc_local')
    assert read(root, 'etc/rc.local').decode() == text
    assert b'5000' in read(root, _paths.UDEV_FILE)
    assert any('/etc/rc.local' in w and name in w and 'udev' in w for w in result['report']['warnings'])


# ---------------------------------------------------------------- nr_open first, in every failure path

def test_a_refused_nr_open_never_leaves_a_nofile_above_it(tmp_path, monkeypatch):
    root = host_tree(tmp_path, sysctl={'fs.nr_open': '1048576'})
    monkeypatch.setattr(_apply, 'open', refusing_open('fs.nr_open'), raising=False)
    with pytest.raises(_apply.ApplyError) as err:
        run(root, nr_open=4194304, nofile=2000000)
    assert 'fs.nr_open' in str(err.value)
    assert live(root, 'fs.nr_open') == '1048576'
    limits = read(root, _paths.LIMITS_FILE) if exists(root, _paths.LIMITS_FILE) else b''
    assert b'2000000' not in limits


def test_a_refused_key_then_a_lost_connection_leaves_no_nofile_unpersisted_nr_open(tmp_path, monkeypatch):
    # The first apply is the only one (the connection is lost before the second): whatever it wrote must
    # hold at boot; a limits file of 2000000 without fs.nr_open in the sysctl file does not.
    key = 'net.ipv4.tcp_congestion_control'
    root = host_tree(tmp_path, sysctl={'fs.nr_open': '1048576'},
                     files={'proc/sys/net/ipv4/tcp_congestion_control': 'cubic\n'})
    monkeypatch.setattr(_apply, 'open', refusing_open(key), raising=False)
    from ansible_collections.netlimits.tcp.tests.unit import tuning
    calls = tuning.Calls(root, {'tcp_tune_sysctl': {key: 'bbr'}, 'tcp_tune_nr_open': 4194304,
                                'tcp_tune_nofile': 2000000}, False, Runner(), lambda n: '/usr/bin/' + n,
                         None, None)

    def lost_after_first_apply(step, plan=None, recheck=True, **options):
        if step == 'apply' and calls.steps.count('apply') == 1:
            raise ConnectionError('lost')
        return calls(step, plan, recheck, **options)
    with pytest.raises(ConnectionError):
        from ansible_collections.netlimits.tcp.plugins.plugin_utils._tune.steps import tune_steps
        from ansible_collections.netlimits.tcp.tests.unit.golden.renderer import role_renderer
        tune_steps(lost_after_first_apply, role_renderer(), calls.params, calls.profiles)
    persisted = read(root, _paths.SYSCTL_FILE).decode() if exists(root, _paths.SYSCTL_FILE) else ''
    if exists(root, _paths.LIMITS_FILE) and b'2000000' in read(root, _paths.LIMITS_FILE):
        assert 'fs.nr_open = 4194304' in persisted


# ---------------------------------------------------------------- an OSError mid-apply

def test_an_oserror_mid_apply_says_what_was_applied(tmp_path, monkeypatch):
    root = host_tree(tmp_path)
    real = _apply_files.put_file

    def full_disk(root_, path, data, mode, out, owner=None, summary=None):
        if path == _paths.LIMITS_FILE and not out.check_mode:
            raise OSError(errno.ENOSPC, 'No space left on device', path)
        return real(root_, path, data, mode, out, owner, summary)
    monkeypatch.setattr(_apply_files, 'put_file', full_disk)
    monkeypatch.setattr(_apply, 'put_file', full_disk)
    with pytest.raises(_apply.ApplyError) as err:
        run(root, fin_timeout=30, nofile=65536)
    assert 'No space left on device' in str(err.value) and _paths.LIMITS_FILE in str(err.value)
    assert err.value.changed is True
    assert 'net.ipv4.tcp_fin_timeout=30' in err.value.applied and _paths.SYSCTL_FILE in err.value.applied
    assert _paths.LIMITS_FILE not in err.value.applied
    monkeypatch.undo()
    run(root, fin_timeout=30, nofile=65536)
    assert run(root, fin_timeout=30, nofile=65536)['changed'] is False


# ---------------------------------------------------------------- lost backup, corrupt state

def test_a_lost_backup_does_not_block_revert(tmp_path):
    site = '* soft nofile 4096\n'
    root = host_tree(tmp_path, files={_paths.LIMITS_FILE.lstrip('/'): site})
    run(root, nofile=65536, fin_timeout=30)
    os.unlink(os.path.join(root, _paths.backup_path(_paths.LIMITS_FILE).lstrip('/')))
    result = run(root, state='absent')
    assert live(root, 'net.ipv4.tcp_fin_timeout') == '60'
    assert not exists(root, _paths.SYSCTL_FILE)
    assert any(_paths.LIMITS_FILE in w and 'backup' in w for w in result['report']['warnings'])


@pytest.mark.parametrize('field,value', [
    ('files', {_paths.SYSCTL_FILE: {'existed': True, 'mode': 420, 'backup': None}}),
    ('sysctl', {'net.ipv4.tcp_fin_timeout': {'value': ['x'], 'scope': 'netns'}}),
    ('txqueuelen', {'eth0': 'many'}),
    ('systemd_default_nofile', 'lots'),
    ('kernel', 5),
])
def test_a_state_file_with_a_wrongly_typed_field_gives_a_clear_error(tmp_path, field, value):
    root = host_tree(tmp_path)
    run(root, fin_timeout=30, txqueuelen=5000, interfaces=['eth0'], systemd_default_nofile=65536)
    state = json.loads(read(root, _paths.STATE_FILE).decode())
    state[field] = value
    with open(os.path.join(root, _paths.STATE_FILE.lstrip('/')), 'w') as handle:
        json.dump(state, handle)
    for params in (dict(fin_timeout=30), dict(state='absent')):
        with pytest.raises(PlanError) as err:
            run(root, **params)
        assert _paths.STATE_FILE in str(err.value) and field in str(err.value)


# ---------------------------------------------------------------- a key the kernel refuses, run again

def test_a_rerun_with_a_refused_key_reports_no_change_and_the_live_value(tmp_path, monkeypatch):
    key = 'net.ipv4.tcp_congestion_control'
    root = host_tree(tmp_path, files={'proc/sys/net/ipv4/tcp_congestion_control': 'cubic\n'})
    monkeypatch.setattr(_apply, 'open', refusing_open(key), raising=False)
    params = dict(sysctl={key: 'nosuchcc'}, fin_timeout=30)
    with pytest.raises(_apply.ApplyError):
        run(root, **params)
    with pytest.raises(_apply.ApplyError) as err:
        run(root, **params)
    assert err.value.changed is False
    assert key not in ' '.join(err.value.applied)
    from ansible_collections.netlimits.tcp.tests.unit import tuning
    from ansible_collections.netlimits.tcp.tests.unit.golden.renderer import role_renderer
    from ansible_collections.netlimits.tcp.plugins.plugin_utils._tune.steps import tune_steps
    calls = tuning.Calls(root, dict(('tcp_tune_' + k, v) for k, v in params.items()), False, Runner(),
                         lambda n: '/usr/bin/' + n, None, None)
    result = tune_steps(calls, role_renderer(), calls.params, calls.profiles)
    item = result['report']['sysctl'][key]
    assert item['status'] != 'applied' and item['after'] == live(root, key) == 'cubic'


# ---------------------------------------------------------------- site templates checked against the plan (I7)

SITE_SYSCTL_WITHOUT_FS = '''# {{ tcp_tune_managed_header }}
{% for entry in model.entries if not entry.key.startswith('fs.') %}
{{ entry.key }} = {{ entry.value }}
{% endfor %}
'''
SITE_LIMITS_WITH_BANNER = '''# ACME Corp: all files under /etc are managed centrally
# {{ tcp_tune_managed_header }}
{% for line in model.lines %}
{{ line.domain }} {{ line.type }} {{ line.item }} {{ line.value }}
{% endfor %}
'''


def tune_with_template(root, template, text, tmp_path, **params):
    from ansible_collections.netlimits.tcp.tests.unit.golden.renderer import role_renderer
    from ansible_collections.netlimits.tcp.tests.unit.tuning import tune
    from ansible_collections.netlimits.tcp.tests.unit.fixtures.role import PROFILES
    site = tmp_path / ('site-' + template)
    site.write_text(text)
    return tune(root, dict(('tcp_tune_' + k, v) for k, v in params.items()), False, Runner(),
                lambda n: '/usr/bin/' + n, None, profiles=PROFILES, render=role_renderer({template: str(site)}))


def test_a_site_sysctl_template_that_drops_a_planned_key_is_refused(tmp_path):
    # Before: the file went out without fs.nr_open, the limits file with a nofile of 2000000, and the report
    # said fs.nr_open was applied: after the next boot, logins fail.
    root = host_tree(tmp_path, sysctl={'fs.nr_open': '1048576'})
    before = snapshot(root)
    with pytest.raises(_apply.ApplyError) as err:
        tune_with_template(root, 'sysctl.conf.j2', SITE_SYSCTL_WITHOUT_FS, tmp_path, nr_open=4194304, nofile=2000000)
    assert 'sysctl.conf.j2' in str(err.value) and 'fs.nr_open' in str(err.value)
    assert snapshot(root) == before


def test_a_site_template_with_a_banner_above_the_header_is_refused(tmp_path):
    # Before: the role's own limits file did not start with its header, so after a lost state directory
    # it was taken for the site's original (backed up, restored on revert).
    root = host_tree(tmp_path)
    before = snapshot(root)
    with pytest.raises(_apply.ApplyError) as err:
        tune_with_template(root, 'limits.conf.j2', SITE_LIMITS_WITH_BANNER, tmp_path, nofile=65536)
    assert 'limits.conf.j2' in str(err.value) and 'first line' in str(err.value)
    assert snapshot(root) == before


# ---------------------------------------------------------------- modprobe in the plan step

def test_a_failure_after_the_plan_step_loaded_nf_conntrack_says_so(tmp_path):
    # The plan step runs `modprobe nf_conntrack` before anything is rendered; a render failure after it
    # said "nothing was changed" with changed=false.
    root = host_tree(tmp_path, conntrack=False)
    with pytest.raises(_apply.ApplyError) as err:
        tune_with_template(root, 'limits.conf.j2', SITE_LIMITS_WITH_BANNER, tmp_path, nofile=65536,
                           conntrack_load=True)
    assert err.value.changed is True
    assert 'nothing was changed' not in str(err.value) and 'modprobe nf_conntrack' in str(err.value)


# ---------------------------------------------------------------- the stale-plan check covers the deciding files

@pytest.mark.parametrize('rel,text', [
    ('etc/sysctl.conf', 'net.ipv4.tcp_fin_timeout = 45\n'),
    ('etc/sysctl.d/99-admin.conf', 'net.core.somaxconn = 65535\n'),
    ('etc/security/limits.d/50-oracle.conf', 'oracle hard nofile 2000000\n'),
])
def test_a_deciding_file_added_between_plan_and_apply_makes_the_plan_stale(tmp_path, rel, text):
    from ansible_collections.netlimits.tcp.tests.unit import tuning
    from ansible_collections.netlimits.tcp.tests.unit.golden.renderer import role_renderer
    from ansible_collections.netlimits.tcp.plugins.plugin_utils._tune.steps import tune_steps
    root = host_tree(tmp_path)
    calls = tuning.Calls(root, {'tcp_tune_fin_timeout': 30, 'tcp_tune_nofile': 65536}, False, Runner(),
                         lambda n: '/usr/bin/' + n, None, None)

    def edit_between(step, plan=None, recheck=True, **options):
        if step == 'apply' and calls.steps.count('apply') == 0:
            path = os.path.join(root, rel)
            if not os.path.isdir(os.path.dirname(path)):
                os.makedirs(os.path.dirname(path))
            with open(path, 'w') as handle:
                handle.write(text)
        return calls(step, plan, recheck, **options)
    result = tune_steps(edit_between, role_renderer(), calls.params, calls.profiles)
    assert result.get('failed') and 'changed since this run read' in result['msg'], result.get('msg')
    assert '/' + os.path.dirname(rel) in result['msg'] or '/' + rel in result['msg']
    assert not exists(root, _paths.SYSCTL_FILE)


# ---------------------------------------------------------------- revert and values other files set

def test_revert_leaves_a_value_another_file_now_sets(tmp_path):
    root = host_tree(tmp_path, sysctl={'net.core.somaxconn': '4096'})
    run(root, profile='none', somaxconn=16384)
    # the admin persists a higher value of their own and applies it
    with open(os.path.join(root, 'etc/sysctl.d/99-admin.conf'), 'w') as handle:
        handle.write('net.core.somaxconn = 65535\n')
    with open(os.path.join(root, 'proc/sys/net/core/somaxconn'), 'w') as handle:
        handle.write('65535\n')
    result = run(root, state='absent')
    assert live(root, 'net.core.somaxconn') == '65535'
    item = result['report']['sysctl']['net.core.somaxconn']
    assert item['status'] != 'restored' and '99-admin.conf' in item.get('reason', '')


# ---------------------------------------------------------------- fs.nr_open another limits file needs at boot

ORACLE_LIMITS = {'etc/security/limits.d/50-oracle.conf': 'oracle hard nofile 2000000\n'}


def boot_nr_open(root):
    """fs.nr_open after the next boot as far as the sysctl files go: the last one that sets it, else 1048576."""
    from ansible_collections.netlimits.tcp.plugins.module_utils._facts.gather import gather
    prov = (gather(root).get('provenance') or {}).get('fs.nr_open') or {}
    files = prov.get('files') or []
    return int(files[-1]['value']) if files else 1048576


def tuned_then_oracle_added(tmp_path):
    """A host whose fs.nr_open the role raised to 4194304, with an oracle nofile of 2000000 added since."""
    root = host_tree(tmp_path, sysctl={'fs.nr_open': '1048576'})
    run(root, nr_open=4194304)
    for rel, text in ORACLE_LIMITS.items():
        with open(os.path.join(root, rel), 'w') as handle:
            handle.write(text)
    return root


def test_revert_keeps_fs_nr_open_persisted_while_another_limits_file_needs_it(tmp_path):
    root = tuned_then_oracle_added(tmp_path)
    result = run(root, state='absent')
    assert int(live(root, 'fs.nr_open')) >= 2000000
    assert boot_nr_open(root) >= 2000000
    assert any('50-oracle.conf' in w for w in result['report']['warnings'])


def test_a_present_run_that_stops_setting_nr_open_keeps_it_persisted_while_another_file_needs_it(tmp_path):
    root = tuned_then_oracle_added(tmp_path)
    run(root, profile='none', fin_timeout=30)
    assert int(live(root, 'fs.nr_open')) >= 2000000
    assert boot_nr_open(root) >= 2000000


# ---------------------------------------------------------------- issue #21 item 3: rc.local spliced on the host

def test_rc_local_is_spliced_on_the_host_and_a_settled_host_needs_one_call(tmp_path):
    from ansible_collections.netlimits.tcp.plugins.module_utils._common.paths import TEMPLATE_RC_LOCAL
    from ansible_collections.netlimits.tcp.plugins.module_utils._plan.readings import read_host
    from ansible_collections.netlimits.tcp.plugins.module_utils._facts.gather import gather
    from ansible_collections.netlimits.tcp.tests.unit.fixtures.checked import checked, checked_plan
    site = '#!/bin/sh\necho site\nexit 0\n'
    root = host_tree(tmp_path, files={'etc/rc.local': site}, modes={'etc/rc.local': 0o755})
    params = {'tcp_tune_profile': 'none', 'tcp_tune_txqueuelen': 5000, 'tcp_tune_interfaces': ['eth0']}
    facts = gather(root)
    item = [f for f in checked_plan(params, facts, read_host(root, checked(params), facts)).get('files')
            if f['template'] == TEMPLATE_RC_LOCAL][0]
    assert 'insert_into' not in item and site not in repr(item)     # the host's text stays on the host
    first = run(root, txqueuelen=5000, interfaces=['eth0'])
    assert read(root, 'etc/rc.local').decode().endswith('echo site\nexit 0\n')
    second = run(root, txqueuelen=5000, interfaces=['eth0'])
    assert first['steps'] == ['plan', 'apply'] and second['steps'] == ['plan'] and second['changed'] is False
