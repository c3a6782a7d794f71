# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Kernel, systemd and Linux-PAM claims of the collection (issue #14, "Wrong or misleading kernel claims").

Each test pins one claim: in code (the key table, the findings, the
validator, the facts) over fixture trees, or in the text people read (docs/,
the role's argument specs and defaults). The truth table at the end of
docs/limits.md names these tests and the source of each claim
(shared/reference/kernel-limits.md, the kernel file or function, systemd,
Linux-PAM).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

import pytest

from ansible_collections.netlimits.tcp.plugins.module_utils._common import keys as _keys
from ansible_collections.netlimits.tcp.plugins.module_utils._plan import plan as _plan
from ansible_collections.netlimits.tcp.plugins.module_utils._plan import sizing as _plan_sizing
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.gather import gather
from ansible_collections.netlimits.tcp.tests.unit.fixtures.role import PROFILES
from ansible_collections.netlimits.tcp.tests.unit.fixtures.checked import checked_plan
from ansible_collections.netlimits.tcp.tests.unit.fixtures.tree import make_tree

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))

# The text people read, that this part of the collection owns.
TEXT_FILES = (
    'docs/limits.md', 'docs/findings.md', 'docs/role.md', 'docs/architecture.md', 'docs/keys.md',
    'docs/module.md', 'docs/role-variables.md', 'docs/troubleshooting.md', 'docs/README.md',
    'roles/tcp_tune/meta/argument_specs.yml', 'roles/tcp_tune/defaults/main.yml',
    'roles/tcp_tune/vars/main.yml',
    'plugins/module_utils/_common/keys.py', 'plugins/module_utils/_facts/findings.py', 'plugins/module_utils/_plan/inputs.py',
)


def _text(rel):
    with open(os.path.join(ROOT, rel)) as handle:
        return handle.read()


def _flat(text):
    """Text with line breaks, markdown emphasis and YAML/comment wrapping folded into single spaces."""
    text = re.sub(r'\n\s*#?\s*', ' ', text)
    return re.sub(r'\s+', ' ', text.replace('**', ''))


def _section(rel, heading):
    text = _text(rel)
    return text.split('\n## %s\n' % heading, 1)[1].split('\n## ', 1)[0]


def pam_limits(root):  # the module's own fields (the vendor ones: test_boot_nofile.py)
    from ansible_collections.netlimits.tcp.plugins.module_utils._facts.pam import pam_limits as reader
    found = reader(root)
    return {'path': found['path'], 'unlimited_nofile_is_nr_open': found['unlimited_nofile_is_nr_open']}


def _found(root, fid):
    return [f for f in gather(root)['findings'] if f['id'] == fid]


# Wrong claims that must not come back: (id, pattern over the folded text, what is true and where it comes
# from, and a pattern that makes a match right when found within 120 characters around it).
WRONG = [
    ('syn-backlog-half-open-limit', r'[Hh]alf-open connections per listener',
     'tcp_max_syn_backlog is read only while tcp_syncookies=0 (tcp_conn_request, net/ipv4/tcp_input.c)', None),
    ('syn-backlog-fixes-listen-overflows', r'ListenOverflows[^.]*[Rr]aise[^.]*tcp_max_syn_backlog|raise '
     r'`net.core.somaxconn`, `net.ipv4.tcp_max_syn_backlog`',
     'ListenOverflows is the accept queue; tcp_max_syn_backlog never changes it', None),
    ('star-covers-root', r'\*`?\)?"? (in [^.]{0,30})?does not cover root',
     'a Debian/Ubuntu patch of pam_limits; upstream Linux-PAM applies * to root', r'Debian|Ubuntu'),
    ('parity-even-for-connect', r'connect\(\)`? (prefers|uses) even|connect\(\) even, bind\(\) odd|`bind\(\)` odd',
     'connect() prefers the parity of the low end (__inet_hash_connect), bind(0) the other', None),
    ('time-wait-bucket-log', r'time wait bucket table overflow',
     'only TcpExt.TCPTimeWaitOverflow is counted; the message is gone', r'no longer'),
    ('tcp-mem-aborts-connections', r'high threshold it aborts connections|drops data and aborts connections',
     'above tcp_mem[2] only orphans are reset (tcp_out_of_resources)', None),
    ('accept-queue-only-final-ack', r'the kernel drops the client.s final ACK',
     'a full accept queue drops new SYNs (tcp_conn_request) as well', None),
    ('services-never-read-limits', r'services started by systemd never read it|limits.conf does nothing for services',
     'a unit with PAMName= goes through pam_limits', None),
    ('nofile-unlimited-always-locks', r'unlimited nofile is above fs.nr_open and makes PAM logins fail|'
     r'or is `unlimited`, which for nofile means above it',
     'newer pam_limits maps unlimited to fs.nr_open', None),
    ('sizing-warns-from-55536', r'Beyond 55,536/s per source IP', 'size() warns from about 46,280/s', None),
    ('conntrack-since-5-15-range', r'between 1024 and 262144', 'a step function of RAM', None),
    ('sysctl-conf-everywhere', r"Debian's `/etc/sysctl.d/99-sysctl.conf`",
     'Debian 13 ships neither /etc/sysctl.conf nor 99-sysctl.conf', r'Debian 1[12]|Debian 13'),
]


