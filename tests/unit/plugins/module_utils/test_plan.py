# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The tcp_tune planner: validation, kernel guards, statuses, sizing, profiles, rendering, revert.

Facts come from the real readers (_facts.gather) over fixture trees
(tests/unit/fixtures/tree.py), so they have the exact shape the role sees.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.netlimits.tcp.plugins.module_utils._common import paths as _paths
from ansible_collections.netlimits.tcp.plugins.module_utils._plan import plan as _plan
from ansible_collections.netlimits.tcp.plugins.module_utils._plan import keys as _plan_keys
from ansible_collections.netlimits.tcp.plugins.module_utils._plan import report as _plan_report
from ansible_collections.netlimits.tcp.plugins.module_utils._common import status as _status
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.gather import gather
from ansible_collections.netlimits.tcp.plugins.plugin_utils._tune.render import render_file
from ansible_collections.netlimits.tcp.plugins.module_utils._formats.rc_local import rc_local_splice
from ansible_collections.netlimits.tcp.tests.unit.fixtures.role import PROFILES
from ansible_collections.netlimits.tcp.tests.unit.fixtures.checked import checked_plan
from ansible_collections.netlimits.tcp.plugins.plugin_utils._tune.validate import checked_variables
from ansible_collections.netlimits.tcp.tests.unit.fixtures.tree import make_tree
from ansible_collections.netlimits.tcp.tests.unit.golden.renderer import role_renderer

RENDER = role_renderer()


def facts_for(tmp_path, profile='6.1', **kwargs):
    return gather(make_tree(tmp_path, profile, **kwargs))


def plan(facts, host=None, **params):
    return checked_plan(dict(('tcp_tune_' + k, v) for k, v in params.items()), facts, host, PROFILES)


def by_key(result):
    return dict((e['key'], e) for e in result['sysctl'])


def live(result):
    """The plan's live sysctl writes as 'key=value' texts, in write order."""
    return ['%s=%s' % (w['key'], w['value']) for w in result['sysctl_writes']]


def file_text(result, path):
    """The file's text as the controller renders it from the plan's model (the role's templates)."""
    for item in result['files']:
        if item['path'] == path:
            return render_file(item, RENDER)
    return None


# ---------------------------------------------------------------- validation

# The catalogue of bad input (one row per case, each asserting the variable and what is allowed) is
# test_safety_input.py; docs/safety.md lists it.


def test_nofile_above_nr_open_allowed_when_nr_open_raised_in_same_run(tmp_path):
    facts = facts_for(tmp_path)
    result = plan(facts, profile='none', nofile=2097152, nr_open=2097152)
    assert result['sysctl_writes'][0] == {'key': 'fs.nr_open', 'value': '2097152'}   # raised first
    assert '2097152' in file_text(result, _paths.LIMITS_FILE)


def test_nofile_above_read_only_nr_open_refused(tmp_path):
    facts = facts_for(tmp_path, proc_sys_readonly=True)
    with pytest.raises(_plan.PlanError) as err:
        plan(facts, profile='none', nofile=2097152, nr_open=2097152)
    assert 'tcp_tune_nofile' in str(err.value)


def test_unknown_variable_is_a_warning_of_the_controllers_check(tmp_path):
    variables, warnings = checked_variables({'tcp_tune_somaxcon': 1}, PROFILES)
    assert any('tcp_tune_somaxcon' in w and 'typo' in w for w in warnings)
    assert 'tcp_tune_somaxcon' not in variables and 'somaxcon' not in variables
    assert plan(facts_for(tmp_path), somaxcon=1)['state'] == 'present'


# ---------------------------------------------------------------- kernel guards

