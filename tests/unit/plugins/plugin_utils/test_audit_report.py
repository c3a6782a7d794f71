# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet audit report: data, sorting, headroom arithmetic, escaping, self-contained HTML, a site's templates."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import json
import re

import pytest

from ansible_collections.netlimits.tcp.plugins.module_utils._facts.gather import gather
from ansible_collections.netlimits.tcp.plugins.plugin_utils._report import audit_data as _audit_data
from ansible_collections.netlimits.tcp.plugins.plugin_utils._report import audit_render as _audit_render
from ansible_collections.netlimits.tcp.tests.unit.fixtures.audit_facts import EVIL, facts, finding, fleet, many
from ansible_collections.netlimits.tcp.tests.unit.fixtures.tree import make_tree


def _row(data, host):
    return [r for r in data['hosts'] if r['host'] == host][0]


# ---- headroom arithmetic -------------------------------------------------

@pytest.mark.parametrize('used,capacity,expected', [
    (0, 28232, 100.0),
    (14116, 28232, 50.0),
    (28232, 28232, 0.0),
    (30000, 28232, 0.0),          # over capacity clamps to 0
    (950, 1000, 5.0),
    (1, 3, 66.7),                 # rounded to one decimal
    (1184, 9223372036854775807, 100.0),
    (None, 100, None),
    (5, None, None),
    (5, 0, None),                 # no capacity: unknown, never a division by zero
    (True, 10, None),             # booleans are not numbers here
])
def test_headroom_pct(used, capacity, expected):
    assert _audit_data.headroom_pct(used, capacity) == expected


@pytest.mark.parametrize('pct,level', [
    (None, 'unknown'), (0.0, 'critical'), (9.9, 'critical'), (10.0, 'warning'), (24.9, 'warning'),
    (25.0, 'ok'), (100.0, 'ok'),
])
def test_headroom_level(pct, level):
    assert _audit_data.headroom_level(pct) == level


def test_row_figures():
    data = _audit_data.build(fleet())
    web1 = _row(data, 'web1')
    assert web1['kernel'] == '6.1.0-18-amd64'
    assert web1['port_range'] == [32768, 60999]
    assert web1['ports_usable'] == 28232
    assert web1['time_wait'] == {'used': 14116, 'capacity': 28232, 'share': 0.5}
    assert web1['headroom']['time_wait'] == 50.0
    assert web1['headroom']['conntrack'] is None          # conntrack not loaded
    assert web1['conntrack']['loaded'] is False
    assert web1['headroom']['file_handles'] == 100.0
    assert web1['headroom_min'] == 50.0
    assert web1['nofile_pid1'] == {'soft': 1024, 'hard': 524288}
    assert web1['txqueuelen'] == [{'name': 'eth0', 'txqueuelen': 5000, 'kind': 'physical', 'physical': True}]
    assert web1['containment']['label'] == 'podman container, own netns'
    assert web1['findings'] == {'critical': 0, 'warning': 2, 'info': 0}
    assert web1['worst'] == 'warning'
    db1 = _row(data, 'db1')
    assert db1['headroom']['conntrack'] == 5.0
    assert db1['conntrack']['share'] == 0.95
    assert db1['headroom']['time_wait'] == round((1 - 27000 / 28232.0) * 100, 1)
    assert db1['headroom_min'] == 4.4               # TIME_WAIT at 27000 of 28232 is the tightest
    assert db1['worst'] == 'critical'
    app1 = _row(data, 'app1')
    assert app1['ports_usable'] == 50001
    assert app1['outbound_per_destination']['without_tw_reuse'] == 833.4


def test_reserved_ports_reduce_capacity():
    data = _audit_data.build({'h': facts(tw=100, reserved_in_range=232)})
    assert _row(data, 'h')['time_wait']['capacity'] == 28000
    assert _row(data, 'h')['headroom']['time_wait'] == round((1 - 100 / 28000.0) * 100, 1)


def test_unlimited_nofile_and_unreadable_values():
    item = facts()
    item['files']['nofile']['pid1'] = {'soft': 'unlimited', 'hard': None}
    item['files']['allocated'] = None
    data = _audit_data.build({'h': item})
    row = _row(data, 'h')
    assert row['nofile_pid1'] == {'soft': 'unlimited', 'hard': None}
    assert row['headroom']['file_handles'] is None
    assert 'unlimited / n/a' in _audit_render.render_markdown(data)