def wrong_claim_hits(pattern, unless, files=TEXT_FILES):
    """Where the pattern matches the folded text of the files, unless `unless` is within 120 characters."""
    hits = []
    for rel in files:
        text = _flat(_text(rel))
        for match in re.finditer(pattern, text):
            window = text[max(0, match.start() - 120):match.end() + 120]
            if unless and re.search(unless, window):
                continue
            hits.append('%s: ...%s...' % (rel, match.group(0)))
    return hits


@pytest.mark.parametrize('case,pattern,truth,unless', WRONG, ids=[w[0] for w in WRONG])
def test_wrong_claim_is_gone(case, pattern, truth, unless):
    hits = wrong_claim_hits(pattern, unless)
    assert not hits, '%s (%s)' % (hits, truth)


# 1. tcp_max_syn_backlog with SYN cookies

def test_syn_backlog_says_it_is_read_only_without_syncookies():
    doc = _keys.BY_NAME['net.ipv4.tcp_max_syn_backlog'].doc
    assert 'tcp_syncookies=0' in doc and 'somaxconn' in doc
    spec = _flat(_text('roles/tcp_tune/meta/argument_specs.yml'))
    assert re.search(r'tcp_tune_max_syn_backlog:.*?tcp_syncookies=0', spec)
    assert 'tcp_syncookies=0' in _flat(_section('docs/limits.md', '3. Accept queue and SYN backlog'))


def test_listen_overflows_fix_is_the_accept_queue_not_the_syn_backlog(tmp_path):
    root = make_tree(tmp_path, '6.1', counters={'ListenOverflows': 10})
    found = _found(root, 'listen_overflows')[0]
    assert 'tcp_max_syn_backlog' not in found['recommendation']
    fix = _flat(_section('docs/findings.md', 'listen_overflows').split('**Fix:**')[1])
    assert '`net.ipv4.tcp_max_syn_backlog` is no fix' in fix and 'tcp_syncookies=1' in fix


def test_profiles_give_the_syn_backlog_as_without_effect_under_cookies():
    whys = [p['settings']['max_syn_backlog']['why'] for p in PROFILES.values() if 'max_syn_backlog' in p['settings']]
    assert len(whys) == 3 and all('No effect while tcp_syncookies=1' in why for why in whys)


# 2. nofile unlimited depends on the host's pam_limits

PAM_NEW = 'usr/lib/x86_64-linux-gnu/security/pam_limits.so'
PAM_OLD = 'lib/x86_64-linux-gnu/security/pam_limits.so'


def test_pam_limits_1_5_2_maps_unlimited_to_nr_open(tmp_path):
    root = make_tree(tmp_path, '6.1', pam_limits='1.5.2')
    assert pam_limits(root) == {'path': '/' + PAM_NEW, 'unlimited_nofile_is_nr_open': True}
    assert gather(root)['files']['pam_limits']['unlimited_nofile_is_nr_open'] is True


def test_pam_limits_1_4_0_does_not(tmp_path):
    root = make_tree(tmp_path, '5.15', pam_limits='1.4.0')
    assert pam_limits(root) == {'path': '/' + PAM_OLD, 'unlimited_nofile_is_nr_open': False}


def test_pam_limits_on_rhel_paths_and_unknown_without_it(tmp_path):
    rhel = make_tree(tmp_path, '6.1', files={'usr/lib64/security/pam_limits.so': '\x7fELF\x00/proc/sys/fs/nr_open\x00'})
    assert pam_limits(rhel) == {'path': '/usr/lib64/security/pam_limits.so', 'unlimited_nofile_is_nr_open': True}
    assert pam_limits(make_tree(tmp_path, '6.1')) == {'path': None, 'unlimited_nofile_is_nr_open': None}


