# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Kernel version, version-dependent behaviour, and containment.

Python 3.6 compatible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.netlimits.tcp.plugins.module_utils._common import keys as _keys
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.read import (
    exists, read_first, read_link, read_text,
)

_RELEASE = re.compile(r'^(\d+)\.(\d+)(?:\.(\d+))?')

# What the engine writes into /run/systemd/container or container= (PID 1 environment).
_ENGINE_NAMES = {
    'podman': 'podman',
    'docker': 'docker',
    'lxc': 'lxc',
    'lxc-libvirt': 'lxc',
    'systemd-nspawn': 'systemd-nspawn',
}

# Substrings of /proc/1/cgroup (then /proc/self/cgroup) lines, first match wins.
_CGROUP_HINTS = (
    ('libpod', 'podman'),
    ('/docker/', 'docker'),
    ('docker-', 'docker'),
    ('/lxc/', 'lxc'),
    ('lxc.payload', 'lxc'),
    ('machine.slice/systemd-nspawn', 'systemd-nspawn'),
    ('/kubepods', 'container'),
    ('/containerd/', 'container'),
)


def parse_release(release):
    """'6.1.0-18-amd64' -> [6, 1, 0]; '3.10' -> [3, 10, 0]; None when unparsable."""
    if not release:
        return None
    match = _RELEASE.match(release.strip())
    if not match:
        return None
    return [int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)]


def behaviour(version):
    """Version-dependent behaviour from the _keys guards; all None when version is unknown."""
    if version is None:
        return {
            'tcp_tw_recycle_exists': None,
            'tcp_tw_reuse_default': None,
            'tcp_tw_reuse_loopback_mode': None,
            'somaxconn_default': None,
            'tcp_tw_reuse_delay_exists': None,
        }
    keys = _keys.BY_NAME
    return {
        'tcp_tw_recycle_exists': _keys.exists_in_kernel(keys['net.ipv4.tcp_tw_recycle'], version),
        'tcp_tw_reuse_default': _keys.default_for(keys['net.ipv4.tcp_tw_reuse'], version),
        'tcp_tw_reuse_loopback_mode': _keys.value_allowed_on('net.ipv4.tcp_tw_reuse', 2, version),
        'somaxconn_default': _keys.default_for(keys['net.core.somaxconn'], version),
        'tcp_tw_reuse_delay_exists': _keys.exists_in_kernel(keys['net.ipv4.tcp_tw_reuse_delay'], version),
    }


def kernel(root, unreadable=None):
    """{release, version, behaviour} from proc/sys/kernel/osrelease."""
    release = read_first(root, 'proc/sys/kernel/osrelease', unreadable)
    version = parse_release(release)
    return {'release': release, 'version': version, 'behaviour': behaviour(version)}


def _environ_container(root, unreadable):
    text = read_text(root, 'proc/1/environ', unreadable)
    if not text:
        return None
    for item in text.split('\0'):
        if item.startswith('container='):
            return item.split('=', 1)[1].strip() or None
    return None


def _cgroup_engine(root, unreadable):
    for rel in ('proc/1/cgroup', 'proc/self/cgroup'):
        text = read_text(root, rel, unreadable)
        if not text:
            continue
        for hint, engine in _CGROUP_HINTS:
            if hint in text:
                return engine, rel
    return None, None


def detect_container(root, unreadable=None):
    """(engine or None, evidence path or None).

    Order: /run/.containerenv (podman), /.dockerenv (docker),
    /run/systemd/container and PID 1's container= (what systemd itself uses),
    then cgroup paths of PID 1 and of this process. An unknown container=
    value or a kubepods/containerd cgroup gives the generic 'container'.
    """
    if exists(root, 'run/.containerenv'):
        return 'podman', '/run/.containerenv'
    if exists(root, '.dockerenv'):
        return 'docker', '/.dockerenv'
    name = read_first(root, 'run/systemd/container', unreadable)
    if name:
        return _ENGINE_NAMES.get(name, 'container'), '/run/systemd/container'
    name = _environ_container(root, unreadable)
    if name:
        return _ENGINE_NAMES.get(name, 'container'), '/proc/1/environ'
    engine, rel = _cgroup_engine(root, unreadable)
    if engine:
        return engine, '/' + rel
    return None, None


def initial_netns(root, container, unreadable=None):
    """(True/False/None, method) whether this process is in the initial network namespace.

    1. net.core.netdev_max_backlog is registered for init_net only, so it is
       visible in /proc/sys/net/core of the initial netns and missing in any
       other: present -> True; missing while net/core/somaxconn (per netns) is
       there -> False. Method 'netdev_max_backlog'.
    2. Otherwise, outside a container (PID 1 is the host's init, which lives in
       the initial netns): compare readlink proc/self/ns/net with proc/1/ns/net.
       Method 'ns_link'. Reading PID 1's link needs ptrace rights.
    3. Otherwise None, method null.
    """
    if exists(root, 'proc/sys/net/core/netdev_max_backlog'):
        return True, 'netdev_max_backlog'
    if exists(root, 'proc/sys/net/core/somaxconn'):
        return False, 'netdev_max_backlog'
    if not container:
        mine = read_link(root, 'proc/self/ns/net', unreadable)
        init = read_link(root, 'proc/1/ns/net', unreadable)
        if mine and init:
            return mine == init, 'ns_link'
    return None, None


def containment(root, unreadable=None):
    """{container, engine, evidence, initial_netns, netns_method}."""
    engine, evidence = detect_container(root, unreadable)
    container = engine is not None
    init_ns, method = initial_netns(root, container, unreadable)
    return {
        'container': container,
        'engine': engine,
        'evidence': evidence,
        'initial_netns': init_ns,
        'netns_method': method,
    }
