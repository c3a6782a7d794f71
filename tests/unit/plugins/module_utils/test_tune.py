# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""tune() end to end over fixture trees: apply, idempotence, check mode, revert, faults, safety.

Each test runs the module's whole path (gather, read host, plan, apply, gather
again) against a directory that looks like a host, and reads the result back
from that directory, never from the plan. docs/safety.md names these tests.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import stat

import pytest

from ansible_collections.netlimits.tcp.plugins.module_utils._apply import apply as _apply
from ansible_collections.netlimits.tcp.plugins.module_utils._apply import files as _apply_files
from ansible_collections.netlimits.tcp.plugins.module_utils._common import paths as _paths
from ansible_collections.netlimits.tcp.plugins.module_utils._plan import plan as _plan
from ansible_collections.netlimits.tcp.tests.unit.tuning import tune
from ansible_collections.netlimits.tcp.tests.unit.fixtures.role import PROFILES
from ansible_collections.netlimits.tcp.tests.unit.fixtures.tree import make_tree

IP = 'usr/sbin/ip'
GENERATOR = 'usr/lib/systemd/system-generators/systemd-rc-local-generator'
OWNER = (0, 0) if os.geteuid() == 0 else None


class Runner(object):
    """Stands in for AnsibleModule.run_command: records argv lists, fails what it is told to."""

    def __init__(self, fail=()):
        self.calls = []
        self.fail = list(fail)

    def __call__(self, argv):
        assert isinstance(argv, list) and all(isinstance(a, str) for a in argv), argv
        self.calls.append(argv)
        if argv[1:] and argv[1] in self.fail:
            return 1, '', 'simulated failure'
        if argv[-1] == '--version':
            return 0, 'sysctl from procps-ng 4.0.2\n' if 'sysctl' in argv[0] else 'systemd 252 (252.22-1)\n', ''
        return 0, '', ''


def find_bin(name):
    return '/usr/bin/' + name


def host_tree(tmp_path, profile='6.1', files=None, modes=None, ip=True, generator=True, **kwargs):
    """A fixture host with iproute2 and systemd's rc-local generator unless told otherwise."""
    files = dict(files or {})
    if ip:
        files.setdefault(IP, '')
    if generator:
        files.setdefault(GENERATOR, '')
    return make_tree(tmp_path, profile, files=files, modes=modes, **kwargs)


def run(root, runner=None, check_mode=False, **params):
    return tune(root, dict(('tcp_tune_' + k, v) for k, v in params.items()), check_mode,
                runner or Runner(), find_bin, OWNER, profiles=PROFILES)


def read(root, rel):
    with open(os.path.join(root, rel.lstrip('/')), 'rb') as handle:
        return handle.read()


def mode_of(root, rel):
    return stat.S_IMODE(os.stat(os.path.join(root, rel.lstrip('/'))).st_mode)


def live(root, name):
    return read(root, 'proc/sys/' + name.replace('.', '/')).decode().strip()


def no_files_under(path):
    return all(not names for dummy, dummy2, names in os.walk(path))


def snapshot(root):
    """Every file and directory under root: bytes (files) and mode."""
    out = {}
    for base, dirs, names in os.walk(root):
        for name in dirs + names:
            path = os.path.join(base, name)
            st = os.lstat(path)
            data = None
            if stat.S_ISREG(st.st_mode):
                with open(path, 'rb') as handle:
                    data = handle.read()
            out[os.path.relpath(path, root)] = (data, stat.S_IMODE(st.st_mode))
    return out


RC_VARIANTS = {
    'rc-local-no-exit-0': (b'#!/bin/sh\necho started >/dev/kmsg\n', 0o755),
    'rc-local-exit-0-in-function': (b'#!/bin/sh\nstop() {\n  echo stop\n  exit 0\n}\necho up\nexit 0\n', 0o755),
    'rc-local-not-executable': (b'#!/bin/sh\necho up\nexit 0\n', 0o644),
    'rc-local-crlf': (b'#!/bin/sh\r\necho up\r\nexit 0\r\n', 0o755),
}


# ---------------------------------------------------------------- apply, idempotence, check mode