def test_tw_recycle_skipped_kernel_on_4_12_and_newer_with_warning(tmp_path):
    facts = facts_for(tmp_path, '6.1')
    result = plan(facts, profile='none', tw_recycle=True)
    entry = by_key(result)['net.ipv4.tcp_tw_recycle']
    assert entry['status'] == _status.SKIPPED_KERNEL
    assert not entry['in_file'] and not entry['apply']
    assert any('6.1.0-18-amd64' in w and 'tcp_tw_recycle' in w for w in result['warnings'])
    assert 'tcp_tw_recycle' not in (file_text(result, _paths.SYSCTL_FILE) or '')


def test_tw_recycle_applied_on_3_10_only_when_asked_with_nat_warning(tmp_path):
    facts = facts_for(tmp_path, '3.10')
    asked = plan(facts, profile='none', tw_recycle=True)
    entry = by_key(asked)['net.ipv4.tcp_tw_recycle']
    assert entry['status'] == _status.APPLIED
    assert 'net.ipv4.tcp_tw_recycle=1' in live(asked)
    assert any('NAT' in w for w in asked['warnings'])
    default = plan(facts_for(tmp_path, '3.10'), profile='none')
    entry = by_key(default)['net.ipv4.tcp_tw_recycle']
    assert entry['wanted'] == 0 and entry['status'] == _status.UNCHANGED
    assert not any('NAT' in w for w in default['warnings'])


def test_tw_reuse_2_refused_below_4_18(tmp_path):
    result = plan(facts_for(tmp_path, '3.10'), profile='none', tw_reuse=2)
    entry = by_key(result)['net.ipv4.tcp_tw_reuse']
    assert entry['status'] == _status.SKIPPED_KERNEL
    assert '4.18' in entry['reason']
    assert 'net.ipv4.tcp_tw_reuse=2' not in live(result)


def test_tw_reuse_2_allowed_on_4_19(tmp_path):
    facts = facts_for(tmp_path, '4.19', sysctl={'net.ipv4.tcp_tw_reuse': '0'})
    result = plan(facts, profile='none', tw_reuse=2)
    assert by_key(result)['net.ipv4.tcp_tw_reuse']['status'] == _status.APPLIED


# ---------------------------------------------------------------- statuses

def test_raise_only_skips_lower_and_keeps_it_out_of_the_file(tmp_path):
    facts = facts_for(tmp_path, sysctl={'net.core.somaxconn': '65535'})
    result = plan(facts, profile='none', somaxconn=4096)
    entry = by_key(result)['net.core.somaxconn']
    assert entry['status'] == _status.SKIPPED_LOWER
    assert '65535' in entry['reason']
    assert result['sysctl_writes'] == []
    assert file_text(result, _paths.SYSCTL_FILE) is None


def test_raise_only_false_lowers(tmp_path):
    facts = facts_for(tmp_path, sysctl={'net.core.somaxconn': '65535'})
    result = plan(facts, profile='none', somaxconn=4096, raise_only=False)
    assert by_key(result)['net.core.somaxconn']['status'] == _status.APPLIED
    assert live(result) == ['net.core.somaxconn=4096']


def test_behaviour_key_is_exact_even_when_lower(tmp_path):
    result = plan(facts_for(tmp_path), profile='none', fin_timeout=10)
    assert by_key(result)['net.ipv4.tcp_fin_timeout']['status'] == _status.APPLIED


def test_raise_only_compares_with_the_recorded_original_not_our_own_value(tmp_path):
    facts = facts_for(tmp_path, sysctl={'net.core.somaxconn': '8192'})
    host = {'state': {'sysctl': {'net.core.somaxconn': {'value': '4096', 'scope': 'netns'}}}}
    result = plan(facts, host, profile='none', somaxconn=6000)
    assert by_key(result)['net.core.somaxconn']['status'] == _status.APPLIED


def test_overridden_names_the_winning_file(tmp_path):
    facts = facts_for(tmp_path, files={'etc/sysctl.conf': 'net.core.somaxconn = 1024\n',
                                       'etc/sysctl.d/99-sysctl.conf': '->../sysctl.conf'})
    result = plan(facts, profile='none', somaxconn=8192)
    entry = by_key(result)['net.core.somaxconn']
    assert entry['status'] == _status.OVERRIDDEN
    assert entry['overridden_by'] in ('/etc/sysctl.conf', '/etc/sysctl.d/99-sysctl.conf')
    assert entry['overridden_by'] in entry['reason']
    assert any('overridden' in w for w in result['warnings'])
    assert entry['in_file']


