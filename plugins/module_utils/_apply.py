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
argv lists. Python 3.6 compatible.
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
SYSTEMCTL_ORDER = ('daemon-reexec', 'daemon-reload', 'restart')


class ApplyError(Exception):
    """A change the plan asked for failed; the message names what and why."""


class Outcome(object):
    """What apply_plan did (or, in check mode, would do)."""

    def __init__(self, check_mode):
        self.check_mode = check_mode
        self.changed_files = []
        self.diff = []
        self.live = []
        self.denied_interfaces = []
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


def put_file(root, path, data, mode, out, owner=None):
    """Write data (bytes) with mode (int) when bytes, mode or owner differ.

    A symlink (an rc.local linked to rc.d/rc.local) stays a symlink: its target is written.
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
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        if owner is not None:
            os.chown(tmp, owner[0], owner[1])
        os.rename(tmp, full)
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
    put_file(root, dest, data, BACKUP_MODE, out, owner)


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
    out.file_changed(path + '/', 'directory\n', '')
    if not out.check_mode:
        shutil.rmtree(full)


def _text(content):
    return content.encode('utf-8', 'surrogateescape')


def _mode(text):
    return int(text or '0644', 8)


def write_file(root, item, out, owner=None):
    put_file(root, item['path'], _text(item['content']), _mode(item['mode']), out, owner)


def set_sysctls(root, argv, out):
    """The `sysctl -w k=v ...` argv of the plan, written to proc/sys in its order (fs.nr_open first)."""
    for arg in argv[2:]:
        name, value = arg.split('=', 1)
        out.live.append('%s=%s' % (name, value))
        if out.check_mode:
            continue
        rel = sysctl_path(name)
        if rel is None:
            raise ApplyError('refusing to write sysctl key %r' % name)
        try:
            with open(join(root, rel), 'w') as handle:
                handle.write(value + '\n')
        except (IOError, OSError) as exc:
            raise ApplyError('could not set %s to %s: %s' % (name, value, exc.strerror or exc))


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
        commands.extend(['systemctl', 'restart', unit + '.service'] for unit in the_plan.get('services') or [])
    return commands


def read_pending(root):
    try:
        commands = json.loads(decode(read_bytes(root, PENDING_FILE)) or '[]')
    except ValueError:
        return []
    return [c for c in commands if isinstance(c, list) and c[:1] == ['systemctl'] and len(c) > 1
            and c[1] in SYSTEMCTL_ORDER]


def merge_commands(commands, pending):
    merged = list(commands)
    merged.extend(c for c in pending if c not in merged)
    merged.sort(key=lambda c: SYSTEMCTL_ORDER.index(c[1]))
    return merged


def run_systemd(root, commands, run, out):
    """Run the systemctl argv lists in order, recorded in PENDING_FILE until they all succeeded."""
    commands = merge_commands(commands, read_pending(root))
    if not commands:
        return
    out.systemd.extend(' '.join(argv) for argv in commands)
    if out.check_mode:
        return
    record = os.path.isdir(join(root, _plan.STATE_DIR))
    if record:
        with open(join(root, PENDING_FILE), 'w') as handle:
            json.dump(commands, handle)
    for argv in commands:
        rc, dummy, err = run(argv)
        if rc != 0:
            raise ApplyError('%s failed (rc %s): %s; the next run tries again' % (' '.join(argv), rc, (err or '').strip()))
    if record:
        os.unlink(join(root, PENDING_FILE))


def apply_present(root, the_plan, out, owner=None):
    for path in the_plan['state_dirs']:
        ensure_dir(root, path, out, owner)
    for item in the_plan['backups']:
        backup(root, item['src'], item['dest'], out, owner)
    state = the_plan['state_file']
    put_file(root, state['path'], _text(state['content']), 0o644, out, owner)
    files = the_plan['files']
    # fs.nr_open is raised (file and live) before the limits file: a nofile above it locks logins out.
    for item in files:
        if item['concern'] == 'sysctl':
            write_file(root, item, out, owner)
    set_sysctls(root, the_plan['apply_argv'], out)
    for concern in ('limits', 'systemd'):
        for item in files:
            if item['concern'] == concern:
                write_file(root, item, out, owner)
    set_txqueuelen(root, the_plan['txqueuelen']['commands'], out)
    for concern in ('txqueuelen', 'conntrack'):
        for item in files:
            if item['concern'] == concern:
                write_file(root, item, out, owner)
    undo_files(root, the_plan, out, owner)


def apply_absent(root, the_plan, out, owner=None):
    undo_files(root, the_plan, out, owner)
    set_sysctls(root, the_plan['apply_argv'], out)
    set_txqueuelen(root, the_plan['txqueuelen']['commands'], out)


def apply_plan(root, the_plan, check_mode=False, run=None, owner=None, systemd_running=False):
    """Carry out the plan under root; returns an Outcome. Raises ApplyError naming what failed.

    run(argv) -> (rc, stdout, stderr) runs systemctl when systemd_running.
    owner: (uid, gid) for every file written (None: leave as created).
    """
    out = Outcome(check_mode)
    if the_plan['state'] == 'present':
        apply_present(root, the_plan, out, owner)
    else:
        apply_absent(root, the_plan, out, owner)
    if systemd_running:
        run_systemd(root, systemd_commands(the_plan, out.changed_files), run, out)
    if the_plan['state'] == 'absent':
        for path in the_plan['state_dirs']:
            remove_tree(root, path, out)
    return out


def is_world_writable(root, path):
    """True when path exists and others may write it (a safety check the tests also use)."""
    try:
        return bool(os.stat(join(root, path)).st_mode & stat.S_IWOTH)
    except (IOError, OSError):
        return False