def test_apply_sets_live_values_and_files_then_a_second_run_changes_nothing(tmp_path):
    root = host_tree(tmp_path)
    first = run(root, txqueuelen=5000, interfaces=['eth0'])
    assert first['changed'] is True
    assert live(root, 'net.ipv4.ip_local_port_range').split() == ['15000', '64999']
    assert live(root, 'net.ipv4.tcp_fin_timeout') == '30'
    assert read(root, 'sys/class/net/eth0/tx_queue_len').strip() == b'5000'
    assert b'net.core.somaxconn = 4096' in read(root, _paths.SYSCTL_FILE)
    assert b'ip link set dev eth0 txqueuelen 5000' in read(root, _paths.RC_LOCAL)
    before = snapshot(root)
    runner = Runner()
    second = run(root, runner, txqueuelen=5000, interfaces=['eth0'])
    assert second['changed'] is False and second['diff'] == []
    assert snapshot(root) == before
    assert [c for c in runner.calls if c[0] == 'systemctl'] == []
    assert set(second['report']['files'].values()) == {'unchanged'}


def test_check_mode_changes_nothing_and_reports_the_same_changes(tmp_path):
    root = host_tree(tmp_path)
    before = snapshot(root)
    runner = Runner()
    result = run(root, runner, check_mode=True, txqueuelen=5000, interfaces=['eth0'])
    assert snapshot(root) == before
    assert result['changed'] is True
    assert set(d['after_header'] for d in result['diff']) >= {_paths.SYSCTL_FILE, _paths.LIMITS_FILE, _paths.RC_LOCAL}
    assert [c for c in runner.calls if c[0] == 'systemctl'] == []
    assert result['report']['check_mode'] is True
    assert result['report']['sysctl']['net.ipv4.tcp_fin_timeout']['after'] == 30


def test_bad_input_fails_before_anything_changes(tmp_path):
    root = host_tree(tmp_path)
    before = snapshot(root)
    runner = Runner()
    with pytest.raises(_plan.PlanError) as err:
        run(root, runner, fin_timeout=0, interfaces=['eth0;reboot'])
    assert 'tcp_tune_fin_timeout' in str(err.value) and 'tcp_tune_interfaces' in str(err.value)
    assert snapshot(root) == before
    assert [c for c in runner.calls if c[0] == 'systemctl'] == []


# ---------------------------------------------------------------- safety properties

def test_files_are_root_owned_0644_rc_local_0755_backups_0600_none_world_writable(tmp_path):
    root = host_tree(tmp_path, files={'etc/rc.local': '#!/bin/sh\nexit 0\n'}, modes={'etc/rc.local': 0o755})
    result = run(root, txqueuelen=5000, interfaces=['eth0'], service_nofile={'nginx': 4096},
                 systemd_default_nofile=1048576)
    written = [p for p, status in result['report']['files'].items() if status == 'applied']
    assert _paths.MANAGER_FILE in written and _paths.SERVICE_FILE % 'nginx' in written
    for path in written + [_paths.STATE_FILE]:
        assert mode_of(root, path) == (0o755 if path == _paths.RC_LOCAL else 0o644), path
    assert mode_of(root, _paths.BACKUP_DIR + _paths.RC_LOCAL) == 0o600
    for rel, (dummy, mode) in snapshot(root).items():
        if rel.startswith(('etc/', 'var/')):
            assert not mode & stat.S_IWOTH, rel
    if OWNER is not None:
        for path in written + [_paths.STATE_FILE, _paths.BACKUP_DIR + _paths.RC_LOCAL]:
            st = os.stat(os.path.join(root, path.lstrip('/')))
            assert (st.st_uid, st.st_gid) == (0, 0), path


def test_a_replaced_file_is_backed_up_once_and_revert_restores_it_byte_for_byte(tmp_path):
    theirs = b'# written by hand\r\nnet.core.somaxconn=1024\r\n\xff odd bytes\n'
    root = host_tree(tmp_path, files={'etc/sysctl.d/90-netlimits-tcp.conf': theirs.decode('latin-1')},
                     modes={'etc/sysctl.d/90-netlimits-tcp.conf': 0o640})
    with open(os.path.join(root, 'etc/sysctl.d/90-netlimits-tcp.conf'), 'wb') as handle:
        handle.write(theirs)
    run(root)
    assert read(root, _paths.BACKUP_DIR + _paths.SYSCTL_FILE) == theirs
    assert read(root, _paths.SYSCTL_FILE) != theirs
    run(root, somaxconn=8192)       # a later run with other values keeps the first backup
    assert read(root, _paths.BACKUP_DIR + _paths.SYSCTL_FILE) == theirs
    result = run(root, state='absent')
    assert result['report']['files'][_paths.SYSCTL_FILE] == 'restored'
    assert read(root, _paths.SYSCTL_FILE) == theirs
    assert mode_of(root, _paths.SYSCTL_FILE) == 0o640
    assert not os.path.exists(os.path.join(root, _paths.STATE_DIR.lstrip('/')))