def test_nofile_unlimited_is_fine_where_pam_maps_it_to_nr_open(tmp_path):
    root = make_tree(tmp_path, '6.1', pam_limits='1.5.2', files={'etc/security/limits.conf': 'root - nofile unlimited\n'})
    assert not _found(root, 'nofile_above_nr_open')


def test_nofile_unlimited_is_critical_with_old_pam(tmp_path):
    root = make_tree(tmp_path, '6.1', pam_limits='1.4.0', files={'etc/security/limits.conf': 'root - nofile unlimited\n'})
    found = _found(root, 'nofile_above_nr_open')
    assert found[0]['severity'] == 'critical' and '/' + PAM_OLD in found[0]['message']


def test_nofile_unlimited_is_a_warning_when_pam_is_unknown(tmp_path):
    root = make_tree(tmp_path, '6.1', files={'etc/security/limits.conf': 'root - nofile unlimited\n'})
    found = _found(root, 'nofile_above_nr_open')
    assert found[0]['severity'] == 'warning' and 'Debian 11' in found[0]['message']


def test_nofile_integer_above_nr_open_stays_critical_with_any_pam(tmp_path):
    root = make_tree(tmp_path, '6.1', pam_limits='1.5.2', files={'etc/security/limits.d/x.conf': '* hard nofile 2000000\n'})
    assert _found(root, 'nofile_above_nr_open')[0]['severity'] == 'critical'


def test_validator_says_where_unlimited_locks_logins_out(tmp_path):
    with pytest.raises(_plan.PlanError) as err:
        checked_plan({'tcp_tune_nofile': 'unlimited'}, gather(make_tree(tmp_path, '6.1')), {}, PROFILES)
    message = str(err.value)
    assert 'Debian 11' in message and 'fs.nr_open' in message and 'always writes an integer' in message


# 3. '*' and root

def test_star_and_root_wording_names_debian_and_upstream():
    spec = _flat(_text('roles/tcp_tune/meta/argument_specs.yml'))
    assert re.search(r'tcp_tune_limits_domains:.*?Debian.*?upstream', spec)
    for rel in ('docs/limits.md', 'roles/tcp_tune/defaults/main.yml'):
        assert 'upstream Linux-PAM' in _flat(_text(rel)), rel


# 4. nr_open / file-max under systemd, and PID 1's own limit

def test_nr_open_doc_names_systemd_bump():
    assert 'systemd' in _keys.BY_NAME['fs.nr_open'].doc
    row = [line for line in _text('docs/limits.md').splitlines() if line.startswith('| `fs.nr_open`')][0]
    assert '1073741816' in row and 'bump_file_max_and_nr_open' in row


def test_nofile_soft_low_judges_what_services_get_not_pid1_under_systemd(tmp_path):
    root = make_tree(tmp_path, '6.1', nofile_self=(65536, 524288), nofile_pid1=(1024, 524288),
                     files={'etc/systemd/system.conf.d/90-x.conf': '[Manager]\nDefaultLimitNOFILE=1048576\n'})
    assert not _found(root, 'nofile_soft_low')
    # issue #25 item 5: systemd's built-in 1024:524288 is its intended default (systemd.exec(5), LimitNOFILE=):
    # a service that needs more raises its own soft limit up to the hard one - not a defect
    builtin = make_tree(tmp_path, '6.1', nofile_self=(65536, 524288), nofile_pid1=(1048576, 1048576))
    assert not _found(builtin, 'nofile_soft_low')
    # what is one: a hard limit so low that a service cannot raise its soft limit far enough
    low_hard = make_tree(tmp_path, '6.1', nofile_self=(65536, 524288), nofile_pid1=(1048576, 1048576),
                         files={'etc/systemd/system.conf.d/90-x.conf': '[Manager]\nDefaultLimitNOFILE=1024:4096\n'})
    found = _found(low_hard, 'nofile_soft_low')
    assert [(f['value']['process'], f['value']['soft'], f['value']['hard']) for f in found] == [('services', 1024, 4096)]
    assert 'PID 1' not in found[0]['message'] and 'hard limit' in found[0]['message']
    assert 'soft = hard' not in found[0]['recommendation']


