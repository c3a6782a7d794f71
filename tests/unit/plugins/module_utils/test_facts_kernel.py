# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.netlimits.tcp.plugins.module_utils._facts.kernel import (
    behaviour, containment, detect_container, kernel, parse_release,
)
from ansible_collections.netlimits.tcp.tests.unit.fixtures.tree import make_tree, write


def test_parse_release_handles_distribution_suffixes():
    assert parse_release('6.1.0-18-amd64') == [6, 1, 0]
    assert parse_release('3.10.0-1160.el7.x86_64') == [3, 10, 0]
    assert parse_release('6.8-rc3') == [6, 8, 0]
    assert parse_release('garbage') is None
    assert parse_release(None) is None


def test_tw_recycle_reported_present_below_4_12(tmp_path):
    facts = kernel(make_tree(tmp_path, '3.10'))
    assert facts['version'] == [3, 10, 0]
    assert facts['behaviour']['tcp_tw_recycle_exists'] is True
    assert facts['behaviour']['tcp_tw_reuse_default'] == 0
    assert facts['behaviour']['tcp_tw_reuse_loopback_mode'] is False
    assert facts['behaviour']['somaxconn_default'] == 128


def test_tw_recycle_reported_absent_on_4_12_plus(tmp_path):
    assert behaviour([4, 12, 0])['tcp_tw_recycle_exists'] is False
    assert behaviour([4, 11, 9])['tcp_tw_recycle_exists'] is True
    assert kernel(make_tree(tmp_path, '4.19'))['behaviour']['tcp_tw_recycle_exists'] is False


def test_tw_reuse_default_is_2_from_4_18(tmp_path):
    assert behaviour([4, 17, 0])['tcp_tw_reuse_default'] == 0
    assert behaviour([4, 18, 0])['tcp_tw_reuse_default'] == 2
    facts = kernel(make_tree(tmp_path, '4.19'))
    assert facts['behaviour']['tcp_tw_reuse_default'] == 2
    assert facts['behaviour']['tcp_tw_reuse_loopback_mode'] is True


def test_somaxconn_default_is_4096_from_5_4(tmp_path):
    assert behaviour([5, 3, 0])['somaxconn_default'] == 128
    assert behaviour([5, 4, 0])['somaxconn_default'] == 4096
    assert kernel(make_tree(tmp_path, '4.19'))['behaviour']['somaxconn_default'] == 128
    assert kernel(make_tree(tmp_path, '5.15'))['behaviour']['somaxconn_default'] == 4096


def test_tw_reuse_delay_exists_from_6_14(tmp_path):
    assert kernel(make_tree(tmp_path, '6.1'))['behaviour']['tcp_tw_reuse_delay_exists'] is False
    assert kernel(make_tree(tmp_path, '6.14'))['behaviour']['tcp_tw_reuse_delay_exists'] is True


def test_unknown_release_gives_null_behaviour(tmp_path):
    root = make_tree(tmp_path, '6.1')
    write(root, 'proc/sys/kernel/osrelease', 'weird\n')
    facts = kernel(root)
    assert facts['release'] == 'weird'
    assert facts['version'] is None
    assert set(facts['behaviour'].values()) == {None}


def test_host_is_not_a_container_and_in_initial_netns(tmp_path):
    facts = containment(make_tree(tmp_path, '6.1'))
    assert facts == {'container': False, 'engine': None, 'evidence': None,
                     'initial_netns': True, 'netns_method': 'netdev_max_backlog'}


def test_podman_detected_by_containerenv_and_netns_is_not_initial(tmp_path):
    facts = containment(make_tree(tmp_path, '6.1', container='podman'))
    assert facts['engine'] == 'podman'
    assert facts['evidence'] == '/run/.containerenv'
    assert facts['initial_netns'] is False


def test_docker_detected_by_dockerenv(tmp_path):
    assert detect_container(make_tree(tmp_path, '5.15', container='docker')) == ('docker', '/.dockerenv')


def test_lxc_and_nspawn_detected_by_run_systemd_container(tmp_path):
    assert detect_container(make_tree(tmp_path, '5.15', container='lxc'))[0] == 'lxc'
    assert detect_container(make_tree(tmp_path, '5.15', container='systemd-nspawn'))[0] == 'systemd-nspawn'


def test_container_env_of_pid1_detected(tmp_path):
    root = make_tree(tmp_path, '6.1')
    write(root, 'proc/1/environ', 'PATH=/bin\0container=oci\0')
    assert detect_container(root) == ('container', '/proc/1/environ')


def test_docker_detected_by_cgroup_path(tmp_path):
    root = make_tree(tmp_path, '4.19')
    write(root, 'proc/1/cgroup', '12:pids:/docker/0123abcd\n0::/docker/0123abcd\n')
    assert detect_container(root) == ('docker', '/proc/1/cgroup')


def test_netns_from_ns_links_when_proc_sys_net_core_is_missing(tmp_path):
    root = make_tree(tmp_path, '6.1')
    for name in os.listdir(os.path.join(root, 'proc/sys/net/core')):
        os.remove(os.path.join(root, 'proc/sys/net/core', name))
    assert containment(root)['initial_netns'] is True
    assert containment(root)['netns_method'] == 'ns_link'
    os.remove(os.path.join(root, 'proc/self/ns/net'))
    os.symlink('net:[4026532999]', os.path.join(root, 'proc/self/ns/net'))
    assert containment(root)['initial_netns'] is False


def test_netns_unknown_in_container_without_proc_sys_net_core(tmp_path):
    root = make_tree(tmp_path, '6.1', container='docker')
    for name in os.listdir(os.path.join(root, 'proc/sys/net/core')):
        os.remove(os.path.join(root, 'proc/sys/net/core', name))
    facts = containment(root)
    assert facts['initial_netns'] is None and facts['netns_method'] is None