def test_revert_puts_every_file_and_live_value_back(tmp_path):
    root = host_tree(tmp_path, files={'etc/rc.local': '#!/bin/sh\necho up\nexit 0\n'}, modes={'etc/rc.local': 0o755})
    before = snapshot(root)
    run(root, txqueuelen=5000, interfaces=['eth0'], service_nofile={'nginx': 4096})
    run(root, state='absent')
    after = snapshot(root)
    changed = sorted(rel for rel in set(before) | set(after) if before.get(rel) != after.get(rel))
    # /proc/sys shows multi-value keys tab-separated; a plain fixture file keeps the spaces written
    values = [rel for rel in changed if rel.startswith('proc/sys/')]
    assert all(before[rel][0].split() == after[rel][0].split() for rel in values), values
    # left behind on purpose: directories the role created (empty); nothing else
    others = [rel for rel in changed if rel not in values]
    assert all(os.path.isdir(os.path.join(root, rel)) and no_files_under(os.path.join(root, rel))
               for rel in others), others


def test_raise_only_never_lowers_what_was_in_effect(tmp_path):
    high = {'net.core.somaxconn': '65535', 'net.ipv4.ip_local_port_range': '1024\t65535',
            'net.ipv4.tcp_max_syn_backlog': '65535', 'fs.nr_open': '2097152', 'fs.file-max': '9999999'}
    root = host_tree(tmp_path, sysctl=high)
    result = run(root)
    for name, raw in high.items():
        assert live(root, name).split() == raw.split(), name
        assert result['report']['sysctl'][name]['status'] in ('skipped_lower', 'unchanged'), name


def test_commands_are_argv_lists_and_no_shell_is_used(tmp_path):
    root = host_tree(tmp_path)
    runner = Runner()
    run(root, runner, service_nofile={'my-app@1': 4096}, restart_services=True, conntrack_load=True,
        systemd_default_nofile=1048576)
    assert runner.calls, 'expected systemctl/modprobe calls'
    for argv in runner.calls:
        assert argv[0].endswith(('/sysctl', '/systemctl', '/modprobe')) or argv[0] == 'systemctl', argv
    assert ['systemctl', 'try-restart', 'my-app@1.service'] in runner.calls


@pytest.mark.parametrize('profile, requested, written', [
    ('3.10', False, False),
    ('3.10', True, True),
    ('6.1', True, False),
], ids=['tw-recycle-3.10-not-requested', 'tw-recycle-3.10-requested', 'tw-recycle-6.1-requested'])
def test_tcp_tw_recycle_only_on_old_kernels_and_only_on_request(tmp_path, profile, requested, written):
    root = host_tree(tmp_path, profile)
    result = run(root, tw_recycle=requested)
    settings = [line for line in read(root, _paths.SYSCTL_FILE).decode().splitlines() if not line.startswith('#')]
    # written means enabled: below 4.12 the file pins it off (= 0, the default) unless asked for
    assert ('net.ipv4.tcp_tw_recycle = 1' in settings) is written
    if profile == '6.1':
        assert not [line for line in settings if 'tcp_tw_recycle' in line]
    warned = any('NAT' in w for w in result['report']['warnings'])
    assert warned is requested     # asked for: always a warning, naming NAT
    if profile == '6.1':
        assert result['report']['sysctl']['net.ipv4.tcp_tw_recycle']['status'] == 'skipped_kernel'
        assert not os.path.exists(os.path.join(root, 'proc/sys/net/ipv4/tcp_tw_recycle'))
    elif written:
        assert live(root, 'net.ipv4.tcp_tw_recycle') == '1'
    else:
        assert live(root, 'net.ipv4.tcp_tw_recycle') == '0'


