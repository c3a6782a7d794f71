# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hypothesis strategies for the write-path properties: fixture hosts, role variables, faults (issue #20).

A host is a dict of make_tree() keyword arguments plus site files (text, symlinks, /dev/null masks,
dangling links, odd modes) in every directory the role writes to or reads from; params are role
variables (the valid ones the role accepts, and some it refuses). settings profiles: 'ci' (make unit,
derandomized, a fixed example budget) and 'fuzz' (make fuzz); HYPOTHESIS_PROFILE picks one.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import os
import shutil
import stat
import tempfile

from hypothesis import HealthCheck, settings, strategies as st

from ansible_collections.netlimits.tcp.plugins.module_utils._common import paths as _paths
from ansible_collections.netlimits.tcp.tests.unit.fixtures.tree import make_tree

# ci: every property together well under a minute on one core (docs/testing.md gives the figures);
# fuzz: make fuzz, randomized, ten times the examples.
settings.register_profile('ci', max_examples=25, derandomize=True, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile('fuzz', max_examples=400, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile(os.environ.get('HYPOTHESIS_PROFILE', 'ci'))

MASK = '->/dev/null'
SHELL_RC = '#!/bin/sh -e\n# site rc.local\necho site >/dev/kmsg\nexit 0\n'
# Site files a host may have, by where they are: what an admin or a distribution puts there.
SITE_FILES = {
    'etc/sysctl.conf': st.sampled_from(['net.core.somaxconn = 65535\n', 'fs.nr_open = 1048576\n',
                                        '# nothing\n', 'net.ipv4.tcp_fin_timeout=45\n']),
    'etc/sysctl.d/99-admin.conf': st.sampled_from(['net.core.somaxconn = 65535\n', 'fs.nr_open = 2097152\n',
                                                   'net.ipv4.ip_local_port_range = 20000 60000\n']),
    'etc/sysctl.d/10-site.conf': st.sampled_from(['net.ipv4.tcp_fin_timeout = 20\n', MASK, '->/etc/nowhere.conf']),
    'etc/security/limits.conf': st.sampled_from(['* soft nofile 4096\n', 'oracle hard nofile 2000000\n']),
    'etc/security/limits.d/50-site.conf': st.sampled_from(['oracle hard nofile 1500000\n', '@web - nofile 8192\n',
                                                           MASK]),
    'etc/rc.local': st.sampled_from([SHELL_RC, '#!/usr/bin/python3\nprint("site")\n', '#!/bin/sh\r\nexit 0\r\n',
                                     'echo no interpreter\n', MASK, '->/etc/rc.d/rc.local', '#!/bin/bash\nset -e\n']),
    'etc/systemd/network/99-default.link': st.sampled_from([MASK, '[Match]\nOriginalName=*\n\n[Link]\n'
                                                                  'NamePolicy=kernel\n']),
    'etc/systemd/network/95-lan0.link': st.just('[Match]\nMACAddress=52:54:00:12:34:56\n\n[Link]\nName=lan0\n'),
    'etc/systemd/system.conf.d/50-site.conf': st.just('[Manager]\nDefaultLimitNOFILE=4096:65536\n'),
    # site text at the role's own paths (an original it backs up), or a mask there
    _paths.SYSCTL_FILE.lstrip('/'): st.sampled_from(['# site\nnet.core.somaxconn = 1024\n', MASK]),
    _paths.LIMITS_FILE.lstrip('/'): st.sampled_from(['* soft nofile 2048\n', MASK, '->/etc/nowhere']),
    _paths.UDEV_FILE.lstrip('/'): st.sampled_from(['# site rule\n', MASK]),
    _paths.MODPROBE_FILE.lstrip('/'): st.just('options nf_conntrack hashsize=4096\n'),
}
ODD_MODES = st.sampled_from([0o600, 0o644, 0o640, 0o755, 0o700, 0o444])
READ_ONLY_KEYS = ('net.core.somaxconn', 'net.ipv4.tcp_fin_timeout', 'fs.nr_open', 'net.ipv4.ip_local_port_range')


@st.composite
def hosts(draw):
    """make_tree() arguments of one fixture host, with site files and odd modes."""
    container = draw(st.sampled_from([None, None, 'podman']))
    files = {}
    for rel in draw(st.lists(st.sampled_from(sorted(SITE_FILES)), unique=True, max_size=5)):
        files[rel] = draw(SITE_FILES[rel])
    if any(text == MASK for text in files.values()):
        files['dev/null'] = ''      # stands in for the device: a write to it shows in the snapshot
    if draw(st.booleans()):
        files['usr/sbin/ip'] = ''
    if draw(st.booleans()):
        files['usr/lib/systemd/system-generators/systemd-rc-local-generator'] = ''
    modes = {}
    for rel, text in sorted(files.items()):
        if not text.startswith('->') and rel.startswith('etc/') and draw(st.booleans()):
            modes[rel] = draw(ODD_MODES)
    read_only = draw(st.lists(st.sampled_from(READ_ONLY_KEYS), unique=True, max_size=2))
    return {'profile': draw(st.sampled_from(['4.19', '5.15', '6.1', '6.14'])), 'container': container,
            'systemd': draw(st.sampled_from(['profile', 'profile', None])), 'files': files, 'modes': modes,
            'read_only': read_only, 'nr_open': draw(st.sampled_from(['1048576', '1048576', '4194304']))}


def build(base, host):
    """The fixture tree of a hosts() example under base; returns its root."""
    root = make_tree(base, host['profile'], container=host['container'], systemd=host['systemd'],
                     files=host['files'], sysctl={'fs.nr_open': host['nr_open']})
    for rel, mode in host['modes'].items():
        os.chmod(os.path.join(root, rel), mode)
    for name in host['read_only']:
        path = os.path.join(root, 'proc/sys', name.replace('.', '/'))
        if os.path.exists(path):
            os.chmod(path, 0o444)
    return root


INTERFACES = st.sampled_from([['eth0'], 'physical'])
PERSIST = st.sampled_from(['rc_local', 'udev', 'systemd_link', 'none'])


@st.composite
def params(draw, valid=True):
    """Role variables, tcp_tune_ prefix left off; valid=False adds values the role must refuse."""
    out = {'profile': draw(st.sampled_from(['none', 'none', 'server']))}
    optional = {
        'fin_timeout': st.integers(10, 60),
        'somaxconn': st.sampled_from([1024, 4096, 16384, 65535]),
        'nofile': st.sampled_from([65536, 524288, 2000000]),
        'nr_open': st.sampled_from([1048576, 4194304]),
        'txqueuelen': st.sampled_from([1000, 5000]),
        'service_nofile': st.just({'nginx': 65536}),
        'raise_only': st.booleans(),
        'sysctl': st.just({'net.ipv4.tcp_congestion_control': 'cubic'}),
        'conntrack_max': st.just(262144),
    }
    for name in draw(st.lists(st.sampled_from(sorted(optional)), unique=True, max_size=4)):
        out[name] = draw(optional[name])
    if 'txqueuelen' in out:
        out['interfaces'] = draw(INTERFACES)
        out['txqueuelen_persist'] = draw(PERSIST)
    if not valid and draw(st.booleans()):
        out[draw(st.sampled_from(['somaxconn', 'nofile', 'txqueuelen_persist']))] = draw(
            st.sampled_from([-1, 'lots', 'carrier-pigeon', 10 ** 12]))
    return out


# Faults a write may meet: what the kernel or the file system says, or an interrupt (Ctrl-C, a killed
# connection: the run stops there with no report).
INTERRUPT = 'interrupt'
ERRNOS = (errno.EINVAL, errno.EPERM, errno.ENOSPC, errno.EROFS, INTERRUPT)
faults = st.tuples(st.integers(0, 12), st.sampled_from(ERRNOS))


class TempRoot(object):
    """A temporary directory for one example (Hypothesis runs many in one test call)."""

    def __enter__(self):
        self.base = tempfile.mkdtemp(prefix='netlimits-prop.')
        return self.base

    def __exit__(self, *exc):
        shutil.rmtree(self.base, ignore_errors=True)


def snapshot(root, skip=('proc/', 'sys/')):
    """{rel: (type, bytes or link target, mode, uid, gid)} of everything under root but /proc and /sys."""
    out = {}
    for base, dirs, names in os.walk(root):
        for name in dirs + names:
            path = os.path.join(base, name)
            rel = os.path.relpath(path, root)
            if rel.startswith(skip):
                continue
            st_ = os.lstat(path)
            if stat.S_ISLNK(st_.st_mode):
                data, kind = os.readlink(path), 'link'
            elif stat.S_ISREG(st_.st_mode):
                with open(path, 'rb') as handle:
                    data, kind = handle.read(), 'file'
            else:
                data, kind = None, 'dir' if stat.S_ISDIR(st_.st_mode) else 'other'
            out[rel] = (kind, data, stat.S_IMODE(st_.st_mode), st_.st_uid, st_.st_gid)
    return out


def live_values(root):
    """{rel: (words, mode)} of every file under proc/sys and of each interface's tx_queue_len."""
    out = {}
    for top in ('proc/sys', 'sys/class/net'):
        for base, dummy, names in os.walk(os.path.join(root, top)):
            for name in names:
                path = os.path.join(base, name)
                if top == 'sys/class/net' and name != 'tx_queue_len':
                    continue
                with open(path, 'rb') as handle:
                    # words, as the kernel prints them (a fixture file keeps what was written: spaces or tabs)
                    out[os.path.relpath(path, root)] = (handle.read().split(), stat.S_IMODE(os.stat(path).st_mode))
    return out


def is_managed(rel):
    """True for what the role may change: its paths, its state directory, and parent directories of those."""
    path = '/' + rel
    if _paths.is_managed_path(path) or path == _paths.STATE_DIR or path.startswith(_paths.STATE_DIR + '/'):
        return True
    parents_of = (_paths.STATE_DIR, _paths.SYSCTL_FILE, _paths.LIMITS_FILE, _paths.MANAGER_FILE, _paths.UDEV_FILE,
                  _paths.MODPROBE_FILE, _paths.MODULES_LOAD_FILE, _paths.SERVICE_FILE % 'nginx', _paths.LINK_FILE % 'eth0')
    return any(p.startswith(path + '/') for p in parents_of)
