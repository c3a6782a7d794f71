# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where the role writes: every managed path, the header of its files, its state directory.

One place for the paths the planner plans, _apply writes, _host reads and the
tests check; is_managed_path() says whether a path is one of them (a state
file naming any other path is not trusted). Python 3.6 compatible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netlimits.tcp.plugins.module_utils._plan_text import RC_LOCAL_PATH

NAME = '90-netlimits-tcp'
SYSCTL_FILE = '/etc/sysctl.d/90-netlimits-tcp.conf'
LIMITS_FILE = '/etc/security/limits.d/90-netlimits-tcp.conf'
MANAGER_FILE = '/etc/systemd/system.conf.d/90-netlimits-tcp.conf'
SERVICE_FILE = '/etc/systemd/system/%s.service.d/90-netlimits-tcp.conf'
RC_LOCAL = RC_LOCAL_PATH
UDEV_FILE = '/etc/udev/rules.d/90-netlimits-tcp-txqueuelen.rules'
LINK_FILE = '/etc/systemd/network/90-netlimits-tcp-%s.link'
MODPROBE_FILE = '/etc/modprobe.d/90-netlimits-tcp.conf'
MODULES_LOAD_FILE = '/etc/modules-load.d/90-netlimits-tcp.conf'
STATE_DIR = '/var/lib/netlimits-tcp'
STATE_FILE = STATE_DIR + '/original.json'
BACKUP_DIR = STATE_DIR + '/backup'
HEADER = '# Managed by the Ansible role netlimits.tcp.tcp_tune; changes here are overwritten.'
_UNIT_CHARS = frozenset('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789:_.\\@-')
_IFNAME_CHARS = frozenset('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.+-')


def concern_of(path):
    """Which task file of the role handles a managed path."""
    if path == SYSCTL_FILE:
        return 'sysctl'
    if path == LIMITS_FILE:
        return 'limits'
    if path == MANAGER_FILE or '.service.d/' in path:
        return 'systemd'
    if path in (MODPROBE_FILE, MODULES_LOAD_FILE):
        return 'conntrack'
    return 'txqueuelen'


def backup_path(path):
    return BACKUP_DIR + path


def is_managed_path(path):
    """True for the paths the role writes: the fixed ones, service drop-ins and our .link files."""
    if path in (SYSCTL_FILE, LIMITS_FILE, MANAGER_FILE, RC_LOCAL, UDEV_FILE, MODPROBE_FILE, MODULES_LOAD_FILE):
        return True
    for pattern, charset in ((SERVICE_FILE, _UNIT_CHARS), (LINK_FILE, _IFNAME_CHARS)):
        head, tail = pattern.split('%s')
        middle = path[len(head):len(path) - len(tail)] if path.startswith(head) and path.endswith(tail) else ''
        if middle and '..' not in middle and all(c in charset for c in middle):
            return True
    return False
