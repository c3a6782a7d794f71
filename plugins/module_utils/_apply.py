# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""apply_plan(): carry out a plan of _plan.plan() under a root directory.

The one place that changes a host. Everything it does was decided by the
planner: which files to write (content and mode), which to back up first,
restore or remove, which live values to set. Files are written atomically
(a temporary file in the same directory, then rename) and only when their
bytes, mode or owner differ, so a second run changes nothing. In check mode
nothing is touched and the same changes are reported. Live sysctl values and
txqueuelen are written to /proc/sys and /sys/class/net directly: no shell,
and no command is built from input. The only commands are systemctl's, as
argv lists.

Order, and why (docs/safety.md, "Write path"):
1. the state directory, backups and the state file (originals before any change);
2. the systemctl calls the run will owe, recorded in PENDING_FILE before the
   first managed write (a run stopped after the writes leaves them to the next);
3. live sysctl values, fs.nr_open first; a value the kernel refuses is left out
   of the sysctl file (it would fail at every boot) and fails the run at the end,
   after everything else is written;
4. the sysctl file, then limits.d and systemd drop-ins (fs.nr_open is already
   raised: a nofile above it locks logins out), txqueuelen, conntrack files,
   undoing files no longer wanted; 5. systemctl.
Python 3.6 compatible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import json
import os
import shutil
import stat
import tempfile

from ansible_collections.netlimits.tcp.plugins.module_utils import _plan
from ansible_collections.netlimits.tcp.plugins.module_utils._facts_read import join, resolve
from ansible_collections.netlimits.tcp.plugins.module_utils._host import decode, file_info, read_bytes, sysctl_path

DIR_MODE = 0o755
BACKUP_MODE = 0o600
# errnos of a write the kernel refuses for lack of privilege (unprivileged container, read-only /sys)
DENIED = (errno.EPERM, errno.EACCES, errno.EROFS)
# Paths whose change needs `systemctl daemon-reload` (unit drop-ins; rc.local's generator; .link and udev
# files are read at the next device add, a reload is harmless for them).
RELOAD_CONCERNS = ('systemd', 'txqueuelen')
# systemctl calls still owed by a run that stopped before making them: files already written would
# not be "changed" on the next run, so the calls are recorded here first and removed once done.
PENDING_FILE = _plan.STATE_DIR + '/systemd-pending.json'
# try-restart: a service that is stopped stays stopped (restart would start it).
SYSTEMCTL_ORDER = ('daemon-reexec', 'daemon-reload', 'try-restart')


class ApplyError(Exception):
    """A change the plan asked for failed; the message names what and why.

    changed and applied say what the run did before it failed (for the module's result).
    """

    def __init__(self, message, changed=False, applied=()):
        super(ApplyError, self).__init__(message)
        self.changed = changed
        self.applied = list(applied)


class Outcome(object):
    """What apply_plan did (or, in check mode, would do)."""

    def __init__(self, check_mode, keep_context=None):
        self.check_mode = check_mode
        self.keep_context = keep_context   # keep_context(tmp, dest) before each rename, or None
        self.changed_files = []
        self.diff = []
        self.live = []
        self.denied_interfaces = []
        self.refused = []           # (key, value, why) the kernel refused to set
        self.systemd = []

    @property
    def changed(self):
        return bool(self.changed_files or self.live or self.systemd)

    def file_changed(self, path, before, after):
        if path not in self.changed_files:
            self.changed_files.append(path)
        self.diff.append({'before_header': path, 'after_header': path, 'before': before, 'after': after})


def _mode_text(mode):
    return 'mode %04o\n' % mode if mode is not None else ''


def _owned(info, owner):
    return owner is None or (info.get('uid'), info.get('gid')) == tuple(owner)


