# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""File helpers for the tcp_limits facts readers.

Every reader takes ``root`` (``/`` on a host, a fixture tree in tests) and a
path relative to it. A file that does not exist gives ``None`` silently; a file
that exists but cannot be read gives ``None`` and its host path (``/proc/1/limits``)
is appended to the ``unreadable`` list when one is passed. Nothing here raises
for a missing or forbidden file. Python 3.6 compatible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import os
import stat

from ansible_collections.netlimits.tcp.plugins.module_utils._common.values import to_int

_ABSENT = (errno.ENOENT, errno.ENOTDIR)


def host_path(rel):
    """The path as the managed host sees it: '/' + rel."""
    return '/' + rel.lstrip('/')


def join(root, rel):
    """rel (with or without a leading '/') under root."""
    return os.path.join(root, rel.lstrip('/'))


def note(unreadable, rel):
    """Record rel as unreadable (once) when a list is given."""
    if unreadable is not None:
        path = host_path(rel)
        if path not in unreadable:
            unreadable.append(path)


def resolve(root, rel, hops=16):
    """rel with symlinks in its last component followed inside root.

    An absolute link target ('/etc/sysctl.conf') is taken under root, so a
    fixture tree behaves like the host. Returns a path relative to root.
    """
    rel = rel.lstrip('/')
    for dummy in range(hops):
        full = join(root, rel)
        try:
            target = os.readlink(full)
        except (IOError, OSError, ValueError):  # ValueError: a NUL in the path
            return rel
        if target.startswith('/'):
            rel = target.lstrip('/')
        else:
            rel = os.path.normpath(os.path.join(os.path.dirname(rel), target))
    return rel


def open_text(root, rel, unreadable=None):
    """An open text handle on rel (for streaming large files), or None when absent or unreadable."""
    rel = resolve(root, rel)
    try:
        return open(join(root, rel), 'r')
    except (IOError, OSError) as exc:
        if exc.errno not in _ABSENT:
            note(unreadable, rel)
        return None


def read_text(root, rel, unreadable=None):
    """Whole file as text, or None when absent or unreadable."""
    rel = resolve(root, rel)
    try:
        with open(join(root, rel), 'rb') as handle:
            data = handle.read()
    except (IOError, OSError) as exc:
        if exc.errno not in _ABSENT:
            note(unreadable, rel)
        return None
    return data.decode('utf-8', 'replace')


def read_bytes(root, rel, unreadable=None, limit=None):
    """The file's bytes (at most limit of them), or None when absent or unreadable (symlinks followed inside root)."""
    rel = resolve(root, rel)
    try:
        with open(join(root, rel), 'rb') as handle:
            return handle.read() if limit is None else handle.read(limit)
    except (IOError, OSError) as exc:
        if exc.errno not in _ABSENT:
            note(unreadable, rel)
        return None
    except ValueError:      # a NUL in a name from unvalidated input: no such file
        return None


def read_lines(root, rel, unreadable=None):
    """List of lines without newlines, or None."""
    text = read_text(root, rel, unreadable)
    if text is None:
        return None
    return text.splitlines()


def read_first(root, rel, unreadable=None):
    """First line stripped, or None."""
    text = read_text(root, rel, unreadable)
    if text is None:
        return None
    text = text.strip()
    return text.splitlines()[0].strip() if text else ''


def read_int(root, rel, unreadable=None):
    """The file's first whitespace-separated field as int, or None."""
    text = read_text(root, rel, unreadable)
    if text is None:
        return None
    fields = text.split()
    return to_int(fields[0]) if fields else None


def exists(root, rel):
    """Whether rel exists (lexists: a dangling symlink counts)."""
    return os.path.lexists(join(root, rel))


def is_dir(root, rel):
    return os.path.isdir(join(root, rel))


def list_dir(root, rel, unreadable=None):
    """Sorted entry names of a directory, [] when absent or unreadable."""
    try:
        return sorted(os.listdir(join(root, rel)))
    except (IOError, OSError) as exc:
        if exc.errno not in _ABSENT:
            note(unreadable, rel)
        return []


def read_link(root, rel, unreadable=None):
    """os.readlink of rel, or None."""
    try:
        return os.readlink(join(root, rel))
    except (IOError, OSError) as exc:
        if exc.errno not in _ABSENT and exc.errno != errno.EINVAL:
            note(unreadable, rel)
        return None


def is_writable(root, rel):
    """Whether this process could write rel, /proc/sys style.

    os.access(W_OK) alone is not enough: root passes it for any ordinary
    file, but proc_sys_permission() checks the mode bits even for root, so a
    0444 sysctl (nf_conntrack_count, nf_conntrack_max outside the initial
    netns) is not writable by anyone. So: os.access(W_OK) (which also says no
    on a read-only mount, EROFS) AND at least one write bit in st_mode.
    """
    path = join(root, rel)
    try:
        mode = os.stat(path).st_mode
    except (IOError, OSError):
        return False
    return bool(os.access(path, os.W_OK) and (mode & 0o222))


def is_executable(root, rel):
    """Whether rel is a regular file with an execute bit (how systemd's rc-local generator decides)."""
    path = join(root, rel)
    try:
        st = os.stat(path)
    except (IOError, OSError):
        return False
    return stat.S_ISREG(st.st_mode) and bool(st.st_mode & 0o111)


def order_conf_paths(paths, dirs):
    """Pure form of systemd's conf_files_list ordering, on host paths.

    dirs is the search path, highest priority first ('/etc/sysctl.d', ...).
    A basename in an earlier directory masks the same basename in later ones;
    the survivors are sorted by basename (a later file wins a setting). Paths
    in no listed directory keep their basename rank and lose a tie.
    """
    rank = dict((host_path(d).rstrip('/'), i) for i, d in enumerate(dirs))
    best = {}
    for path in paths:
        directory, name = path.rsplit('/', 1)
        prio = rank.get(directory or '/', len(rank))
        if name not in best or prio < best[name][0]:
            best[name] = (prio, path)
    return [best[name][1] for name in sorted(best)]


def conf_files(root, dirs, suffix, unreadable=None):
    """systemd's conf_files_list: files ending in suffix from dirs under root.

    Returns host paths ('/etc/sysctl.d/10-a.conf') in load order, see
    order_conf_paths.
    """
    paths = []
    for directory in dirs:
        for name in list_dir(root, directory, unreadable):
            if name.endswith(suffix) and not is_dir(root, directory.rstrip('/') + '/' + name):
                paths.append(host_path(directory.rstrip('/') + '/' + name))
    return order_conf_paths(paths, dirs)
