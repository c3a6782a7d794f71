# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.netlimits.tcp.plugins.module_utils._common import keys as _keys
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.read import is_writable
from ansible_collections.netlimits.tcp.plugins.module_utils._common.values import parse_port_set
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.sysctl import parse_value, ports, sysctls
from ansible_collections.netlimits.tcp.tests.unit.fixtures.tree import make_tree


def _read(root, name):
    with open(os.path.join(root, _keys.key_path(name))) as handle:
        return handle.read().strip()


def test_every_key_of_the_table_is_reported(tmp_path):
    facts = sysctls(make_tree(tmp_path, '6.1'), [6, 1, 0])
    assert sorted(facts) == sorted(k.name for k in _keys.KEYS)


def test_values_parse_by_value_type(tmp_path):
    root = make_tree(tmp_path, '5.15', sysctl={'net.ipv4.ip_local_reserved_ports': '9000-9010,8080'})
    facts = sysctls(root, [5, 15, 0])
    assert facts['net.core.somaxconn']['value'] == int(_read(root, 'net.core.somaxconn')) == 4096
    assert facts['net.ipv4.tcp_mem']['value'] == [int(x) for x in _read(root, 'net.ipv4.tcp_mem').split()]
    assert facts['net.ipv4.ip_local_port_range']['raw'] == '32768\t60999'
    assert facts['net.ipv4.ip_local_reserved_ports']['value'] == [[8080, 8080], [9000, 9010]]
    assert facts['net.ipv4.ip_local_reserved_ports']['raw'] == '9000-9010,8080'


def test_port_set_is_sorted_and_merged():
    assert parse_port_set('') == []
    assert parse_port_set('9000-9010,8080,9005-9020,9021') == [[8080, 8080], [9000, 9021]]
    assert parse_value(_keys.TYPE_PORT_SET, '9000-9010,8080') == [[8080, 8080], [9000, 9010]]
    assert parse_value(_keys.TYPE_PORT_SET, '80,x') is None      # the one parser raises; a fact is null
    assert parse_value(_keys.TYPE_INT, 'nope') is None


def test_tw_recycle_present_on_3_10_with_its_value(tmp_path):
    root = make_tree(tmp_path, '3.10', sysctl={'net.ipv4.tcp_tw_recycle': '1'})
    entry = sysctls(root, [3, 10, 0])['net.ipv4.tcp_tw_recycle']
    assert entry['present'] and entry['value'] == 1 and entry['in_kernel'] is True


def test_tw_recycle_absent_and_not_in_kernel_on_5_15(tmp_path):
    entry = sysctls(make_tree(tmp_path, '5.15'), [5, 15, 0])['net.ipv4.tcp_tw_recycle']
    assert entry['present'] is False and entry['value'] is None and entry['in_kernel'] is False
    assert entry['writable'] is False


def test_kernel_defaults_follow_the_version(tmp_path):
    old = sysctls(make_tree(tmp_path, '3.10'), [3, 10, 0])
    new = sysctls(make_tree(tmp_path, '6.14'), [6, 14, 0])
    assert old['net.ipv4.ip_local_port_range']['kernel_default'] == [32768, 61000]
    assert new['net.ipv4.ip_local_port_range']['kernel_default'] == [32768, 60999]
    assert old['net.core.somaxconn']['kernel_default'] == 128
    assert new['net.core.somaxconn']['kernel_default'] == 4096
    assert new['fs.file-max']['kernel_default'] is None  # computed at boot
    assert new['net.ipv4.tcp_tw_reuse_delay']['present'] is True


def test_scope_comes_from_the_key_table(tmp_path):
    facts = sysctls(make_tree(tmp_path, '6.1'), [6, 1, 0])
    assert facts['net.core.somaxconn']['scope'] == 'netns'
    assert facts['net.core.netdev_max_backlog']['scope'] == 'init_netns'
    assert facts['fs.nr_open']['scope'] == 'host'


