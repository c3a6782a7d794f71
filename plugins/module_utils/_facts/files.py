# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""File handle limits: kernel counters, RLIMIT_NOFILE, systemd's DefaultLimitNOFILE, limits.conf.

Python 3.6 compatible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.netlimits.tcp.plugins.module_utils._facts.read import (
    conf_files, exists, host_path, read_first, read_lines, read_text,
)
from ansible_collections.netlimits.tcp.plugins.module_utils._common.values import to_int
# the parser is shared with the controller's check of rendered limits files (plugin_utils/_tune/render.py)
from ansible_collections.netlimits.tcp.plugins.module_utils._formats.limits_conf import limit_value, parse_limits_conf
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.pam import pam_limits
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.sysctl import value_of

# systemd-system.conf search path, highest priority first; the drop-ins use the same directories + '.d'.
SYSTEMD_CONF_DIRS = ('etc/systemd', 'run/systemd', 'usr/local/lib/systemd', 'usr/lib/systemd')

# What systemd gives services when DefaultLimitNOFILE= is not set: since v240
# soft 1024 and hard 512K (HIGH_RLIMIT_NOFILE); before it, the kernel's 1024:4096.
SYSTEMD_BUILTIN_NOFILE_SINCE = 240
SYSTEMD_BUILTIN_NOFILE = (1024, 524288)
SYSTEMD_OLD_BUILTIN_NOFILE = (1024, 4096)

_LIMITS_LINE = re.compile(r'^Max open files\s+(\S+)\s+(\S+)')


def parse_proc_limits(text):
    """{soft, hard} of 'Max open files' in a /proc/PID/limits text; None values when missing."""
    for line in (text or '').splitlines():
        match = _LIMITS_LINE.match(line)
        if match:
            return {'soft': limit_value(match.group(1)), 'hard': limit_value(match.group(2))}
    return {'soft': None, 'hard': None}


def process_nofile(root, pid, unreadable=None):
    """RLIMIT_NOFILE of proc/<pid>/limits ('self' for this process)."""
    return parse_proc_limits(read_text(root, 'proc/%s/limits' % pid, unreadable))


def parse_systemd_nofile(text):
    """'65536' -> (65536, 65536); '1024:524288' -> (1024, 524288); 'infinity' -> unlimited; None when malformed."""
    text = (text or '').strip()
    if not text:
        return None
    if ':' in text:
        soft, hard = text.split(':', 1)
    else:
        soft = hard = text
    soft, hard = limit_value(soft), limit_value(hard)
    if soft is None or hard is None:
        return None
    return soft, hard


def systemd_nofile_setting(root, unreadable=None):
    """(soft, hard, file) of the DefaultLimitNOFILE= that wins, or None.

    The main system.conf (first found in etc, run, usr/local/lib, usr/lib), then
    system.conf.d/*.conf drop-ins in conf_files order; the last assignment in
    a [Manager] section wins.
    """
    files = []
    for directory in SYSTEMD_CONF_DIRS:
        if exists(root, directory + '/system.conf'):
            files.append(host_path(directory + '/system.conf'))
            break
    files.extend(conf_files(root, [d + '/system.conf.d' for d in SYSTEMD_CONF_DIRS], '.conf', unreadable))
    found = None
    for path in files:
        section = None
        for line in read_lines(root, path, unreadable) or []:
            line = line.strip()
            if not line or line[0] in '#;':
                continue
            if line.startswith('['):
                section = line.strip('[]').strip()
                continue
            if section != 'Manager' or '=' not in line:
                continue
            name, value = line.split('=', 1)
            if name.strip() == 'DefaultLimitNOFILE':
                parsed = parse_systemd_nofile(value)
                if parsed is not None:
                    found = (parsed[0], parsed[1], path)
    return found


def systemd_running(root, unreadable=None):
    """sd_booted(): /run/systemd/system exists; or PID 1's comm is systemd."""
    if exists(root, 'run/systemd/system'):
        return True
    return read_first(root, 'proc/1/comm', unreadable) == 'systemd'


def systemd_default_nofile(root, systemd_version=None, pid1=None, unreadable=None):
    """{soft, hard, source} services get by default, or None where systemd does not run.

    source is the file that sets DefaultLimitNOFILE=; when none does:
    'builtin' with systemd's compiled-in default when the systemd version is
    known (1024:524288 from v240), else 'pid1' with PID 1's own limit (the
    closest observable value; systemd may raise its own soft limit, so this
    can overstate the services' soft limit).
    """
    if not systemd_running(root, unreadable):
        return None
    setting = systemd_nofile_setting(root, unreadable)
    if setting is not None:
        return {'soft': setting[0], 'hard': setting[1], 'source': setting[2]}
    if systemd_version is not None:
        soft, hard = (SYSTEMD_BUILTIN_NOFILE if systemd_version >= SYSTEMD_BUILTIN_NOFILE_SINCE
                      else SYSTEMD_OLD_BUILTIN_NOFILE)
        return {'soft': soft, 'hard': hard, 'source': 'builtin'}
    pid1 = pid1 or {}
    return {'soft': pid1.get('soft'), 'hard': pid1.get('hard'), 'source': 'pid1'}


def limits_entries(root, unreadable=None):
    """nofile entries of etc/security/limits.conf then limits.d/*.conf (pam_limits reads them in that order)."""
    paths = ['/etc/security/limits.conf']
    paths.extend(conf_files(root, ['etc/security/limits.d'], '.conf', unreadable))
    entries = []
    for path in paths:
        entries.extend(parse_limits_conf(read_text(root, path, unreadable), path))
    return entries


def files(root, sysctl=None, systemd_version=None, unreadable=None):
    """The 'files' facts: handles allocated, file-max, nr_open and every nofile limit."""
    sysctl = sysctl or {}
    file_nr = read_text(root, 'proc/sys/fs/file-nr', unreadable)
    fields = (file_nr or '').split()
    pid1 = process_nofile(root, '1', unreadable)
    file_max = value_of(sysctl, 'fs.file-max')
    if file_max is None and len(fields) > 2:
        file_max = to_int(fields[2])
    return {
        'allocated': to_int(fields[0]) if fields else None,
        'file_max': file_max,
        'nr_open': value_of(sysctl, 'fs.nr_open'),
        'nofile': {'self': process_nofile(root, 'self', unreadable), 'pid1': pid1},
        'systemd_default_nofile': systemd_default_nofile(root, systemd_version, pid1, unreadable),
        'limits_entries': limits_entries(root, unreadable),
        'pam_limits': pam_limits(root, unreadable),
    }
