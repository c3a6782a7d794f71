# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Each finding: one fixture that triggers it, one that does not."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

from ansible_collections.netlimits.tcp.plugins.module_utils._facts import findings as _findings
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.service_findings import FINDING_IDS as SERVICE_FINDING_IDS
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.gather import gather
from ansible_collections.netlimits.tcp.tests.unit.fixtures.tree import make_tree

DOCS = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'docs', 'findings.md')


def _found(root, fid):
    return [f for f in gather(root)['findings'] if f['id'] == fid]


def _read(root, rel):
    with open(os.path.join(root, rel)) as handle:
        return handle.read()


def _tw(root):
    return int(re.search(r'tw (\d+)', _read(root, 'proc/net/sockstat')).group(1))


def test_every_finding_has_its_section_in_docs_findings_md():
    with open(DOCS) as handle:
        headings = re.findall(r'^## (\S+)$', handle.read(), re.M)
    assert sorted(headings) == sorted(_findings.FINDING_IDS + SERVICE_FINDING_IDS)


def test_finding_shape_and_doc_link(tmp_path):
    root = make_tree(tmp_path, '4.19')
    found = _found(root, 'somaxconn_low')[0]
    assert sorted(found) == ['doc', 'id', 'message', 'recommendation', 'severity', 'value']
    assert found['doc'] == 'docs/findings.md#somaxconn_low'


# port_range_small / time_wait_near_port_range

def test_port_range_small_when_time_wait_holds_half_the_ports(tmp_path):
    root = make_tree(tmp_path, '6.1', sockstat={'tw': 15000})
    found = _found(root, 'port_range_small')
    assert found and found[0]['value']['time_wait'] == _tw(root) == 15000
    assert found[0]['value']['usable_ports'] == 28232
    assert not _found(root, 'time_wait_near_port_range')


def test_port_range_not_small_for_light_time_wait_or_wide_range(tmp_path):
    assert not _found(make_tree(tmp_path, '6.1', sockstat={'tw': 1000}), 'port_range_small')
    wide = make_tree(tmp_path, '6.1', sockstat={'tw': 15000}, sysctl={'net.ipv4.ip_local_port_range': '15000\t65000'})
    assert not _found(wide, 'port_range_small')


def test_time_wait_near_port_range_is_critical(tmp_path):
    root = make_tree(tmp_path, '6.1', sockstat={'tw': 28000})
    found = _found(root, 'time_wait_near_port_range')
    assert found[0]['severity'] == 'critical' and found[0]['value']['time_wait'] == _tw(root)
    assert not _found(root, 'port_range_small')


def test_time_wait_not_near_port_range_below_90_percent(tmp_path):
    assert not _found(make_tree(tmp_path, '6.1', sockstat={'tw': 25000}), 'time_wait_near_port_range')


# tw_reuse_off

def test_tw_reuse_off_with_many_time_wait_sockets(tmp_path):
    root = make_tree(tmp_path, '6.1', sockstat={'tw': 5000}, sysctl={'net.ipv4.tcp_tw_reuse': '0'})
    found = _found(root, 'tw_reuse_off')
    assert found[0]['value'] == {'tcp_tw_reuse': int(_read(root, 'proc/sys/net/ipv4/tcp_tw_reuse')), 'time_wait': 5000}


def test_tw_reuse_loopback_only_counts_as_off(tmp_path):
    root = make_tree(tmp_path, '4.19', sockstat={'tw': 5000})
    assert _read(root, 'proc/sys/net/ipv4/tcp_tw_reuse').strip() == '2'
    assert _found(root, 'tw_reuse_off')


def test_tw_reuse_off_not_reported_when_on_or_idle(tmp_path):
    assert not _found(make_tree(tmp_path, '6.1', sockstat={'tw': 5000}, sysctl={'net.ipv4.tcp_tw_reuse': '1'}),
                      'tw_reuse_off')
    assert not _found(make_tree(tmp_path, '6.1', sockstat={'tw': 10}, sysctl={'net.ipv4.tcp_tw_reuse': '0'}),
                      'tw_reuse_off')


# tw_reuse_without_timestamps