# ---------------------------------------------------------------- faults

def test_missing_keys_are_skipped_and_the_run_succeeds(tmp_path):
    # a container netns: netdev_max_backlog is not shown there, conntrack not loaded
    root = host_tree(tmp_path, container='podman', conntrack=False)
    result = run(root, netdev_max_backlog=16384, conntrack_max=262144)
    report = result['report']['sysctl']
    assert report['net.core.netdev_max_backlog']['status'] == 'skipped_missing'
    assert report['net.netfilter.nf_conntrack_max']['status'] == 'skipped_missing'
    text = read(root, _paths.SYSCTL_FILE).decode()
    assert 'netdev_max_backlog' not in text or text.count('-net.core.netdev_max_backlog') == 1
    assert run(root, netdev_max_backlog=16384, conntrack_max=262144)['changed'] is False


def test_read_only_proc_sys_skips_live_values_but_persists_them(tmp_path):
    root = host_tree(tmp_path, proc_sys_readonly=True)
    before = live(root, 'net.ipv4.tcp_fin_timeout')
    result = run(root)
    assert result['report']['sysctl']['net.ipv4.tcp_fin_timeout']['status'] == 'skipped_read_only'
    assert live(root, 'net.ipv4.tcp_fin_timeout') == before
    assert b'net.ipv4.tcp_fin_timeout = 30' in read(root, _paths.SYSCTL_FILE)
    assert run(root)['changed'] is False


def test_no_ip_binary_sets_txqueuelen_through_sysfs_and_persists_with_udev(tmp_path):
    root = host_tree(tmp_path, ip=False)
    result = run(root, txqueuelen=5000, interfaces=['eth0'])
    assert read(root, 'sys/class/net/eth0/tx_queue_len').strip() == b'5000'
    assert result['report']['txqueuelen_persist'] == 'udev'
    assert any('no ip binary' in w for w in result['report']['warnings'])
    assert os.path.exists(os.path.join(root, _paths.UDEV_FILE.lstrip('/')))
    assert not os.path.exists(os.path.join(root, 'etc/rc.local'))
    assert run(root, txqueuelen=5000, interfaces=['eth0'])['changed'] is False


def test_no_systemd_runs_no_systemctl_and_succeeds(tmp_path):
    root = host_tree(tmp_path, systemd=None)
    runner = Runner()
    result = run(root, runner, service_nofile={'nginx': 4096}, systemd_default_nofile=1048576)
    assert [c for c in runner.calls if 'systemctl' in c[0] and c[-1] != '--version'] == []
    assert result['report']['sysctl']['net.ipv4.tcp_fin_timeout']['status'] == 'applied'
    assert run(root, service_nofile={'nginx': 4096}, systemd_default_nofile=1048576)['changed'] is False


def test_no_limits_d_directory_is_created(tmp_path):
    root = host_tree(tmp_path)
    assert not os.path.exists(os.path.join(root, 'etc/security'))
    run(root)
    assert mode_of(root, 'etc/security/limits.d') == 0o755
    assert b'nofile' in read(root, _paths.LIMITS_FILE)


@pytest.mark.parametrize('variant', sorted(RC_VARIANTS))
def test_rc_local_variants_get_one_block_and_revert_restores_them(tmp_path, variant):
    data, mode = RC_VARIANTS[variant]
    root = host_tree(tmp_path)
    with open(os.path.join(root, 'etc/rc.local'), 'wb') as handle:
        handle.write(data)
    os.chmod(os.path.join(root, 'etc/rc.local'), mode)
    result = run(root, txqueuelen=5000, interfaces=['eth0'])
    text = read(root, 'etc/rc.local')
    assert text.count(b'ip link set dev eth0 txqueuelen 5000') == 1
    assert mode_of(root, 'etc/rc.local') == 0o755
    assert text.replace(b'\r\n', b'\n').startswith(b'#!/bin/sh\n')
    if variant == 'rc-local-exit-0-in-function':
        # the block goes right after the interpreter line, before anything that could exit (issue #14 L12)
        assert text.index(b'txqueuelen 5000') < text.index(b'stop()')
    if variant == 'rc-local-crlf':
        assert b'ip link set dev eth0 txqueuelen 5000 || true\r\n' in text
        assert any('CRLF' in w for w in result['report']['warnings'])
    if variant == 'rc-local-not-executable':
        assert any('not executable' in w for w in result['report']['warnings'])
    assert run(root, txqueuelen=5000, interfaces=['eth0'])['changed'] is False
    run(root, state='absent')
    assert read(root, 'etc/rc.local') == data
    assert mode_of(root, 'etc/rc.local') == mode