def test_earlier_file_does_not_override(tmp_path):
    facts = facts_for(tmp_path, files={'etc/sysctl.d/10-low.conf': 'net.core.somaxconn = 1024\n'})
    result = plan(facts, profile='none', somaxconn=8192)
    assert by_key(result)['net.core.somaxconn']['status'] == _status.APPLIED


def test_read_only_proc_sys_skips_live_but_writes_the_file(tmp_path):
    facts = facts_for(tmp_path, container='podman', proc_sys_readonly=True)
    result = plan(facts)
    entries = by_key(result)
    assert entries['net.ipv4.tcp_fin_timeout']['status'] == _status.SKIPPED_READ_ONLY
    assert entries['net.ipv4.ip_local_port_range']['status'] == _status.SKIPPED_READ_ONLY
    assert result['sysctl_writes'] == []
    assert 'net.ipv4.tcp_fin_timeout = 30' in file_text(result, _paths.SYSCTL_FILE)


def test_missing_keys_skipped_and_left_out_of_the_file(tmp_path):
    facts = facts_for(tmp_path, container='podman', conntrack=False)
    result = plan(facts, netdev_max_backlog=5000, conntrack_max=100000)
    entries = by_key(result)
    assert entries['net.core.netdev_max_backlog']['status'] == _status.SKIPPED_MISSING
    assert entries['net.netfilter.nf_conntrack_max']['status'] == _status.SKIPPED_MISSING
    text = file_text(result, _paths.SYSCTL_FILE)
    assert 'netdev_max_backlog' not in text and 'conntrack' not in text
    assert file_text(result, _paths.MODPROBE_FILE) is None or 'hashsize' in file_text(result, _paths.MODPROBE_FILE)


def test_conntrack_read_only_in_container_says_host_must_set_it(tmp_path):
    facts = facts_for(tmp_path, container='podman', conntrack='ro')
    result = plan(facts, conntrack_max=1048576)
    entry = by_key(result)['net.netfilter.nf_conntrack_max']
    assert entry['status'] == _status.SKIPPED_READ_ONLY
    assert 'host must set it' in entry['reason']
    assert 'options nf_conntrack hashsize=131072' in file_text(result, _paths.MODPROBE_FILE)


def test_conntrack_buckets_never_lowered_by_modprobe(tmp_path):
    facts = facts_for(tmp_path)          # buckets 65536 in the fixture
    result = plan(facts, conntrack_max=131072)  # 131072 / 8 = 16384 < 65536
    assert by_key(result)['net.netfilter.nf_conntrack_buckets']['status'] == _status.SKIPPED_LOWER
    assert file_text(result, _paths.MODPROBE_FILE) is None


def test_second_run_is_unchanged(tmp_path):
    wanted = {'net.ipv4.ip_local_port_range': '15000\t64999', 'net.ipv4.tcp_tw_reuse': '1',
              'net.ipv4.tcp_fin_timeout': '30', 'net.ipv4.tcp_max_syn_backlog': '8192',
              'net.netfilter.nf_conntrack_max': '131072'}
    result = plan(facts_for(tmp_path, sysctl=wanted))
    assert result['sysctl_writes'] == []
    assert set(e['status'] for e in result['sysctl']) <= {_status.UNCHANGED, _status.SKIPPED_LOWER, _status.SKIPPED_KERNEL}


