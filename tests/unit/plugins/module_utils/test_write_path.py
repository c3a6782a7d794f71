# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write-path defects found in review (issue #14, H1-L14), each as a run over a fixture host.

Every test here failed on main at 1cdf746 and passes after the fix; docs/safety.md
("Write path") names each. Values are read back from the fixture tree, never
from the plan.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import json
import os
import shutil

import pytest

from ansible_collections.netlimits.tcp.plugins.module_utils._apply import apply as _apply
from ansible_collections.netlimits.tcp.plugins.module_utils._apply import systemd as _apply_systemd
from ansible_collections.netlimits.tcp.plugins.module_utils._common import paths as _paths
from ansible_collections.netlimits.tcp.plugins.module_utils._plan.inputs import PlanError
from ansible_collections.netlimits.tcp.plugins.module_utils._formats.rc_local import RC_BEGIN, RC_END
from ansible_collections.netlimits.tcp.tests.unit.fixtures.role import PROFILES
from ansible_collections.netlimits.tcp.tests.unit.fixtures.checked import HEADER
from ansible_collections.netlimits.tcp.tests.unit.plugins.module_utils.test_tune import (
    Runner, host_tree, live, mode_of, read, run, snapshot,
)

STATE_DIR = _paths.STATE_DIR.lstrip('/')


class UnitRunner(Runner):
    """A Runner whose systemctl calls fail for the units named in bad_units."""

    def __init__(self, bad_units=()):
        super(UnitRunner, self).__init__()
        self.bad_units = list(bad_units)

    def __call__(self, argv):
        result = super(UnitRunner, self).__call__(argv)
        if argv[0] == 'systemctl' and argv[-1] in self.bad_units:
            return 5, '', 'Unit %s not found.' % argv[-1]
        return result


def exists(root, rel):
    return os.path.lexists(os.path.join(root, rel.lstrip('/')))


# ---------------------------------------------------------------- H1: nofile against fs.nr_open after boot

def test_nofile_above_the_nr_open_another_file_sets_at_boot_is_refused(tmp_path):
    # /etc/sysctl.conf (through Debian's 99-sysctl.conf link, read after 90-netlimits-tcp.conf) puts
    # fs.nr_open back to 1048576 at every boot: a nofile of 4,000,000 would lock logins out after the next reboot.
    root = host_tree(tmp_path, files={'etc/sysctl.conf': 'fs.nr_open = 1048576\n',
                                      'etc/sysctl.d/99-sysctl.conf': '->../sysctl.conf'})
    before = snapshot(root)
    with pytest.raises(PlanError) as err:
        run(root, nr_open=4194304, nofile=4000000)
    message = str(err.value)
    assert 'tcp_tune_nofile' in message and '/etc/sysctl.d/99-sysctl.conf' in message and 'boot' in message
    assert snapshot(root) == before


def test_nr_open_raised_by_hand_is_persisted_when_nofile_needs_it(tmp_path):
    # No systemd to raise fs.nr_open at boot: the kernel default (1048576) comes back. nr_open was
    # raised by hand to 8388608 (skipped_lower: higher than asked), so without a line of ours
    # the nofile of 4,000,000 would be above fs.nr_open after the next boot.
    root = host_tree(tmp_path, systemd=None, sysctl={'fs.nr_open': '8388608'})
    result = run(root, nr_open=2097152, nofile=4000000)
    text = read(root, _paths.SYSCTL_FILE).decode()
    assert 'fs.nr_open = 8388608' in text
    assert b'nofile 4000000' in read(root, _paths.LIMITS_FILE)
    assert live(root, 'fs.nr_open') == '8388608'
    assert 'nofile' in result['report']['sysctl']['fs.nr_open']['reason']


# ---------------------------------------------------------------- H2: no record, or a record of our own

USER_RC = '#!/bin/sh -e\n# site rc.local\necho site >/dev/kmsg\nexit 0\n'


def test_revert_without_a_state_file_removes_only_our_block_from_rc_local(tmp_path):
    root = host_tree(tmp_path, files={'etc/rc.local': USER_RC}, modes={'etc/rc.local': 0o755})
    run(root, txqueuelen=5000, interfaces=['eth0'])
    assert RC_BEGIN.encode() in read(root, 'etc/rc.local')
    shutil.rmtree(os.path.join(root, STATE_DIR))
    run(root, state='absent')
    assert read(root, 'etc/rc.local').decode() == USER_RC