def test_tw_reuse_without_timestamps(tmp_path):
    root = make_tree(tmp_path, '5.15', sysctl={'net.ipv4.tcp_tw_reuse': '1', 'net.ipv4.tcp_timestamps': '0'})
    assert _found(root, 'tw_reuse_without_timestamps')[0]['value'] == {'tcp_tw_reuse': 1, 'tcp_timestamps': 0}


def test_tw_reuse_with_timestamps_is_fine(tmp_path):
    root = make_tree(tmp_path, '5.15', sysctl={'net.ipv4.tcp_tw_reuse': '1'})
    assert _read(root, 'proc/sys/net/ipv4/tcp_timestamps').strip() == '1'
    assert not _found(root, 'tw_reuse_without_timestamps')


# tw_recycle_on

def test_tw_recycle_on_is_critical_on_3_10(tmp_path):
    root = make_tree(tmp_path, '3.10', sysctl={'net.ipv4.tcp_tw_recycle': '1'})
    found = _found(root, 'tw_recycle_on')
    assert found[0]['severity'] == 'critical' and found[0]['value'] == 1


def test_tw_recycle_off_or_absent_is_fine(tmp_path):
    assert not _found(make_tree(tmp_path, '3.10'), 'tw_recycle_on')
    assert not _found(make_tree(tmp_path, '5.15'), 'tw_recycle_on')


# somaxconn_low

def test_somaxconn_low_on_4_19_default(tmp_path):
    root = make_tree(tmp_path, '4.19')
    assert _found(root, 'somaxconn_low')[0]['value'] == int(_read(root, 'proc/sys/net/core/somaxconn')) == 128


def test_somaxconn_default_4096_is_fine(tmp_path):
    root = make_tree(tmp_path, '5.15')
    assert int(_read(root, 'proc/sys/net/core/somaxconn')) == _findings.SOMAXCONN_MIN
    assert not _found(root, 'somaxconn_low')


# listen_overflows

def test_listen_overflows_above_zero(tmp_path):
    root = make_tree(tmp_path, '6.1', counters={'ListenOverflows': 3, 'ListenDrops': 4})
    assert _found(root, 'listen_overflows')[0]['value'] == {'ListenOverflows': 3, 'ListenDrops': 4}


def test_no_listen_overflows(tmp_path):
    assert not _found(make_tree(tmp_path, '6.1'), 'listen_overflows')


# time_wait_overflow

def test_time_wait_overflow_counted(tmp_path):
    root = make_tree(tmp_path, '6.1', counters={'TCPTimeWaitOverflow': 9})
    assert _found(root, 'time_wait_overflow')[0]['value'] == {'TCPTimeWaitOverflow': 9, 'tcp_max_tw_buckets': 16384}


def test_no_time_wait_overflow(tmp_path):
    assert not _found(make_tree(tmp_path, '6.1'), 'time_wait_overflow')


# conntrack_fill

def test_conntrack_fill_warning_above_75_percent(tmp_path):
    root = make_tree(tmp_path, '6.1', sysctl={'net.netfilter.nf_conntrack_count': '52000'})
    found = _found(root, 'conntrack_fill')
    assert found[0]['severity'] == 'warning'
    assert found[0]['value']['count'] == int(_read(root, 'proc/sys/net/netfilter/nf_conntrack_count')) == 52000


def test_conntrack_fill_critical_above_90_percent_in_container(tmp_path):
    root = make_tree(tmp_path, '6.1', container='podman', sysctl={'net.netfilter.nf_conntrack_count': '60000'})
    found = _found(root, 'conntrack_fill')
    assert found[0]['severity'] == 'critical'
    assert 'read-only here' in found[0]['message']


def test_conntrack_fill_fine_at_75_percent_or_not_loaded(tmp_path):
    assert not _found(make_tree(tmp_path, '6.1', sysctl={'net.netfilter.nf_conntrack_count': '49152'}), 'conntrack_fill')
    assert not _found(make_tree(tmp_path, '6.1', conntrack=False), 'conntrack_fill')


# nofile_soft_low

