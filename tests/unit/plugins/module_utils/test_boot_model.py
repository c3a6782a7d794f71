# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The boot model (issue #20 item 1): sysctl, conntrack and txqueuelen after the next boot, and not_persisted."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.netlimits.tcp.plugins.module_utils._facts.boot_conntrack import kernel_conntrack
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.boot_txqueuelen import rc_local_runs, rc_local_step
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.gather import gather
from ansible_collections.netlimits.tcp.tests.unit.fixtures.tree import make_tree

GIB = 1024 * 1024   # kB
MEMINFO = 'MemTotal:       %d kB\nMemFree:         100000 kB\n'


def boot(root):
    return gather(root)['after_boot']


def _found(facts, fid):
    return [f for f in facts['findings'] if f['id'] == fid]


# ---------------------------------------------------------------- sysctl (systemd-sysctl)

def test_sysctl_after_boot_follows_systemd_sysctl(tmp_path):
    root = make_tree(tmp_path, '6.1', files={
        'usr/lib/sysctl.d/50-default.conf': 'net.core.somaxconn = 1024\n',
        'etc/sysctl.d/60-app.conf': 'net.core.somaxconn = 8192\n',
        'run/sysctl.d/70-masked.conf': 'net.core.somaxconn = 2\n',
        'etc/sysctl.d/70-masked.conf': '->/dev/null',
        'etc/sysctl.conf': 'net.ipv4.tcp_fin_timeout = 15\n',   # no 99-sysctl.conf link: not read at boot
    })
    after = boot(root)
    assert after['sysctl']['net.core.somaxconn']['value'] == 8192
    assert after['sysctl']['net.core.somaxconn']['source'] == '/etc/sysctl.d/60-app.conf'
    assert after['sysctl']['net.ipv4.tcp_fin_timeout'] == {'value': 60, 'source': 'the kernel default', 'live': 60}
    assert after['sysctl_conf'] == {'exists': True, 'read_at_boot': False, 'through': None}


def test_sysctl_conf_applies_through_the_debian_link(tmp_path):
    root = make_tree(tmp_path, '6.1', files={'etc/sysctl.conf': 'net.ipv4.tcp_fin_timeout = 15\n',
                                             'etc/sysctl.d/99-sysctl.conf': '->../sysctl.conf'})
    after = boot(root)
    assert after['sysctl']['net.ipv4.tcp_fin_timeout']['value'] == 15
    assert after['sysctl_conf'] == {'exists': True, 'read_at_boot': True, 'through': '/etc/sysctl.d/99-sysctl.conf'}


def test_nr_open_after_boot_kernel_default_or_systemds_bump(tmp_path):
    by_hand = make_tree(tmp_path, '6.1', sysctl={'fs.nr_open': '2097152'})
    assert boot(by_hand)['sysctl']['fs.nr_open']['value'] == 1048576
    bumped = make_tree(tmp_path, '6.14', sysctl={'fs.nr_open': '1073741816'})   # Debian 13's systemd bumps it
    assert boot(bumped)['sysctl']['fs.nr_open']['value'] == 1073741816


def test_a_hand_sysctl_w_never_persisted_is_found(tmp_path):
    root = make_tree(tmp_path, '6.1', sysctl={'net.core.somaxconn': '65535'})
    found = _found(gather(root), 'not_persisted')
    assert found[0]['value'] == [{'limit': 'net.core.somaxconn', 'live': 65535, 'after_boot': 4096,
                                  'source': 'the kernel default'}]
    persisted = make_tree(tmp_path, '6.1', sysctl={'net.core.somaxconn': '65535'},
                          files={'etc/sysctl.d/90-x.conf': 'net.core.somaxconn = 65535\n'})
    assert not _found(gather(persisted), 'not_persisted')


# ---------------------------------------------------------------- conntrack (nf_conntrack_init_start)