def test_a_file_with_our_header_is_never_recorded_as_an_original(tmp_path):
    root = host_tree(tmp_path)
    run(root, fin_timeout=30)
    assert live(root, 'net.ipv4.tcp_fin_timeout') == '30'
    shutil.rmtree(os.path.join(root, STATE_DIR))   # state directory wiped, the role run again
    run(root, fin_timeout=30)
    state = json.loads(read(root, _paths.STATE_FILE).decode())
    assert _paths.SYSCTL_FILE not in [p for p, rec in state['files'].items() if rec.get('existed')]
    assert 'net.ipv4.tcp_fin_timeout' not in state['sysctl']   # 30 is ours, not an original
    run(root, state='absent')
    assert not exists(root, _paths.SYSCTL_FILE)
    assert live(root, 'net.ipv4.tcp_fin_timeout') == '60'       # the kernel default, not our 30


# ---------------------------------------------------------------- H3: a failed restart is not replayed forever

def test_a_failed_restart_of_a_mistyped_unit_does_not_block_the_corrected_run_or_revert(tmp_path):
    root = host_tree(tmp_path)
    with pytest.raises(_apply.ApplyError):
        run(root, UnitRunner(['ngnix.service']), service_nofile={'ngnix': 4096}, restart_services=True)
    runner = UnitRunner(['ngnix.service'])
    run(root, runner, service_nofile={'nginx': 4096}, restart_services=True)
    assert not [c for c in runner.calls if c[-1] == 'ngnix.service']
    assert ['systemctl', 'try-restart', 'nginx.service'] in runner.calls
    run(root, UnitRunner(['ngnix.service', 'nginx.service']), state='absent')
    assert not exists(root, _paths.STATE_DIR)


def test_restart_never_starts_a_stopped_service(tmp_path):
    root = host_tree(tmp_path)
    runner = Runner()
    run(root, runner, service_nofile={'nginx': 4096}, restart_services=True)
    assert ['systemctl', 'try-restart', 'nginx.service'] in runner.calls
    assert not [c for c in runner.calls if c[:2] == ['systemctl', 'restart']]


# ---------------------------------------------------------------- M5: an rc.local we created, edited since

def test_revert_keeps_lines_an_admin_added_to_an_rc_local_we_created(tmp_path):
    root = host_tree(tmp_path)
    run(root, txqueuelen=5000, interfaces=['eth0'])
    text = read(root, 'etc/rc.local').decode()
    edited = text.replace('exit 0\n', 'echo site-specific\nexit 0\n')
    with open(os.path.join(root, 'etc/rc.local'), 'w') as handle:
        handle.write(edited)
    run(root, state='absent')
    assert exists(root, 'etc/rc.local')
    kept = read(root, 'etc/rc.local').decode()
    assert 'echo site-specific' in kept and RC_BEGIN not in kept and 'txqueuelen' not in kept


def test_switching_to_udev_keeps_lines_an_admin_added_to_an_rc_local_we_created(tmp_path):
    root = host_tree(tmp_path)
    run(root, txqueuelen=5000, interfaces=['eth0'])
    text = read(root, 'etc/rc.local').decode()
    with open(os.path.join(root, 'etc/rc.local'), 'w') as handle:
        handle.write(text.replace('exit 0\n', 'echo site-specific\nexit 0\n'))
    run(root, txqueuelen=5000, interfaces=['eth0'], txqueuelen_persist='udev')
    kept = read(root, 'etc/rc.local').decode()
    assert 'echo site-specific' in kept and RC_BEGIN not in kept
    assert exists(root, _paths.UDEV_FILE)


def test_an_rc_local_we_created_and_nobody_edited_is_removed_on_revert(tmp_path):
    root = host_tree(tmp_path)
    run(root, txqueuelen=5000, interfaces=['eth0'])
    run(root, state='absent')
    assert not exists(root, 'etc/rc.local')


# ---------------------------------------------------------------- M4: broken markers

