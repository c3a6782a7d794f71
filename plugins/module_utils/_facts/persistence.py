# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where txqueuelen is persisted already: rc.local, udev rules, systemd .link files; systemd's version.

Python 3.6 compatible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.netlimits.tcp.plugins.module_utils._facts.read import (
    conf_files, exists, is_dir, is_executable, list_dir, read_lines, read_text,
)
from ansible_collections.netlimits.tcp.plugins.module_utils._formats.rc_local import parse_ip_txqueuelen
from ansible_collections.netlimits.tcp.plugins.module_utils._formats.systemd_link import parse_link_section

# systemd-rc-local-generator is removed in systemd 260.
RC_LOCAL_REMOVED_IN = 260

UDEV_DIRS = ('etc/udev/rules.d', 'run/udev/rules.d', 'usr/lib/udev/rules.d', 'lib/udev/rules.d')
LINK_DIRS = ('etc/systemd/network', 'run/systemd/network', 'usr/local/lib/systemd/network',
             'usr/lib/systemd/network', 'lib/systemd/network')

# Directories that hold libsystemd-shared-NNN.so (its name carries the version).
SYSTEMD_LIB_DIRS = ('usr/lib/systemd', 'lib/systemd', 'usr/lib64/systemd')
SYSTEMD_LIB_PARENTS = ('usr/lib', 'lib')  # plus <parent>/<multiarch triplet>/systemd (Debian)

_UDEV_TXQ = re.compile(r'ATTR\{tx_queue_len\}\s*=\s*"?(\d+)"?')
_LINK_TXQ = re.compile(r'^\s*TransmitQueueLength\s*=\s*(\d+)')
_SHARED = re.compile(r'^libsystemd-shared-(\d+)')
# KERNEL=="eth0" in a udev rule: one interface, no glob characters.
_UDEV_KERNEL = re.compile(r'KERNEL\s*==\s*"([^"*?\[\]|]+)"')
_SYSTEMCTL_VERSION = re.compile(r'^systemd\s+(\d+)')


def rc_local(root, unreadable=None):
    """{exists, executable, txqueuelen_lines} of etc/rc.local."""
    found = exists(root, 'etc/rc.local')
    lines = []
    if found:
        for line in read_lines(root, 'etc/rc.local', unreadable) or []:
            text = line.strip()
            if text and not text.startswith('#') and ('txqueuelen' in text or 'tx_queue_len' in text or 'txqlen' in text):
                lines.append(text)
    settings = {}
    for text in lines:
        parsed = parse_ip_txqueuelen(text)
        if parsed:
            settings[parsed[0]] = parsed[1]
    return {'exists': found, 'executable': is_executable(root, 'etc/rc.local') if found else False,
            'txqueuelen_lines': lines, 'txqueuelen': settings}


def _scan(root, paths, pattern, unreadable):
    hits = []
    for path in paths:
        for number, line in enumerate(read_lines(root, path, unreadable) or [], 1):
            if line.lstrip().startswith('#'):
                continue
            match = pattern.search(line)
            if match:
                hits.append({'file': path, 'line': number, 'value': int(match.group(1)), 'text': line.strip()})
    return hits


def udev_txqueuelen(root, unreadable=None):
    """udev rules setting ATTR{tx_queue_len}, in udev's load order (masking by basename).

    interface: the one interface a rule matches by KERNEL=="NAME" (None for a glob or no match key).
    """
    hits = _scan(root, conf_files(root, UDEV_DIRS, '.rules', unreadable), _UDEV_TXQ, unreadable)
    for hit in hits:
        match = _UDEV_KERNEL.search(hit['text'])
        hit['interface'] = match.group(1) if match else None
    return hits


def systemd_link_txqueuelen(root, unreadable=None):
    """systemd .link files with TransmitQueueLength= (systemd >= 248).

    interface: the one interface the file matches by OriginalName= (None for a glob or other match keys).
    """
    hits = _scan(root, conf_files(root, LINK_DIRS, '.link', unreadable), _LINK_TXQ, unreadable)
    for hit in hits:
        names = [v for k, v in parse_link_section(read_text(root, hit['file'], unreadable), 'Match')
                 if k == 'OriginalName']
        hit['interface'] = names[-1] if len(names) == 1 and not any(c in names[-1] for c in '*?[ ') else None
    return hits


def _lib_dirs(root):
    dirs = list(SYSTEMD_LIB_DIRS)
    for parent in SYSTEMD_LIB_PARENTS:
        for name in list_dir(root, parent):
            if name.count('-') >= 2 and is_dir(root, parent + '/' + name + '/systemd'):
                dirs.append(parent + '/' + name + '/systemd')
    return dirs


def systemd_version(root):
    """systemd's version from the name libsystemd-shared-NNN[.x-y].so, or None.

    No subprocess: the module falls back to `systemctl --version` (see
    parse_systemctl_version) only when this finds nothing.
    """
    best = None
    for directory in _lib_dirs(root):
        for name in list_dir(root, directory):
            match = _SHARED.match(name)
            if match:
                version = int(match.group(1))
                best = version if best is None else max(best, version)
    return best


def parse_systemctl_version(text):
    """'systemd 252 (252.22-1~deb12u1)' -> 252, or None."""
    for line in (text or '').splitlines():
        match = _SYSTEMCTL_VERSION.match(line.strip())
        if match:
            return int(match.group(1))
    return None


def rc_local_supported(version, systemd_present):
    """True when something will run an executable rc.local at boot.

    systemd < 260 (its rc-local generator); no systemd at all (sysvinit runs
    it); None when systemd is there but its version is unknown.
    """
    if version is not None:
        return version < RC_LOCAL_REMOVED_IN
    return None if systemd_present else True


def persistence(root, systemd_present=False, version=None, unreadable=None):
    """The 'persistence' facts; version overrides systemd_version(root) when given."""
    if version is None:
        version = systemd_version(root)
    return {
        'rc_local': rc_local(root, unreadable),
        'udev_txqueuelen': udev_txqueuelen(root, unreadable),
        'systemd_link_txqueuelen': systemd_link_txqueuelen(root, unreadable),
        'systemd_version': version,
        'rc_local_supported': rc_local_supported(version, systemd_present),
    }


def systemd_version_asking(root, find_bin, run):
    """systemd_version(root); when that finds nothing, `systemctl --version` through the module's helpers.

    find_bin(name) -> path or None; run(argv) -> (rc, stdout, stderr).
    """
    version = systemd_version(root)
    if version is None:
        systemctl = find_bin('systemctl')
        if systemctl:
            rc, out, dummy = run([systemctl, '--version'])
            if rc == 0:
                version = parse_systemctl_version(out)
    return version
