# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the role keeps to undo itself: the state file, backups, and how each file is undone.

Originals are recorded once, before the first change; a file with the role's
header (or an rc.local that is only what the role creates) is never an
original; without a record only what is provably the role's is removed.
Pure; Python 3.6 compatible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.netlimits.tcp.plugins.module_utils._common import keys as _keys
from ansible_collections.netlimits.tcp.plugins.module_utils._common.paths import (
    MANAGER_FILE, RC_LOCAL, SYSCTL_FILE, UDEV_FILE, backup_path,
)
from ansible_collections.netlimits.tcp.plugins.module_utils._common.status import SKIPPED_KERNEL, SKIPPED_MISSING
from ansible_collections.netlimits.tcp.plugins.module_utils._formats.rc_local import (
    RC_LOCAL_NEW, rc_local_has_block, rc_local_remove,
)
from ansible_collections.netlimits.tcp.plugins.module_utils._formats.sysctl_conf import sysctl_conf_keys
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.provenance import order_sysctl_files
from ansible_collections.netlimits.tcp.plugins.module_utils._plan.inputs import PlanError
from ansible_collections.netlimits.tcp.plugins.module_utils._plan.nofile import nr_open_at_boot, other_nofile
from ansible_collections.netlimits.tcp.plugins.module_utils._plan.values import (
    containment_of, kernel_text, normalize_raw, sysctl_fact,
)
from ansible_collections.netlimits.tcp.plugins.module_utils._common.values import is_int


def rc_local_created_only(text):
    """True when rc.local, our block taken out, is what the role writes when it creates the file.

    rc_local_insert(None, ...) is RC_LOCAL_NEW with the block in it, and removing the block gives back
    the exact bytes, so the comparison is with RC_LOCAL_NEW itself.
    """
    return text is not None and rc_local_remove(text) == RC_LOCAL_NEW


class UnsafePath(PlanError):
    """A managed path is not a regular file or missing (a /dev/null mask, a dangling link, a directory): refused."""


# Why each kind of path (_host_readings.path_kind) is not written through.
KIND_WHY = {
    'masked': 'is a symlink to /dev/null (masked: the admin disabled it)',
    'dangling': 'is a symlink to a file that does not exist',
    'other': 'is not a regular file (a directory, device, FIFO or socket)',
}


def writable_kind(info):
    """True when a managed path may be written: missing or a regular file (also through a symlink)."""
    return info.get('kind', 'file') in ('missing', 'file')


def file_ops(wanted_files, host):
    """Writes, backups and stale removals for the present state.

    wanted_files: {path: file_spec}; each write keeps its template and model (the controller renders
    its content). A file that exists and is not ours yet is backed up once (byte copy under
    BACKUP_DIR) before the first write.
    """
    files = (host or {}).get('files') or {}
    state = (host or {}).get('state') or {}
    recorded = state.get('files') or {}
    writes, backups, record = [], [], {}
    refused = ['%s %s' % (path, KIND_WHY[(files.get(path) or {})['kind']]) for path in sorted(wanted_files)
               if not writable_kind(files.get(path) or {})]
    if refused:
        # Writing through it would replace /dev/null (or the link's target) with our file: never.
        raise UnsafePath(['%s: not written, nothing was changed. Remove it (or the mask) if the role should '
                          'write there, or leave out the setting that needs the file' % '; '.join(refused)])
    for path in sorted(wanted_files):
        spec = wanted_files[path]
        info = files.get(path) or {}
        if path in recorded:
            record[path] = recorded[path]
        else:
            # A file with our header (or an rc.local that is only what we create) is ours from an earlier
            # run whose state directory is gone: not an original to back up and restore.
            existed = bool(info.get('exists')) and not info.get('ours') and not (
                path == RC_LOCAL and rc_local_created_only(info.get('content')))
            record[path] = {'existed': existed, 'mode': info.get('mode') if existed else None,
                            'backup': backup_path(path) if existed else None}
            if existed:
                backups.append({'src': path, 'dest': backup_path(path)})
        writes.append(dict(spec, path=path))
    stale = [p for p in sorted(recorded) if p not in wanted_files]
    return writes, backups, record, stale


