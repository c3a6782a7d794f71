# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The metrics text (_facts/prometheus.py) and the per-destination port counts (_facts/destinations.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.netlimits.tcp.plugins.module_utils._facts.destinations import destinations
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.sockets import proc_address
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.gather import gather
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.prometheus import exposition
from ansible_collections.netlimits.tcp.tests.prometheus.fixture_metrics import SERVICES
from ansible_collections.netlimits.tcp.tests.unit.fixtures.tree import make_tree

HEADER = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n'


def _line(i, local, remote, state):
    return '%4d: %s %s %s 00000000:00000000 00:00000000 00000000 0 0 %d\n' % (i, local, remote, state, 1000 + i)


def _samples(text):
    """{sample name with labels: value} of an exposition text."""
    return dict(line.rsplit(' ', 1) for line in text.splitlines() if line and not line.startswith('#'))


def test_hex_addresses_as_the_kernel_prints_them():
    assert proc_address('0100007F') == '127.0.0.1'
    assert proc_address('0000000000000000FFFF00000100007F') == '::ffff:127.0.0.1'


def test_ports_in_range_counted_per_destination(tmp_path):
    root = make_tree(tmp_path, '6.1')
    lines = [HEADER]
    # three ports of the range toward 10.0.0.5:443 (TIME_WAIT counts), one toward 10.0.0.6:443,
    # a listener and a port outside the range that do not count
    for i, (port, state) in enumerate(((40000, '06'), (40001, '01'), (40002, '06'))):
        lines.append(_line(i, '0200000A:%04X' % port, '0500000A:01BB', state))
    lines.append(_line(3, '0200000A:9C45', '0600000A:01BB', '01'))
    lines.append(_line(4, '00000000:9C46', '00000000:0000', '0A'))
    lines.append(_line(5, '0200000A:0016', '0500000A:01BB', '01'))
    with open(os.path.join(root, 'proc/net/tcp'), 'w') as handle:
        handle.write(''.join(lines))
    dest = destinations(root, [32768, 60999])
    assert dest['max'] == 3
    assert dest['top'] == [{'destination': '10.0.0.5:443', 'ports': 3}, {'destination': '10.0.0.6:443', 'ports': 1}]
    assert dest['destinations'] == 2
    assert dest['sockets_scanned'] == 6
    assert dest['truncated'] is False
    bounded = destinations(root, [32768, 60999], max_sockets=2)
    assert bounded['sockets_scanned'] == 2 and bounded['truncated'] is True and bounded['max'] == 2
    assert destinations(root, None) is None


def test_metrics_carry_the_facts_values(tmp_path):
    root = make_tree(tmp_path, '6.1', sysctl={'net.ipv4.tcp_max_tw_buckets': '4096'},
                     counters={'TCPTimeWaitOverflow': 7})
    facts = gather(root)
    facts['services'] = SERVICES
    samples = _samples(exposition(facts, destinations(root, facts['ports']['range']), 1700000000.0, 0.5))
    assert samples['netlimits_tcp_max_tw_buckets'] == '4096'
    assert samples['netlimits_tcp_local_ports_usable'] == str(facts['ports']['usable'])
    assert samples['netlimits_tcp_time_wait_overflows_total'] == '7'
    assert samples['netlimits_tcp_collect_timestamp_seconds'] == '1700000000.0'
    # two SO_REUSEPORT listeners on one port: one series, the fuller queue
    assert samples['netlimits_tcp_listener_accept_queue{address="0.0.0.0",port="80"}'] == '9'
    assert samples['netlimits_tcp_listener_accept_queue_max{address="0.0.0.0",port="80"}'] == '511'
    assert 'netlimits_tcp_listener_accept_queue_max{address="::",port="22"}' not in samples   # unknown: no sample
    assert samples['netlimits_tcp_listener_established_connections{port="80"}'] == '700'
    # the worker with the most descriptors stands for its unit; its processes are counted
    assert samples['netlimits_tcp_service_open_fds{command="nginx",unit="nginx.service"}'] == '900'
    assert samples['netlimits_tcp_service_processes{command="nginx",unit="nginx.service"}'] == '2'
    assert samples['netlimits_tcp_service_nofile_soft_limit{command="nginx",unit="nginx.service"}'] == '1024'
    # escaped label values; an "unlimited" limit is no number and is left out
    assert samples['netlimits_tcp_service_open_fds{command="my \\"app\\"\\\\x",unit=""}'] == '5'
    assert not any(k.startswith('netlimits_tcp_service_nofile_soft_limit{command="my') for k in samples)
    for item in facts['findings']:
        assert 'netlimits_tcp_findings{finding="%s",severity="%s"}' % (item['id'], item['severity']) in samples


def test_every_family_has_help_and_type_once(tmp_path):
    root = make_tree(tmp_path, '6.1', tcp=[(40000, 'TIME_WAIT')])
    facts = gather(root)
    facts['services'] = SERVICES
    text = exposition(facts, destinations(root, facts['ports']['range']), 1.0, 0.1, 'header')
    assert text.startswith('# header\n')
    names = set(k.split('{')[0] for k in _samples(text))
    for name in names:
        assert text.count('# HELP %s ' % name) == 1 and text.count('# TYPE %s ' % name) == 1
        assert name.endswith('_total') == ('# TYPE %s counter' % name in text)


def test_without_services_or_destinations_no_such_families(tmp_path):
    facts = gather(make_tree(tmp_path, '6.1'))
    text = exposition(facts)
    assert 'netlimits_tcp_listener' not in text and 'netlimits_tcp_service' not in text
    assert 'netlimits_tcp_destination' not in text
    assert 'netlimits_tcp_max_tw_buckets ' in text