def test_txqueuelen_physical_first_else_the_container_veth():
    veth_only = [
        {'name': 'lo', 'txqueuelen': 1000, 'kind': 'loopback', 'physical': False, 'operstate': 'unknown'},
        {'name': 'eth0', 'txqueuelen': 1000, 'kind': 'veth', 'physical': False, 'operstate': 'up'},
        {'name': 'tun9', 'txqueuelen': 500, 'kind': 'tun', 'physical': False, 'operstate': 'down'},
    ]
    assert _audit_data.txqueuelen_of(veth_only) == [{'name': 'eth0', 'txqueuelen': 1000, 'kind': 'veth', 'physical': False}]
    data = _audit_data.build({'c': facts(interfaces=veth_only)})
    assert 'eth0 1,000 (veth)' in _audit_render.render_markdown(data)
    assert _audit_data.txqueuelen_of(None) == []


def test_host_and_container_labels():
    assert _audit_data.containment_label({'container': False, 'initial_netns': True}) == 'host, initial netns'
    assert _audit_data.containment_label({'container': True, 'engine': None, 'initial_netns': None}) == \
        'unknown container, netns unknown'
    assert _audit_data.containment_label(None) == 'n/a'


# ---- sorting and totals --------------------------------------------------

def test_findings_sorted_by_severity_then_host():
    data = _audit_data.build(fleet())
    order = [(f['severity'], f['host'], f['id']) for f in data['findings']]
    assert order == [
        ('critical', 'app1', 'nofile_above_nr_open'),
        ('critical', 'db1', 'conntrack_fill'),
        ('warning', 'db1', 'tw_reuse_off'),
        ('warning', 'web1', 'port_range_small'),
        ('warning', 'web1', 'somaxconn_low'),
        ('info', 'db1', 'info_only'),
    ]
    assert all(f['recommendation'] and f['doc'].startswith('docs/findings.md#') for f in data['findings'])


def test_unknown_severity_sorts_last():
    items = [{'severity': 'weird', 'host': 'a', 'id': 'x'}, {'severity': 'info', 'host': 'b', 'id': 'y'},
             {'severity': 'critical', 'host': 'c', 'id': 'z'}]
    assert [f['severity'] for f in _audit_data.sort_findings(items)] == ['critical', 'info', 'weird']


def test_hosts_sorted_and_totals():
    data = _audit_data.build(fleet(), unreachable=['zz-gone'], failed={'broken': 'python missing'})
    assert [r['host'] for r in data['hosts']] == ['app1', 'broken', 'db1', 'web1', 'zz-gone']
    totals = data['totals']
    assert totals['hosts'] == 5
    assert totals['status'] == {'ok': 3, 'unreachable': 1, 'failed': 1, 'no_facts': 0}
    assert totals['findings'] == {'critical': 2, 'warning': 3, 'info': 1}
    assert totals['findings_total'] == 6
    assert totals['hosts_with'] == {'critical': 2, 'warning': 2, 'info': 1}


def test_unreachable_host_listed_and_its_facts_ignored():
    hosts = fleet()
    data = _audit_data.build(hosts, unreachable=['db1', 'ghost'])
    assert data['unreachable'] == ['db1', 'ghost']
    assert _row(data, 'ghost')['status'] == 'unreachable'
    assert _row(data, 'db1')['status'] == 'unreachable'
    assert _row(data, 'db1')['kernel'] is None
    assert not [f for f in data['findings'] if f['host'] == 'db1']
    html = _audit_render.render_html(data)
    assert re.search(r'<tr class="host-row row-unreachable" data-host="ghost">', html)
    assert 'Unreachable:' in html
    markdown = _audit_render.render_markdown(data)
    assert 'Unreachable: db1, ghost.' in markdown
    assert '| ghost | unreachable |' in markdown


def test_host_without_facts_is_reported_as_failed():
    data = _audit_data.build({'a': facts(), 'b': None})
    assert _row(data, 'b')['status'] == 'no_facts'
    assert data['failed'] == ['b']