@pytest.mark.parametrize('version, mem_kb, hashsize, expected', [
    ([6, 1, 0], 3 * GIB, None, (65536, 65536)),           # 2-4 GiB host, since 5.15
    ([6, 1, 0], 8 * GIB, None, (262144, 262144)),
    ([6, 1, 0], 1002000, None, (8192, 8192)),             # a 1 GiB VM (kernel-limits.md: measured 8192)
    ([5, 10, 0], 3 * GIB, None, (16384, 65536)),          # Debian 11: max = 4 x buckets
    ([6, 1, 0], 3 * GIB, 16384, (16384, 131072)),         # hashsize=: max = 8 x hashsize
    ([6, 1, 0], 3 * GIB, 1000, (1024, 8192)),             # rounded up to 512 first
])
def test_kernel_conntrack_formula(version, mem_kb, hashsize, expected):
    assert kernel_conntrack(version, mem_kb, hashsize) == expected


def _conntrack_host(tmp_path, files=None):
    files = dict({'proc/meminfo': MEMINFO % (3 * GIB),
                  'etc/sysctl.d/90-netlimits-tcp.conf': 'net.netfilter.nf_conntrack_max = 131072\n'}, **(files or {}))
    return make_tree(tmp_path, '6.1', sysctl={'net.netfilter.nf_conntrack_max': '131072'}, files=files)


def test_conntrack_loaded_late_by_a_firewall_falls_back(tmp_path):
    # issue #25 item 3: nothing loads nf_conntrack before systemd-sysctl; nftables loads it later
    facts = gather(_conntrack_host(tmp_path))
    ct = facts['after_boot']['conntrack']
    assert (ct['load'], ct['sysctl_applies'], ct['max']) == ('late', False, 65536)
    lost = _found(facts, 'not_persisted')[0]
    assert lost['value'][0]['limit'] == 'net.netfilter.nf_conntrack_max' and 'systemd-sysctl' in lost['message']


@pytest.mark.parametrize('files, load', [
    ({'etc/modules-load.d/90-netlimits-tcp.conf': '# managed\nnf_conntrack\n'}, 'early'),
    ({'etc/modules-load.d/fw.conf': 'nft_ct\n'}, 'early'),
    ({'etc/udev/rules.d/90-ct.rules': 'ACTION=="add", SUBSYSTEM=="module", KERNEL=="nf_conntrack", '
                                      'RUN+="/usr/lib/systemd/systemd-sysctl --prefix=/net/netfilter"\n'}, 'udev'),
    ({'lib/modules/6.1.0-18-amd64/modules.builtin': 'kernel/net/netfilter/nf_conntrack.ko\n'}, 'builtin'),
])
def test_conntrack_sysctl_applies_when_loaded_early(tmp_path, files, load):
    facts = gather(_conntrack_host(tmp_path, files))
    ct = facts['after_boot']['conntrack']
    assert (ct['load'], ct['sysctl_applies'], ct['max']) == (load, True, 131072)
    assert not _found(facts, 'not_persisted')


def test_conntrack_hashsize_sets_max_at_a_late_load(tmp_path):
    facts = gather(_conntrack_host(tmp_path, {'etc/modprobe.d/90-netlimits-tcp.conf': 'options nf_conntrack hashsize=16384\n'}))
    ct = facts['after_boot']['conntrack']
    assert (ct['load'], ct['buckets'], ct['max'], ct['hashsize']) == ('late', 16384, 131072, 16384)


# ---------------------------------------------------------------- txqueuelen

def test_rc_local_runs_only_as_a_shell_script():
    assert rc_local_runs('#!/bin/sh -e\nexit 0\n')[0] is True
    assert rc_local_runs('#!/usr/bin/env bash\n')[0] is True
    assert rc_local_runs('#!/usr/bin/python3\n')[0] is False
    assert rc_local_runs('ip link set dev eth0 txqueuelen 5000\n')[0] is False
    assert rc_local_step('#!/bin/sh\nexit 0\nip link set dev eth0 txqueuelen 5000 || true\n', 'eth0')[0] is None
    assert rc_local_step('#!/bin/sh\nip link set dev eth0 txqueuelen 5000 || true\nexit 0\n', 'eth0') == (5000, None)


