# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netlimits.tcp.plugins.module_utils._facts.net import conntrack, interfaces
from ansible_collections.netlimits.tcp.tests.unit.fixtures.tree import make_tree, write


def test_conntrack_loaded_and_writable_in_initial_netns(tmp_path):
    root = make_tree(tmp_path, '6.1', sysctl={'net.netfilter.nf_conntrack_count': '52428',
                                              'net.netfilter.nf_conntrack_max': '65536'})
    facts = conntrack(root)
    assert facts == {'loaded': True, 'max': 65536, 'count': 52428, 'buckets': 65536, 'fill': 0.8,
                     'writable': True, 'key': 'net.netfilter.nf_conntrack_max', 'stat': None}


def test_conntrack_max_read_only_in_container_netns(tmp_path):
    facts = conntrack(make_tree(tmp_path, '5.15', container='podman'))
    assert facts['loaded'] is True
    assert facts['max'] == 65536
    assert facts['writable'] is False


def test_conntrack_not_loaded(tmp_path):
    facts = conntrack(make_tree(tmp_path, '6.1', conntrack=False))
    assert facts == {'loaded': False, 'max': None, 'count': None, 'buckets': None, 'fill': None,
                     'writable': False, 'key': None, 'stat': None}


def test_conntrack_old_name_on_old_kernel(tmp_path):
    root = make_tree(tmp_path, '3.10', sysctl={'net.netfilter.nf_conntrack_max': None,
                                               'net.netfilter.nf_conntrack_count': None,
                                               'net.netfilter.nf_conntrack_buckets': None})
    facts = conntrack(root)
    assert facts['key'] == 'net.ipv4.netfilter.ip_conntrack_max'
    assert facts['max'] == 65536 and facts['count'] == 12
    assert facts['buckets'] == 16384  # from the hashsize module parameter (3.x: 16384 above 1 GiB, max 4 x)


def test_conntrack_module_loaded_without_sysctls(tmp_path):
    root = make_tree(tmp_path, '6.1', container='docker', conntrack=False)
    write(root, 'sys/module/nf_conntrack/parameters/hashsize', '16384\n')
    facts = conntrack(root)
    assert facts['loaded'] is True and facts['max'] is None and facts['buckets'] == 16384
    assert facts['writable'] is False


def test_interface_kinds_and_queue_lengths(tmp_path):
    root = make_tree(tmp_path, '6.1', interfaces=[
        {'name': 'lo', 'kind': 'loopback'},
        {'name': 'eno1', 'kind': 'physical', 'txqueuelen': 5000, 'mtu': 9000},
        {'name': 'veth12ab', 'kind': 'veth'},
        {'name': 'br0', 'kind': 'bridge'},
        {'name': 'bond0', 'kind': 'bond'},
        {'name': 'eth0.100', 'kind': 'vlan'},
        {'name': 'wg0', 'kind': 'wireguard'},
        {'name': 'tun0', 'kind': 'tun'},
        {'name': 'dummy0', 'kind': 'dummy'},
        {'name': 'ifb0', 'kind': 'other'},
    ])
    write(root, 'sys/class/net/bonding_masters', 'bond0\n')
    facts = dict((i['name'], i) for i in interfaces(root))
    assert 'bonding_masters' not in facts
    assert facts['eno1'] == {'name': 'eno1', 'txqueuelen': 5000, 'mtu': 9000, 'operstate': 'up',
                             'kind': 'physical', 'physical': True, 'qdisc': None}
    kinds = dict((name, i['kind']) for name, i in facts.items())
    assert kinds == {'lo': 'loopback', 'eno1': 'physical', 'veth12ab': 'veth', 'br0': 'bridge', 'bond0': 'bond',
                     'eth0.100': 'vlan', 'wg0': 'wireguard', 'tun0': 'tun', 'dummy0': 'dummy', 'ifb0': 'virtual'}
    assert [n for n, i in facts.items() if i['physical']] == ['eno1']


def test_container_eth0_is_a_veth(tmp_path):
    facts = interfaces(make_tree(tmp_path, '5.15', container='podman'))
    assert [(i['name'], i['kind']) for i in facts] == [('eth0', 'veth'), ('lo', 'loopback')]
