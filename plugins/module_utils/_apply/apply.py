# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""apply_plan(): carry out a plan of _plan.plan() under a root directory.

The one place that changes a host. Everything it does was decided by the
planner: which files to write (content and mode), which to back up first,
restore or remove, which live values to set. Files go through _apply_files
(atomic, only when bytes, mode or owner differ, so a second run changes
nothing); systemctl and the record of calls owed through _apply_systemd. In check mode
nothing is touched and the same changes are reported. Live sysctl values and
txqueuelen are written to /proc/sys and /sys/class/net directly: no shell,
and no command is built from input. The only commands are systemctl's, as
argv lists.

Order, and why (docs/safety.md, "Write path"):
1. the state directory, backups and the state file (originals before any change);
2. the systemctl calls the run will owe, recorded in _apply_systemd.PENDING_FILE before the
   first managed write (a run stopped after the writes leaves them to the next);
3. live sysctl values, fs.nr_open first; when the kernel refuses one, the apply
   stops there, before any file: the controller renders the sysctl file again
   without it and applies once more (a file with it would fail at every boot, and
   a limits file written now, with the sysctl file not, could hold a nofile the
   fs.nr_open of the next boot does not allow, should the second apply never come);
4. the files in _paths.write_rank order: the sysctl file, then limits.d and
   systemd drop-ins, only while the live fs.nr_open is at least every nofile they
   set (a nofile above it locks logins out), the live txqueuelen writes,
   txqueuelen files, conntrack files;
   undoing files no longer wanted; 5. systemctl.
Python 3.6 compatible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import os

from ansible_collections.netlimits.tcp.plugins.module_utils._common import paths as _paths
from ansible_collections.netlimits.tcp.plugins.module_utils._apply.files import (
    ApplyError, Outcome, StalePlan, backup, ensure_dir, mode_bits, put_file, remove, remove_tree, state_summary, text_bytes,
    write_file,
)
from ansible_collections.netlimits.tcp.plugins.module_utils._apply.systemd import merge_commands, read_pending, record_pending, run_systemd, systemd_commands
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.read import join, read_bytes
from ansible_collections.netlimits.tcp.plugins.module_utils._formats.rc_local import RcLocalError, rc_local_splice
from ansible_collections.netlimits.tcp.plugins.module_utils._common.content import decode
from ansible_collections.netlimits.tcp.plugins.module_utils._plan.readings import (
    REGULAR, path_kind, read_digest, sysctl_path,
)

# errnos of a write the kernel refuses for lack of privilege (unprivileged container, read-only /sys)
DENIED = (errno.EPERM, errno.EACCES, errno.EROFS)


def set_sysctls(root, writes, out):
    """The plan's sysctl_writes ([{'key', 'value'}]) written to proc/sys in their order (fs.nr_open first).

    A value the kernel refuses (EINVAL: a congestion control whose module is not
    loaded, a value out of the kernel's range) is recorded in out.refused and the
    others are still set; apply_plan fails the run at the end.
    """
    for write in writes:
        name, value = write['key'], write['value']
        rel = sysctl_path(name)
        if rel is None:
            raise ApplyError('refusing to write sysctl key %r' % name)
        if out.check_mode:
            out.live.append('%s=%s' % (name, value))
            continue
        try:
            with open(join(root, rel), 'w') as handle:
                handle.write(value + '\n')
        except (IOError, OSError) as exc:
            out.refused.append((name, value, exc.strerror or str(exc)))
            continue
        out.live.append('%s=%s' % (name, value))


def set_txqueuelen(root, writes, out):
    """The plan's txqueuelen writes ([{'interface', 'txqueuelen'}]) to /sys/class/net/IF/tx_queue_len.

    What `ip link set dev IF txqueuelen N` does, without the ip binary. Without
    CAP_NET_ADMIN (an unprivileged container) the kernel refuses: the interface
    is listed in denied_interfaces and the run goes on.
    """
    for write in writes:
        name, value = write['interface'], '%s' % write['txqueuelen']
        if '/' in name or name in ('.', '..'):
            raise ApplyError('refusing interface name %r' % name)
        if out.check_mode:
            out.live.append('txqueuelen %s=%s' % (name, value))
            continue
        try:
            with open(join(root, 'sys/class/net/%s/tx_queue_len' % name), 'w') as handle:
                handle.write(value + '\n')
        except (IOError, OSError) as exc:
            if exc.errno in DENIED:
                out.denied_interfaces.append(name)
                continue
            raise ApplyError('could not set txqueuelen of %s to %s: %s' % (name, value, exc.strerror or exc))
        out.live.append('txqueuelen %s=%s' % (name, value))


