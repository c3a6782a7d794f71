# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.netlimits.tcp.plugins.module_utils._facts.gather import gather
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.sockets import (
    connection_states, listening_in, listening_ports, parse_netstat, parse_sockstat, socket_line, sockets,
)
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.sysctl import sysctls
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


# As the kernel prints them (net/ipv4/tcp_ipv4.c get_tcp4_sock(), net/ipv6/tcp_ipv6.c get_tcp6_sock()).
TCP_HEADER = ('  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode')
TCP_LISTEN_22 = ('   0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 '
                 '16312 1 0000000000000000 100 0 0 10 0')
TCP6_LISTEN_20000 = ('   0: 00000000000000000000000001000000:4E20 00000000000000000000000000000000:0000 0A '
                     '00000000:00000000 00:00000000 00000000     0        0 19210 1 0000000000000000 100 0 0 10 0')
TCP6_ESTABLISHED_443 = ('   1: 00000000000000000000000001000000:01BB 0000000000000000FFFF00000100007F:C350 01 '
                        '00000000:00000000 00:00000000 00000000     0        0 19211 1 0000000000000000 20 4 30 10 -1')


def test_socket_line_reads_port_and_state_of_both_tables():
    assert socket_line(TCP_HEADER) is None
    assert socket_line(TCP_LISTEN_22) == (22, 'LISTEN')
    assert socket_line(TCP6_ESTABLISHED_443) == (443, 'ESTABLISHED')
    assert socket_line('   0: 00000000:zz 00000000:0000 0A') is None


def test_listening_in_takes_only_listen_lines_of_the_kernel_format():
    lines = [TCP_HEADER, TCP_LISTEN_22, TCP6_LISTEN_20000, TCP6_ESTABLISHED_443, TCP_LISTEN_22]
    assert listening_in(lines) == [22, 20000]
    # a bare local address (what an `awk '$4 == "0A" {print $2}'` once produced) is not a socket line
    assert listening_in(['0100007F:4E20', '00000000:0016']) == []


def test_listening_ports_reads_tcp_and_tcp6(tmp_path):
    root = make_tree(tmp_path, '6.1', tcp=[(80, 'LISTEN'), (40000, 'TIME_WAIT'), (8080, 'LISTEN')])
    with open(os.path.join(root, 'proc/net/tcp6'), 'w') as handle:
        handle.write('\n'.join([TCP_HEADER, TCP6_LISTEN_20000, TCP6_ESTABLISHED_443]) + '\n')
    assert listening_ports(root) == [80, 8080, 20000]
    os.remove(os.path.join(root, 'proc/net/tcp6'))
    assert listening_ports(root) == [80, 8080]