def test_a_symlinked_rc_local_stays_a_symlink_and_revert_restores_its_target(tmp_path):
    original = b'#!/bin/sh\necho up\nexit 0\n'
    root = host_tree(tmp_path, files={'etc/rc.d/rc.local': original.decode(), 'etc/rc.local': '->/etc/rc.d/rc.local'},
                     modes={'etc/rc.d/rc.local': 0o755})
    result = run(root, txqueuelen=5000, interfaces=['eth0'])
    assert os.path.islink(os.path.join(root, 'etc/rc.local'))
    assert b'txqueuelen 5000' in read(root, 'etc/rc.d/rc.local')
    assert _paths.RC_LOCAL in [d['after_header'] for d in result['diff']]
    assert run(root, txqueuelen=5000, interfaces=['eth0'])['changed'] is False
    run(root, state='absent')
    assert os.path.islink(os.path.join(root, 'etc/rc.local'))
    assert read(root, 'etc/rc.d/rc.local') == original


def test_an_interface_that_does_not_exist_is_skipped_with_a_warning(tmp_path):
    root = host_tree(tmp_path)
    result = run(root, txqueuelen=5000, interfaces=['eth0', 'nosuch0'])
    assert result['report']['txqueuelen']['nosuch0']['status'] == 'skipped_missing'
    assert any('nosuch0' in w for w in result['report']['warnings'])
    assert read(root, 'sys/class/net/eth0/tx_queue_len').strip() == b'5000'
    assert b'nosuch0' not in read(root, 'etc/rc.local')


def test_txqueuelen_denied_by_the_kernel_is_reported_and_persisted(tmp_path, monkeypatch):
    root = host_tree(tmp_path)
    real_open = open

    def deny_sysfs(path, *args, **kwargs):
        if str(path).endswith('tx_queue_len') and args and 'w' in args[0]:
            raise IOError(1, 'Operation not permitted')
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(_apply, 'open', deny_sysfs, raising=False)
    result = run(root, txqueuelen=5000, interfaces=['eth0'])
    assert result['report']['txqueuelen']['eth0']['status'] == 'skipped_read_only'
    assert b'txqueuelen 5000' in read(root, 'etc/rc.local')


def test_a_run_interrupted_between_files_converges_when_run_again(tmp_path, monkeypatch):
    root = host_tree(tmp_path)
    params = dict(txqueuelen=5000, interfaces=['eth0'], service_nofile={'nginx': 4096})
    real_rename = os.rename
    renames = []

    def crash_after_three(src, dst):
        if len(renames) == 3:
            raise KeyboardInterrupt('simulated interruption')
        renames.append(dst)
        real_rename(src, dst)

    monkeypatch.setattr(_apply_files.os, 'rename', crash_after_three)
    with pytest.raises(KeyboardInterrupt):
        run(root, **params)
    monkeypatch.setattr(_apply_files.os, 'rename', real_rename)
    # no half-written file: each managed file is either absent or complete, no temporary file left
    assert not [rel for rel in snapshot(root) if '.netlimits-tcp.' in rel]
    again = run(root, **params)
    assert again['changed'] is True
    assert run(root, **params)['changed'] is False
    assert live(root, 'net.ipv4.tcp_fin_timeout') == '30'


def test_systemctl_owed_by_a_failed_run_is_made_by_the_next_one(tmp_path):
    root = host_tree(tmp_path)
    params = dict(service_nofile={'nginx': 4096})
    with pytest.raises(_apply.ApplyError) as err:
        run(root, Runner(fail=['daemon-reload']), **params)
    assert 'daemon-reload' in str(err.value)
    runner = Runner()
    assert run(root, runner, **params)['changed'] is True     # files unchanged, the reload still owed
    assert ['systemctl', 'daemon-reload'] in runner.calls
    runner = Runner()
    assert run(root, runner, **params)['changed'] is False
    assert [c for c in runner.calls if c[0] == 'systemctl'] == []
