# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netlimits.tcp.plugins.module_utils._facts.files import (
    files, limits_entries, parse_limits_conf, parse_systemd_nofile, systemd_default_nofile,
)
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.sysctl import sysctls
from ansible_collections.netlimits.tcp.tests.unit.fixtures.tree import make_tree


def test_handles_and_nr_open_come_from_proc_sys(tmp_path):
    root = make_tree(tmp_path, '6.1', file_nr=(2048, 9223372036854775807), sysctl={'fs.nr_open': '2097152'})
    facts = files(root, sysctls(root, [6, 1, 0]), 252)
    assert facts['allocated'] == 2048
    assert facts['file_max'] == 9223372036854775807
    assert facts['nr_open'] == 2097152


def test_rlimit_nofile_of_self_and_pid1_read_from_proc_limits(tmp_path):
    root = make_tree(tmp_path, '6.1', nofile_self=(4096, 8192), nofile_pid1=('unlimited', 'unlimited'))
    facts = files(root)['nofile']
    assert facts['self'] == {'soft': 4096, 'hard': 8192}
    assert facts['pid1'] == {'soft': 'unlimited', 'hard': 'unlimited'}


def test_missing_pid1_limits_gives_null_values(tmp_path):
    facts = files(make_tree(tmp_path, '6.1', nofile_pid1=None))['nofile']
    assert facts['pid1'] == {'soft': None, 'hard': None}


def test_systemd_default_nofile_is_builtin_when_not_configured(tmp_path):
    assert systemd_default_nofile(make_tree(tmp_path, '6.1'), 252) == {
        'soft': 1024, 'hard': 524288, 'source': 'builtin'}
    assert systemd_default_nofile(make_tree(tmp_path, '3.10'), 219) == {
        'soft': 1024, 'hard': 4096, 'source': 'builtin'}


def test_systemd_default_nofile_drop_in_wins_over_system_conf(tmp_path):
    root = make_tree(tmp_path, '6.1', files={
        'etc/systemd/system.conf': '[Manager]\nDefaultLimitNOFILE=4096:8192\n',
        'etc/systemd/system.conf.d/50-a.conf': '[Manager]\nDefaultLimitNOFILE=65536\n',
        'usr/lib/systemd/system.conf.d/60-b.conf': '[Manager]\nDefaultLimitNOFILE=100000:200000\n',
        'usr/lib/systemd/system.conf.d/50-a.conf': '[Manager]\nDefaultLimitNOFILE=1:1\n',  # masked by /etc
    })
    assert systemd_default_nofile(root, 252) == {
        'soft': 100000, 'hard': 200000, 'source': '/usr/lib/systemd/system.conf.d/60-b.conf'}


def test_systemd_default_nofile_ignores_other_sections(tmp_path):
    root = make_tree(tmp_path, '6.1', files={
        'etc/systemd/system.conf': '[Manager]\nDefaultLimitNOFILE=4096\n[Other]\nDefaultLimitNOFILE=1\n'})
    assert systemd_default_nofile(root, 252)['soft'] == 4096


def test_systemd_default_nofile_falls_back_to_pid1_when_version_unknown(tmp_path):
    root = make_tree(tmp_path, '6.1', nofile_pid1=(524288, 524288))
    pid1 = {'soft': 524288, 'hard': 524288}
    assert systemd_default_nofile(root, None, pid1) == {'soft': 524288, 'hard': 524288, 'source': 'pid1'}


def test_systemd_default_nofile_null_without_systemd(tmp_path):
    assert systemd_default_nofile(make_tree(tmp_path, '6.1', container='docker', systemd=None), 252) is None


def test_parse_systemd_nofile_forms():
    assert parse_systemd_nofile('65536') == (65536, 65536)
    assert parse_systemd_nofile('1024:infinity') == (1024, 'unlimited')
    assert parse_systemd_nofile('x') is None


def test_limits_entries_from_limits_conf_and_limits_d(tmp_path):
    root = make_tree(tmp_path, '6.1', files={
        'etc/security/limits.conf': '# comment\n*  soft  nofile  4096\n*  hard  nproc  100\n',
        'etc/security/limits.d/90-nofile.conf': 'root - nofile unlimited\n@web hard nofile 1048577 # too high\n',
        'etc/security/limits.d/README': '* soft nofile 1\n',
    })
    entries = limits_entries(root)
    assert entries == [
        {'file': '/etc/security/limits.conf', 'line': 2, 'domain': '*', 'type': 'soft', 'value': 4096},
        {'file': '/etc/security/limits.d/90-nofile.conf', 'line': 1, 'domain': 'root', 'type': '-', 'value': 'unlimited'},
        {'file': '/etc/security/limits.d/90-nofile.conf', 'line': 2, 'domain': '@web', 'type': 'hard', 'value': 1048577},
    ]


def test_parse_limits_conf_skips_malformed_lines():
    assert parse_limits_conf('* soft nofile\nfoo bar nofile 1\n', '/x') == []
