# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet summary of playbooks/tune.yml: reports and host lists in, lines and totals out."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.netlimits.tcp.plugins.filter import tcp_summary as summary_filter
from ansible_collections.netlimits.tcp.plugins.plugin_utils._report import summary as tcp_summary
from ansible_collections.netlimits.tcp.plugins.module_utils._plan import report as _plan_report


def key(status, before=1, wanted=2, **extra):
    entry = {'before': before, 'wanted': wanted, 'after': wanted if status == 'applied' else before, 'status': status}
    entry.update(extra)
    return entry


def finding(fid, severity='warning'):
    return {'id': fid, 'severity': severity, 'message': '%s message' % fid}


def report(sysctl=None, check_mode=False, findings=None, **keys):
    """A tcp_tune_report with the sysctl keys of the dict sysctl and of name=entry."""
    keys.update(sysctl or {})
    out = {'state': 'present', 'check_mode': check_mode, 'warnings': [], 'files': {}, 'summary': {},
           'sysctl': keys, 'txqueuelen': {}}
    if findings is not None:
        out['findings'] = findings
    return out


WEB = report({'net.core.somaxconn': key('applied', 128, 4096),
              'net.ipv4.tcp_tw_reuse': key('applied', 2, 1),
              'net.ipv4.tcp_fin_timeout': key('unchanged', 30, 30),
              'fs.file-max': key('skipped_lower', 9223372036854775807, 2097152),
              'net.core.netdev_max_backlog': key('skipped_missing', None, 16384)},
             findings=[finding('nofile_soft_low'), finding('conntrack_fill', 'critical'), finding('nofile_soft_low')])
DB = report({'net.core.somaxconn': key('unchanged', 4096, 4096)}, findings=[])


def _entry(data, host):
    return [e for e in data['hosts'] if e['host'] == host][0]


def test_filter_is_registered():
    assert sorted(summary_filter.FilterModule().filters()) == ['tcp_summary']


def test_changed_skipped_overridden_keys_of_a_report():
    rep = report(a=key('applied'), b=key('restored'), c=key('unchanged'),
                 d=key('overridden', live='applied', overridden_by='/etc/sysctl.conf'),
                 e=key('overridden', live='unchanged', overridden_by='/etc/sysctl.d/99-x.conf'),
                 f=key('skipped_read_only'), g=key('skipped_kernel'), h=key('kept_host_scope'),
                 i=key('unknown_original'), j=key('skipped_lower'))
    rep['txqueuelen'] = {'eth0': {'before': 1000, 'wanted': 10000, 'after': 10000, 'status': 'applied'},
                         'eth1': {'before': 1000, 'wanted': 10000, 'after': 1000, 'status': 'skipped_read_only'}}
    assert tcp_summary.changed_keys(rep) == ['a', 'b', 'd', 'txqueuelen eth0']
    assert tcp_summary.skipped_keys(rep) == {'f': 'skipped_read_only', 'g': 'skipped_kernel', 'h': 'kept_host_scope',
                                             'i': 'unknown_original', 'j': 'skipped_lower',
                                             'txqueuelen eth1': 'skipped_read_only'}
    assert tcp_summary.overridden_keys(rep) == {'d': '/etc/sysctl.conf', 'e': '/etc/sysctl.d/99-x.conf'}


def test_a_report_from_the_planner_has_the_shape_the_summary_reads():
    the_plan = {'state': 'present', 'warnings': [], 'files': [], 'sysctl': [
        {'key': 'net.core.somaxconn', 'before': 128, 'wanted': 4096, 'status': 'applied', 'apply': True},
        {'key': 'net.core.netdev_max_backlog', 'before': None, 'wanted': 16384, 'status': 'skipped_missing'},
        {'key': 'net.ipv4.tcp_fin_timeout', 'before': 60, 'wanted': 30, 'status': 'overridden', 'apply': True,
         'live': 'applied', 'overridden_by': '/etc/sysctl.conf'},
    ], 'txqueuelen': {'entries': [{'interface': 'eth0', 'before': 1000, 'wanted': 10000, 'status': 'applied'}]}}
    rep = _plan_report.report(the_plan, {}, True)
    data = tcp_summary.summarize(['h'], {'h': rep})
    assert _entry(data, 'h')['changed'] == ['net.core.somaxconn', 'net.ipv4.tcp_fin_timeout', 'txqueuelen eth0']
    assert _entry(data, 'h')['skipped'] == {'net.core.netdev_max_backlog': 'skipped_missing'}
    assert _entry(data, 'h')['overridden'] == {'net.ipv4.tcp_fin_timeout': '/etc/sysctl.conf'}
    assert data['check_mode'] is True