def test_netdev_max_backlog_missing_in_container_netns(tmp_path):
    facts = sysctls(make_tree(tmp_path, '6.1', container='podman'), [6, 1, 0])
    assert facts['net.core.netdev_max_backlog']['present'] is False
    assert facts['net.core.somaxconn']['present'] is True


def test_mode_0444_sysctl_is_not_writable_even_for_root(tmp_path):
    root = make_tree(tmp_path, '6.1', modes={'proc/sys/net/core/somaxconn': 0o444})
    facts = sysctls(root, [6, 1, 0])
    assert os.stat(os.path.join(root, 'proc/sys/net/core/somaxconn')).st_mode & 0o222 == 0
    assert facts['net.core.somaxconn']['writable'] is False
    assert facts['net.core.somaxconn']['readable'] is True
    assert facts['net.ipv4.tcp_tw_reuse']['writable'] is True


def test_read_only_proc_sys_reports_nothing_writable(tmp_path):
    facts = sysctls(make_tree(tmp_path, '5.15', proc_sys_readonly=True), [5, 15, 0])
    present = [e for e in facts.values() if e['present']]
    assert present and not any(e['writable'] for e in present)


def test_is_writable_false_for_missing_file(tmp_path):
    assert is_writable(str(tmp_path), 'proc/sys/nothing') is False


def test_unreadable_sysctl_is_listed_not_raised(tmp_path):
    root = make_tree(tmp_path, '6.1')
    path = os.path.join(root, 'proc/sys/net/core/somaxconn')
    os.remove(path)
    os.mkdir(path)  # reading a directory fails with EISDIR, like a forbidden file
    unreadable = []
    entry = sysctls(root, [6, 1, 0], unreadable)['net.core.somaxconn']
    assert entry['present'] is True and entry['readable'] is False and entry['value'] is None
    assert unreadable == ['/proc/sys/net/core/somaxconn']


def test_port_figures_on_defaults(tmp_path):
    facts = ports(sysctls(make_tree(tmp_path, '6.1'), [6, 1, 0]))
    assert facts['range'] == [32768, 60999]
    assert facts['size'] == 28232
    assert facts['usable'] == 28232
    assert facts['time_wait_seconds'] == 60
    assert facts['outbound_rate_per_destination'] == {'without_tw_reuse': 470.5, 'with_tw_reuse': 28232.0}


def test_reserved_ports_inside_the_range_reduce_usable(tmp_path):
    root = make_tree(tmp_path, '6.1', sysctl={'net.ipv4.ip_local_port_range': '15000\t65000',
                                              'net.ipv4.ip_local_reserved_ports': '8080,50000-50099,64990-65100'})
    facts = ports(sysctls(root, [6, 1, 0]))
    assert facts['size'] == 50001
    assert facts['reserved_in_range'] == 100 + 11
    assert facts['usable'] == 50001 - 111
    assert facts['reserved'] == '8080,50000-50099,64990-65100'
    assert facts['outbound_rate_per_destination']['without_tw_reuse'] == round((50001 - 111) / 60.0, 1)


def test_tw_reuse_delay_sets_the_reuse_rate(tmp_path):
    root = make_tree(tmp_path, '6.14', sysctl={'net.ipv4.tcp_tw_reuse_delay': '500'})
    facts = ports(sysctls(root, [6, 14, 0]))
    assert facts['tw_reuse_after_seconds'] == 0.5
    assert facts['outbound_rate_per_destination']['with_tw_reuse'] == 28232 * 2


def test_unreadable_port_range_gives_null_figures(tmp_path):
    root = make_tree(tmp_path, '6.1', sysctl={'net.ipv4.ip_local_port_range': None})
    facts = ports(sysctls(root, [6, 1, 0]))
    assert facts['range'] is None and facts['usable'] is None
    assert facts['outbound_rate_per_destination']['without_tw_reuse'] is None