@pytest.mark.parametrize('state,broken', [
    ('present', 'end-with-trailing-space'), ('present', 'end-deleted'),
    ('absent', 'end-with-trailing-space'), ('absent', 'end-deleted'),
], ids=['present-end-with-trailing-space', 'present-end-deleted', 'absent-end-with-trailing-space',
        'absent-end-deleted'])
def test_a_broken_rc_local_block_is_refused_and_nothing_changes(tmp_path, state, broken):
    root = host_tree(tmp_path, files={'etc/rc.local': USER_RC}, modes={'etc/rc.local': 0o755})
    run(root, txqueuelen=5000, interfaces=['eth0'])
    text = read(root, 'etc/rc.local').decode()
    if broken == 'end-with-trailing-space':
        text = text.replace(RC_END + '\n', RC_END + ' \n')
    else:
        text = text.replace(RC_END + '\n', '')
    with open(os.path.join(root, 'etc/rc.local'), 'w') as handle:
        handle.write(text)
    before = snapshot(root)
    with pytest.raises(PlanError) as err:
        run(root, txqueuelen=6000, interfaces=['eth0'], state=state)
    assert '/etc/rc.local' in str(err.value)
    assert snapshot(root) == before


# ---------------------------------------------------------------- M6: systemctl owed is recorded before the first write

def test_a_failure_after_the_drop_ins_are_written_still_reloads_on_the_next_run(tmp_path, monkeypatch):
    # Every file is written, then the run stops before systemctl (here: in the last step of the apply).
    root = host_tree(tmp_path)
    params = dict(service_nofile={'nginx': 4096})

    real_undo = _apply.undo_files

    def fail(root, the_plan, out, owner=None):
        if not out.check_mode:
            raise _apply.ApplyError('simulated failure after the writes')
        return real_undo(root, the_plan, out, owner)

    monkeypatch.setattr(_apply, 'undo_files', fail)
    with pytest.raises(_apply.ApplyError):
        run(root, **params)
    monkeypatch.undo()
    assert exists(root, _paths.SERVICE_FILE % 'nginx')
    runner = Runner()
    assert run(root, runner, **params)['changed'] is True
    assert ['systemctl', 'daemon-reload'] in runner.calls


# ---------------------------------------------------------------- M7: a value the kernel refuses

def refusing_open(name):
    real_open = open

    def fake(path, mode='r', *args, **kwargs):
        if 'w' in mode and str(path).endswith('/' + name.replace('.', '/')):
            raise OSError(errno.EINVAL, 'Invalid argument')
        return real_open(path, mode, *args, **kwargs)
    return fake


def test_a_sysctl_the_kernel_refuses_is_not_persisted_and_the_rest_is_applied(tmp_path, monkeypatch):
    key = 'net.ipv4.tcp_congestion_control'
    root = host_tree(tmp_path, files={'proc/sys/net/ipv4/tcp_congestion_control': 'cubic\n'})
    monkeypatch.setattr(_apply, 'open', refusing_open(key), raising=False)
    with pytest.raises(_apply.ApplyError) as err:
        run(root, sysctl={key: 'bbr'}, fin_timeout=30)
    message = str(err.value)
    assert key in message and 'bbr' in message
    assert err.value.changed is True
    assert 'net.ipv4.tcp_fin_timeout=30' in err.value.applied
    sysctl_text = read(root, _paths.SYSCTL_FILE).decode()
    assert key not in sysctl_text and 'net.ipv4.tcp_fin_timeout = 30' in sysctl_text
    assert exists(root, _paths.LIMITS_FILE)
    assert live(root, key) == 'cubic'
    monkeypatch.undo()
    # the value corrected: the run converges
    run(root, fin_timeout=30)
    assert run(root, fin_timeout=30)['changed'] is False


# ---------------------------------------------------------------- M8: nr_open never below another file's nofile

ORACLE = 'oracle hard nofile 2000000\n'


def test_lowering_nr_open_below_another_files_nofile_is_refused(tmp_path):
    root = host_tree(tmp_path, sysctl={'fs.nr_open': '4194304'},
                     files={'etc/security/limits.d/50-oracle.conf': ORACLE})
    before = snapshot(root)
    with pytest.raises(PlanError) as err:
        run(root, nr_open=1048576, raise_only=False)
    assert '50-oracle.conf' in str(err.value) and 'tcp_tune_nr_open' in str(err.value)
    assert snapshot(root) == before


