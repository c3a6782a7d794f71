# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where the role writes: every managed path, its template, the header of its files, its state directory.

One place for the paths the planner plans, _apply writes, _plan/readings.py reads and the
tests check; is_managed_path() says whether a path is one of them (a state
file naming any other path is not trusted). TEMPLATES names the template of
roles/tcp_tune/templates each managed file is rendered from (on the
controller, by the action plugin tcp_tune_apply). Python 3.6 compatible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


NAME = '90-netlimits-tcp'
SYSCTL_FILE = '/etc/sysctl.d/90-netlimits-tcp.conf'
LIMITS_FILE = '/etc/security/limits.d/90-netlimits-tcp.conf'
MANAGER_FILE = '/etc/systemd/system.conf.d/90-netlimits-tcp.conf'
SERVICE_FILE = '/etc/systemd/system/%s.service.d/90-netlimits-tcp.conf'
RC_LOCAL = '/etc/rc.local'
UDEV_FILE = '/etc/udev/rules.d/90-netlimits-tcp-txqueuelen.rules'
LINK_FILE = '/etc/systemd/network/90-netlimits-tcp-%s.link'
MODPROBE_FILE = '/etc/modprobe.d/90-netlimits-tcp.conf'
MODULES_LOAD_FILE = '/etc/modules-load.d/90-netlimits-tcp.conf'
# tcp_tune_metrics: the collection's facts code, the script that runs it and its systemd units. The timer is
# pulled in by a drop-in of timers.target (a file like the others) rather than `systemctl enable` (a
# symlink), so that every path the option installs is a managed file that revert removes.
METRICS_LIB_DIR = '/usr/local/lib/netlimits-tcp'
METRICS_SCRIPT = METRICS_LIB_DIR + '/netlimits-tcp-metrics.py'
METRICS_UNIT = 'netlimits-tcp-metrics'
METRICS_SERVICE = '/etc/systemd/system/%s.service' % METRICS_UNIT
METRICS_TIMER = '/etc/systemd/system/%s.timer' % METRICS_UNIT
METRICS_WANTS = '/etc/systemd/system/timers.target.d/90-netlimits-tcp-metrics.conf'
METRICS_UNIT_FILES = (METRICS_SERVICE, METRICS_TIMER, METRICS_WANTS)
STATE_DIR = '/var/lib/netlimits-tcp'
STATE_FILE = STATE_DIR + '/original.json'
BACKUP_DIR = STATE_DIR + '/backup'
# The first line of every file the role writes is '# ' + tcp_tune_managed_header (the templates put it
# there). A header must name OWNER_MARK: without a state file, that line is how the role tells its own
# files from the site's (revert removes only those).
OWNER_MARK = 'netlimits.tcp.tcp_tune'
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
TEMPLATE_METRICS_SCRIPT = 'metrics-collect.py.j2'
TEMPLATE_METRICS_MODULE = 'metrics-module.py.j2'
TEMPLATE_METRICS_SERVICE = 'metrics.service.j2'
TEMPLATE_METRICS_TIMER = 'metrics.timer.j2'
TEMPLATE_METRICS_WANTS = 'metrics-timers-wants.conf.j2'
TEMPLATES = (TEMPLATE_SYSCTL, TEMPLATE_LIMITS, TEMPLATE_MANAGER, TEMPLATE_SERVICE, TEMPLATE_UDEV, TEMPLATE_LINK,
             TEMPLATE_RC_LOCAL, TEMPLATE_MODPROBE, TEMPLATE_MODULES_LOAD, TEMPLATE_METRICS_SCRIPT,
             TEMPLATE_METRICS_MODULE, TEMPLATE_METRICS_SERVICE, TEMPLATE_METRICS_TIMER, TEMPLATE_METRICS_WANTS)
_UNIT_CHARS = frozenset('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789:_.\\@-')
_IFNAME_CHARS = frozenset('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.+-')
_MODULE_CHARS = frozenset('abcdefghijklmnopqrstuvwxyz0123456789_./')


