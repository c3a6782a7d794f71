# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The boot model's nofile part and the pam_limits vendor (issue #20 item 1, issue #25 items 1 and 4)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netlimits.tcp.plugins.module_utils._facts.boot_nofile import (
    NOT_APPLIED, REFUSED, UNKNOWN, login_nofile, pam_nofile,
)
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.files import parse_limits_conf
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.gather import gather
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.pam import pam_limits, vendor_of
from ansible_collections.netlimits.tcp.tests.unit.fixtures.tree import make_tree

ROOT = {'name': 'root', 'uid': 0, 'groups': ['root']}
ALICE = {'name': 'alice', 'uid': 1000, 'groups': ['web']}
INHERITED = (1024, 524288)
DEBIAN_OS = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n'
RHEL_OS = 'NAME="Rocky Linux"\nID="rocky"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.4"\n'
DPKG = ('Package: libpam-runtime\nStatus: install ok installed\nVersion: 1.5.2-6\n\n'
        'Package: libpam-modules\nStatus: install ok installed\nPriority: required\nVersion: 1.5.2-6+deb12u1\n\n')


def entries(text, path='/etc/security/limits.conf'):
    return parse_limits_conf(text, path)


def _found(root, fid):
    return [f for f in gather(root)['findings'] if f['id'] == fid]


# ---------------------------------------------------------------- pam_limits' matching (pam_limits.c)

def test_user_line_beats_group_and_star_whatever_the_order():
    lines = entries('alice hard nofile 1000\n@web hard nofile 2000\n* hard nofile 3000\n')
    assert pam_nofile(lines, ALICE, 'upstream')['hard_line']['value'] == 1000
    assert pam_nofile(lines, {'name': 'bob', 'uid': 1001, 'groups': ['web']}, 'upstream')['hard_line']['value'] == 2000
    assert pam_nofile(lines, {'name': 'bob', 'uid': 1001, 'groups': []}, 'upstream')['hard_line']['value'] == 3000


def test_same_priority_later_line_wins():
    lines = entries('* hard nofile 3000\n') + entries('* hard nofile 5000\n', '/etc/security/limits.d/90-x.conf')
    assert pam_nofile(lines, ALICE, 'upstream')['hard_line']['value'] == 5000


def test_star_and_group_cover_root_upstream_but_not_with_debians_patch():
    lines = entries('* hard nofile 3000\n@root hard nofile 4000\n')
    assert pam_nofile(lines, ROOT, 'upstream')['hard_line']['value'] == 4000
    assert pam_nofile(lines, ROOT, 'debian')['hard_line'] is None
    assert login_nofile(lines, ROOT, 'debian', INHERITED, 1048576, True)['hard'] == 524288


def test_soft_is_clamped_to_hard():
    got = login_nofile(entries('alice soft nofile 900000\nalice hard nofile 65536\n'), ALICE, 'debian', INHERITED,
                       1048576, True)
    assert (got['soft'], got['hard'], got['outcome']) == (65536, 65536, 'applied')


def test_soft_only_line_above_nr_open_is_not_above_the_limit():
    # issue #25 item 4: pam_limits clamps soft to hard before setrlimit(); only hard and - lines count
    got = login_nofile(entries('alice soft nofile 4000000\n'), ALICE, 'upstream', INHERITED, 1048576, True)
    assert (got['soft'], got['hard'], got['outcome']) == (524288, 524288, 'applied')


def test_soft_only_line_above_nr_open_gives_no_finding(tmp_path):
    root = make_tree(tmp_path, '6.1', files={'etc/security/limits.d/90-x.conf': '* soft nofile 4000000\n'})
    assert not _found(root, 'nofile_above_nr_open')


def test_hard_above_nr_open_is_refused_upstream_and_silently_not_applied_on_debian():
    lines = entries('alice - nofile 2000000\n')
    upstream = login_nofile(lines, ALICE, 'upstream', INHERITED, 1048576, True)
    debian = login_nofile(lines, ALICE, 'debian', INHERITED, 1048576, True)
    unknown = login_nofile(lines, ALICE, 'unknown', INHERITED, 1048576, True)
    assert upstream['outcome'] == REFUSED
    assert (debian['outcome'], debian['soft'], debian['hard']) == (NOT_APPLIED, 1024, 524288)
    assert unknown['outcome'] == UNKNOWN


def test_unlimited_is_nr_open_where_pam_maps_it():
    lines = entries('alice hard nofile unlimited\n')
    assert login_nofile(lines, ALICE, 'debian', INHERITED, 1048576, True)['hard'] == 1048576
    assert login_nofile(lines, ALICE, 'debian', INHERITED, 1048576, False)['outcome'] == NOT_APPLIED


# ---------------------------------------------------------------- the vendor (issue #25 item 1)

def test_vendor_from_dpkg_then_os_release_then_rpm():
    assert vendor_of({'id': 'debian', 'id_like': []}, '1.5.2-6', False)[0] == 'debian'
    assert vendor_of({'id': 'linuxmint', 'id_like': ['ubuntu', 'debian']}, None, False)[0] == 'debian'
    assert vendor_of({'id': 'rocky', 'id_like': ['rhel', 'centos', 'fedora']}, None, True)[0] == 'upstream'
    assert vendor_of({'id': 'arch', 'id_like': []}, None, False)[0] == 'upstream'
    assert vendor_of({'id': '', 'id_like': []}, None, True)[0] == 'upstream'
    assert vendor_of({'id': 'gentoo', 'id_like': []}, None, False)[0] == 'unknown'


def test_pam_limits_fact_names_the_vendor_and_version(tmp_path):
    debian = make_tree(tmp_path, '6.1', pam_limits='1.5.2',
                       files={'etc/os-release': DEBIAN_OS, 'var/lib/dpkg/status': DPKG})
    found = pam_limits(debian)
    assert (found['vendor'], found['version'], found['os_id']) == ('debian', '1.5.2-6+deb12u1', 'debian')
    assert pam_limits(make_tree(tmp_path, '6.1', files={'etc/os-release': RHEL_OS}))['vendor'] == 'upstream'
    assert pam_limits(make_tree(tmp_path, '6.1'))['vendor'] == 'unknown'


def test_finding_says_what_happens_on_the_host_at_hand(tmp_path):
    conf = {'etc/security/limits.d/90-x.conf': '* hard nofile 2000000\n'}
    debian = _found(make_tree(tmp_path, '6.1', files=dict(conf, **{'etc/os-release': DEBIAN_OS})),
                    'nofile_above_nr_open')
    rhel = _found(make_tree(tmp_path, '6.1', files=dict(conf, **{'etc/os-release': RHEL_OS})), 'nofile_above_nr_open')
    unknown = _found(make_tree(tmp_path, '6.1', files=conf), 'nofile_above_nr_open')
    assert 'the login succeeds and the limit silently does not apply' in debian[0]['message']
    assert debian[0]['value']['pam_vendor'] == 'debian' and debian[0]['severity'] == 'critical'
    assert 'refuses the session' in rhel[0]['message'] and rhel[0]['value']['pam_vendor'] == 'upstream'
    assert 'could not be told' in unknown[0]['message']


def test_after_boot_logins_model_the_vendor(tmp_path):
    root = make_tree(tmp_path, '6.1', files={'etc/os-release': DEBIAN_OS,
                                             'etc/security/limits.d/90-x.conf': 'alice hard nofile 2000000\n'})
    logins = dict((login['user'], login) for login in gather(root)['after_boot']['nofile']['logins'])
    assert logins['alice']['outcome'] == 'not_applied' and logins['alice']['hard'] == 524288
    assert logins['root']['outcome'] == 'applied'