def test_revert_never_puts_nr_open_below_a_nofile_added_since(tmp_path):
    root = host_tree(tmp_path, systemd=None)
    run(root, nr_open=4194304)
    assert live(root, 'fs.nr_open') == '4194304'
    with open(os.path.join(root, 'etc/security/limits.d/50-oracle.conf'), 'w') as handle:
        handle.write(ORACLE)
    result = run(root, state='absent')
    assert int(live(root, 'fs.nr_open')) >= 2000000
    assert '50-oracle.conf' in result['report']['sysctl']['fs.nr_open']['reason']


# ---------------------------------------------------------------- item 4: revert and systemd's boot values

def test_revert_without_record_leaves_nr_open_where_systemd_may_raise_it(tmp_path):
    # systemd >= 240 may raise fs.nr_open at every boot (bump_file_max_and_nr_open, a build option):
    # without a record the value the boot gives is unknown, so revert does not lower it.
    root = host_tree(tmp_path, sysctl={'fs.nr_open': '1073741816'},
                     files={_paths.SYSCTL_FILE: HEADER + '\nfs.nr_open = 1073741816\n'})
    result = run(root, state='absent')
    assert live(root, 'fs.nr_open') == '1073741816'
    assert 'systemd' in result['report']['sysctl']['fs.nr_open']['reason']


def test_revert_does_not_restore_a_table_value_of_tcp_rmem(tmp_path):
    # tcp_rmem's defaults depend on the kernel version and RAM: without a record nothing is restored.
    root = host_tree(tmp_path, sysctl={'net.ipv4.tcp_rmem': '4096\t131072\t33554432'},
                     files={_paths.SYSCTL_FILE: HEADER + '\nnet.ipv4.tcp_rmem = 4096 131072 33554432\n'})
    result = run(root, state='absent')
    assert live(root, 'net.ipv4.tcp_rmem').split() == ['4096', '131072', '33554432']
    assert result['report']['sysctl']['net.ipv4.tcp_rmem']['status'] == 'unknown_original'


# ---------------------------------------------------------------- item 1: tcp_max_syn_backlog with syncookies

def test_max_syn_backlog_is_reported_as_without_effect_while_syncookies_are_on(tmp_path):
    root = host_tree(tmp_path)
    result = run(root, max_syn_backlog=65535)
    assert 'tcp_syncookies' in result['report']['sysctl']['net.ipv4.tcp_max_syn_backlog']['reason']
    root = host_tree(tmp_path, sysctl={'net.ipv4.tcp_syncookies': '0'})
    result = run(root, max_syn_backlog=65535)
    assert 'tcp_syncookies' not in result['report']['sysctl']['net.ipv4.tcp_max_syn_backlog'].get('reason', '')


# ---------------------------------------------------------------- M9: SELinux context kept

def test_every_write_gets_the_destination_context_before_the_rename(tmp_path):
    root = host_tree(tmp_path)
    calls = []

    def keep_context(tmp, dest):
        assert os.path.dirname(tmp) == os.path.dirname(dest) and os.path.exists(tmp)
        calls.append(dest)

    from ansible_collections.netlimits.tcp.tests.unit.tuning import tune
    from ansible_collections.netlimits.tcp.tests.unit.plugins.module_utils.test_tune import find_bin, OWNER
    tune(root, {'tcp_tune_txqueuelen': 5000, 'tcp_tune_interfaces': ['eth0']}, False, Runner(), find_bin, OWNER,
         keep_context=keep_context, profiles=PROFILES)
    assert os.path.join(root, _paths.SYSCTL_FILE.lstrip('/')) in calls
    assert os.path.join(root, 'etc/rc.local') in calls


# ---------------------------------------------------------------- L10: interface names from sysfs

def test_physical_interface_with_shell_characters_is_skipped_with_a_warning(tmp_path):
    root = host_tree(tmp_path, interfaces=[{'name': 'lo', 'kind': 'loopback'}, {'name': 'eth0'},
                                           {'name': 'e$(reboot)', 'kind': 'physical'}])
    result = run(root, txqueuelen=5000)
    assert b'reboot' not in read(root, 'etc/rc.local')
    assert b'eth0' in read(root, 'etc/rc.local')
    assert any('e$(reboot)' in w for w in result['report']['warnings'])