def undo_ops(paths, host):
    """How to undo our files: restore a backup, take our block out of rc.local, or remove a file of ours.

    Without a record (state file lost) only what is provably ours goes: a file
    that starts with our header, our block in rc.local. rc.local itself is removed
    only when nothing but what the role creates is left in it. A path that is no
    longer a regular file (masked, a dangling link) is left alone. A backup that is
    gone cannot be restored: the file is left (or removed when it is provably ours)
    and a warning says so; the revert goes on.

    Returns (restores, removes, writes, warnings).
    """
    files = (host or {}).get('files') or {}
    state = (host or {}).get('state') or {}
    recorded = state.get('files') or {}
    backups = (host or {}).get('backups') or {}
    restores, removes, writes, warnings = [], [], [], []
    for path in paths:
        rec = recorded.get(path) or {}
        info = files.get(path) or {}
        if not info.get('exists') or not writable_kind(info):
            continue
        if path == RC_LOCAL:
            text = info.get('content')
            if text is None:
                continue
            if not rec.get('existed') and rc_local_created_only(text):
                removes.append(path)
            elif rc_local_has_block(text):
                writes.append({'path': path, 'content': rc_local_remove(text), 'mode': rec.get('mode') or info.get('mode')})
            elif rec.get('mode') and info.get('mode') != rec.get('mode'):
                writes.append({'path': path, 'content': text, 'mode': rec.get('mode')})
        elif rec.get('existed') and rec.get('backup') and backups.get(rec['backup'], True):
            restores.append({'src': rec['backup'], 'dest': path, 'mode': rec.get('mode') or '0644'})
        elif rec.get('existed') and rec.get('backup'):
            warnings.append('%s: its backup %s is gone, so the original cannot be restored: %s' % (
                path, rec['backup'], 'removed (it has the role\'s header)' if info.get('ours')
                else 'left as it is'))
            if info.get('ours'):
                removes.append(path)
        elif info.get('ours'):
            removes.append(path)
    return restores, removes, writes, warnings


def boot_setter(facts, name):
    """(path, value) of the file other than ours that sets name last at boot, or None.

    Revert leaves such a value alone: the admin's file sets it (now, and again at the next boot).
    """
    files = [f for f in (((facts or {}).get('provenance') or {}).get(name) or {}).get('files') or ()
             if f.get('path') != SYSCTL_FILE]
    order = order_sysctl_files([f['path'] for f in files])
    if not order:
        return None
    return order[-1], [f.get('value') for f in files if f['path'] == order[-1]][-1]


def keep_nr_open(removes, host, facts, nr_open_after, header):
    """(removes, undo writes, warnings) for a revert that would remove the sysctl file persisting fs.nr_open
    while another limits file needs it.

    Removing it would give the next boot the kernel's 1048576 (or another file's value), below that
    file's nofile: its users' limits are not applied (Debian's pam_limits) or their logins fail. The file
    is kept with only fs.nr_open in it, at the value the revert leaves live, and a warning says why.
    nr_open_after: fs.nr_open live after the revert; boot: what the next boot gives without our file.
    """
    ours = ((host or {}).get('files') or {}).get(SYSCTL_FILE) or {}
    if SYSCTL_FILE not in removes or 'fs.nr_open' not in sysctl_conf_keys(ours.get('content')):
        return removes, [], []
    value, limit = other_nofile(facts)
    boot, source = nr_open_at_boot([], facts)
    if not is_int(value) or not is_int(boot) or value <= boot or not is_int(nr_open_after) or nr_open_after < value:
        return removes, [], []
    content = ('# %s\n# Kept by revert: %s sets nofile %d for %s, above the fs.nr_open of %d that %s gives at boot.\n'
               'fs.nr_open = %d\n' % (header, limit['file'], value, limit['domain'], boot, source, nr_open_after))
    warning = ('%s kept with fs.nr_open = %d only: %s sets nofile %d for %s, and without it the next boot gives '
               '%d (%s); delete it once that line is gone' % (SYSCTL_FILE, nr_open_after, limit['file'], value,
                                                              limit['domain'], boot, source))
    return ([p for p in removes if p != SYSCTL_FILE],
            [{'path': SYSCTL_FILE, 'content': content, 'mode': ours.get('mode') or '0644'}], [warning])


