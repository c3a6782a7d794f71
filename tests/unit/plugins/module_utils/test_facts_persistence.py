# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netlimits.tcp.plugins.module_utils._facts.persistence import (
    parse_systemctl_version, persistence, rc_local, rc_local_supported, systemd_version,
)
from ansible_collections.netlimits.tcp.tests.unit.fixtures.tree import make_tree

RC_LOCAL = '#!/bin/sh\n# ifconfig eth0 txqueuelen 1\nip link set dev eth0 txqueuelen 5000\nifconfig eth1 txqueuelen 4000\nexit 0\n'


def test_rc_local_executable_with_txqueuelen_lines(tmp_path):
    root = make_tree(tmp_path, '6.1', files={'etc/rc.local': RC_LOCAL}, modes={'etc/rc.local': 0o755})
    assert rc_local(root) == {'exists': True, 'executable': True, 'txqueuelen_lines': [
        'ip link set dev eth0 txqueuelen 5000', 'ifconfig eth1 txqueuelen 4000'],
        'txqueuelen': {'eth0': 5000}}   # only `ip link set` lines are parsed


def test_rc_local_not_executable(tmp_path):
    root = make_tree(tmp_path, '6.1', files={'etc/rc.local': RC_LOCAL}, modes={'etc/rc.local': 0o644})
    assert rc_local(root)['executable'] is False


def test_rc_local_absent(tmp_path):
    absent = {'exists': False, 'executable': False, 'txqueuelen_lines': [], 'txqueuelen': {}}
    assert rc_local(make_tree(tmp_path, '6.1')) == absent


def test_udev_and_link_files_that_set_txqueuelen(tmp_path):
    root = make_tree(tmp_path, '6.1', files={
        'etc/udev/rules.d/60-txq.rules': '# x\nACTION=="add", SUBSYSTEM=="net", KERNEL=="eth*", ATTR{tx_queue_len}="5000"\n',
        'lib/udev/rules.d/60-txq.rules': 'ATTR{tx_queue_len}="1"\n',  # masked by /etc
        'usr/lib/udev/rules.d/80-net.rules': 'SUBSYSTEM=="net", ACTION=="add", RUN+="x"\n',
        'etc/systemd/network/10-eth0.link': '[Match]\nOriginalName=eth0\n[Link]\nTransmitQueueLength=4000\n',
        'usr/lib/systemd/network/99-default.link': '[Link]\nNamePolicy=kernel\n',
    })
    facts = persistence(root, True)
    assert facts['udev_txqueuelen'] == [{'file': '/etc/udev/rules.d/60-txq.rules', 'line': 2, 'value': 5000,
                                         'text': 'ACTION=="add", SUBSYSTEM=="net", KERNEL=="eth*", ATTR{tx_queue_len}="5000"',
                                         'interface': None}]   # a glob: not one interface
    assert facts['systemd_link_txqueuelen'] == [{'file': '/etc/systemd/network/10-eth0.link', 'line': 4,
                                                 'value': 4000, 'text': 'TransmitQueueLength=4000',
                                                 'interface': 'eth0'}]


def test_systemd_version_from_libsystemd_shared_name(tmp_path):
    assert systemd_version(make_tree(tmp_path, '6.1')) == 252
    assert systemd_version(make_tree(tmp_path, '3.10')) == 219
    root = make_tree(tmp_path, '6.14', systemd=None, files={'usr/lib/systemd/libsystemd-shared-258.1-1.fc43.so': ''})
    assert systemd_version(root) == 258
    assert systemd_version(make_tree(tmp_path, '6.1', systemd=None)) is None


def test_rc_local_unsupported_from_systemd_260(tmp_path):
    assert persistence(make_tree(tmp_path, '6.1', systemd=260), True)['rc_local_supported'] is False
    assert persistence(make_tree(tmp_path, '6.1', systemd=259), True)['rc_local_supported'] is True
    assert rc_local_supported(None, False) is True
    assert rc_local_supported(None, True) is None


def test_explicit_systemd_version_overrides_the_probe(tmp_path):
    facts = persistence(make_tree(tmp_path, '6.1', systemd=None), True, 261)
    assert facts['systemd_version'] == 261 and facts['rc_local_supported'] is False


def test_parse_systemctl_version():
    assert parse_systemctl_version('systemd 252 (252.22-1~deb12u1)\n+PAM +AUDIT\n') == 252
    assert parse_systemctl_version('nothing') is None