# ---------------------------------------------------------------- L11: rc.local mode

@pytest.mark.parametrize('mode,expected', [(0o700, 0o700), (0o600, 0o700), (0o644, 0o755), (0o750, 0o750)],
                         ids=['0700-stays-0700', '0600-to-0700', '0644-to-0755', '0750-stays-0750'])
def test_rc_local_gets_execute_bits_only(tmp_path, mode, expected):
    root = host_tree(tmp_path, files={'etc/rc.local': USER_RC}, modes={'etc/rc.local': mode})
    run(root, txqueuelen=5000, interfaces=['eth0'])
    assert mode_of(root, 'etc/rc.local') == expected


# ---------------------------------------------------------------- L14: hygiene

def test_state_file_paths_outside_the_managed_set_are_never_touched(tmp_path):
    root = host_tree(tmp_path, files={'etc/passwd': 'root:x:0:0::/root:/bin/sh\n'})
    run(root, fin_timeout=30)
    state = json.loads(read(root, _paths.STATE_FILE).decode())
    state['files']['/etc/passwd'] = {'existed': False, 'mode': None, 'backup': None}
    with open(os.path.join(root, _paths.STATE_FILE.lstrip('/')), 'w') as handle:
        json.dump(state, handle)
    run(root, state='absent')
    assert exists(root, 'etc/passwd')


@pytest.mark.parametrize('content', ['5', '{"a": 1', '[["rm", "-rf", "/"]]', '[5]'])
def test_a_corrupt_pending_file_gives_a_clear_error_and_never_blocks_revert(tmp_path, content):
    root = host_tree(tmp_path)
    run(root, service_nofile={'nginx': 4096})
    with open(os.path.join(root, _apply_systemd.PENDING_FILE.lstrip('/')), 'w') as handle:
        handle.write(content)
    runner = Runner()
    if content.startswith('[['):
        run(root, runner, service_nofile={'nginx': 4096})   # not a systemctl call: ignored, never run
        assert not [c for c in runner.calls if c[0] == 'rm']
    else:
        with pytest.raises(_apply.ApplyError) as err:
            run(root, runner, service_nofile={'nginx': 4096})
        assert _apply_systemd.PENDING_FILE in str(err.value)
    run(root, Runner(), state='absent')
    assert not exists(root, _paths.STATE_DIR)


def real_run(argv):
    """AnsibleModule.run_command's contract, for this test only."""
    import subprocess
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.communicate()
    return proc.returncode, out.decode(), err.decode()


def test_commands_run_under_a_time_limit():
    from ansible_collections.netlimits.tcp.plugins.module_utils._apply.steps import bounded
    timeout_bin = shutil.which('timeout')
    rc, dummy, err = bounded(real_run, timeout_bin, 1)(['sleep', '5'])
    assert rc == 124 and 'sleep 5 timed out after 1 s' in err
    assert bounded(real_run, timeout_bin, 5)(['true'])[0] == 0
    assert bounded(real_run, None)(['true'])[0] == 0


# ---------------------------------------------------------------- issue #16 item 3: the diff people read

def test_the_diff_shows_the_state_file_and_backups_as_one_line_each(tmp_path):
    root = host_tree(tmp_path, files={'etc/rc.local': USER_RC}, modes={'etc/rc.local': 0o755})
    result = run(root, txqueuelen=5000, interfaces=['eth0'])
    by_path = dict((d['after_header'], d) for d in result['diff'])
    state = by_path[_paths.STATE_FILE]
    assert state['before'] == '' and state['after'].count('\n') == 1
    assert state['after'].startswith('state: records originals of ')
    recorded = json.loads(read(root, _paths.STATE_FILE).decode())
    assert '%d keys' % len(recorded['sysctl']) in state['after']
    assert by_path[_paths.BACKUP_DIR + '/etc/rc.local']['after'] == 'backup of %d bytes\n' % len(USER_RC)
    assert RC_BEGIN in by_path['/etc/rc.local']['after']     # a file people own: the whole text


