# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one sysctl.d parser (_sysctl_conf) and the readers that use it: provenance and revert."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netlimits.tcp.plugins.module_utils._common import paths as _paths
from ansible_collections.netlimits.tcp.plugins.module_utils._common import status as _status
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.gather import gather
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.provenance import provenance_from
from ansible_collections.netlimits.tcp.plugins.module_utils._formats.sysctl_conf import (
    normalize_key, parse_sysctl_conf, sysctl_conf_keys,
)
from ansible_collections.netlimits.tcp.tests.unit.fixtures.tree import make_tree
from ansible_collections.netlimits.tcp.tests.unit.fixtures.checked import HEADER, checked_plan

VLAN_KEY = 'net.ipv4.conf.eth0/100.rp_filter'   # /proc/sys/net/ipv4/conf/eth0.100/rp_filter


def test_key_forms_slash_and_dash():
    assert normalize_key('-net/ipv4/tcp_tw_reuse') == ('net.ipv4.tcp_tw_reuse', True)
    assert normalize_key(' net.core.somaxconn ') == ('net.core.somaxconn', False)
    assert normalize_key('- net.core.somaxconn') == ('net.core.somaxconn', True)


def test_a_dot_inside_a_slashed_component_stays_a_literal_dot():
    # procps slashdot(): the first separator is '/', so '/' and '.' swap; the interface eth0.100 keeps its dot
    # (written '/' in the dotted form, as `sysctl -a` prints it)
    assert normalize_key('net/ipv4/conf/eth0.100/rp_filter') == (VLAN_KEY, False)
    # the first separator is '.': nothing swaps, a '/' in a component is the interface's dot already
    assert normalize_key(VLAN_KEY) == (VLAN_KEY, False)


def test_comments_blank_lines_and_lines_without_equals_set_nothing():
    text = '# c\n; c\n   # indented comment\n\n\t\nbogus\nnet.core.somaxconn = 1024\n-fs/nr_open=2097152\n'
    assert parse_sysctl_conf(text) == [(7, 'net.core.somaxconn', '1024', False), (8, 'fs.nr_open', '2097152', True)]


def test_whitespace_around_equals_and_value_do_not_count():
    entries = parse_sysctl_conf('  net.ipv4.ip_local_port_range\t=  15000 64999  \nnet.core.somaxconn=4096\n')
    assert [(e.name, e.value) for e in entries] == [('net.ipv4.ip_local_port_range', '15000 64999'),
                                                    ('net.core.somaxconn', '4096')]


def test_only_the_first_equals_separates_and_an_empty_name_sets_nothing():
    assert parse_sysctl_conf('kernel.core_pattern = |/bin/x a=b\n = 5\n-=1\n') == [
        (1, 'kernel.core_pattern', '|/bin/x a=b', False)]


def test_keys_listed_once_in_file_order():
    text = 'net/ipv4/conf/eth0.100/rp_filter = 1\nnet.core.somaxconn = 1\n-net.core.somaxconn = 2\n'
    assert sysctl_conf_keys(text) == [VLAN_KEY, 'net.core.somaxconn']
    assert sysctl_conf_keys(None) == []


def test_provenance_finds_a_key_written_with_slashes():
    texts = [('/etc/sysctl.d/10-a.conf', 'net/ipv4/conf/eth0.100/rp_filter = 2\n'),
             ('/etc/sysctl.d/20-b.conf', 'net.ipv4.conf.eth0/100.rp_filter = 0\n')]
    entry = provenance_from(texts, [VLAN_KEY])[VLAN_KEY]
    assert entry['winner'] == '/etc/sysctl.d/20-b.conf'
    assert [f['value'] for f in entry['files']] == ['2', '0']


def test_revert_reads_back_a_slashed_key_of_our_file_by_its_dotted_name(tmp_path):
    # The sysctl file of ours edited by hand with the slash form: revert must name the key sysctl(8) means.
    # The old planner parser turned every '/' into '.' and asked for net.ipv4.conf.eth0.100.rp_filter.
    facts = gather(make_tree(tmp_path, '6.1'))
    host = {'files': {_paths.SYSCTL_FILE: {'exists': True, 'ours': True,
                                           'content': HEADER + '\nnet/ipv4/conf/eth0.100/rp_filter = 2\n'}},
            'extra_sysctl': {VLAN_KEY: {'present': True, 'writable': True, 'value': '2', 'raw': '2'}}}
    result = checked_plan({'tcp_tune_state': 'absent'}, facts, host)
    entries = dict((e['key'], e) for e in result['sysctl'])
    assert list(entries) == [VLAN_KEY]
    assert entries[VLAN_KEY]['before'] == '2'
    assert entries[VLAN_KEY]['status'] == _status.UNKNOWN_ORIGINAL
