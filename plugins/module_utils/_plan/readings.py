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

import json
import os
import stat
import sys

from ansible_collections.netlimits.tcp.plugins.module_utils._common import paths as _paths
from ansible_collections.netlimits.tcp.plugins.module_utils._common.content import decode, digest
from ansible_collections.netlimits.tcp.plugins.module_utils._plan import plan as _plan
from ansible_collections.netlimits.tcp.plugins.module_utils._plan.inputs import PlanError, params_of
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
# Where an admin puts .link files (systemd.link(5)); the packaged ones under /usr/lib and /lib are the
# distribution's (99-default.link, 73-usb-net-by-mac.link for USB devices only) and are not a site's.
SITE_LINK_DIRS = ('/etc/systemd/network', '/run/systemd/network')
# Files and directories outside the managed set whose text decides the plan (what boot sets after our
# files, other nofile lines, other .link files): their digests go into the plan's 'read', so an edit
# between the plan step and the apply step makes the plan stale (_apply.check_unchanged). A path ending
# in '/' is a directory: its digest covers the names and bytes of every file in it.
DECIDING = (
    '/etc/sysctl.conf', '/etc/sysctl.d/', '/run/sysctl.d/', '/usr/local/lib/sysctl.d/', '/usr/lib/sysctl.d/',
    '/lib/sysctl.d/', '/etc/security/limits.conf', '/etc/security/limits.d/', '/etc/systemd/system.conf',
    '/etc/systemd/system.conf.d/', '/run/systemd/system.conf.d/', '/usr/lib/systemd/system.conf.d/',
    '/etc/systemd/network/', '/run/systemd/network/',
)
# What path_kind() calls a path.
MISSING, REGULAR, MASKED, DANGLING, OTHER = 'missing', 'file', 'masked', 'dangling', 'other'


class StateError(PlanError):
    """The role's state file is JSON but not what the role writes: the message names the file and the field."""


def read_digest(root, path):
    """digest() of a file, or for a path ending in '/' of a directory's names and their files' bytes (None: none)."""
    if not path.endswith('/'):
        return digest(read_bytes(root, path))
    try:
        names = sorted(os.listdir(join(root, path)))
    except (IOError, OSError, ValueError):
        return None
    listing = ''.join('%s\0%s\n' % (name, digest(read_bytes(root, path + name))) for name in names)
    return digest(listing.encode('utf-8', 'surrogateescape'))


def path_kind(root, path):
    """What is at path: MISSING, REGULAR (a regular file, also through symlinks inside root), MASKED (a symlink
    to /dev/null: systemd's and udev's way to disable a file, systemd.unit(5) and udev(7)), DANGLING (a symlink
    to nothing) or OTHER (a directory, a device, a FIFO, a socket, a link chain too long to follow).
    """
    full = join(root, path)
    try:
        os.lstat(full)
    except (IOError, OSError, ValueError):
        return MISSING
    target = resolve(root, path)
    if os.path.islink(full) and target.strip('/') == 'dev/null':
        return MASKED
    try:
        st = os.lstat(join(root, target))
    except (IOError, OSError, ValueError):
        return DANGLING
    return REGULAR if stat.S_ISREG(st.st_mode) else OTHER


def file_info(root, path):
    """{'exists', 'mode' ('0644'), 'executable', 'uid', 'gid'} of a path (symlinks followed inside root)."""
    try:
        st = os.stat(join(root, resolve(root, path)))
    except (IOError, OSError, ValueError):   # ValueError: a NUL in a name from unvalidated input
        return {'exists': False, 'mode': None, 'executable': False}
    return {'exists': True, 'mode': '%04o' % stat.S_IMODE(st.st_mode), 'executable': bool(st.st_mode & stat.S_IXUSR),
            'uid': st.st_uid, 'gid': st.st_gid}