def ensure_dir(root, path, out, owner=None):
    """A directory (and its parents) with mode 0755."""
    info = file_info(root, path)
    if info['exists'] and info['mode'] == '%04o' % DIR_MODE and _owned(info, owner):
        return
    out.file_changed(path, _mode_text(int(info['mode'], 8)) if info['exists'] else '', _mode_text(DIR_MODE))
    if out.check_mode:
        return
    full = join(root, path)
    if not info['exists']:
        ensure_parent(root, path, out, owner)
        os.mkdir(full, DIR_MODE)
    os.chmod(full, DIR_MODE)
    if owner is not None:
        os.chown(full, owner[0], owner[1])


def ensure_parent(root, path, out, owner=None):
    parent = os.path.dirname(path.rstrip('/'))
    if parent and parent != '/' and not os.path.isdir(join(root, parent)):
        ensure_dir(root, parent, out, owner)


def _fsync_dir(path):
    """Make a rename durable: fsync the directory that holds it."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except (IOError, OSError):
        return
    try:
        os.fsync(fd)
    except (IOError, OSError):
        pass
    finally:
        os.close(fd)


def state_summary(data):
    """One diff line for the role's state file instead of its JSON (issue #16: diffs show files people read)."""
    if data is None:
        return ''
    try:
        state = json.loads(decode(data))
    except ValueError:
        return 'state: unreadable\n'
    if not isinstance(state, dict):
        return 'state: unreadable\n'
    return 'state: records originals of %d keys, %d interfaces and %d files\n' % (
        len(state.get('sysctl') or {}), len(state.get('txqueuelen') or {}), len(state.get('files') or {}))


def backup_summary(data):
    return '' if data is None else 'backup of %d bytes\n' % len(data)


def put_file(root, path, data, mode, out, owner=None, summary=None):
    """Write data (bytes) with mode (int) when bytes, mode or owner differ.

    summary(bytes or None) -> text stands in the diff for the content of the
    role's own bookkeeping files (state, backups), which nobody reads as a diff.

    A symlink (an rc.local linked to rc.d/rc.local) stays a symlink: its target is written.
    The temporary file gets mode and owner through its descriptor and, through
    out.keep_context (AnsibleModule's SELinux calls in the module), the context of
    the file it replaces, before the rename.
    """
    header = path
    path = '/' + resolve(root, path)
    info = file_info(root, path)
    old = read_bytes(root, path) if info['exists'] else None
    same_mode = info['exists'] and info['mode'] == '%04o' % mode
    if old == data and same_mode and _owned(info, owner):
        return
    if old == data:
        out.file_changed(header, _mode_text(int(info['mode'], 8)), _mode_text(mode))
    elif summary is not None:
        out.file_changed(header, summary(old), summary(data))
    else:
        out.file_changed(header, decode(old) or '', decode(data))
    if out.check_mode:
        return
    ensure_parent(root, path, out, owner)
    full = join(root, path)
    fd, tmp = tempfile.mkstemp(prefix='.netlimits-tcp.', dir=os.path.dirname(full))
    try:
        with os.fdopen(fd, 'wb') as handle:
            handle.write(data)
            handle.flush()
            os.fchmod(handle.fileno(), mode)
            if owner is not None:
                os.fchown(handle.fileno(), owner[0], owner[1])
            os.fsync(handle.fileno())
        if out.keep_context is not None:
            out.keep_context(tmp, full)
        os.rename(tmp, full)
        _fsync_dir(os.path.dirname(full))
    except BaseException:  # also an interrupt: never leave a temporary file behind
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def backup(root, src, dest, out, owner=None):
    """Copy src to dest once, byte for byte (mode 0600); an existing backup is never replaced."""
    if os.path.lexists(join(root, dest)):
        return
    data = read_bytes(root, src)
    if data is None:
        raise ApplyError('cannot back up %s: it cannot be read' % src)
    put_file(root, dest, data, BACKUP_MODE, out, owner, backup_summary)


def remove(root, path, out):
    full = join(root, path)
    if not os.path.lexists(full):
        return
    out.file_changed(path, decode(read_bytes(root, path)) or '', '')
    if not out.check_mode:
        os.unlink(full)


def remove_tree(root, path, out):
    full = join(root, path)
    if not os.path.lexists(full):
        return
    out.file_changed(path + '/', 'directory and everything in it\n', '')
    if not out.check_mode:
        shutil.rmtree(full)


