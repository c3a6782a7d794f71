# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Issue #25 (third review against the kernel, systemd and Linux-PAM), items 6 to 10: the wording.

The behaviour of items 5 and 6 is tested where it lives (test_plan.py, test_findings.py,
test_kernel_claims.py); here the text people read: docs, argument specs, defaults, profiles' why, the
key table and the facts module's RETURN. Each fact comes from kernel-limits.md and the source it names.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.netlimits.tcp.plugins.module_utils._common import keys as _keys
from ansible_collections.netlimits.tcp.tests.unit.fixtures.role import PROFILES
from ansible_collections.netlimits.tcp.tests.unit.plugins.module_utils.test_kernel_claims import (
    TEXT_FILES, _flat, _section, _text, wrong_claim_hits,
)

FILES = TEXT_FILES + ('docs/audit.md', 'plugins/modules/tcp_limits_facts.yml', 'README.md')

# (id, pattern over the folded text, what is true, a pattern that makes a match right within 120 characters)
WRONG = [
    ('file-max-long-max-by-kernel', r'64-bit maximum that recent kernels default to',
     'the kernel derives fs.file-max from RAM (files_maxfiles_init); LONG_MAX is systemd\'s bump', None),
    ('file-max-systemd-always', r'systemd >= 240 as PID 1 raises it to LONG_MAX|LONG_MAX` where systemd >= 240 is PID 1',
     'a build option of systemd (bump-proc-sys-fs-file-max)', None),
    ('nr-open-never-on-debian', r'a build option; not on Debian|\(not Debian.s\)',
     'Debian 13 (systemd 257) boots with fs.nr_open 1073741816', None),
    ('conntrack-3x-steps', r'3\.x kernels the buckets were|3\.x used 16384',
     'the 65536/16384/32 steps and max = 4 x buckets hold until d532bcd0b269 (5.10, Debian 11)', None),
    ('conntrack-drop-connections', r'dropped \d+ new connections|new connections dropped because the table|'
     r'`drop` counts new connections|C\(drop\) - new connections',
     'drop counts packets conntrack could not track', None),
    ('services-never-read-limits-conf', r'Services do not read limits\.conf',
     'a unit with PAMName= goes through pam_limits', r'PAMName'),
    ('default-nofile-soft-equals-hard', r'DefaultLimitNOFILE \(soft = hard|\(soft and hard; with raise_only',
     'systemd.exec(5): keep the soft 1024 for all services, raise the hard limit', None),
    ('sizing-without-power-of-two', r'fs\.file-max \(2N \+ 65536\)|nf_conntrack_max \(2N, plus',
     'file-max and conntrack are the next power of two (size() in _plan/sizing.py)', None),
    ('sizing-reuse-without-headroom', r'rate x about 1 s with it|rate x ~1 s with it',
     'with tw_reuse the ports are rate x ~1 s x 1.2 (HEADROOM)', None),
]


@pytest.mark.parametrize('case,pattern,truth,unless', WRONG, ids=[w[0] for w in WRONG])
def test_third_wrong_claim_is_gone(case, pattern, truth, unless):
    hits = wrong_claim_hits(pattern, unless, FILES)
    assert not hits, '%s (%s)' % (hits, truth)


# 7. conntrack defaults before commit d532bcd0b269 (nf_conntrack_init_start, nf_ct_alloc_hashtable)

def test_conntrack_defaults_before_d532bcd0b269():
    before = '65536 above 4 GiB, 16384 above 1 GiB, else RAM / 16384 / 8, at least 32'
    buckets = _keys.BY_NAME['net.netfilter.nf_conntrack_buckets'].doc
    assert before in buckets and 'multiple of 512' in buckets and 'd532bcd0b269' in buckets
    assert '4 x the buckets before' in _keys.BY_NAME['net.netfilter.nf_conntrack_max'].doc
    limits = _flat(_section('docs/limits.md', '2. Connection tracking (conntrack)'))
    assert before in limits and 'multiple of 512' in limits and '16384 buckets, max 65536' in limits
    findings = _flat(_section('docs/findings.md', 'conntrack_fill'))
    assert '65536 above 4 GiB, 16384 above 1 GiB' in findings and '4 x the buckets' in findings
    assert 'multiple of 512' in _flat(_text('docs/keys.md'))