def test_nofile_soft_low_checks_pid1_without_systemd(tmp_path):
    root = make_tree(tmp_path, '6.1', systemd=None, nofile_self=(65536, 524288), nofile_pid1=(1024, 524288))
    found = _found(root, 'nofile_soft_low')
    assert [(f['value']['process'], f['value']['soft']) for f in found] == [('pid1', 1024)]


# 5. port parity

def test_parity_is_relative_to_the_low_end():
    limits = _flat(_text('docs/limits.md'))
    assert 'same parity as the low end' in limits and '__inet_hash_connect' in limits


# 6. conntrack defaults

def test_conntrack_default_is_a_step_function_of_ram():
    limits = _flat(_section('docs/limits.md', '2. Connection tracking (conntrack)'))
    for part in ('262144 above 4 GiB', '65536 above 1 GiB', 'RAM / 16384 / 8', 'nf_conntrack_init_start', '4 x'):
        assert part in limits, part


# 7. tcp_rmem / tcp_wmem are computed at boot

@pytest.mark.parametrize('name', ['net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem'])
@pytest.mark.parametrize('version', [None, (3, 10), (4, 19), (6, 1)])
def test_rmem_wmem_have_no_table_default(name, version):
    assert _keys.default_for(_keys.BY_NAME[name], version) is None


# 8. smaller corrections

def test_tw_reuse_delay_maximum_is_60000():
    assert _keys.BY_NAME['net.ipv4.tcp_tw_reuse_delay'].maximum == 60000


def test_fin_timeout_is_bounded_by_int_max_over_hz():
    assert _keys.BY_NAME['net.ipv4.tcp_fin_timeout'].maximum == _keys.INT_MAX // 1000 == 2147483


def test_fin_timeout_above_int_max_over_hz_is_refused(tmp_path):
    facts = gather(make_tree(tmp_path, '6.1'))
    with pytest.raises(_plan.PlanError) as err:
        checked_plan({'tcp_tune_fin_timeout': 2147484}, facts, {}, PROFILES)
    assert 'from 1 to 2147483' in str(err.value)
    assert checked_plan({'tcp_tune_fin_timeout': 2147483}, facts, {}, PROFILES)['state'] == 'present'


def test_tw_reuse_delay_above_60000_is_refused_in_tcp_tune_sysctl(tmp_path):
    facts = gather(make_tree(tmp_path, '6.14'))
    with pytest.raises(_plan.PlanError) as err:
        checked_plan({'tcp_tune_sysctl': {'net.ipv4.tcp_tw_reuse_delay': 60001}}, facts, {}, PROFILES)
    assert 'from 1 to 60000' in str(err.value)


def test_policy_minimums_are_called_policy():
    for name, kernel in (('net.core.somaxconn', 'kernel: 0'), ('fs.nr_open', 'kernel: 64')):
        doc = _keys.BY_NAME[name].doc
        assert 'policy' in doc and kernel in doc, name


def test_debian_13_has_no_sysctl_conf():
    for rel in ('docs/limits.md', 'docs/findings.md', 'docs/troubleshooting.md'):
        assert 'Debian 13' in _text(rel), rel


def test_services_pass_through_pam_with_pamname():
    assert 'PAMName=' in _text('docs/limits.md') and 'PAMName=' in _text('docs/findings.md')


def test_full_accept_queue_drops_syns():
    section = _flat(_section('docs/limits.md', '3. Accept queue and SYN backlog'))
    assert 'drops new SYNs' in section and 'tcp_v4_syn_recv_sock' in section


# 9. the sizing warning threshold in docs/role.md is the code's

def test_sizing_warns_from_46280_per_second_as_documented():
    facts = {'ports': {'range': [32768, 60999], 'tw_reuse_after_seconds': 1.0}}

    def warns(rate):
        out = _plan_sizing.size({'target_outbound_rate': rate}, facts, {'tw_reuse': 1}, {})
        return [w for w in out['warnings'] if 'add source addresses' in w]

    assert not warns(46280) and warns(46281)
    assert '46,280' in _text('docs/role.md')


# The truth table names only tests that exist.

def test_truth_table_names_existing_tests():
    table = _section('docs/limits.md', 'Claims and their sources')
    names = re.findall(r'test_kernel_claims\.py::(test_[a-z0-9_]+)', table)
    assert len(names) >= 15
    source = _text('tests/unit/plugins/module_utils/test_kernel_claims.py')
    for name in names:
        assert re.search(r'^def %s\(' % name, source, re.M), name
    assert sorted(w[0] for w in WRONG if w[0] in table) == sorted(w[0] for w in WRONG)