# The order _apply writes managed files in (docs/safety.md, "Write path"), by rank: lower first, and files
# of one rank in the plan's order. The sysctl file comes first: fs.nr_open is already raised live and the
# file keeps it raised at boot, before limits.d and the systemd drop-ins ask for a nofile up to it (a
# nofile above fs.nr_open makes PAM logins fail). The live txqueuelen writes come right before the
# txqueuelen files (rc.local, udev rule, .link files); the conntrack files; the metrics timer's files last
# (tcp_tune_metrics: nothing else depends on them).
RANK_SYSCTL, RANK_LIMITS, RANK_SYSTEMD, RANK_TXQUEUELEN, RANK_CONNTRACK, RANK_METRICS = range(6)


SERVICE_NAME_RULE = ('a valid systemd service name (ASCII letters, digits and ":_.-\\@", at most one "@", not '
                     'starting with "-" or "@", no "..", 1 to 247 characters before an optional ".service")')


def is_service_name(name):
    """True for a service unit name the role may put into a path and a systemctl argument (SERVICE_NAME_RULE)."""
    unit = str(name)
    if unit.endswith('.service'):
        unit = unit[:-len('.service')]
    return 0 < len(unit) <= 247 and all(c in _UNIT_CHARS for c in unit) and not unit.startswith(('-', '@')) \
        and '..' not in unit and unit.count('@') <= 1


def dropin_unit(path):
    """The unit of a per-service drop-in path of ours (SERVICE_FILE of some unit), else None."""
    head, tail = SERVICE_FILE.split('%s')
    if path.startswith(head) and path.endswith(tail) and len(path) > len(head) + len(tail):
        return path[len(head):-len(tail)]
    return None


def is_service_dropin(path):
    """True for a per-service drop-in of ours (SERVICE_FILE of some unit)."""
    return dropin_unit(path) is not None


def write_rank(path):
    """Where a managed path comes in _apply's write order (RANK_*); txqueuelen persistence is the default."""
    if path == SYSCTL_FILE:
        return RANK_SYSCTL
    if path == LIMITS_FILE:
        return RANK_LIMITS
    if path == MANAGER_FILE or is_service_dropin(path):
        return RANK_SYSTEMD
    if path in (MODPROBE_FILE, MODULES_LOAD_FILE):
        return RANK_CONNTRACK
    if is_metrics_path(path):
        return RANK_METRICS
    return RANK_TXQUEUELEN


def needs_daemon_reload(path):
    """Whether a change of the managed path needs `systemctl daemon-reload`.

    Unit drop-ins are read at a reload; rc.local through systemd's rc-local generator, which runs at a
    reload; .link files and udev rules are read at the next device add, and a reload is harmless for
    them. system.conf.d (MANAGER_FILE) needs daemon-reexec instead.
    """
    return path in METRICS_UNIT_FILES or (path != MANAGER_FILE and write_rank(path) in (RANK_SYSTEMD, RANK_TXQUEUELEN))


def is_ours(text):
    """True when a file's first line is a comment naming OWNER_MARK: the role's header (the role wrote it)."""
    if text is None:
        return False
    first = text.split('\n', 1)[0]
    return first.startswith('#') and OWNER_MARK in first


def backup_path(path):
    return BACKUP_DIR + path


def is_metrics_path(path):
    """True for a file of tcp_tune_metrics: its units, its script, the Python files under METRICS_LIB_DIR."""
    if path in METRICS_UNIT_FILES or path == METRICS_SCRIPT:
        return True
    rest = path[len(METRICS_LIB_DIR) + 1:] if path.startswith(METRICS_LIB_DIR + '/') else ''
    return rest.endswith('.py') and '..' not in rest and '//' not in rest and all(c in _MODULE_CHARS for c in rest)


def is_managed_path(path):
    """True for the paths the role writes: the fixed ones, service drop-ins, our .link files, the metrics files."""
    if path in (SYSCTL_FILE, LIMITS_FILE, MANAGER_FILE, RC_LOCAL, UDEV_FILE, MODPROBE_FILE, MODULES_LOAD_FILE):
        return True
    if is_metrics_path(path):
        return True
    for pattern, charset in ((SERVICE_FILE, _UNIT_CHARS), (LINK_FILE, _IFNAME_CHARS)):
        head, tail = pattern.split('%s')
        middle = path[len(head):len(path) - len(tail)] if path.startswith(head) and path.endswith(tail) else ''
        if middle and '..' not in middle and all(c in charset for c in middle):
            return True
    return False