def test_in_a_container_fs_nr_open_after_a_restart_is_the_machines(tmp_path):
    # fs.nr_open is not namespaced: a container restart leaves the machine's value, so nothing is persisted
    root = host_tree(tmp_path, container='podman', sysctl={'fs.nr_open': '1073741816'})
    run(root, nofile=2000000, profile='none')
    assert b'fs.nr_open' not in (read(root, _paths.SYSCTL_FILE) if exists(root, _paths.SYSCTL_FILE) else b'')
    assert b'nofile 2000000' in read(root, _paths.LIMITS_FILE)


def test_revert_restores_the_recorded_nr_open_on_a_systemd_host(tmp_path):
    # The vm scenario's finding: Debian 12 and 11 boot with fs.nr_open 1048576 (their systemd does not raise it);
    # the recorded original is what the host had, and revert puts it back.
    root = host_tree(tmp_path, sysctl={'fs.nr_open': '1048576'})
    run(root, nr_open=4194304)
    assert live(root, 'fs.nr_open') == '4194304'
    run(root, state='absent')
    assert live(root, 'fs.nr_open') == '1048576'


def test_nofile_above_the_kernel_default_is_persisted_on_a_systemd_host_too(tmp_path):
    # Not counting on systemd's bump (a build option): fs.nr_open raised by hand is persisted when nofile needs it.
    root = host_tree(tmp_path, sysctl={'fs.nr_open': '8388608'})
    run(root, nr_open=2097152, nofile=4000000)
    assert 'fs.nr_open = 8388608' in read(root, _paths.SYSCTL_FILE).decode()


# ---------------------------------------------------------------- the write order (_paths.write_rank)

def test_live_writes_and_files_come_in_the_write_order(tmp_path, monkeypatch):
    # fs.nr_open live first; the sysctl file before limits.d and the systemd files (a nofile above fs.nr_open
    # locks logins out); the live txqueuelen before its persistence; conntrack's file last. The plan lists
    # files by path, which is not that order.
    root = host_tree(tmp_path, interfaces=[{'name': 'eth0', 'kind': 'physical', 'txqueuelen': 1000}])
    steps = []
    real = dict((name, getattr(_apply, name)) for name in ('set_sysctls', 'set_txqueuelen', 'write_file'))

    def record(name, what):
        def wrapper(root_, items, out, *args):
            if not out.check_mode:
                steps.append(what(items))
            return real[name](root_, items, out, *args)
        return wrapper
    monkeypatch.setattr(_apply, 'set_sysctls', record('set_sysctls', lambda w: [x['key'] for x in w]))
    monkeypatch.setattr(_apply, 'set_txqueuelen', record('set_txqueuelen', lambda w: [x['interface'] for x in w]))
    monkeypatch.setattr(_apply, 'write_file', record('write_file', lambda item: item['path']))
    run(root, profile='none', nr_open=2097152, fin_timeout=30, nofile=2000000, systemd_default_nofile=1048576,
        service_nofile={'nginx': 4096}, txqueuelen=5000, interfaces=['eth0'], txqueuelen_persist='udev',
        conntrack_load=True)
    assert steps == [['fs.nr_open', 'net.ipv4.tcp_fin_timeout'], _paths.SYSCTL_FILE, _paths.LIMITS_FILE,
                     _paths.MANAGER_FILE, _paths.SERVICE_FILE % 'nginx', ['eth0'], _paths.UDEV_FILE,
                     _paths.MODULES_LOAD_FILE]
    assert live(root, 'fs.nr_open') == '2097152'
    assert read(root, 'sys/class/net/eth0/tx_queue_len').decode().strip() == '5000'


def test_daemon_reload_follows_unit_and_txqueuelen_files_only():
    reload_ = ['systemctl', 'daemon-reload']
    plan = {'state': 'present'}
    for path in (_paths.SERVICE_FILE % 'nginx', _paths.RC_LOCAL, _paths.UDEV_FILE, _paths.LINK_FILE % 'eth0'):
        assert reload_ in _apply_systemd.systemd_commands(plan, [path]), path
    for path in (_paths.SYSCTL_FILE, _paths.LIMITS_FILE, _paths.MODPROBE_FILE, _paths.MODULES_LOAD_FILE):
        assert _apply_systemd.systemd_commands(plan, [path]) == [], path
    assert _apply_systemd.systemd_commands(plan, [_paths.MANAGER_FILE]) == [['systemctl', 'daemon-reexec']]
