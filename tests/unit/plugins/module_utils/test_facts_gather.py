# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""gather() end to end on each fixture profile."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.netlimits.tcp.plugins.module_utils._facts.gather import gather
from ansible_collections.netlimits.tcp.tests.unit.fixtures.tree import PROFILES, make_tree

SECTIONS = ['after_boot', 'conntrack', 'containment', 'files', 'findings', 'interfaces', 'kernel', 'persistence', 'ports',
            'provenance', 'sockets', 'sysctl', 'unreadable']


@pytest.mark.parametrize('profile', sorted(PROFILES))
def test_gather_profile_is_consistent(tmp_path, profile):
    facts = gather(make_tree(tmp_path, profile))
    assert sorted(facts) == SECTIONS
    assert facts['kernel']['release'] == PROFILES[profile]['release']
    assert facts['unreadable'] == []
    recycle = facts['sysctl']['net.ipv4.tcp_tw_recycle']
    assert recycle['present'] is facts['kernel']['behaviour']['tcp_tw_recycle_exists']
    delay = facts['sysctl']['net.ipv4.tcp_tw_reuse_delay']
    assert delay['present'] is facts['kernel']['behaviour']['tcp_tw_reuse_delay_exists']
    assert facts['sysctl']['net.ipv4.tcp_tw_reuse']['value'] == facts['kernel']['behaviour']['tcp_tw_reuse_default']
    assert facts['sysctl']['net.core.somaxconn']['value'] == facts['kernel']['behaviour']['somaxconn_default']
    assert facts['persistence']['systemd_version'] == PROFILES[profile]['systemd']
    assert facts['containment']['initial_netns'] is True
    assert facts['conntrack']['writable'] is True
    json.dumps(facts)


def test_gather_in_a_podman_container_on_5_15(tmp_path):
    facts = gather(make_tree(tmp_path, '5.15', container='podman', systemd=None))
    assert facts['containment']['container'] is True and facts['containment']['initial_netns'] is False
    assert facts['sysctl']['net.core.netdev_max_backlog']['present'] is False
    assert facts['sysctl']['net.core.netdev_max_backlog']['in_kernel'] is True
    assert facts['sockets']['tcp_mem_pages'] is None
    assert facts['conntrack']['loaded'] is True and facts['conntrack']['writable'] is False
    assert facts['files']['systemd_default_nofile'] is None
    assert facts['persistence']['rc_local_supported'] is True


def test_gather_without_conntrack_on_4_19(tmp_path):
    facts = gather(make_tree(tmp_path, '4.19', conntrack=False))
    assert facts['conntrack']['loaded'] is False
    assert facts['sysctl']['net.netfilter.nf_conntrack_max']['present'] is False
    assert not [f for f in facts['findings'] if f['id'] == 'conntrack_fill']


def test_gather_on_3_10_with_recycle_on_reports_it(tmp_path):
    facts = gather(make_tree(tmp_path, '3.10', sysctl={'net.ipv4.tcp_tw_recycle': '1'}))
    assert facts['ports']['range'] == [32768, 61000]
    assert facts['ports']['usable'] == 28233
    assert 'tw_recycle_on' in [f['id'] for f in facts['findings']]


def test_gather_on_read_only_proc_sys_in_docker(tmp_path):
    facts = gather(make_tree(tmp_path, '6.1', container='docker', proc_sys_readonly=True))
    assert not [n for n, e in facts['sysctl'].items() if e['writable']]
    assert [n for n, e in facts['sysctl'].items() if e['present'] and e['readable']]