def test_tune_report_summary_dict_and_list_shapes():
    as_dict = {'net.core.somaxconn': {'before': 128, 'wanted': 4096, 'after': 4096, 'status': 'applied'},
               'net.ipv4.tcp_tw_recycle': {'before': None, 'wanted': 0, 'after': None, 'status': 'skipped_missing'},
               'net.ipv4.tcp_fin_timeout': {'before': 60, 'wanted': 60, 'after': 60, 'status': 'unchanged'}}
    as_list = [dict(v, key=k) for k, v in as_dict.items()]
    for report in (as_dict, as_list, {'keys': as_list}):
        data = _audit_data.build({'h': facts()}, tune_reports={'h': report})
        tune = _row(data, 'h')['tune']
        assert tune['counts']['applied'] == 1
        assert tune['counts']['skipped_missing'] == 1
        assert tune['counts']['unchanged'] == 1
        assert sorted(k['key'] for k in tune['keys']) == sorted(as_dict)
        assert data['totals']['tune']['applied'] == 1
        assert 'Tuning (tcp_tune_report)' in _audit_render.render_html(data)
        assert '| h | net.core.somaxconn | 128 | 4096 | 4096 | applied |' in _audit_render.render_markdown(data)


def test_tune_report_of_the_role():
    """The shape tcp_tune publishes: sysctl and txqueuelen entries, profile, warnings, files."""
    report = {'state': 'present', 'profile': 'balanced', 'check_mode': False, 'summary': {'applied': 1},
              'warnings': ['txqueuelen eth0: <not permitted>'],
              'sysctl': {'net.ipv4.tcp_tw_reuse': {'before': 2, 'wanted': 1, 'after': 1, 'status': 'applied'},
                         'fs.file-max': {'before': 9223372036854775807, 'wanted': 2097152, 'after': 9223372036854775807,
                                         'status': 'skipped_lower', 'reason': 'higher value in effect'}},
              'txqueuelen': {'eth0': {'before': 1000, 'wanted': 5000, 'after': 1000, 'status': 'skipped_read_only'}},
              'files': {'/etc/sysctl.d/90-netlimits-tcp.conf': 'applied'}, 'limits': [], 'sizing': []}
    data = _audit_data.build({'h': facts()}, tune_reports={'h': report})
    tune = _row(data, 'h')['tune']
    assert [k['key'] for k in tune['keys']] == ['fs.file-max', 'net.ipv4.tcp_tw_reuse', 'txqueuelen eth0']
    assert tune['counts']['applied'] == 1 and tune['counts']['skipped_lower'] == 1
    assert tune['counts']['skipped_read_only'] == 1
    assert tune['profile'] == 'balanced'
    assert tune['files'] == {'/etc/sysctl.d/90-netlimits-tcp.conf': 'applied'}
    html = _audit_render.render_html(data)
    assert '&lt;not permitted&gt;' in html and '<not permitted>' not in html
    assert 'higher value in effect' in html and '(profile balanced)' in html
    assert '| h | fs.file-max |' in _audit_render.render_markdown(data)


def test_input_is_not_modified():
    hosts = fleet()
    before = copy.deepcopy(hosts)
    _audit_data.build(hosts, unreachable=['x'])
    assert hosts == before


# ---- renderers -----------------------------------------------------------

def test_json_equals_the_data():
    data = _audit_data.build(fleet(), unreachable=['gone'], generated='2026-11-22T02:30:00Z')
    assert json.loads(_audit_render.render_json(data)) == data


def test_html_escapes_every_value():
    hosts = {EVIL: facts(release='6.1 <b>bold</b>', findings=[
        finding('x"y', 'warning', message='<img src=x onerror=alert(1)>', recommendation="it's <i>fine</i>",
                value={'file': '/etc/<evil>'})])}
    data = _audit_data.build(hosts, unreachable=['<iframe>'], title='<h1>t</h1>')
    html = _audit_render.render_html(data)
    assert EVIL not in html
    assert '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;' in html
    for raw in ('<b>bold', '<img', '<i>fine', '<evil>', '<iframe>', '<h1>t'):
        assert raw not in html
    assert '<script' not in html.lower()
    markdown = _audit_render.render_markdown(data)
    assert '<script' not in markdown and '<img' not in markdown and '<iframe>' not in markdown
    assert '&lt;script&gt;' in markdown


def test_markdown_cell_cannot_break_the_table():
    data = _audit_data.build({'a|b': facts(findings=[finding('f', 'info', message='one | two\nthree')])})
    markdown = _audit_render.render_markdown(data)
    assert '| a\\|b | ok |' in markdown
    assert 'one \\| two three' in markdown