def ours_persisted(host):
    """(sysctl keys our sysctl file sets, whether a txqueuelen file of ours exists) as found on the host."""
    files = (host or {}).get('files') or {}
    sysctl = files.get(SYSCTL_FILE) or {}
    keys = set(sysctl_conf_keys(sysctl.get('content'))) if sysctl.get('ours') else set()
    rc = files.get(RC_LOCAL) or {}
    txq = rc_local_has_block(rc.get('content')) or any(
        info.get('ours') for path, info in files.items() if path == UDEV_FILE or path.endswith('.link'))
    return keys, txq


def state_record(facts, host, entries, tx_entries, manager, record_files, conntrack_load):
    """The state file's new content: originals recorded once (before the first change), merged additively."""
    old = (host or {}).get('state') or {}
    state = {
        'format': 1,
        'written_by': 'netlimits.tcp.tcp_tune',
        'container': old.get('container', bool(containment_of(facts).get('container'))),
        'initial_netns': old.get('initial_netns', containment_of(facts).get('initial_netns')),
        'kernel': old.get('kernel', kernel_text(facts)),
        'sysctl': dict(old.get('sysctl') or {}),
        'txqueuelen': dict(old.get('txqueuelen') or {}),
        'files': dict(old.get('files') or {}),
    }
    if 'systemd_default_nofile' in old:
        state['systemd_default_nofile'] = old['systemd_default_nofile']
    if 'conntrack_loaded_by_role' in old:
        state['conntrack_loaded_by_role'] = old['conntrack_loaded_by_role']
    # Without a state file, live values our own files persist are ours (an earlier run whose state
    # directory is gone), not originals: revert then treats them as unrecorded.
    ours = ours_persisted(host) if not old else (set(), False)
    for entry in entries:
        name = entry['key']
        fact = sysctl_fact(facts, name) if name in _keys.BY_NAME else ((host or {}).get('extra_sysctl') or {}).get(name)
        if name in state['sysctl'] or name in ours[0] or not fact or not fact.get('present'):
            continue
        if entry['status'] in (SKIPPED_KERNEL, SKIPPED_MISSING):
            continue
        raw = fact.get('raw') if fact.get('raw') is not None else fact.get('value')
        state['sysctl'][name] = {'value': normalize_raw(raw),
                                 'scope': fact.get('scope') or (_keys.BY_NAME[name].scope if name in _keys.BY_NAME else None)}
    for entry in tx_entries:
        if entry['interface'] not in state['txqueuelen'] and is_int(entry['before']) and not ours[1]:
            state['txqueuelen'][entry['interface']] = entry['before']
    if manager is not None and 'systemd_default_nofile' not in state:
        current = manager.get('before') or {}
        if current and current.get('source') != MANAGER_FILE:
            state['systemd_default_nofile'] = {'soft': current.get('soft'), 'hard': current.get('hard'),
                                               'source': current.get('source')}
    for path, rec in record_files.items():
        state['files'].setdefault(path, rec)
    if conntrack_load and 'conntrack_loaded_by_role' not in state:
        state['conntrack_loaded_by_role'] = not ((facts or {}).get('conntrack') or {}).get('loaded')
    return state


def state_text(state):
    return json.dumps(state, indent=2, sort_keys=True) + '\n'