def test_txqueuelen_first_matching_link_wins(tmp_path):
    root = make_tree(tmp_path, '6.1', interfaces=[{'name': 'eth0', 'txqueuelen': 5000}], files={
        'etc/systemd/network/10-other.link': '[Match]\nOriginalName=eth*\n[Link]\nNamePolicy=kernel\n',
        'etc/systemd/network/90-netlimits-tcp-eth0.link': '[Match]\nOriginalName=eth0\n[Link]\nTransmitQueueLength=5000\n',
    })
    after = boot(root)['txqueuelen']['eth0']
    assert (after['value'], after['source']) == (1000, "the driver's default")
    masked = make_tree(tmp_path, '6.1', interfaces=[{'name': 'eth0', 'txqueuelen': 5000}], files={
        'etc/systemd/network/10-other.link': '->/dev/null',
        'usr/lib/systemd/network/10-other.link': '[Match]\nOriginalName=*\n[Link]\nNamePolicy=kernel\n',
        'etc/systemd/network/90-netlimits-tcp-eth0.link': '[Match]\nOriginalName=eth0\n[Link]\nTransmitQueueLength=5000\n',
    })
    assert boot(masked)['txqueuelen']['eth0']['value'] == 5000


def test_txqueuelen_no_boot_step_is_found(tmp_path):
    root = make_tree(tmp_path, '6.1', interfaces=[{'name': 'eth0', 'txqueuelen': 5000}])
    found = _found(gather(root), 'not_persisted')
    assert found[0]['value'] == [{'limit': 'eth0 txqueuelen', 'live': 5000, 'after_boot': 1000,
                                  'source': "the driver's default"}]
    udev = make_tree(tmp_path, '6.1', interfaces=[{'name': 'eth0', 'txqueuelen': 5000}], files={
        'etc/udev/rules.d/90-netlimits-tcp-txqueuelen.rules':
            'ACTION=="add", SUBSYSTEM=="net", KERNEL=="eth0", ATTR{tx_queue_len}="5000"\n'})
    assert boot(udev)['txqueuelen']['eth0']['value'] == 5000
    assert not _found(gather(udev), 'not_persisted')


USB_LINK = '[Match]\nType=ether\nProperty=ID_BUS=usb\n\n[Link]\nNamePolicy=mac\nMACAddressPolicy=persistent\n'
OUR_LINK = '[Match]\nOriginalName=ens2\n[Link]\nNamePolicy=keep kernel\nTransmitQueueLength=6000\n'


def test_txqueuelen_link_matching_by_udev_property(tmp_path):
    # Found by the VM lab: Debian 12's 73-usb-net-by-mac.link sorts before ours and matches by Property=;
    # on a virtio NIC (ID_BUS=pci in udev's database) it does not match, so ours applies at boot.
    files = {'usr/lib/systemd/network/73-usb-net-by-mac.link': USB_LINK,
             'etc/systemd/network/90-netlimits-tcp-ens2.link': OUR_LINK,
             'run/udev/data/n1': 'I:1234\nE:ID_BUS=pci\nE:ID_PATH=pci-0000:00:02.0\n'}
    root = make_tree(tmp_path, '6.1', interfaces=[{'name': 'ens2', 'txqueuelen': 6000}], files=files)
    after = boot(root)['txqueuelen']['ens2']
    assert (after['value'], after['source'], after['certain']) == (
        6000, '/etc/systemd/network/90-netlimits-tcp-ens2.link', True)
    usb = dict(files, **{'run/udev/data/n1': 'E:ID_BUS=usb\n'})
    root = make_tree(tmp_path, '6.1', interfaces=[{'name': 'ens2', 'txqueuelen': 6000}], files=usb)
    assert boot(root)['txqueuelen']['ens2']['value'] == 1000    # the USB .link is the first match: no length