def test_one_line_per_host_then_each_finding_once_then_totals():
    data = tcp_summary.summarize(['web1', 'db1', 'gone', 'bad'], {'web1': WEB, 'db1': DB},
                                 unreachable={'gone': 'Failed to connect\nto the host'},
                                 failed={'bad': 'in "Plan": tcp_tune_nofile must be an integer'})
    assert data['lines'][0] == (
        'web1: changed 2 (net.core.somaxconn, net.ipv4.tcp_tw_reuse); '
        'skipped 2 (fs.file-max: skipped_lower, net.core.netdev_max_backlog: skipped_missing); '
        'findings left 3 (1 critical, 2 warning)')
    assert data['lines'][1] == 'db1: changed 0; skipped 0; findings left 0'
    assert data['lines'][2] == 'gone: UNREACHABLE - Failed to connect to the host'
    assert data['lines'][3] == 'bad: FAILED - in "Plan": tcp_tune_nofile must be an integer'
    assert data['lines'][4:7] == ['findings left, by finding:',
                                  '  critical  conntrack_fill   1 host  web1',
                                  '  warning   nofile_soft_low  1 host  web1 (2 times in all)']
    assert data['lines'][7] == ('TOTAL 4 hosts: 2 tuned, 1 unreachable, 1 failed; 2 keys changed, 2 skipped; '
                                'findings left 3 (1 critical, 2 warning, 0 info)')
    assert data['lines'][8:] == ['unreachable: gone', 'failed: bad']
    assert len(data['lines']) == 4 + 3 + 3
    assert data['unreachable'] == ['gone'] and data['failed'] == ['bad']
    assert data['totals'] == {'hosts': 4, 'tuned': 2, 'unreachable': 1, 'failed': 1, 'changed': 2, 'skipped': 2,
                              'overridden': 0, 'findings': {'critical': 1, 'warning': 2, 'info': 0, 'total': 3}}
    assert data['check_mode'] is False
    assert [e['line'] for e in data['hosts']] == data['lines'][:4]


def test_the_same_finding_on_many_hosts_is_one_line_with_the_count_and_names():
    hosts = ['web%d' % i for i in range(1, 6)]
    reports = dict((h, report(findings=[finding('nofile_soft_low')] + (
        [finding('conntrack_fill', 'critical')] if h in ('web2', 'web4') else []))) for h in hosts)
    reports['web5'] = report(findings=[finding('somaxconn_low', 'info')])
    data = tcp_summary.summarize(hosts, reports)
    groups = data['finding_groups']
    # critical first; within a severity the finding on more hosts first.
    assert [(g['severity'], g['id'], g['hosts']) for g in groups] == [
        ('critical', 'conntrack_fill', ['web2', 'web4']),
        ('warning', 'nofile_soft_low', ['web1', 'web2', 'web3', 'web4']),
        ('info', 'somaxconn_low', ['web5'])]
    section = data['lines'][len(hosts):len(hosts) + 1 + len(groups)]
    assert section[0] == 'findings left, by finding:'
    assert section[2].split() == ['warning', 'nofile_soft_low', '4', 'hosts', 'web1,', 'web2,', 'web3,', 'web4']
    # One line per finding, whatever the number of hosts: the ids are not repeated on the host lines.
    assert sum('nofile_soft_low' in line for line in data['lines']) == 1
    # The columns line up.
    assert len(set(line.find(' host') for line in section[1:])) == 1
    assert sum(g['count'] for g in groups) == data['totals']['findings']['total']


