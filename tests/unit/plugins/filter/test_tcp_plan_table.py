# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plan table and the limits table, asserted against reports the planner makes over fixture hosts.

Each report comes from tune() - the module's whole path - over a fixture tree (tests/unit/fixtures/tree.py),
so the tables are checked against what the role really reports, and the expected values come from the report
or the fixture, never from the table code.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.netlimits.tcp.plugins.filter import tcp_limits_table, tcp_plan_table
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.gather import gather
from ansible_collections.netlimits.tcp.tests.unit.tuning import tune
from ansible_collections.netlimits.tcp.plugins.plugin_utils._report import format as _tables
from ansible_collections.netlimits.tcp.tests.unit.fixtures.role import PROFILES
from ansible_collections.netlimits.tcp.tests.unit.fixtures.tree import make_tree

OWNER = (0, 0) if os.geteuid() == 0 else None
IP = 'usr/sbin/ip'
GENERATOR = 'usr/lib/systemd/system-generators/systemd-rc-local-generator'


def _run(argv):
    if argv[-1] == '--version':
        return 0, 'sysctl from procps-ng 4.0.2\n' if 'sysctl' in argv[0] else 'systemd 252 (252.22-1)\n', ''
    return 0, '', ''


def host(tmp_path, profile='6.1', **kwargs):
    files = dict(kwargs.pop('files', None) or {})
    files.setdefault(IP, '')
    files.setdefault(GENERATOR, '')
    return make_tree(tmp_path, profile, files=files, **kwargs)


def planned(root, check_mode=True, **params):
    """(tcp_tune_report, the facts gathered before) of one tune() run over a fixture root."""
    facts = gather(root)
    result = tune(root, dict(('tcp_tune_' + k, v) for k, v in params.items()), check_mode, _run,
                  lambda name: '/usr/bin/' + name, OWNER, profiles=PROFILES)
    return result['report'], facts


def rows(lines):
    """key -> cells of the plan rows (the lines with ' -> ' between the values)."""
    out = {}
    for line in lines:
        if ' -> ' in line and not line.startswith('capacity'):
            cells = re.split(r'\s{2,}', line.strip())
            out[cells[0]] = cells
    return out


def fmt(value):
    if value is None:
        return '-'
    if isinstance(value, list):
        return ' '.join('%s' % v for v in value)
    if value == 2 ** 63 - 1:
        return 'unlimited'
    return '%s' % value


# ---------------------------------------------------------------- the plan of one host

def test_every_key_that_would_change_is_a_row_with_its_old_and_new_value(tmp_path):
    report, facts = planned(host(tmp_path))
    lines = tcp_plan_table.tcp_plan_table(report, facts=facts, host='deb12')
    table = rows(lines)
    changing = [k for k, e in report['sysctl'].items() if e['status'] == 'applied']
    # The balanced profile on a fresh Debian 12 (kernel defaults in the fixture) changes these.
    assert {'net.ipv4.ip_local_port_range', 'net.ipv4.tcp_tw_reuse', 'net.ipv4.tcp_fin_timeout'} <= set(changing)
    for key in changing:
        entry = report['sysctl'][key]
        assert table[key][1:5] == [fmt(entry['before']), '->', fmt(entry['after']), 'would set'], table[key]
    assert table['net.ipv4.ip_local_port_range'][1:4] == ['32768 60999', '->', '15000 64999']
    assert lines[0].startswith('deb12: plan (check mode, nothing changed)')
    assert 'kernel 6.1.0-18-amd64' in lines[0] and 'profile balanced' in lines[0]


def test_skipped_keys_say_why_in_a_few_words_from_the_report(tmp_path):
    report, facts = planned(host(tmp_path))
    table = rows(tcp_plan_table.tcp_plan_table(report, facts=facts))
    file_max = report['sysctl']['fs.file-max']
    assert file_max['status'] == 'skipped_lower'     # the fixture's file-max is the 64-bit maximum
    assert file_max['before'] == 2 ** 63 - 1
    assert table['fs.file-max'][1:] == ['unlimited', '->', 'unlimited', 'skipped_lower', 'raise_only: unlimited already higher']
    assert report['sysctl']['net.ipv4.tcp_tw_recycle']['status'] == 'skipped_kernel'
    assert table['net.ipv4.tcp_tw_recycle'][4:] == ['skipped_kernel', 'removed in 4.12']