def undo_files(root, the_plan, out, owner=None):
    """Restore backups byte for byte, take our block out of rc.local, remove files we created."""
    for item in the_plan.get('restores') or []:
        data = read_bytes(root, item['src'])
        if data is None:
            raise ApplyError('cannot restore %s: its backup %s is missing' % (item['dest'], item['src']))
        put_file(root, item['dest'], data, mode_bits(item['mode']), out, owner)
    for item in the_plan.get('undo_writes') or []:
        write_file(root, item, out, owner)
    for path in the_plan.get('removes') or []:
        remove(root, path, out)


def remove_emptied_trees(root, the_plan, out):
    """Remove each of the plan's 'empty_trees' when no file is left in it but those this run removed.

    What is left of the metrics code's directories once its files are undone (tcp_tune_metrics):
    empty directories and __pycache__ (Python's compiled copies of the removed modules, written when the
    timer ran them). A tree that still holds any other file stays as it is.
    """
    gone = set(out.changed_files)
    for path in the_plan.get('empty_trees') or []:
        full = join(root, path)
        if os.path.islink(full) or not os.path.isdir(full):
            continue
        left = [name for base, dummy, names in os.walk(full) for name in names
                if os.path.basename(base) != '__pycache__'
                and '/' + os.path.relpath(os.path.join(base, name), root) not in gone]
        if not left:
            remove_tree(root, path, out)


def planned_nofile(the_plan):
    """The highest nofile the plan's limits.d and systemd files set (0 when none)."""
    values = the_plan.get('values') or {}
    found = [values.get(k) for k in ('nofile', 'nofile_soft', 'systemd_default_nofile')]
    found.extend((item.get('model') or {}).get('nofile') for item in the_plan.get('files') or []
                 if _paths.write_rank(item['path']) == _paths.RANK_SYSTEMD)
    return max([v for v in found if isinstance(v, int) and not isinstance(v, bool)] or [0])


def check_nr_open_first(root, the_plan):
    """Raise ApplyError when the live fs.nr_open is below a nofile the next files set (it was not raised).

    The planner only plans a nofile up to the fs.nr_open the run leaves; when the kernel refused the
    fs.nr_open write (EINVAL, EPERM), the limits.d and systemd files must not be written: a nofile above
    fs.nr_open makes PAM logins fail (pam_limits: setrlimit EPERM) and services fail to start.
    """
    wanted = planned_nofile(the_plan)
    live = (decode(read_bytes(root, 'proc/sys/fs/nr_open')) or '').strip()
    if wanted and live.isdigit() and int(live) < wanted:
        raise ApplyError('fs.nr_open is %s here, below the nofile %d the limits.d and systemd files would set '
                         '(a nofile above fs.nr_open makes logins fail): those files were not written' % (live, wanted))


def check_unchanged(root, the_plan):
    """Raise StalePlan when a file the plan was made from changed since (its 'read' digests).

    The plan is made in one module call and applied in the next, after the controller rendered its
    files; an edit in between (another run, a person) must not be overwritten with decisions made on
    the old text.
    """
    changed = sorted(path for path, sha1 in (the_plan.get('read') or {}).items() if read_digest(root, path) != sha1)
    if changed:
        raise StalePlan('%s changed since this run read %s: nothing was changed; run again'
                        % (', '.join(changed), 'it' if len(changed) == 1 else 'them'))


def spliced(root, item):
    """The item with its full text: for rc.local the rendered block put into the file's text now.

    The controller renders only the block's lines (the site owns the file); here, on the host, they go
    between our markers (_formats.rc_local: placement, markers, refusal of broken markers). A broken
    block raises ApplyError before anything is written.
    """
    if item['path'] != _paths.RC_LOCAL:
        return item
    text = decode(read_bytes(root, item['path'])) if path_kind(root, item['path']) == REGULAR else None
    try:
        return dict(item, content=rc_local_splice(text, item['content']))
    except RcLocalError as exc:
        raise ApplyError(str(exc))