def _text(content):
    return content.encode('utf-8', 'surrogateescape')


def _mode(text):
    return int(text or '0644', 8)


def write_file(root, item, out, owner=None):
    put_file(root, item['path'], _text(item['content']), _mode(item['mode']), out, owner)


def set_sysctls(root, argv, out):
    """The `sysctl -w k=v ...` argv of the plan, written to proc/sys in its order (fs.nr_open first).

    A value the kernel refuses (EINVAL: a congestion control whose module is not
    loaded, a value out of the kernel's range) is recorded in out.refused and the
    others are still set; apply_plan fails the run at the end.
    """
    for arg in argv[2:]:
        name, value = arg.split('=', 1)
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


def set_txqueuelen(root, commands, out):
    """The plan's `ip link set dev IF txqueuelen N` commands, done through /sys/class/net/IF/tx_queue_len.

    Without CAP_NET_ADMIN (an unprivileged container) the kernel refuses: the
    interface is listed in denied_interfaces and the run goes on.
    """
    for argv in commands:
        name, value = argv[4], argv[6]
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
        put_file(root, item['dest'], data, _mode(item['mode']), out, owner)
    for item in the_plan.get('undo_writes') or []:
        write_file(root, item, out, owner)
    for path in the_plan.get('removes') or []:
        remove(root, path, out)


def systemd_commands(the_plan, changed_files):
    """argv lists of the systemctl calls the changed paths need, in order.

    system.conf.d is read only when the manager re-executes; unit drop-ins and
    rc.local (through its generator) need a daemon-reload.
    """
    changed = set(p for p in changed_files if p.startswith('/etc/'))
    commands = []
    if _plan.MANAGER_FILE in changed:
        commands.append(['systemctl', 'daemon-reexec'])
    if any(_plan.concern_of(p) in RELOAD_CONCERNS for p in changed - set([_plan.MANAGER_FILE])):
        commands.append(['systemctl', 'daemon-reload'])
    if the_plan.get('restart_services') and changed & set(the_plan.get('service_files') or []):
        commands.extend(['systemctl', 'try-restart', unit + '.service'] for unit in the_plan.get('services') or [])
    return commands


def read_pending(root, the_plan):
    """The systemctl calls an earlier run owes, as far as they still apply.

    Only the calls of SYSTEMCTL_ORDER are taken. A restart is owed only while the
    plan still restarts that unit (a mistyped unit a later run corrected is
    dropped), and a revert owes no restart at all. A file that is not a JSON list
    of argv lists fails a present run with a message naming it; a revert ignores it
    (it removes the state directory anyway).
    """
    text = decode(read_bytes(root, PENDING_FILE))
    if text is None:
        return []
    try:
        commands = json.loads(text)
        if not isinstance(commands, list) or not all(
                isinstance(c, list) and all(isinstance(a, str) for a in c) for c in commands):
            raise ValueError('not a list of argv lists')
    except ValueError as exc:
        if the_plan['state'] == 'absent':
            return []
        raise ApplyError('%s is corrupt (%s): it records the systemctl calls an interrupted run still owes; '
                         'run `systemctl daemon-reload` (and daemon-reexec when system.conf.d changed), then '
                         'delete the file' % (PENDING_FILE, exc))
    restarts = set() if the_plan['state'] == 'absent' else set(
        unit + '.service' for unit in (the_plan.get('services') or []) if the_plan.get('restart_services'))
    return [c for c in commands if len(c) > 1 and c[0] == 'systemctl' and c[1] in SYSTEMCTL_ORDER
            and (c[1] != 'try-restart' or (len(c) == 3 and c[2] in restarts))]


def merge_commands(commands, pending):
    merged = list(commands)
    merged.extend(c for c in pending if c not in merged)
    merged.sort(key=lambda c: SYSTEMCTL_ORDER.index(c[1]))
    return merged


