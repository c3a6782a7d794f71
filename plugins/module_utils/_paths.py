# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where the role writes: every managed path, its template, the header of its files, its state directory.

One place for the paths the planner plans, _apply writes, _host reads and the
tests check; is_managed_path() says whether a path is one of them (a state
file naming any other path is not trusted). TEMPLATES names the template of
roles/tcp_tune/templates each managed file is rendered from (on the
controller, by the action plugin tcp_tune_apply). Python 3.6 compatible.
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
# The first line of every file the role writes is '# ' + tcp_tune_managed_header (the templates put it
# there). A header must name OWNER_MARK: without a state file, that line is how the role tells its own
# files from the site's (revert removes only those).
OWNER_MARK = 'netlimits.tcp.tcp_tune'
MANAGED_HEADER = 'Managed by the Ansible role netlimits.tcp.tcp_tune; changes here are overwritten.'
HEADER = '# ' + MANAGED_HEADER
# Template (roles/tcp_tune/templates) of each kind of managed file; tcp_tune_templates overrides them by
# these names.
TEMPLATE_SYSCTL = 'sysctl.conf.j2'
TEMPLATE_LIMITS = 'limits.conf.j2'
TEMPLATE_MANAGER = 'systemd-manager.conf.j2'
TEMPLATE_SERVICE = 'systemd-service.conf.j2'
TEMPLATE_UDEV = 'txqueuelen.rules.j2'
TEMPLATE_LINK = 'txqueuelen.link.j2'
TEMPLATE_RC_LOCAL = 'rc.local-txqueuelen.j2'
TEMPLATE_MODPROBE = 'nf_conntrack-modprobe.conf.j2'
TEMPLATE_MODULES_LOAD = 'nf_conntrack-modules-load.conf.j2'
TEMPLATES = (TEMPLATE_SYSCTL, TEMPLATE_LIMITS, TEMPLATE_MANAGER, TEMPLATE_SERVICE, TEMPLATE_UDEV, TEMPLATE_LINK,
             TEMPLATE_RC_LOCAL, TEMPLATE_MODPROBE, TEMPLATE_MODULES_LOAD)
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


def is_ours(text):
    """True when a file's first line is a comment naming OWNER_MARK: the role's header (the role wrote it)."""
    if text is None:
        return False
    first = text.split('\n', 1)[0]
    return first.startswith('#') and OWNER_MARK in first


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