def apply_present(root, the_plan, out, owner=None, owed=()):
    files = sorted((spliced(root, item) for item in the_plan['files']), key=lambda item: _paths.write_rank(item['path']))
    for path in the_plan['state_dirs']:
        ensure_dir(root, path, out, owner)
    for item in the_plan['backups']:
        backup(root, item['src'], item['dest'], out, owner)
    state = the_plan['state_file']
    put_file(root, state['path'], text_bytes(state['content']), 0o644, out, owner, state_summary)
    record_pending(root, list(owed), out)
    # fs.nr_open is raised (live, then in the file) before the limits file: a nofile above it locks logins out.
    set_sysctls(root, the_plan['sysctl_writes'], out)
    if out.refused:
        return      # no file before the sysctl file is rendered without the refused keys (see above)
    for item in files:
        if _paths.write_rank(item['path']) == _paths.RANK_LIMITS and not out.check_mode:
            check_nr_open_first(root, the_plan)
        if _paths.write_rank(item['path']) < _paths.RANK_TXQUEUELEN:
            write_file(root, item, out, owner)
    set_txqueuelen(root, the_plan['txqueuelen']['writes'], out)
    for item in files:
        if _paths.write_rank(item['path']) >= _paths.RANK_TXQUEUELEN:
            write_file(root, item, out, owner)
    undo_files(root, the_plan, out, owner)
    remove_emptied_trees(root, the_plan, out)


def apply_absent(root, the_plan, out, owner=None, owed=()):
    record_pending(root, list(owed), out)
    undo_files(root, the_plan, out, owner)
    remove_emptied_trees(root, the_plan, out)
    set_sysctls(root, the_plan['sysctl_writes'], out)
    set_txqueuelen(root, the_plan['txqueuelen']['writes'], out)


def _apply(root, the_plan, out, owner, owed=()):
    if the_plan['state'] == 'present':
        apply_present(root, the_plan, out, owner, owed)
    else:
        apply_absent(root, the_plan, out, owner, owed)


def apply_plan(root, the_plan, check_mode=False, run=None, owner=None, systemd_running=False, keep_context=None):
    """Carry out the plan under root; returns an Outcome. Raises ApplyError naming what failed.

    run(argv) -> (rc, stdout, stderr) runs systemctl when systemd_running.
    owner: (uid, gid) for every file written (None: leave as created).
    keep_context(tmp, dest): called before each rename (SELinux context), or None.
    """
    out = Outcome(check_mode, keep_context)
    try:
        return _apply_plan(root, the_plan, out, run, owner, systemd_running)
    except (IOError, OSError) as exc:
        # a read-only directory, a full disk: say what failed and what was applied before it
        where = exc.filename[len(root.rstrip('/')):] if isinstance(exc.filename, str) and \
            exc.filename.startswith(root.rstrip('/') + '/') else exc.filename
        applied = out.live + out.changed_files
        raise ApplyError('%s%s; applied before it: %s; the next run carries on from there' % (
            '%s: ' % where if where else '', exc.strerror or exc, ', '.join(applied) or 'nothing'),
            out.changed, applied)
    except ApplyError as exc:
        if exc.changed or exc.applied or not out.changed:
            raise
        raise ApplyError('%s; applied before it: %s' % (exc, ', '.join(out.live + out.changed_files)),
                         out.changed, out.live + out.changed_files, exc.refused)


def _apply_plan(root, the_plan, out, run, owner, systemd_running):
    owed = []
    if systemd_running:
        # A dry pass tells which files will change, so that the systemctl calls they make owed
        # are recorded before the first of them is written.
        preview = Outcome(True)
        _apply(root, the_plan, preview, owner)
        owed = merge_commands(systemd_commands(the_plan, preview.changed_files), read_pending(root, the_plan))
    _apply(root, the_plan, out, owner, owed)
    if systemd_running and not out.refused:
        run_systemd(root, merge_commands(systemd_commands(the_plan, out.changed_files), owed), run, out)
    if the_plan['state'] == 'absent' and not out.refused:
        for path in the_plan['state_dirs']:
            remove_tree(root, path, out)
    if out.refused:
        raise ApplyError(refused_message(out.refused, out.live + out.changed_files), out.changed,
                         out.live + out.changed_files, out.refused)
    return out


def refused_message(refused, applied):
    return ('the kernel refused %s; left out of %s so that boot does not fail on it; everything else was applied '
            '(%s)' % (', '.join('%s=%s (%s)' % tuple(r) for r in refused), _paths.SYSCTL_FILE,
                      ', '.join(applied) or 'nothing else changed'))