def test_totals_add_up_over_the_hosts():
    reports = dict(('h%d' % i, report(**dict(('k%d' % j, key('applied' if j < i else 'skipped_missing'))
                                             for j in range(5)))) for i in range(6))
    data = tcp_summary.summarize(sorted(reports), reports, findings=dict((h, [finding('x', 'info')]) for h in reports))
    assert data['totals']['changed'] == sum(len(e['changed']) for e in data['hosts']) == 0 + 1 + 2 + 3 + 4 + 5
    assert data['totals']['skipped'] == sum(len(e['skipped']) for e in data['hosts']) == 6 * 5 - 15
    assert data['totals']['findings'] == {'critical': 0, 'warning': 0, 'info': 6, 'total': 6}
    assert data['totals']['tuned'] + data['totals']['unreachable'] + data['totals']['failed'] == data['totals']['hosts'] == 6


def test_findings_of_the_report_win_over_the_verify_step():
    with_own = report(findings=[finding('a')])
    without = report()
    data = tcp_summary.summarize(['x', 'y', 'z'], {'x': with_own, 'y': without, 'z': without},
                                 findings={'x': [finding('ignored')], 'y': [finding('b', 'info')]})
    assert _entry(data, 'x')['findings'] == [{'id': 'a', 'severity': 'warning'}]
    assert _entry(data, 'y')['findings'] == [{'id': 'b', 'severity': 'info'}]
    assert _entry(data, 'z')['findings'] is None
    assert data['lines'][2] == 'z: changed 0; skipped 0; findings left n/a'
    assert data['totals']['findings']['total'] == 2


def test_check_mode_says_would_change_and_findings_now():
    data = tcp_summary.summarize(['h'], {'h': report(check_mode=True, a=key('applied'), findings=[])})
    assert data['lines'][0] == 'h: would change 1 (a); skipped 0; findings now 0'
    assert data['lines'][1].startswith('TOTAL (check mode, nothing changed) 1 host: 1 tuned,')
    assert '; 1 key would change, 0 skipped;' in data['lines'][1] and 'findings now 0' in data['lines'][1]


def test_overridden_keys_are_named_with_the_file_that_wins():
    rep = report(a=key('overridden', live='applied', overridden_by='/etc/sysctl.conf'), findings=[])
    line = tcp_summary.summarize(['h'], {'h': rep})['lines'][0]
    assert line == 'h: changed 1 (a); skipped 0; overridden 1 (a by /etc/sysctl.conf); findings left 0'


def test_a_host_without_report_is_failed_and_unreachable_wins():
    data = tcp_summary.summarize(['a', 'b'], {'b': WEB}, unreachable=['b'])
    assert _entry(data, 'a')['status'] == 'failed' and 'no tcp_tune_report' in _entry(data, 'a')['msg']
    assert _entry(data, 'b')['status'] == 'unreachable' and _entry(data, 'b')['msg'] is None
    assert data['lines'][1] == 'b: UNREACHABLE'
    assert data['totals']['changed'] == 0


def test_long_messages_are_cut_in_the_line_only():
    text = 'x' * 500
    data = tcp_summary.summarize(['a'], {}, failed={'a': text})
    assert _entry(data, 'a')['msg'] == text
    assert len(data['lines'][0]) == len('a: FAILED - ') + tcp_summary.MSG_MAX
    assert data['lines'][0].endswith('...')


def test_a_host_listed_twice_has_one_line():
    assert len(tcp_summary.summarize(['db1', 'db1'], {'db1': DB})['lines']) == 1 + 3  # DB has no findings


def test_no_hosts():
    data = tcp_summary.summarize([], {})
    assert data['lines'] == ['TOTAL 0 hosts: 0 tuned, 0 unreachable, 0 failed; 0 keys changed, 0 skipped; '
                             'findings left 0 (0 critical, 0 warning, 0 info)', 'unreachable: none', 'failed: none']