def test_nofile_soft_low_for_services_and_self(tmp_path):
    """With systemd as PID 1 the services' limit is judged, not PID 1's own (systemd raises its own).

    Services by their hard limit (the most a service can raise its soft one to), the gathering process by its soft.
    """
    root = make_tree(tmp_path, '6.1', nofile_self=(1024, 524288), nofile_pid1=(4096, 524288),
                     files={'etc/systemd/system.conf.d/90-x.conf': '[Manager]\nDefaultLimitNOFILE=8192:16384\n'})
    found = _found(root, 'nofile_soft_low')
    assert [(f['value']['process'], f['value']['soft']) for f in found] == [('services', 8192), ('self', 1024)]
    assert found[0]['value']['source'] == '/etc/systemd/system.conf.d/90-x.conf'
    assert 'Max open files            4096' in _read(root, 'proc/1/limits')


def test_nofile_soft_low_for_pid1_without_systemd(tmp_path):
    root = make_tree(tmp_path, '6.1', systemd=None, nofile_self=(1024, 524288), nofile_pid1=(4096, 524288))
    found = _found(root, 'nofile_soft_low')
    assert [(f['value']['process'], f['value']['soft']) for f in found] == [('pid1', 4096), ('self', 1024)]


def test_nofile_soft_high_or_unlimited_is_fine(tmp_path):
    root = make_tree(tmp_path, '6.1', nofile_self=(65536, 65536), nofile_pid1=('unlimited', 'unlimited'),
                     files={'etc/systemd/system.conf.d/90-x.conf': '[Manager]\nDefaultLimitNOFILE=infinity\n'})
    assert not _found(root, 'nofile_soft_low')
    no_systemd = make_tree(tmp_path, '6.1', systemd=None, nofile_self=(65536, 65536),
                           nofile_pid1=('unlimited', 'unlimited'))
    assert not _found(no_systemd, 'nofile_soft_low')


# nofile_above_nr_open

def test_nofile_above_nr_open_is_critical(tmp_path):
    root = make_tree(tmp_path, '6.1', files={'etc/security/limits.d/90-x.conf': '* hard nofile 2000000\n'})
    found = _found(root, 'nofile_above_nr_open')
    assert found[0]['severity'] == 'critical'
    assert found[0]['value']['nr_open'] == int(_read(root, 'proc/sys/fs/nr_open')) == 1048576
    assert found[0]['value']['value'] == 2000000


def test_nofile_unlimited_depends_on_pam_limits(tmp_path):
    """Old pam_limits: critical; pam_limits that maps it to fs.nr_open: fine; not found: a warning."""
    conf = {'etc/security/limits.conf': 'root - nofile unlimited\n'}
    old = _found(make_tree(tmp_path, '6.1', pam_limits='1.4.0', files=conf), 'nofile_above_nr_open')
    assert old[0]['value']['line'] == 1 and old[0]['severity'] == 'critical'
    assert not _found(make_tree(tmp_path, '6.1', pam_limits='1.5.2', files=conf), 'nofile_above_nr_open')
    assert _found(make_tree(tmp_path, '6.1', files=conf), 'nofile_above_nr_open')[0]['severity'] == 'warning'


def test_nofile_within_nr_open_is_fine(tmp_path):
    root = make_tree(tmp_path, '6.1', sysctl={'fs.nr_open': '2097152'},
                     files={'etc/security/limits.d/90-x.conf': '* hard nofile 2000000\n',
                            'etc/sysctl.d/90-x.conf': 'fs.nr_open = 2097152\n'})
    assert not _found(root, 'nofile_above_nr_open')


def test_nofile_within_a_live_nr_open_that_boot_does_not_keep_is_found(tmp_path):
    # the boot model: nothing persists fs.nr_open=2097152, so the next boot gives the kernel's 1048576
    root = make_tree(tmp_path, '6.1', sysctl={'fs.nr_open': '2097152'},
                     files={'etc/security/limits.d/90-x.conf': '* hard nofile 2000000\n'})
    found = _found(root, 'nofile_above_nr_open')
    assert found[0]['value']['when'] == 'after the next boot' and found[0]['value']['nr_open'] == 1048576


# sysctl_overridden

