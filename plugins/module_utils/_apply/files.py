# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Files on the host: atomic writes, directories, backups, removal, and what each shows in the diff.

put_file() writes a temporary file in the same directory (mode and owner
through its descriptor, the SELinux context of the file it replaces), renames
it over the target and fsyncs the directory, and only when bytes, mode or owner
differ; in check mode it only records the change. Python 3.6 compatible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import shutil
import tempfile

from ansible_collections.netlimits.tcp.plugins.module_utils._common.content import decode, text_bytes
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.read import join, read_bytes, resolve
from ansible_collections.netlimits.tcp.plugins.module_utils._plan.readings import (
    MISSING, REGULAR, file_info, path_kind,
)

DIR_MODE = 0o755
BACKUP_MODE = 0o600


class ApplyError(Exception):
    """A change the plan asked for failed; the message names what and why.

    changed and applied say what the run did before it failed (for the module's result).
    """

    def __init__(self, message, changed=False, applied=(), refused=()):
        super(ApplyError, self).__init__(message)
        self.changed = changed
        self.applied = list(applied)
        self.refused = [list(r) for r in refused]   # [key, value, why] the kernel refused (left out of the file)


class StalePlan(ApplyError):
    """A file changed between planning and applying: nothing was written."""


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
    before = _mode_text(int(info['mode'], 8)) if info['exists'] else ''
    if not out.check_mode:
        full = join(root, path)
        if not info['exists']:
            ensure_parent(root, path, out, owner)
            os.mkdir(full, DIR_MODE)
        os.chmod(full, DIR_MODE)
        if owner is not None:
            os.chown(full, owner[0], owner[1])
    # recorded once done: a run that fails lists only what it did (ApplyError.applied)
    out.file_changed(path, before, _mode_text(DIR_MODE))


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
    kind = path_kind(root, path)
    if kind not in (MISSING, REGULAR):
        # never through a mask (/dev/null would become our file), a dangling link or into a non-regular file
        raise ApplyError('refusing to write %s: it is %s' % (header, {
            'masked': 'a symlink to /dev/null (masked)', 'dangling': 'a symlink to a file that does not exist'}.get(
                kind, 'not a regular file')))
    path = '/' + resolve(root, path)
    info = file_info(root, path)
    old = read_bytes(root, path) if info['exists'] else None
    same_mode = info['exists'] and info['mode'] == '%04o' % mode
    if old == data and same_mode and _owned(info, owner):
        return
    if old == data:
        before, after = _mode_text(int(info['mode'], 8)), _mode_text(mode)
    elif summary is not None:
        before, after = summary(old), summary(data)
    else:
        before, after = decode(old) or '', decode(data)
    if not out.check_mode:
        ensure_parent(root, path, out, owner)
        _replace(join(root, path), data, mode, owner, out.keep_context)
    out.file_changed(header, before, after)


def _replace(full, data, mode, owner, keep_context):
    """Write data to a temporary file beside full, then rename it over full and fsync the directory."""
    fd, tmp = tempfile.mkstemp(prefix='.netlimits-tcp.', dir=os.path.dirname(full))
    try:
        with os.fdopen(fd, 'wb') as handle:
            handle.write(data)
            handle.flush()
            os.fchmod(handle.fileno(), mode)
            if owner is not None:
                os.fchown(handle.fileno(), owner[0], owner[1])
            os.fsync(handle.fileno())
        if keep_context is not None:
            keep_context(tmp, full)
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
    if path_kind(root, path) != REGULAR:
        raise ApplyError('refusing to remove %s: it is not a regular file (a mask or a link of the site\'s)' % path)
    before = decode(read_bytes(root, path)) or ''
    if not out.check_mode:
        os.unlink(full)
    out.file_changed(path, before, '')


def remove_tree(root, path, out):
    full = join(root, path)
    if not os.path.lexists(full):
        return
    if not out.check_mode:
        shutil.rmtree(full)
    out.file_changed(path + '/', 'directory and everything in it\n', '')


def mode_bits(text):
    return int(text or '0644', 8)


def write_file(root, item, out, owner=None):
    put_file(root, item['path'], text_bytes(item['content']), mode_bits(item['mode']), out, owner)
