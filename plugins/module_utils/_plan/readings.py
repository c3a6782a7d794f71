# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""read_host(): the host readings the planner needs besides the facts, read under a root directory.

The planner (_plan.plan) takes the role's variables, the tcp_limits facts and
this dict: what the role's state file recorded, whether each managed file
exists (mode, executable bit) and the text of the two it edits or reads back
(rc.local and our sysctl file), 99-default.link, the ports listening now
(_facts_sockets.listening_ports), whether the rc.local generator is
installed, the keys of tcp_tune_sysctl that are not in the key table, and
whether `ip` is installed (rc.local lines need it). Texts are decoded with
surrogateescape so that writing them back gives the same bytes (CRLF and
all). Python 3.6 compatible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json
import os
import stat
import sys

from ansible_collections.netlimits.tcp.plugins.module_utils._common import paths as _paths
from ansible_collections.netlimits.tcp.plugins.module_utils._plan import plan as _plan
from ansible_collections.netlimits.tcp.plugins.module_utils._plan.inputs import params_of
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.read import is_writable, join, read_bytes, resolve
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.sockets import listening_ports
from ansible_collections.netlimits.tcp.plugins.module_utils._plan.metrics import read_metrics

# Where 99-default.link may be, in systemd's search order (a .link of ours repeats its settings).
DEFAULT_LINKS = (
    '/etc/systemd/network/99-default.link',
    '/run/systemd/network/99-default.link',
    '/usr/local/lib/systemd/network/99-default.link',
    '/usr/lib/systemd/network/99-default.link',
    '/lib/systemd/network/99-default.link',
)
RC_LOCAL_GENERATORS = (
    '/usr/lib/systemd/system-generators/systemd-rc-local-generator',
    '/lib/systemd/system-generators/systemd-rc-local-generator',
)
# Managed files whose text the planner reads, not only their existence.
TEXT_FILES = (_paths.RC_LOCAL, _paths.SYSCTL_FILE)
IP_BINARIES = ('/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip')


def digest(data):
    """SHA-1 of a file's bytes (None for a missing file): what the plan saw, checked again before writing."""
    return None if data is None else hashlib.sha1(data).hexdigest()


def decode(data):
    return None if data is None else data.decode('utf-8', 'surrogateescape')


def file_info(root, path):
    """{'exists', 'mode' ('0644'), 'executable', 'uid', 'gid'} of a path (symlinks followed inside root)."""
    try:
        st = os.stat(join(root, resolve(root, path)))
    except (IOError, OSError, ValueError):   # ValueError: a NUL in a name from unvalidated input
        return {'exists': False, 'mode': None, 'executable': False}
    return {'exists': True, 'mode': '%04o' % stat.S_IMODE(st.st_mode), 'executable': bool(st.st_mode & stat.S_IXUSR),
            'uid': st.st_uid, 'gid': st.st_gid}


def read_state(root):
    """The role's state file as a dict, or None (missing, unreadable or not JSON).

    Only what the role itself could have written is taken: file records of
    managed paths (_paths.is_managed_path) whose backup is where the role puts it,
    and dicts where dicts belong. Anything else in the file is dropped, so an
    edited or corrupt record can never make a revert touch another path.
    """
    text = decode(read_bytes(root, _paths.STATE_FILE))
    if not text:
        return None
    try:
        state = json.loads(text)
    except ValueError:
        return None
    if not isinstance(state, dict):
        return None
    for field in ('sysctl', 'txqueuelen', 'files'):
        if not isinstance(state.get(field, {}), dict):
            state[field] = {}
    state['sysctl'] = dict((k, v) for k, v in (state.get('sysctl') or {}).items() if isinstance(v, dict))
    state['files'] = dict(
        (path, rec) for path, rec in (state.get('files') or {}).items()
        if _paths.is_managed_path(path) and isinstance(rec, dict)
        and rec.get('backup') in (None, _paths.backup_path(path)))
    return state


def sysctl_path(name):
    """proc/sys/... of a key name; None for a name that could leave proc/sys."""
    if not name or '/' in name or '..' in name or name.startswith('.'):
        return None
    return 'proc/sys/' + name.replace('.', '/')


def extra_sysctl(root, names):
    """present/writable/readable/value of keys outside the key table, read from proc/sys."""
    out = {}
    for name in names:
        rel = sysctl_path(name)
        full = join(root, rel) if rel else None
        present = bool(full) and os.path.isfile(full)
        text = decode(read_bytes(root, rel)) if present else None
        value = text.rstrip('\n') if text is not None else None
        out[name] = {'present': present, 'writable': present and is_writable(root, rel),
                     'readable': value is not None, 'value': value, 'raw': value}
    return out


def mem_total_bytes(root):
    """MemTotal of proc/meminfo in bytes (the conntrack sizing's memory bound), or None."""
    for line in (decode(read_bytes(root, 'proc/meminfo')) or '').splitlines():
        fields = line.split()
        if len(fields) >= 2 and fields[0] == 'MemTotal:' and fields[1].isdigit():
            return int(fields[1]) * 1024
    return None


def read_host(root, params, facts, sysctl_version=''):
    """The planner's `host` dict, read under root. params: the role's variables (raw)."""
    normalized = params_of(params)
    state = read_state(root)
    files = {}
    for path in _plan.plan_paths(params, facts, state or {}):
        info = file_info(root, path)
        data = read_bytes(root, path) if info['exists'] else None
        info['sha1'] = digest(data)
        text = decode(data)
        if path in TEXT_FILES and text is not None:
            info['content'] = text
        # one read per file, also for the ones whose text the planner keeps; rc.local is the site's file
        info['ours'] = path != _paths.RC_LOCAL and _paths.is_ours(text)
        files[path] = info
    default_link = None
    for path in DEFAULT_LINKS:
        default_link = decode(read_bytes(root, path))
        if default_link is not None:
            break
    wants_listening = normalized.get('reserve_listening_ports') is True and normalized.get('state') == 'present'
    return {
        'files': files,
        'state': state,
        'state_sha1': digest(read_bytes(root, _paths.STATE_FILE)),
        'default_link': default_link,
        'listening_ports': listening_ports(root) if wants_listening else [],
        'sysctl_version': sysctl_version or '',
        'ip_binary': any(os.path.exists(join(root, p)) for p in IP_BINARIES),
        'rc_local_generator': any(os.path.exists(join(root, p)) for p in RC_LOCAL_GENERATORS),
        'extra_sysctl': extra_sysctl(root, _plan.extra_keys(params, state or {})),
        'mem_total_bytes': mem_total_bytes(root),
        # tcp_tune_metrics: the interpreter the module runs with runs the timer's script too
        'python': sys.executable,
        'metrics': read_metrics(root, normalized, file_info, read_bytes),
    }
