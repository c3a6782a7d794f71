# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netlimits.tcp.plugins.module_utils._facts.boot_sysctl import sysctl_files
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.provenance import (
    order_sysctl_files, overridden_by, provenance, would_be_overridden_by,
)
from ansible_collections.netlimits.tcp.tests.unit.fixtures.tree import make_tree

NAMES = ['net.core.somaxconn', 'net.ipv4.tcp_tw_reuse', 'fs.nr_open']


def test_order_sorts_by_basename_across_directories():
    paths = ['/usr/lib/sysctl.d/50-default.conf', '/etc/sysctl.d/10-a.conf', '/run/sysctl.d/60-run.conf',
             '/lib/sysctl.d/99-z.conf', '/usr/local/lib/sysctl.d/55-local.conf']
    assert order_sysctl_files(paths) == [
        '/etc/sysctl.d/10-a.conf', '/usr/lib/sysctl.d/50-default.conf', '/usr/local/lib/sysctl.d/55-local.conf',
        '/run/sysctl.d/60-run.conf', '/lib/sysctl.d/99-z.conf']


def test_same_basename_in_earlier_directory_masks_later_one():
    paths = ['/usr/lib/sysctl.d/50-x.conf', '/lib/sysctl.d/50-x.conf', '/run/sysctl.d/50-x.conf']
    assert order_sysctl_files(paths) == ['/run/sysctl.d/50-x.conf']
    assert order_sysctl_files(paths + ['/etc/sysctl.d/50-x.conf']) == ['/etc/sysctl.d/50-x.conf']


def test_etc_sysctl_conf_itself_is_not_in_the_boot_order():
    # systemd-sysctl lists *.conf of the sysctl.d directories only (issue #25 item 2)
    assert order_sysctl_files(['/etc/sysctl.conf', '/etc/sysctl.d/99-zz.conf', '/usr/lib/sysctl.d/10-a.conf']) == [
        '/usr/lib/sysctl.d/10-a.conf', '/etc/sysctl.d/99-zz.conf']


def test_later_file_wins_and_files_are_listed_in_load_order(tmp_path):
    root = make_tree(tmp_path, '6.1', files={
        'usr/lib/sysctl.d/50-default.conf': 'net.core.somaxconn = 1024\n',
        'etc/sysctl.d/90-tune.conf': '# tuned\nnet.core.somaxconn = 8192\n-net/ipv4/tcp_tw_reuse = 1\n',
        'run/sysctl.d/95-run.conf': 'net.core.somaxconn=2048\n',
    })
    facts = provenance(root, NAMES)
    assert facts['net.core.somaxconn'] == {
        'files': [{'path': '/usr/lib/sysctl.d/50-default.conf', 'line': 1, 'value': '1024'},
                  {'path': '/etc/sysctl.d/90-tune.conf', 'line': 2, 'value': '8192'},
                  {'path': '/run/sysctl.d/95-run.conf', 'line': 1, 'value': '2048'}],
        'winner': '/run/sysctl.d/95-run.conf'}
    assert facts['net.ipv4.tcp_tw_reuse']['winner'] == '/etc/sysctl.d/90-tune.conf'
    assert facts['fs.nr_open'] == {'files': [], 'winner': None}
    assert overridden_by(facts['net.core.somaxconn'], '/etc/sysctl.d/90-tune.conf') == '/run/sysctl.d/95-run.conf'
    assert overridden_by(facts['net.core.somaxconn'], '/run/sysctl.d/95-run.conf') is None
    assert overridden_by(facts['net.core.somaxconn'], '/etc/sysctl.d/00-none.conf') is None


def test_masked_file_does_not_count(tmp_path):
    root = make_tree(tmp_path, '6.1', files={
        'usr/lib/sysctl.d/50-x.conf': 'net.core.somaxconn = 1\n',
        'etc/sysctl.d/50-x.conf': '->/dev/null',
    })
    assert sysctl_files(root) == ['/etc/sysctl.d/50-x.conf']
    assert provenance(root, NAMES)['net.core.somaxconn']['winner'] is None


def test_debian_99_sysctl_link_applies_sysctl_conf_at_the_links_place(tmp_path):
    root = make_tree(tmp_path, '6.1', files={
        'etc/sysctl.conf': 'net.core.somaxconn = 512\n',
        'etc/sysctl.d/99-sysctl.conf': '->../sysctl.conf',
        'etc/sysctl.d/60-app.conf': 'net.core.somaxconn = 65535\n',
        'etc/sysctl.d/99-zz-late.conf': 'net.core.somaxconn = 4096\n',
    })
    facts = provenance(root, NAMES)['net.core.somaxconn']
    assert [f['path'] for f in facts['files']] == [
        '/etc/sysctl.d/60-app.conf', '/etc/sysctl.d/99-sysctl.conf', '/etc/sysctl.d/99-zz-late.conf']
    assert facts['winner'] == '/etc/sysctl.d/99-zz-late.conf'


def test_sysctl_conf_without_the_link_does_not_apply_at_boot(tmp_path):
    # Debian 13: procps ships no 99-sysctl.conf link; systemd-sysctl never reads /etc/sysctl.conf
    root = make_tree(tmp_path, '6.14', files={
        'etc/sysctl.conf': 'net.core.somaxconn = 512\n',
        'etc/sysctl.d/60-app.conf': 'net.core.somaxconn = 65535\n',
    })
    facts = provenance(root, NAMES)['net.core.somaxconn']
    assert facts == {'files': [{'path': '/etc/sysctl.d/60-app.conf', 'line': 1, 'value': '65535'}],
                     'winner': '/etc/sysctl.d/60-app.conf'}


def test_absolute_symlink_is_followed_inside_root(tmp_path):
    root = make_tree(tmp_path, '6.1', files={
        'etc/sysctl.conf': 'fs.nr_open = 2097152\n',
        'etc/sysctl.d/99-sysctl.conf': '->/etc/sysctl.conf',
    })
    assert provenance(root, NAMES)['fs.nr_open']['files'][0] == {
        'path': '/etc/sysctl.d/99-sysctl.conf', 'line': 1, 'value': '2097152'}


def test_would_be_overridden_by_for_a_file_to_be_written():
    entry = {'files': [{'path': '/usr/lib/sysctl.d/50-default.conf', 'line': 1, 'value': '1'},
                       {'path': '/etc/sysctl.d/99-sysctl.conf', 'line': 1, 'value': '2'}],
             'winner': '/etc/sysctl.d/99-sysctl.conf'}
    assert would_be_overridden_by(entry, '/etc/sysctl.d/90-netlimits-tcp.conf') == '/etc/sysctl.d/99-sysctl.conf'
    entry = {'files': [{'path': '/usr/lib/sysctl.d/50-default.conf', 'line': 1, 'value': '1'}],
             'winner': '/usr/lib/sysctl.d/50-default.conf'}
    assert would_be_overridden_by(entry, '/etc/sysctl.d/90-netlimits-tcp.conf') is None
    entry = {'files': [{'path': '/etc/sysctl.d/90-x.conf', 'line': 1, 'value': '1'}], 'winner': '/etc/sysctl.d/90-x.conf'}
    assert would_be_overridden_by(entry, '/usr/lib/sysctl.d/90-x.conf') == '/etc/sysctl.d/90-x.conf'
