# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.netlimits.tcp.plugins.module_utils._facts import gather
from ansible_collections.netlimits.tcp.plugins.module_utils._facts_sockets import (
    connection_states, parse_netstat, parse_sockstat, sockets,
)
from ansible_collections.netlimits.tcp.plugins.module_utils._facts_sysctl import sysctls
from ansible_collections.netlimits.tcp.tests.unit.fixtures.tree import make_tree


def test_sockstat_totals_and_tcp_mem(tmp_path):
    root = make_tree(tmp_path, '6.1', sockstat={'inuse': 42, 'tw': 900, 'mem': 77, 'orphan': 3, 'alloc': 50})
    facts = sockets(root, sysctls(root, [6, 1, 0]))
    assert facts['tcp'] == {'inuse': 42, 'orphan': 3, 'tw': 900, 'alloc': 50, 'mem': 77}
    assert facts['tcp6'] == {'inuse': 2}
    assert facts['tcp_mem_pages'] == [45198, 60265, 90396]
    assert facts['connections'] is None


def test_tcpext_counters_are_read_by_name(tmp_path):
    root = make_tree(tmp_path, '5.15', counters={'ListenOverflows': 17, 'ListenDrops': 19, 'TCPAbortOnMemory': 2})
    facts = sockets(root)
    assert facts['counters'] == {'ListenOverflows': 17, 'ListenDrops': 19, 'TCPTimeWaitOverflow': 0,
                                 'TCPAbortOnMemory': 2}


def test_parsers_tolerate_missing_input():
    assert parse_sockstat(None) == {}
    assert parse_netstat('IpExt: A\nIpExt: 1\n') == {}


def test_connection_states_counted_per_state(tmp_path):
    root = make_tree(tmp_path, '6.1', tcp=[(80, 'LISTEN'), (40000, 'TIME_WAIT'), (40001, 'TIME_WAIT'),
                                           (40002, 'ESTABLISHED'), (22, 'ESTABLISHED')])
    facts = connection_states(root)
    assert facts == {'states': {'LISTEN': 1, 'TIME_WAIT': 2, 'ESTABLISHED': 2}, 'port_range': None,
                     'sockets_scanned': 5}


def test_connection_states_filtered_by_local_port_range(tmp_path):
    root = make_tree(tmp_path, '6.1', tcp=[(80, 'LISTEN'), (40000, 'TIME_WAIT'), (40001, 'TIME_WAIT'),
                                           (40002, 'ESTABLISHED'), (22, 'ESTABLISHED')])
    facts = connection_states(root, [32768, 60999])
    assert facts['states'] == {'TIME_WAIT': 2, 'ESTABLISHED': 1}
    assert facts['port_range'] == [32768, 60999]
    assert facts['sockets_scanned'] == 5


def test_default_gather_does_not_open_proc_net_tcp(tmp_path):
    root = make_tree(tmp_path, '6.1', tcp=[(40000, 'TIME_WAIT')])
    for name in ('tcp', 'tcp6'):  # a directory in its place: any attempt to read it is recorded as unreadable
        os.remove(os.path.join(root, 'proc/net', name))
        os.mkdir(os.path.join(root, 'proc/net', name))
    facts = gather(root)
    assert facts['sockets']['connections'] is None
    assert facts['unreadable'] == []
    facts = gather(root, connections=True)
    assert facts['unreadable'] == ['/proc/net/tcp', '/proc/net/tcp6']


def test_gather_with_connections_counts_states(tmp_path):
    root = make_tree(tmp_path, '6.1', tcp=[(40000, 'TIME_WAIT'), (80, 'LISTEN')])
    facts = gather(root, connections=True, port_range=[80, 80])
    assert facts['sockets']['connections']['states'] == {'LISTEN': 1}