def test_html_is_self_contained():
    data = _audit_data.build(fleet(), unreachable=['gone'], generated='now')
    html = _audit_render.render_html(data)
    lowered = html.lower()
    assert 'http://' not in lowered and 'https://' not in lowered
    assert not re.search(r'''(src|href)\s*=\s*["']?\s*//''', lowered)
    assert not re.search(r'''(src|href)\s*=''', lowered)     # no reference of any kind
    assert '<script' not in lowered
    assert '<link' not in lowered
    assert '@import' not in lowered and 'url(' not in lowered
    assert lowered.count('<style>') == 1
    # Even a value that escaped escaping could not load or run anything.
    assert '<meta http-equiv="content-security-policy" content="default-src \'none\'; style-src \'unsafe-inline\';' in lowered


@pytest.mark.parametrize('base,expected', [
    (None, None),
    ('', None),
    ('https://git.example.org/netlimits/tcp/-/blob/main', 'https://git.example.org/netlimits/tcp/-/blob/main/docs/findings.md#x'),
    ('../collection/', '../collection/docs/findings.md#x'),
    ('javascript:alert(1)//', None),
    ('data:text/html,<b>', None),
])
def test_doc_url(base, expected):
    assert _audit_data.doc_url('docs/findings.md#x', base) == expected


def test_doc_links_only_with_a_doc_base():
    plain = _audit_render.render_html(_audit_data.build(fleet()))
    assert '<a ' not in plain
    data = _audit_data.build(fleet(), doc_base='https://docs.example.org/tcp" onmouseover="x')
    html = _audit_render.render_html(data)
    assert '<a href="https://docs.example.org/tcp&quot; onmouseover=&quot;x/docs/findings.md#conntrack_fill">' in html
    assert data['findings'][0]['doc_url'].endswith('/docs/findings.md#nofile_above_nr_open')


def test_html_has_a_row_per_host_and_the_bars():
    data = _audit_data.build(fleet(), unreachable=['gone'])
    html = _audit_render.render_html(data)
    assert sorted(re.findall(r'<tr class="host-row [^"]*" data-host="([^"]*)"', html)) == ['app1', 'db1', 'gone', 'web1']
    assert len(re.findall(r'<tr class="finding-row"', html)) == 6
    assert 'class="bar l-critical"' in html                 # db1 conntrack at 5% headroom
    assert 'style="width:5.0%"' in html


def test_markdown_lists_hosts_and_findings():
    markdown = _audit_render.render_markdown(_audit_data.build(fleet()))
    for host in ('app1', 'db1', 'web1'):
        assert '| %s | ok |' % host in markdown
    assert markdown.index('nofile\\_above\\_nr\\_open') < markdown.index('somaxconn\\_low')
    assert '50.0%' in markdown and '5.0%' in markdown


def test_empty_fleet_renders():
    data = _audit_data.build({})
    assert data['hosts'] == [] and data['findings'] == []
    assert 'No findings.' in _audit_render.render_html(data)
    assert 'No findings.' in _audit_render.render_markdown(data)


def test_real_gathered_facts_render(tmp_path):
    """The report reads what the facts module really returns (fixture host trees)."""
    hosts = {}
    for profile in ('3.10', '6.1'):
        hosts['host-' + profile] = gather(make_tree(tmp_path / profile, profile))
    data = _audit_data.build(hosts)
    assert json.loads(_audit_render.render_json(data)) == data
    for profile in ('3.10', '6.1'):
        row = _row(data, 'host-' + profile)
        assert row['status'] == 'ok'
        assert row['kernel'] == hosts['host-' + profile]['kernel']['release']
        assert row['port_range'] == list(hosts['host-' + profile]['ports']['range'])
    assert len(data['findings']) == sum(len(h['findings']) for h in hosts.values())
    _audit_render.render_html(data)
    _audit_render.render_markdown(data)


# ---- the same finding on many hosts: one row ------------------------------