def test_in_a_container_read_only_and_missing_keys_say_so(tmp_path):
    root = host(tmp_path, container='podman', proc_sys_readonly=True)
    report, facts = planned(root, profile='server')
    table = rows(tcp_plan_table.tcp_plan_table(report, facts=facts))
    read_only = [k for k, e in report['sysctl'].items() if e['status'] == 'skipped_read_only']
    assert 'net.ipv4.tcp_fin_timeout' in read_only
    for key in read_only:
        assert table[key][4:] == ['skipped_read_only', 'read-only in a container'], table[key]
    missing = report['sysctl']['net.core.netdev_max_backlog']
    assert missing['status'] == 'skipped_missing'
    assert table['net.core.netdev_max_backlog'][4:] == ['skipped_missing', 'absent in a container netns']


def test_unchanged_keys_are_folded_into_one_line(tmp_path):
    report, facts = planned(host(tmp_path))
    lines = tcp_plan_table.tcp_plan_table(report, facts=facts)
    unchanged = sorted(k for k, e in report['sysctl'].items() if e['status'] == 'unchanged')
    assert unchanged, 'the fixture should leave some key as it is (somaxconn 4096 on 6.1)'
    table = rows(lines)
    assert not set(unchanged) & set(table)
    folded = [line for line in lines if line.startswith('  unchanged: ')]
    assert folded == ['  unchanged: %d (%s)' % (len(unchanged), ', '.join(unchanged))]
    assert ', %d unchanged,' % len(unchanged) in lines[-1]