def hostvars():
    """What hostvars looks like after the tuning play of playbooks/tune.yml (a dict stands in for HostVars)."""
    return {
        'web1': {'tcp_tune_report': WEB, '__netlimits_tcp_reach': {'changed': False},
                 '__netlimits_tcp_verify': {'skipped': True}},
        'db1': {'tcp_tune_report': report(a=key('applied')), '__netlimits_tcp_reach': {'changed': False},
                '__netlimits_tcp_verify': {'ansible_facts': {'tcp_limits': {'findings': [finding('f', 'info')]}}}},
        # Unreachable now, with a report from an earlier play of the same run: unreachable wins.
        'gone': {'tcp_tune_report': WEB, '__netlimits_tcp_reach': {'unreachable': True, 'msg': 'Failed to connect'}},
        'bad': {'__netlimits_tcp_reach': {'changed': False},
                '__netlimits_tcp_failure': {'task': 'Tune the TCP connection limits', 'msg': 'invalid input'}},
        'lost': {'__netlimits_tcp_reach': {'changed': False}},
        'other': {'tcp_tune_report': WEB},
    }


def test_filter_reads_hostvars():
    data = tcp_summary.tcp_summary(hostvars(), hosts=['web1', 'db1', 'gone', 'bad', 'lost'])
    assert [e['status'] for e in data['hosts']] == ['tuned', 'tuned', 'unreachable', 'failed', 'failed']
    assert _entry(data, 'web1')['changed'] == ['net.core.somaxconn', 'net.ipv4.tcp_tw_reuse']
    assert _entry(data, 'db1')['findings'] == [{'id': 'f', 'severity': 'info'}]
    assert _entry(data, 'gone')['msg'] == 'Failed to connect'
    assert _entry(data, 'bad')['msg'] == 'in "Tune the TCP connection limits": invalid input'
    assert data['unreachable'] == ['gone'] and data['failed'] == ['bad', 'lost']
    assert 'other' not in [e['host'] for e in data['hosts']]
    assert json.loads(json.dumps(data)) == data


def test_filter_hosts_default_to_every_key_and_a_missing_host_is_failed():
    assert [e['host'] for e in tcp_summary.tcp_summary(hostvars())['hosts']] == list(hostvars())
    data = tcp_summary.tcp_summary(hostvars(), hosts='nowhere')
    assert data['failed'] == ['nowhere']


def test_filter_variable_names_can_be_changed():
    hv = {'h': {'my_report': report(a=key('applied')), 'my_reach': {'unreachable': False}}}
    data = tcp_summary.tcp_summary(hv, hosts=['h'], report_var='my_report', reach_var='my_reach')
    assert _entry(data, 'h')['changed'] == ['a']


def test_bad_input_is_a_filter_error():
    with pytest.raises(AnsibleFilterError):
        tcp_summary.tcp_summary(['not', 'a', 'mapping'])
    with pytest.raises(AnsibleFilterError):
        tcp_summary.tcp_summary({}, hosts=42)


def test_whole_reports_are_kept_only_when_asked():
    assert 'report' not in _entry(tcp_summary.tcp_summary(hostvars(), hosts=['web1']), 'web1')
    data = tcp_summary.tcp_summary(hostvars(), hosts=['web1', 'gone', 'bad'], reports=True)
    assert _entry(data, 'web1')['report'] == WEB
    # A host that was not tuned has none, even with a stale report from an earlier play.
    assert _entry(data, 'gone')['report'] is None and _entry(data, 'bad')['report'] is None
    assert json.loads(json.dumps(data)) == data


def test_the_first_contact_may_be_one_of_several_registered_results():
    """tune.yml: the limits printed first (when asked) or the role's one task contact a host first."""
    hv = {'a': {'__netlimits_tcp_limits_before': {'skipped': True},
                '__tcp_tune_result': {'unreachable': True, 'msg': 'Failed to connect'}},
          'b': {'__netlimits_tcp_limits_before': {'unreachable': True, 'msg': 'no route'}},
          'c': {'__netlimits_tcp_limits_before': {'skipped': True}, '__tcp_tune_result': {'changed': False},
                'tcp_tune_report': report(a=key('applied'))}}
    data = tcp_summary.tcp_summary(hv, reach_var=['__netlimits_tcp_limits_before', '__tcp_tune_result'])
    assert data['unreachable'] == ['a', 'b'] and _entry(data, 'b')['msg'] == 'no route'
    assert _entry(data, 'c')['status'] == 'tuned'