def test_sysctl_overridden_by_later_file_with_other_value(tmp_path):
    root = make_tree(tmp_path, '6.1', files={
        'etc/sysctl.d/90-netlimits.conf': 'net.core.somaxconn = 65535\n',
        'etc/sysctl.conf': 'net.core.somaxconn = 1024\n',
        'etc/sysctl.d/99-sysctl.conf': '->../sysctl.conf'})
    found = _found(root, 'sysctl_overridden')
    # /etc/sysctl.conf applies at boot through Debian's link, under the link's name (issue #25 item 2)
    assert found[0]['value'] == {'key': 'net.core.somaxconn', 'winner': '/etc/sysctl.d/99-sysctl.conf',
                                 'value': '1024', 'overridden': ['/etc/sysctl.d/90-netlimits.conf']}


def test_sysctl_same_value_twice_is_not_overridden(tmp_path):
    root = make_tree(tmp_path, '6.1', files={
        'etc/sysctl.d/90-a.conf': 'net.ipv4.ip_local_port_range = 15000 65000\n',
        'etc/sysctl.d/95-b.conf': 'net.ipv4.ip_local_port_range=15000\t65000\n'})
    assert not _found(root, 'sysctl_overridden')


# rc_local_not_executable / rc_local_unsupported

def test_rc_local_not_executable(tmp_path):
    root = make_tree(tmp_path, '6.1', files={'etc/rc.local': '#!/bin/sh\nip link set eth0 txqueuelen 5000\n'},
                     modes={'etc/rc.local': 0o644})
    assert _found(root, 'rc_local_not_executable')


def test_rc_local_executable_is_fine(tmp_path):
    root = make_tree(tmp_path, '6.1', files={'etc/rc.local': '#!/bin/sh\nip link set eth0 txqueuelen 5000\n'},
                     modes={'etc/rc.local': 0o755})
    assert not _found(root, 'rc_local_not_executable')
    assert not _found(root, 'rc_local_unsupported')


def test_rc_local_unsupported_on_systemd_260(tmp_path):
    root = make_tree(tmp_path, '6.14', systemd=260, files={'etc/rc.local': '#!/bin/sh\nip link set eth0 txqueuelen 5000\n'},
                     modes={'etc/rc.local': 0o755})
    assert _found(root, 'rc_local_unsupported')[0]['value']['txqueuelen_lines'] == ['ip link set eth0 txqueuelen 5000']


# tcp_mem_pressure

def test_tcp_mem_near_pressure(tmp_path):
    root = make_tree(tmp_path, '6.1', sockstat={'mem': 50000})
    pressure = int(_read(root, 'proc/sys/net/ipv4/tcp_mem').split()[1])
    found = _found(root, 'tcp_mem_pressure')
    assert found[0]['severity'] == 'warning' and found[0]['value']['tcp_mem'][1] == pressure == 60265


def test_tcp_mem_above_pressure_is_critical(tmp_path):
    assert _found(make_tree(tmp_path, '6.1', sockstat={'mem': 61000}), 'tcp_mem_pressure')[0]['severity'] == 'critical'


def test_tcp_mem_low_use_is_fine(tmp_path):
    assert not _found(make_tree(tmp_path, '6.1', sockstat={'mem': 4000}), 'tcp_mem_pressure')
    # in a container netns tcp_mem is not visible: no finding, no error
    assert not _found(make_tree(tmp_path, '6.1', container='podman', sockstat={'mem': 61000}), 'tcp_mem_pressure')


def test_findings_on_empty_facts_are_empty():
    assert _findings.findings({}) == []


RC_EXITS_EARLY = ('#!/bin/sh\n'
                  'finish() {\n  exit 0\n}\n'
                  'finish\n'
                  'ip link set dev eth0 txqueuelen 5000 || true\n'
                  'exit 0\n')