# 8. nf_conntrack_count is per network namespace (__nf_conntrack_alloc)

def test_conntrack_count_is_per_network_namespace():
    count = _keys.BY_NAME['net.netfilter.nf_conntrack_count']
    assert count.scope == _keys.SCOPE_NETNS and 'containers' in count.doc
    assert 'checked against each network namespace' in _keys.BY_NAME['net.netfilter.nf_conntrack_max'].doc
    module = _flat(_text('plugins/modules/tcp_limits_facts.yml'))
    assert 'Entries now in this network namespace only' in module
    assert 'leaves out the entries of containers' in _flat(_section('docs/limits.md', '2. Connection tracking (conntrack)'))
    assert 'leaves out its containers' in _flat(_text('docs/audit.md'))


# 9. fs.file-max: the kernel's value comes from RAM; LONG_MAX is systemd's bump, a build option

def test_file_max_is_the_kernels_from_ram_and_long_max_is_systemds():
    doc = _keys.BY_NAME['fs.file-max'].doc
    assert 'derives it from RAM' in doc and 'bump-proc-sys-fs-file-max' in doc
    for rel in ('docs/audit.md', 'plugins/modules/tcp_limits_facts.yml', 'docs/limits.md'):
        text = _flat(_text(rel))
        assert 'files_maxfiles_init' in text and 'bump-proc-sys-fs-file-max' in text, rel
    whys = set(p['settings']['file_max']['why'] for p in PROFILES.values() if 'file_max' in p['settings'])
    assert len(whys) == 1 and 'derives the default from RAM' in whys.pop()


def test_nr_open_bump_is_on_in_debian_13():
    assert 'on in Debian 13' in _keys.BY_NAME['fs.nr_open'].doc
    whys = set(p['settings']['nr_open']['why'] for p in PROFILES.values() if 'nr_open' in p['settings'])
    assert len(whys) == 1 and 'on in Debian 13' in _flat(whys.pop())


# 10. argument specs, defaults and the profiles' why

def test_services_and_limits_conf_names_pamname():
    why = PROFILES['server']['settings']['systemd_default_nofile']['why']
    assert 'PAMName=' in why and 'hard limit' in why and 'select()' in why


def test_sizing_text_names_power_of_two_and_headroom():
    spec = _flat(_text('roles/tcp_tune/meta/argument_specs.yml'))
    connections = spec.split('tcp_tune_target_connections:', 1)[1].split('tcp_tune_target_outbound_rate:', 1)[0]
    assert connections.count('next power of two') == 3
    rate = spec.split('tcp_tune_target_outbound_rate:', 1)[1].split('tcp_tune_local_port_range:', 1)[0]
    assert 'x 1.2 headroom without tw_reuse' in rate and 'about 1 s x 1.2 with it' in rate
    conntrack = spec.split('tcp_tune_conntrack_max:', 1)[1].split('tcp_tune_conntrack_load:', 1)[0]
    assert 'x 1.2 headroom, the next power of two' in conntrack


def test_group_lines_do_not_cover_root_on_debian_either():
    spec = _flat(_text('roles/tcp_tune/meta/argument_specs.yml'))
    domains = spec.split('tcp_tune_limits_domains:', 1)[1].split('tcp_tune_systemd_default_nofile:', 1)[0]
    assert 'C(@group) lines from matching root' in domains
    assert '"@group" lines' in _text('roles/tcp_tune/defaults/main.yml')
    assert '`@group` lines' in _flat(_text('docs/limits.md'))