def test_profiles_size_conntrack_from_the_port_range_bounded_by_ram(tmp_path):
    # The source post's stall (issue #13): 50,000 ports / 60 s = 833/s, x 120 s conntrack TIME_WAIT x 1.2
    # = 100,000 entries -> 131072; a 1 GiB host may give 1/32 of RAM at 256 bytes an entry: 131072.
    facts = facts_for(tmp_path, sysctl={'net.netfilter.nf_conntrack_max': '8192',
                                        'net.netfilter.nf_conntrack_buckets': '8192'})
    gib = 1024 ** 3
    result = plan(facts, {'mem_total_bytes': gib})
    entry = by_key(result)['net.netfilter.nf_conntrack_max']
    assert entry['wanted'] == 131072 and entry['status'] == _status.APPLIED
    assert by_key(result)['net.netfilter.nf_conntrack_buckets']['wanted'] == 16384
    assert 'options nf_conntrack hashsize=16384' in file_text(result, _paths.MODPROBE_FILE)
    assert any('120 s conntrack TIME_WAIT' in line for line in result['sizing']['lines'])
    small = plan(facts, {'mem_total_bytes': gib // 4}, profile='server')
    assert by_key(small)['net.netfilter.nf_conntrack_max']['wanted'] == 32768
    unsized = plan(facts, {'mem_total_bytes': gib}, profile='none', somaxconn=8192)
    assert 'net.netfilter.nf_conntrack_max' not in by_key(unsized)
    higher = facts_for(tmp_path, sysctl={'net.netfilter.nf_conntrack_max': '262144'})
    assert by_key(plan(higher, {'mem_total_bytes': gib}))['net.netfilter.nf_conntrack_max']['status'] \
        == _status.SKIPPED_LOWER
    container = facts_for(tmp_path, container='podman')
    assert 'net.netfilter.nf_conntrack_max' not in by_key(plan(container, {'mem_total_bytes': gib}))


def test_listening_ports_in_the_new_range_are_reserved(tmp_path):
    facts = facts_for(tmp_path)
    result = plan(facts, {'listening_ports': [22, 20000]})
    entry = by_key(result)['net.ipv4.ip_local_reserved_ports']
    assert entry['wanted'] == [[20000, 20000]]
    assert 'net.ipv4.ip_local_reserved_ports=20000' in live(result)


def test_extra_sysctl_keys_use_host_readings(tmp_path):
    host = {'extra_sysctl': {'net.ipv4.tcp_slow_start_after_idle': {'present': True, 'writable': True, 'value': '1'}}}
    result = plan(facts_for(tmp_path), host, profile='none', sysctl={'net.ipv4.tcp_slow_start_after_idle': 0})
    assert live(result) == ['net.ipv4.tcp_slow_start_after_idle=0']


# ---------------------------------------------------------------- sizing and profiles

def test_sizing_arithmetic(tmp_path):
    facts = facts_for(tmp_path)
    result = plan(facts, profile='none', target_connections=100000, target_outbound_rate=2000)
    values = result['values']
    # 2000/s x 60 s x 1.2 = 144000 > 55536 (widest): tw_reuse on; 2000 x 1 s x 1.2 = 2400 ports
    assert values['tw_reuse'] == 1
    assert values['nofile'] == 131072            # 100000 + 1024 -> 2^17
    assert values['file_max'] == 524288          # 2 x 100000 + 65536 -> 2^19
    assert values['conntrack_max'] == 524288     # 2 x 100000 + 2000 x 120 -> 2^19
    lines = '\n'.join(result['sizing']['lines'])
    assert '144000' in lines and '2400' in lines and '131072' in lines


def test_sizing_widens_the_range_without_tw_reuse_when_it_fits(tmp_path):
    result = plan(facts_for(tmp_path), profile='none', target_outbound_rate=600)
    lo, hi = result['values']['local_port_range']
    assert hi - lo + 1 >= 600 * 60 * 1.2
    assert lo % 2 != hi % 2
    assert 'tw_reuse' not in result['values']


def test_client_profile_ends_the_source_advice_failure(tmp_path):
    """Defaults stop at 28,227 connections per destination (EADDRNOTAVAIL); 60,000 need reuse and 15000-65000."""
    facts = facts_for(tmp_path)
    result = plan(facts, profile='client')
    lo, hi = result['values']['local_port_range']
    assert hi - lo + 1 >= 65000 - 15000 + 1
    assert 'net.ipv4.tcp_tw_reuse=1' in live(result)
    assert 'net.ipv4.ip_local_port_range=%d %d' % (lo, hi) in live(result)


def test_explicit_variable_beats_profile_and_sizing(tmp_path):
    facts = facts_for(tmp_path)
    result = plan(facts, profile='server', somaxconn=8192, target_connections=100000, nofile=200000)
    assert result['values']['somaxconn'] == 8192
    assert result['values']['nofile'] == 200000
    assert result['values']['max_syn_backlog'] == 65535   # from the profile


def test_profile_none_sets_only_explicit(tmp_path):
    result = plan(facts_for(tmp_path), profile='none', fin_timeout=20)
    assert [e['key'] for e in result['sysctl'] if e['status'] != _status.SKIPPED_KERNEL] == ['net.ipv4.tcp_fin_timeout']


# ---------------------------------------------------------------- rendering

def test_sysctl_file_uses_dash_prefix_with_new_loaders(tmp_path):
    result = plan(facts_for(tmp_path, '6.1'), {'sysctl_version': 'sysctl from procps-ng 4.0.2'}, profile='none',
                  fin_timeout=30)
    assert '-net.ipv4.tcp_fin_timeout = 30' in file_text(result, _paths.SYSCTL_FILE).splitlines()


def test_sysctl_file_without_dash_prefix_on_old_loaders(tmp_path):
    result = plan(facts_for(tmp_path, '4.19'), {'sysctl_version': 'sysctl from procps-ng 3.3.15'},
                  profile='none', fin_timeout=30)
    lines = file_text(result, _paths.SYSCTL_FILE).splitlines()
    assert 'net.ipv4.tcp_fin_timeout = 30' in lines
    assert not any(line.startswith('-') for line in lines)


def test_limits_lines_for_star_and_root(tmp_path):
    result = plan(facts_for(tmp_path), profile='none', nofile=65536, nofile_soft=32768)
    lines = [line.split() for line in file_text(result, _paths.LIMITS_FILE).splitlines() if not line.startswith('#')]
    assert lines == [['*', 'soft', 'nofile', '32768'], ['*', 'hard', 'nofile', '65536'],
                     ['root', 'soft', 'nofile', '32768'], ['root', 'hard', 'nofile', '65536']]


def test_limits_raise_only_against_other_files(tmp_path):
    facts = facts_for(tmp_path, files={'etc/security/limits.conf': '*  hard  nofile  200000\n'})
    result = plan(facts, profile='none', nofile=65536)
    statuses = dict(((e['domain'], e['type']), e['status']) for e in result['limits'])
    assert statuses[('*', 'hard')] == _status.SKIPPED_LOWER
    assert statuses[('root', 'hard')] == _status.APPLIED
    assert '*        hard' not in file_text(result, _paths.LIMITS_FILE)


def test_sysctl_writes_are_key_and_value_text_in_order(tmp_path):
    result = plan(facts_for(tmp_path), profile='none', fin_timeout=30, local_port_range=[15000, 64999])
    assert result['sysctl_writes'] == [{'key': 'net.ipv4.ip_local_port_range', 'value': '15000 64999'},
                                       {'key': 'net.ipv4.tcp_fin_timeout', 'value': '30'}]


def test_systemd_default_nofile_keeps_hard_limit(tmp_path):
    # raise-only: systemd's built-in hard 524288 stays; the soft limit is not asked for, so nothing changes
    result = plan(facts_for(tmp_path), profile='none', systemd_default_nofile=65536)
    assert result['systemd_default_nofile']['status'] == _status.SKIPPED_LOWER
    assert file_text(result, _paths.MANAGER_FILE) is None
    raised = plan(facts_for(tmp_path), profile='none', systemd_default_nofile=65536, systemd_default_nofile_soft=4096)
    assert 'DefaultLimitNOFILE=4096:524288' in file_text(raised, _paths.MANAGER_FILE)


def test_server_profile_raises_only_the_hard_limit_of_services(tmp_path):
    # issue #25 item 5 (systemd.exec(5), LimitNOFILE=): the soft limit of every service stays 1024 (select()
    # breaks on descriptors above 1023); programs that need more raise their own soft limit to the hard one
    result = plan(facts_for(tmp_path), profile='server')
    assert 'DefaultLimitNOFILE=1024:1048576' in file_text(result, _paths.MANAGER_FILE)
    assert result['systemd_default_nofile']['wanted'] == '1024:1048576'
    soft = plan(facts_for(tmp_path), profile='server', systemd_default_nofile_soft=65536)
    assert 'DefaultLimitNOFILE=65536:1048576' in file_text(soft, _paths.MANAGER_FILE)
    # a service that needs a higher soft limit and does not raise its own: LimitNOFILE sets both
    nginx = plan(facts_for(tmp_path), profile='server', service_nofile={'nginx': 65536})
    assert 'LimitNOFILE=65536' in file_text(nginx, '/etc/systemd/system/nginx.service.d/90-netlimits-tcp.conf')


def test_systemd_default_nofile_soft_keeps_a_higher_soft_in_effect(tmp_path):
    facts = facts_for(tmp_path, files={'etc/systemd/system.conf': '[Manager]\nDefaultLimitNOFILE=8192:65536\n'})
    result = plan(facts, profile='none', systemd_default_nofile=1048576)
    assert 'DefaultLimitNOFILE=8192:1048576' in file_text(result, _paths.MANAGER_FILE)
    lower = plan(facts, profile='none', raise_only=False, systemd_default_nofile=4096)
    assert 'DefaultLimitNOFILE=4096:4096' in file_text(lower, _paths.MANAGER_FILE)


@pytest.mark.parametrize('params, words', [
    ({'profile': 'none', 'systemd_default_nofile_soft': 4096},
     'tcp_tune_systemd_default_nofile_soft needs a hard limit'),
    ({'profile': 'none', 'systemd_default_nofile': 4096, 'systemd_default_nofile_soft': 8192},
     'tcp_tune_systemd_default_nofile_soft (8192) must not be above tcp_tune_systemd_default_nofile (4096)'),
    ({'profile': 'server', 'systemd_default_nofile_soft': 2097152},
     'tcp_tune_systemd_default_nofile_soft (2097152) must not be above the hard limit (1048576'),
    ({'profile': 'none', 'systemd_default_nofile': 4096, 'systemd_default_nofile_soft': 0},
     'tcp_tune_systemd_default_nofile_soft'),
])
def test_systemd_default_nofile_soft_bad_input(tmp_path, params, words):
    with pytest.raises(_plan.PlanError) as err:
        plan(facts_for(tmp_path), **params)
    assert words in str(err.value)


def test_service_dropins(tmp_path):
    result = plan(facts_for(tmp_path), profile='none', service_nofile={'nginx.service': 200000})
    assert 'LimitNOFILE=200000' in file_text(result, '/etc/systemd/system/nginx.service.d/90-netlimits-tcp.conf')


# ---------------------------------------------------------------- txqueuelen

def test_txqueuelen_rc_local_created_and_udev_fallback_on_systemd_260(tmp_path):
    facts = facts_for(tmp_path)
    result = plan(facts, profile='none', txqueuelen=5000, interfaces=['eth0'])
    assert result['txqueuelen']['writes'] == [{'interface': 'eth0', 'txqueuelen': 5000}]
    rc = [f for f in result['files'] if f['path'] == _paths.RC_LOCAL][0]
    assert rc['mode'] == '0755' and rc_local_splice(None, render_file(rc, RENDER)).startswith('#!/bin/sh\n')
    facts['persistence'].update(systemd_version=260, rc_local_supported=False)   # as the facts publish it
    result = plan(facts, profile='none', txqueuelen=5000, interfaces=['eth0'])
    assert 'ATTR{tx_queue_len}="5000"' in file_text(result, _paths.UDEV_FILE)
    assert any('260' in w for w in result['warnings'])


def test_txqueuelen_raise_only_and_missing_interface(tmp_path):
    facts = facts_for(tmp_path, interfaces=[{'name': 'eth0', 'kind': 'physical', 'txqueuelen': 10000}])
    result = plan(facts, profile='none', txqueuelen=5000, interfaces=['eth0', 'eth9'])
    statuses = dict((e['interface'], e['status']) for e in result['txqueuelen']['entries'])
    assert statuses == {'eth0': _status.SKIPPED_LOWER, 'eth9': _status.SKIPPED_MISSING}


def test_systemd_link_repeats_default_link_and_matches_original_name(tmp_path):
    facts = facts_for(tmp_path)
    host = {'default_link': '[Match]\nOriginalName=*\n[Link]\nNamePolicy=keep kernel path\nMACAddressPolicy=persistent\n'}
    result = plan(facts, host, profile='none', txqueuelen=5000, interfaces=['eth0'], txqueuelen_persist='systemd_link')
    text = file_text(result, '/etc/systemd/network/90-netlimits-tcp-eth0.link')
    assert 'OriginalName=eth0' in text and 'NamePolicy=keep kernel path' in text
    assert 'MACAddressPolicy=persistent' in text and 'TransmitQueueLength=5000' in text


# ---------------------------------------------------------------- revert

def test_revert_restores_recorded_originals_and_removes_files(tmp_path):
    # no systemd: it would raise fs.nr_open at boot, and revert never goes below that
    facts = facts_for(tmp_path, systemd=None, sysctl={'net.ipv4.tcp_fin_timeout': '30', 'fs.nr_open': '2097152'})
    host = {'state': {'sysctl': {'net.ipv4.tcp_fin_timeout': {'value': '60', 'scope': 'netns'},
                                 'fs.nr_open': {'value': '1048576', 'scope': 'host'}},
                      'files': {_paths.SYSCTL_FILE: {'existed': False},
                                _paths.LIMITS_FILE: {'existed': True, 'mode': '0644',
                                                     'backup': _paths.BACKUP_DIR + _paths.LIMITS_FILE}}},
            'files': {_paths.SYSCTL_FILE: {'exists': True, 'ours': True}, _paths.LIMITS_FILE: {'exists': True}}}
    result = plan(facts, host, state='absent')
    assert live(result) == ['fs.nr_open=1048576', 'net.ipv4.tcp_fin_timeout=60']
    assert result['removes'] == [_paths.SYSCTL_FILE]
    assert result['restores'] == [{'src': _paths.BACKUP_DIR + _paths.LIMITS_FILE, 'dest': _paths.LIMITS_FILE,
                                   'mode': '0644'}]


def test_revert_in_container_keeps_host_scope_keys(tmp_path):
    facts = facts_for(tmp_path, container='podman', sysctl={'net.ipv4.tcp_fin_timeout': '30', 'fs.nr_open': '2097152'})
    host = {'state': {'sysctl': {'net.ipv4.tcp_fin_timeout': {'value': '60', 'scope': 'netns'},
                                 'fs.nr_open': {'value': '1048576', 'scope': 'host'}}}}
    result = plan(facts, host, state='absent')
    assert live(result) == ['net.ipv4.tcp_fin_timeout=60']
    assert by_key(result)['fs.nr_open']['status'] == _status.KEPT_HOST_SCOPE


def test_revert_without_record_uses_kernel_default(tmp_path):
    facts = facts_for(tmp_path, sysctl={'net.ipv4.tcp_fin_timeout': '30'})
    host = {'files': {_paths.SYSCTL_FILE: {'exists': True, 'content': '-net.ipv4.tcp_fin_timeout = 30\n'}}}
    result = plan(facts, host, state='absent')
    assert live(result) == ['net.ipv4.tcp_fin_timeout=60']


def test_state_record_is_written_once(tmp_path):
    facts = facts_for(tmp_path)
    first = plan(facts, profile='none', fin_timeout=30)
    import json
    state = json.loads(first['state_file']['content'])
    assert state['sysctl']['net.ipv4.tcp_fin_timeout']['value'] == '60'
    later = facts_for(tmp_path, sysctl={'net.ipv4.tcp_fin_timeout': '30'})
    second = plan(later, {'state': state}, profile='none', fin_timeout=30)
    assert second['state_file']['content'] == first['state_file']['content']


# ---------------------------------------------------------------- paths and report

def test_plan_paths_include_service_dropins_and_state_files(tmp_path):
    facts = facts_for(tmp_path)
    paths = _plan.plan_paths({'tcp_tune_service_nofile': {'nginx': 1}}, facts,
                             {'files': {'/etc/udev/rules.d/90-netlimits-tcp-txqueuelen.rules': {}}})
    assert '/etc/systemd/system/nginx.service.d/90-netlimits-tcp.conf' in paths
    assert _paths.UDEV_FILE in paths and _paths.RC_LOCAL in paths
    assert not any(p.endswith('.link') for p in paths)


def test_report_marks_denied_txqueuelen_read_only(tmp_path):
    result = plan(facts_for(tmp_path), profile='none', txqueuelen=5000, interfaces=['eth0'])
    report = _plan_report.report(result, facts_for(tmp_path), False, [_paths.RC_LOCAL], ['eth0'])
    assert report['txqueuelen']['eth0']['status'] == _status.SKIPPED_READ_ONLY
    assert report['files'][_paths.RC_LOCAL] == _status.APPLIED


def test_switching_persistence_undoes_the_old_file(tmp_path):
    facts = facts_for(tmp_path)
    state = {'files': {_paths.UDEV_FILE: {'existed': False}}}
    host = {'state': state, 'files': {_paths.UDEV_FILE: {'exists': True, 'ours': True}}}
    result = plan(facts, host, profile='none', txqueuelen=5000, interfaces=['eth0'], txqueuelen_persist='rc_local')
    assert result['removes'] == [_paths.UDEV_FILE]


def test_extra_keys_cover_recorded_ones_for_revert():
    state = {'sysctl': {'net.ipv4.tcp_slow_start_after_idle': {'value': '1'}, 'net.core.somaxconn': {'value': '4096'}}}
    assert _plan.extra_keys({'tcp_tune_sysctl': {'net.ipv4.tcp_ecn': 1}}, state) == [
        'net.ipv4.tcp_ecn', 'net.ipv4.tcp_slow_start_after_idle']


def test_conntrack_load_only_when_asked(tmp_path):
    facts = facts_for(tmp_path, conntrack=False)
    assert plan(facts)['conntrack_load'] is False
    asked = plan(facts, conntrack_load=True)
    assert asked['conntrack_load'] is True
    assert 'nf_conntrack' in file_text(asked, _paths.MODULES_LOAD_FILE)
    assert file_text(plan(facts), _paths.MODULES_LOAD_FILE) is None


def test_sysctl_writes_put_fs_nr_open_first_whatever_the_entries_order():
    entries = [{'key': 'net.core.somaxconn', 'apply': True, 'wanted': 4096},
               {'key': 'net.ipv4.tcp_fin_timeout', 'apply': False, 'wanted': 30},
               {'key': 'net.ipv4.ip_local_port_range', 'apply': True, 'wanted': [15000, 64999]},
               {'key': 'fs.nr_open', 'apply': True, 'wanted': 2097152}]
    assert _plan_keys.sysctl_writes(entries) == [
        {'key': 'fs.nr_open', 'value': '2097152'}, {'key': 'net.core.somaxconn', 'value': '4096'},
        {'key': 'net.ipv4.ip_local_port_range', 'value': '15000 64999'}]