def _state_errors(state):
    """What in a state file (a dict) is not of the type the role writes there (_plan_state.state_record)."""
    errors = []

    def expect(field, value, types, what):
        if not isinstance(value, types):
            errors.append('%s is %s, not %s' % (field, json.dumps(value)[:60], what))
            return False
        return True
    text, optional_text = (str,), (str, type(None))
    for field, types, what in (('sysctl', dict, 'an object'), ('txqueuelen', dict, 'an object'),
                               ('files', dict, 'an object'), ('kernel', optional_text, 'a string'),
                               ('container', bool, 'true or false'),
                               ('initial_netns', (bool, type(None)), 'true, false or null'),
                               ('conntrack_loaded_by_role', bool, 'true or false'),
                               ('systemd_default_nofile', dict, 'an object')):
        if field in state:
            expect(field, state[field], types, what)
    if errors:
        return errors
    for name, rec in state.get('sysctl', {}).items():
        if expect('sysctl[%s]' % name, rec, dict, 'an object'):
            expect('sysctl[%s].value' % name, rec.get('value'), text + (int, type(None)), 'a string')
            expect('sysctl[%s].scope' % name, rec.get('scope'), optional_text, 'a string')
    for name, value in state.get('txqueuelen', {}).items():
        if isinstance(value, bool) or not isinstance(value, int):
            errors.append('txqueuelen[%s] is %s, not an integer' % (name, json.dumps(value)[:60]))
    for path, rec in state.get('files', {}).items():
        if expect('files[%s]' % path, rec, dict, 'an object'):
            expect('files[%s].existed' % path, rec.get('existed', False), bool, 'true or false')
            expect('files[%s].mode' % path, rec.get('mode'), optional_text, 'a string such as "0644"')
            expect('files[%s].backup' % path, rec.get('backup'), optional_text, 'a path')
    for kind, value in (state.get('systemd_default_nofile') or {}).items():
        if kind in ('soft', 'hard') and not isinstance(value, (int, str)):
            errors.append('systemd_default_nofile.%s is %s, not a number' % (kind, json.dumps(value)[:60]))
    return errors


def read_state(root):
    """The role's state file as a dict, or None (missing, unreadable or not JSON).

    StateError when it is JSON with a field of the wrong type (a clear error, not a
    traceback later). Only what the role itself could have written is taken: file records of
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
    errors = _state_errors(state)
    if errors:
        raise StateError(['%s: %s. It records what the role changed and the originals revert puts back; it '
                          'was edited or damaged: fix those fields, or move the file away (revert then '
                          'removes only what is provably the role\'s)' % (_paths.STATE_FILE, '; '.join(errors))])
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


def site_links(root):
    """The .link files an admin put in SITE_LINK_DIRS, other than ours and 99-default.link (masks left out)."""
    found = []
    for directory in SITE_LINK_DIRS:
        try:
            names = sorted(os.listdir(join(root, directory)))
        except (IOError, OSError):
            continue
        for name in names:
            path = directory + '/' + name
            if name.endswith('.link') and name != '99-default.link' and not _paths.is_managed_path(path) \
                    and path_kind(root, path) != MASKED:
                found.append(path)
    return found


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
        info['kind'] = path_kind(root, path)
        data = read_bytes(root, path) if info['exists'] else None
        info['sha1'] = digest(data)
        text = decode(data)
        if path in TEXT_FILES and text is not None:
            info['content'] = text
        # one read per file, also for the ones whose text the planner keeps; rc.local is the site's file
        info['ours'] = path != _paths.RC_LOCAL and _paths.is_ours(text)
        files[path] = info
    default_link, default_link_masked = None, None
    for path in DEFAULT_LINKS:
        # the first one there wins (systemd.link(5): /etc over /run over /usr/lib); a mask disables it
        kind = path_kind(root, path)
        if kind == MASKED:
            default_link_masked = path
            break
        default_link = decode(read_bytes(root, path))
        if default_link is not None:
            break
    wants_listening = normalized.get('reserve_listening_ports') is True and normalized.get('state') == 'present'
    return {
        'files': files,
        'state': state,
        'state_sha1': digest(read_bytes(root, _paths.STATE_FILE)),
        'deciding': dict((path, read_digest(root, path)) for path in DECIDING),
        'default_link': default_link,
        'default_link_masked': default_link_masked,
        'site_links': site_links(root),
        'backups': dict((rec['backup'], path_kind(root, rec['backup']) == REGULAR)
                        for rec in ((state or {}).get('files') or {}).values() if rec.get('backup')),
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