def test_capacity_in_words_follows_the_port_arithmetic(tmp_path):
    report, facts = planned(host(tmp_path))
    lines = tcp_plan_table.tcp_plan_table(report, facts=facts)
    lo, hi = report['sysctl']['net.ipv4.ip_local_port_range']['before']
    new_lo, new_hi = report['sysctl']['net.ipv4.ip_local_port_range']['after']
    before, after = hi - lo + 1, new_hi - new_lo + 1
    assert (before, after) == (28232, 50000)
    assert 'capacity (would be): ephemeral ports {0:,} -> {1:,}'.format(before, after) in lines
    # docs/limits.md: ports / 60 s without reuse (28,232 / 60 = ~470/s), ~ports per second with tcp_tw_reuse=1.
    outbound = [line for line in lines if line.startswith('capacity (would be): outbound to one destination')][0]
    assert '%d/s -> %d/s without reuse' % (before // 60, after // 60) in outbound
    assert '470/s -> 833/s' in outbound and '~50,000/s with reuse' in outbound
    assert 'tcp_tw_reuse 2 (loopback only) -> 1 (on)' in outbound


def test_reserved_ports_in_the_new_range_are_not_counted(tmp_path):
    # A service listening on 20000 (inside the new range): the role reserves it, one usable port fewer.
    root = host(tmp_path, tcp=[(20000, 'LISTEN')])
    report, facts = planned(root)
    assert report['sysctl']['net.ipv4.ip_local_reserved_ports']['after'] == [[20000, 20000]]
    lines = tcp_plan_table.tcp_plan_table(report, facts=facts)
    assert 'capacity (would be): ephemeral ports 28,232 -> 49,999' in lines
    assert rows(lines)['net.ipv4.ip_local_reserved_ports'][1:4] == ['(none)', '->', '20000']


def test_findings_one_line_each_with_severity_and_totals(tmp_path):
    root = host(tmp_path, nofile_pid1=(1024, 524288))
    report, facts = planned(root)
    lines = tcp_plan_table.tcp_plan_table(report, facts=facts)
    assert report['findings'], 'a soft nofile of 1024 is a finding'
    start = lines.index([line for line in lines if line.startswith('findings now: ')][0])
    listed = lines[start + 1:start + 1 + len(report['findings'])]
    for finding in report['findings']:
        assert any(line.split()[:2] == [finding['severity'], finding['id']] for line in listed), finding
    total = lines[-1]
    changed = len([e for e in report['sysctl'].values() if e['status'] == 'applied'])
    assert total.startswith('total: %d keys would change' % changed)
    assert total.endswith('findings now %d' % len(report['findings']))


def test_applied_for_real_it_says_set_and_findings_left(tmp_path):
    root = host(tmp_path)
    report, facts = planned(root, check_mode=False)
    lines = tcp_plan_table.tcp_plan_table(report, facts=facts, host='h')
    assert lines[0].startswith('h: tuned')
    assert 'would' not in '\n'.join(lines)
    assert rows(lines)['net.ipv4.tcp_fin_timeout'][1:5] == ['60', '->', '30', 'set']
    assert any(line.startswith('findings left: ') for line in lines)
    assert [line for line in lines if line.startswith('  write ')] == [
        '  write ' + ', '.join(p for p in sorted(report['files']) if report['files'][p] == 'applied')]
    assert any(line.startswith('capacity: ephemeral ports ') for line in lines)


def test_one_host_fits_one_screen_and_the_columns_line_up(tmp_path):
    report, facts = planned(host(tmp_path, tcp=[(20000, 'LISTEN')]), txqueuelen=5000, interfaces=['eth0'],
                            systemd_default_nofile=1048576)
    lines = tcp_plan_table.tcp_plan_table(report, facts=facts)
    assert len(lines) <= 40
    table = [line for line in lines if ' -> ' in line and not line.startswith('capacity')]
    assert len(set(line.index(' -> ') for line in table)) == 1
    assert 'txqueuelen eth0' in rows(lines) and 'DefaultLimitNOFILE' in rows(lines)


def test_revert_restores_are_rows_too(tmp_path):
    root = host(tmp_path)
    planned(root, check_mode=False)
    report, facts = planned(root, check_mode=True, state='absent')
    lines = tcp_plan_table.tcp_plan_table(report, facts=facts)
    restored = [k for k, e in report['sysctl'].items() if e['status'] == 'restored']
    assert restored
    for key in restored:
        assert rows(lines)[key][4] == 'would restore'
    assert 'state absent' in lines[0]
    report, facts = planned(root, check_mode=False, state='absent')
    lines = tcp_plan_table.tcp_plan_table(report, facts=facts, host='h')
    assert lines[0].startswith('h: reverted - state absent')
    assert set(rows(lines)[k][4] for k in restored) == {'restored'}


def test_short_why_falls_back_to_the_reason():
    entry = {'status': 'skipped_missing', 'reason': 'something  the rules do not know'}
    assert _tables.short_why(entry) == 'something the rules do not know'
    assert _tables.short_why({'status': 'overridden', 'overridden_by': '/etc/sysctl.conf'}) == \
        'loses at boot to /etc/sysctl.conf'


def test_plan_filter_rejects_what_is_not_a_report():
    with pytest.raises(AnsibleFilterError):
        tcp_plan_table.tcp_plan_table(['not', 'a', 'report'])
    with pytest.raises(AnsibleFilterError):
        tcp_plan_table.tcp_plan_table({}, facts='nope')
    assert sorted(tcp_plan_table.FilterModule().filters()) == ['tcp_plan_table']
    assert sorted(tcp_limits_table.FilterModule().filters()) == ['tcp_limits_table']


# ---------------------------------------------------------------- the gathered limits

def _limit_rows(lines):
    """(group, key, value, note) of the limits table; the group is carried down from its first row."""
    out, group = [], None
    for line in lines[1:]:
        if not line.startswith('  ') or line.startswith('  unreadable'):
            continue
        cells = re.split(r'\s{2,}', line[2:])
        if not line.startswith('   '):
            group = cells.pop(0)
        else:
            cells = re.split(r'\s{2,}', line.strip())
        out.append((group, cells[0], cells[1] if len(cells) > 1 else '', cells[2] if len(cells) > 2 else ''))
    return out


def test_limits_table_groups_the_facts_and_shows_their_values(tmp_path):
    facts = gather(host(tmp_path))
    lines = tcp_limits_table.tcp_limits_table(facts, host='deb12', findings=False)
    assert lines[0] == 'deb12: limits gathered - kernel 6.1.0-18-amd64, host, initial netns'
    table = _limit_rows(lines)
    groups = [g for g, dummy, dummy2, dummy3 in table]
    assert [g for i, g in enumerate(groups) if g not in groups[:i]] == [
        'ports, TIME_WAIT', 'accept queue', 'conntrack', 'file handles', 'txqueuelen', 'memory']
    by_key = dict((k, (g, v, n)) for g, k, v, n in table)
    for key, group in (('net.ipv4.ip_local_port_range', 'ports, TIME_WAIT'), ('net.ipv4.tcp_tw_reuse', 'ports, TIME_WAIT'),
                       ('net.core.somaxconn', 'accept queue'), ('net.ipv4.tcp_max_syn_backlog', 'accept queue'),
                       ('fs.file-max', 'file handles'), ('fs.nr_open', 'file handles')):
        assert by_key[key][:2] == (group, fmt(facts['sysctl'][key]['value'])), key
    assert by_key['fs.file-max'][1] == 'unlimited'
    assert by_key['net.netfilter.nf_conntrack_max'][1] == fmt(facts['conntrack']['max'])
    assert by_key['eth0'][:2] == ('txqueuelen', fmt(facts['interfaces'][1]['txqueuelen']))
    assert 'lo' not in by_key
    assert by_key['net.ipv4.ip_local_port_range'][2] == '{0:,} ports, 0 reserved in range, {0:,} usable'.format(
        facts['ports']['usable'])
    assert by_key['outbound to one destination'][1] == '%d/s' % int(facts['ports']['outbound_rate_per_destination']['without_tw_reuse'])
    assert not any(line.startswith('findings') for line in lines)
    assert len(lines) <= 25


def test_limits_table_leaves_out_keys_the_host_lacks_and_lists_findings(tmp_path):
    facts = gather(host(tmp_path, container='podman', conntrack=False, nofile_pid1=(1024, 4096)))
    lines = tcp_limits_table.tcp_limits_table(facts)
    by_key = dict((k, (g, v, n)) for g, k, v, n in _limit_rows(lines))
    assert 'net.core.netdev_max_backlog' not in by_key          # initial netns only
    assert by_key['nf_conntrack'][:2] == ('conntrack', 'not loaded')
    assert 'podman container, own netns' in lines[0]
    assert lines.index([line for line in lines if line.startswith('findings: ')][0]) == len(lines) - 1 - len(facts['findings'])
    for finding, line in zip(sorted(facts['findings'], key=lambda f: (_tables.SEVERITIES.index(f['severity']), f['id'])),
                             lines[-len(facts['findings']):]):
        assert line.split()[:2] == [finding['severity'], finding['id']]


def test_limits_filter_rejects_what_are_not_facts():
    with pytest.raises(AnsibleFilterError):
        tcp_limits_table.tcp_limits_table('nope')


def test_skipped_lower_names_the_higher_value_in_effect(tmp_path):
    # file-max set higher than the profile's 2097152 by someone else: left alone, the value in effect named.
    report, facts = planned(host(tmp_path, sysctl={'fs.file-max': '3000000'}))
    assert report['sysctl']['fs.file-max']['status'] == 'skipped_lower'
    assert rows(tcp_plan_table.tcp_plan_table(report, facts=facts))['fs.file-max'][1:] == [
        '3000000', '->', '3000000', 'skipped_lower', 'raise_only: 3000000 already higher']