def test_txqueuelen_not_in_effect_when_rc_local_exits_before_its_line(tmp_path):
    # issue #14 L12: an earlier exit skips the line; live eth0 is still 1000
    root = make_tree(tmp_path, '6.1', files={'etc/rc.local': RC_EXITS_EARLY}, modes={'etc/rc.local': 0o755})
    found = _found(root, 'txqueuelen_not_in_effect')
    assert len(found) == 1 and found[0]['value'] == {
        'interface': 'eth0', 'txqueuelen': 1000, 'persisted': 5000, 'file': '/etc/rc.local'}
    applied = make_tree(tmp_path, '6.1', files={'etc/rc.local': RC_EXITS_EARLY}, modes={'etc/rc.local': 0o755},
                        interfaces=[{'name': 'lo', 'kind': 'loopback'}, {'name': 'eth0', 'txqueuelen': 5000}])
    assert _found(applied, 'txqueuelen_not_in_effect') == []
    never_runs = make_tree(tmp_path, '6.1', files={'etc/rc.local': RC_EXITS_EARLY}, modes={'etc/rc.local': 0o644})
    assert _found(never_runs, 'txqueuelen_not_in_effect') == []   # rc_local_not_executable says why


def test_txqueuelen_not_in_effect_from_udev_and_link_files(tmp_path):
    rules = 'ACTION=="add", SUBSYSTEM=="net", KERNEL=="eth0", ATTR{tx_queue_len}="4000"\n'
    root = make_tree(tmp_path, '6.1', files={'etc/udev/rules.d/90-txq.rules': rules})
    assert _found(root, 'txqueuelen_not_in_effect')[0]['value']['file'] == '/etc/udev/rules.d/90-txq.rules'
    link = '[Match]\nOriginalName=eth0\n\n[Link]\nTransmitQueueLength=3000\n'
    root = make_tree(tmp_path, '6.1', files={'etc/systemd/network/10-eth0.link': link})
    assert _found(root, 'txqueuelen_not_in_effect')[0]['value']['persisted'] == 3000
    glob = rules.replace('KERNEL=="eth0"', 'KERNEL=="eth*"')
    root = make_tree(tmp_path, '6.1', files={'etc/udev/rules.d/90-txq.rules': glob})
    assert _found(root, 'txqueuelen_not_in_effect') == []


CT_HEADER = ('entries  clashres found new invalid ignore delete chainlength insert insert_failed drop early_drop '
             'icmp_error  expect_new expect_create expect_delete search_restart\n')


def ct_stat(rows):
    """proc/net/stat/nf_conntrack with one row per CPU: (insert_failed, drop, early_drop) in hex columns."""
    return CT_HEADER + ''.join(
        '00002000  00000000 00000000 00000000 00000004 00000000 00000000 00000000 00000000 %08x %08x %08x '
        '00000000  00000000 00000000 00000000 00000000\n' % row for row in rows)


def test_conntrack_dropped_from_the_per_cpu_counters_since_boot(tmp_path):
    # issue #13: the table was full during the ab stall, and is not any more when facts are gathered
    root = make_tree(tmp_path, '6.1', files={'proc/net/stat/nf_conntrack': ct_stat([(0, 0x100, 0), (1, 0x23, 0)])})
    found = _found(root, 'conntrack_dropped')
    assert len(found) == 1 and found[0]['severity'] == 'critical'
    assert found[0]['value']['drop'] == 0x123 and found[0]['value']['insert_failed'] == 1
    # issue #25 item 6: the counter counts packets conntrack could not track (net/netfilter/nf_conntrack_core.c,
    # NF_CT_STAT_INC(net, drop) per packet), since boot; the max read now need not be the max they hit
    message = found[0]['message']
    assert 'packets' in message and 'new connections' not in message and 'since boot' in message
    assert '(max 65536) was full' not in message and 'max now is 65536' in message
    assert found[0]['value']['max_now'] == 65536
    early = make_tree(tmp_path, '6.1', files={'proc/net/stat/nf_conntrack': ct_stat([(0, 0, 7), (0, 0, 0)])})
    assert _found(early, 'conntrack_dropped')[0]['severity'] == 'warning'
    clean = make_tree(tmp_path, '6.1', files={'proc/net/stat/nf_conntrack': ct_stat([(3, 0, 0), (0, 0, 0)])})
    assert _found(clean, 'conntrack_dropped') == []
    unloaded = make_tree(tmp_path, '6.1', conntrack=False,
                         files={'proc/net/stat/nf_conntrack': ct_stat([(0, 5, 0)])})
    assert _found(unloaded, 'conntrack_dropped') == []
