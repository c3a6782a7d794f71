# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The audit filters: hostvars in, report data and its three renderings out, through Jinja too."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.netlimits.tcp.plugins.filter import tcp_audit
from ansible_collections.netlimits.tcp.tests.unit.fixtures.audit_facts import facts, finding

EVIL = '<script>alert(1)</script>'


def hostvars():
    """What hostvars looks like after playbooks/audit.yml gathered (a plain dict stands in for HostVars)."""
    return {
        'web1': {'ansible_facts': {'tcp_limits': facts(tw=100, findings=[finding('somaxconn_low', 'warning')])},
                 '__tcp_audit_gather': {'changed': False, 'ansible_facts': {}},
                 'tcp_tune_report': {'net.core.somaxconn': {'before': 128, 'wanted': 4096, 'after': 4096,
                                                            'status': 'applied'}}},
        'db1': {'ansible_facts': {'tcp_limits': facts(findings=[finding('conntrack_fill', 'critical')])},
                '__tcp_audit_gather': {'changed': False}},
        EVIL: {'ansible_facts': {'tcp_limits': facts()}, '__tcp_audit_gather': {'changed': False}},
        # Unreachable now, but still holding facts from an earlier run: must not be reported as ok.
        'gone': {'ansible_facts': {'tcp_limits': facts()},
                 '__tcp_audit_gather': {'unreachable': True, 'msg': 'Failed to connect', 'changed': False}},
        'broken': {'__tcp_audit_gather': {'failed': True, 'msg': 'python not found'}},
        'notinplay': {'ansible_facts': {'tcp_limits': facts()}},
    }


def _report_of(**kwargs):
    hosts = ['web1', 'db1', EVIL, 'gone', 'broken']
    return tcp_audit.tcp_audit_report(hostvars(), hosts=hosts, result_var='__tcp_audit_gather', **kwargs)


def _row(data, host):
    return [r for r in data['hosts'] if r['host'] == host][0]


def test_filters_are_registered():
    names = sorted(tcp_audit.FilterModule().filters())
    assert names == ['tcp_audit_html', 'tcp_audit_json', 'tcp_audit_md', 'tcp_audit_report']


def test_report_from_hostvars():
    data = _report_of(generated='2026-11-22T02:30:00Z')
    assert sorted(r['host'] for r in data['hosts']) == sorted(['web1', 'db1', EVIL, 'gone', 'broken'])
    assert 'notinplay' not in [r['host'] for r in data['hosts']]
    assert data['unreachable'] == ['gone']
    assert _row(data, 'gone')['status'] == 'unreachable'
    assert _row(data, 'broken')['status'] == 'failed'
    assert _row(data, 'broken')['reason'] == 'python not found'
    assert _row(data, 'web1')['status'] == 'ok'
    assert _row(data, 'web1')['tune']['counts']['applied'] == 1
    assert [f['severity'] for f in data['findings']] == ['critical', 'warning']
    assert data['generated'] == '2026-11-22T02:30:00Z'


def test_unreachable_and_failed_lists_given_explicitly():
    data = tcp_audit.tcp_audit_report(hostvars(), hosts=['web1', 'db1'], unreachable=['db1'], failed=['x'])
    assert data['unreachable'] == ['db1']
    assert data['failed'] == ['x']


def test_hosts_default_to_every_key_and_accept_plain_facts():
    data = tcp_audit.tcp_audit_report({'a': facts(), 'b': facts()})
    assert [r['host'] for r in data['hosts']] == ['a', 'b']
    assert all(r['status'] == 'ok' for r in data['hosts'])


def test_host_missing_from_hostvars_has_no_facts():
    data = tcp_audit.tcp_audit_report({'a': {'ansible_facts': {'tcp_limits': facts()}}}, hosts=['a', 'b'])
    assert _row(data, 'b')['status'] == 'no_facts'


def test_renderers_and_json_equals_data():
    data = _report_of()
    assert json.loads(tcp_audit.tcp_audit_json(data)) == data
    html = tcp_audit.tcp_audit_html(data)
    assert EVIL not in html and '&lt;script&gt;alert(1)&lt;/script&gt;' in html
    lowered = html.lower()
    assert 'http://' not in lowered and 'https://' not in lowered and '<script' not in lowered
    assert not re.search(r'''(src|href)\s*=\s*["']?//''', lowered)
    assert 'data-host="gone"' in html
    markdown = tcp_audit.tcp_audit_md(data)
    assert '| gone | unreachable' in markdown and EVIL not in markdown


def test_bad_input_is_a_filter_error():
    with pytest.raises(AnsibleFilterError):
        tcp_audit.tcp_audit_report(['not', 'a', 'mapping'])
    with pytest.raises(AnsibleFilterError):
        tcp_audit.tcp_audit_html({'no': 'report'})


def test_template_dir_of_a_site(tmp_path):
    data = _report_of()
    (tmp_path / 'audit_report.md.j2').write_text(u'{{ data.totals.hosts }} hosts\n')
    assert tcp_audit.tcp_audit_md(data, template_dir=str(tmp_path)) == '5 hosts\n'
    # audit.yml passes '' when tcp_audit_template_dir is not set: the collection's templates.
    assert tcp_audit.tcp_audit_md(data, template_dir='') == tcp_audit.tcp_audit_md(data)
    with pytest.raises(AnsibleFilterError, match='not a directory'):
        tcp_audit.tcp_audit_html(data, template_dir=str(tmp_path / 'missing'))
    (tmp_path / 'audit_report.html.j2').write_text(u'{{ data.no_such_key }}\n')
    with pytest.raises(AnsibleFilterError, match='tcp_audit_html: .*no_such_key'):
        tcp_audit.tcp_audit_html(data, template_dir=str(tmp_path))