def record_pending(root, commands, out):
    """Write the calls owed to PENDING_FILE (atomically) before the writes that make them owed."""
    if out.check_mode or not commands or not os.path.isdir(join(root, _plan.STATE_DIR)):
        return
    data = json.dumps(commands).encode('utf-8')
    if read_bytes(root, PENDING_FILE) != data:
        put_file(root, PENDING_FILE, data, 0o644, Outcome(False, out.keep_context), summary=backup_summary)


def run_systemd(root, commands, run, out):
    """Run the systemctl argv lists in order; PENDING_FILE keeps them until they all succeeded."""
    if not commands:
        return
    out.systemd.extend(' '.join(argv) for argv in commands)
    if out.check_mode:
        return
    record_pending(root, commands, out)
    for argv in commands:
        rc, dummy, err = run(argv)
        if rc != 0:
            raise ApplyError('%s failed (rc %s): %s; the next run tries again' % (' '.join(argv), rc, (err or '').strip()),
                             out.changed, out.live + out.changed_files)
    if os.path.lexists(join(root, PENDING_FILE)):
        os.unlink(join(root, PENDING_FILE))


def _without_refused(the_plan, files, refused):
    """The plan's files with the refused keys left out of the sysctl file (they would fail at every boot)."""
    if not refused:
        return files
    names = set(name for name, dummy, dummy2 in refused)
    content = _plan.sysctl_file_text(the_plan['sysctl'], the_plan['sysctl_dash'], exclude=names)
    return [dict(item, content=content) if item['path'] == _plan.SYSCTL_FILE else item for item in files]


def apply_present(root, the_plan, out, owner=None, owed=()):
    for path in the_plan['state_dirs']:
        ensure_dir(root, path, out, owner)
    for item in the_plan['backups']:
        backup(root, item['src'], item['dest'], out, owner)
    state = the_plan['state_file']
    put_file(root, state['path'], _text(state['content']), 0o644, out, owner, state_summary)
    record_pending(root, list(owed), out)
    # fs.nr_open is raised (live, then in the file) before the limits file: a nofile above it locks logins out.
    set_sysctls(root, the_plan['apply_argv'], out)
    files = _without_refused(the_plan, the_plan['files'], out.refused)
    for concern in ('sysctl', 'limits', 'systemd'):
        for item in files:
            if item['concern'] == concern:
                write_file(root, item, out, owner)
    set_txqueuelen(root, the_plan['txqueuelen']['commands'], out)
    for concern in ('txqueuelen', 'conntrack'):
        for item in files:
            if item['concern'] == concern:
                write_file(root, item, out, owner)
    undo_files(root, the_plan, out, owner)


def apply_absent(root, the_plan, out, owner=None, owed=()):
    record_pending(root, list(owed), out)
    undo_files(root, the_plan, out, owner)
    set_sysctls(root, the_plan['apply_argv'], out)
    set_txqueuelen(root, the_plan['txqueuelen']['commands'], out)


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
    owed = []
    if systemd_running:
        # A dry pass tells which files will change, so that the systemctl calls they make owed
        # are recorded before the first of them is written.
        preview = Outcome(True)
        _apply(root, the_plan, preview, owner)
        owed = merge_commands(systemd_commands(the_plan, preview.changed_files), read_pending(root, the_plan))
    _apply(root, the_plan, out, owner, owed)
    if systemd_running:
        run_systemd(root, merge_commands(systemd_commands(the_plan, out.changed_files), owed), run, out)
    if the_plan['state'] == 'absent' and not out.refused:
        for path in the_plan['state_dirs']:
            remove_tree(root, path, out)
    if out.refused:
        raise ApplyError('the kernel refused %s; left out of %s so that boot does not fail on it; everything '
                         'else was applied (%s)' % (
                             ', '.join('%s=%s (%s)' % r for r in out.refused), _plan.SYSCTL_FILE,
                             ', '.join(out.live + out.changed_files) or 'nothing else changed'),
                         out.changed, out.live + out.changed_files)
    return out


def is_world_writable(root, path):
    """True when path exists and others may write it (a safety check the tests also use)."""
    try:
        return bool(os.stat(join(root, path)).st_mode & stat.S_IWOTH)
    except (IOError, OSError):
        return False