def test_the_same_finding_on_many_hosts_is_one_group():
    data = _audit_data.build(many())
    groups = data['finding_groups']
    assert [(g['severity'], g['id'], g['hosts'], g['count']) for g in groups] == [
        ('critical', 'conntrack_fill', ['web2', 'web4'], 2),
        ('warning', 'nofile_soft_low', ['web1', 'web2', 'web3', 'web4', 'web5'], 6)]
    # Every finding is in exactly one group, with its host's own message and value.
    assert sum(g['count'] for g in groups) == len(data['findings']) == data['totals']['findings_total']
    assert data['totals']['findings_distinct'] == len(groups)
    items = sorted((i['host'], i['message']) for g in groups for i in g['items'])
    assert items == sorted((f['host'], f['message']) for f in data['findings'])
    assert groups[0]['same_message'] is True and groups[1]['same_message'] is False
    assert _audit_render.hosts_text(groups[1]) == '5: web1, web2, web3 x2, web4, web5'
    assert _audit_render.hosts_text(groups[1], limit=2) == '5: web1, web2, +3 more'
    assert _audit_render.group_message(groups[1]) == 'soft nofile of PID 1 is 1024 (on web1; differs per host)'
    assert json.loads(_audit_render.render_json(data)) == data


def test_html_and_markdown_have_one_row_per_finding_with_the_hosts():
    data = _audit_data.build(many())
    html = _audit_render.render_html(data)
    rows = re.findall(r'<tr class="finding-row" data-finding="([^"]*)" data-hosts="(\d+)">', html)
    assert rows == [('conntrack_fill', '2'), ('nofile_soft_low', '5')]
    # The hosts fold out of the row (no script): each with its own message.
    block = html[html.index('data-finding="nofile_soft_low"'):]
    block = block[:block.index('</tr>')]
    assert '<details class="hosts"><summary>5: web1, web2, web3 x2, web4, web5</summary>' in block
    for i in range(1, 6):
        assert '<span class="host-name">web%d</span> <span class="small">soft nofile of PID 1 is %d; value: %d</span>' % (
            i, 1024 * i, 1024 * i) in block
    markdown = _audit_render.render_markdown(data)
    lines = [line for line in markdown.splitlines() if 'nofile\\_soft\\_low' in line]
    assert len(lines) == 1 and '| 5: web1, web2, web3 x2, web4, web5 |' in lines[0]


def test_a_host_name_in_a_group_is_escaped():
    hosts = {EVIL: facts(findings=[finding('somaxconn_low', 'warning')]),
             'ok1': facts(findings=[finding('somaxconn_low', 'warning')])}
    html = _audit_render.render_html(_audit_data.build(hosts))
    assert '<script>' not in html
    assert '&lt;script&gt;' in html


# ---- templates a site can replace -------------------------------------------

def test_a_site_template_dir_replaces_only_the_files_it_has(tmp_path):
    (tmp_path / 'audit_report.css').write_text(u'body { color: teal; }\n')
    data = _audit_data.build(fleet())
    ours = _audit_render.render_html(data)
    html = _audit_render.render_html(data, template_dir=str(tmp_path))
    assert '<style>\nbody { color: teal; }\n</style>' in html
    # The rest of the page is ours: only the style sheet differs.
    assert html.split('<style>')[0] == ours.split('<style>')[0]
    assert html.split('</style>')[1] == ours.split('</style>')[1]
    assert _audit_render.render_markdown(data, template_dir=str(tmp_path)) == _audit_render.render_markdown(data)


def test_a_site_template_escapes_every_value(tmp_path):
    (tmp_path / 'audit_report.html.j2').write_text(
        u'<h1>{{ data.title }}</h1>{% for row in data.hosts %}<p>{{ row.host }}</p>{% endfor %}</body>\n')
    (tmp_path / 'audit_report.md.j2').write_text(u'{% for row in data.hosts %}| {{ row.host }} |{% endfor %}.\n')
    data = _audit_data.build({EVIL: facts(), 'a|b': facts()}, title='<b>x</b>')
    assert _audit_render.render_html(data, template_dir=str(tmp_path)) == (
        '<h1>&lt;b&gt;x&lt;/b&gt;</h1><p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</p><p>a|b</p></body>\n')
    assert _audit_render.render_markdown(data, template_dir=str(tmp_path)) == (
        '| &lt;script&gt;alert("x")&lt;/script&gt; || a\\|b |.\n')


def test_a_name_the_data_has_not_is_an_error(tmp_path):
    """A typo in a template fails the render instead of printing nothing."""
    (tmp_path / 'audit_report.html.j2').write_text(u'{{ data.totals.no_such_total }}\n')
    with pytest.raises(Exception, match='no_such_total'):
        _audit_render.render_html(_audit_data.build(fleet()), template_dir=str(tmp_path))
