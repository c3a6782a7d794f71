# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The services view: every TCP listener of this network namespace, its queues and the processes behind it.

Listeners come from inet_diag (inet_diag.py: the accept queue now and its maximum) on the live
system, else from proc/net/tcp and tcp6 (the queue now only; their tx_queue column is 0 for a
listener, net/ipv4/tcp_ipv4.c get_tcp4_sock()). Owners are found the way `ss -p` and `lsof` find
them: a listener's inode appears as the link text "socket:[INODE]" of one of the process's
/proc/PID/fd entries (proc(5), /proc/pid/fd). Reading every fd link of every process costs time on a
host with many descriptors, so the walk is bounded: it stops as soon as every listener has an owner,
reads a process's descriptors in numeric order (a server opens its listeners first), and gives up at
a time budget, saying the view is partial. A process that exits between two reads is skipped; one
whose /proc entries cannot be read (not root, hidepid=) makes the view partial, never an error.
Python 3.6 compatible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import itertools
import os
import time

from ansible_collections.netlimits.tcp.plugins.module_utils._common.values import to_int
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.files import process_nofile
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.inet_diag import DiagUnavailable, listeners_and_established
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.read import join, read_first, read_lines, read_text
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.sockets import TCP_STATES, proc_address

DEFAULT_BUDGET_SECONDS = 0.3
SOURCE_DIAG = 'inet_diag'
SOURCE_PROC = 'proc_net_tcp'
_UNIT_SUFFIXES = ('.service', '.socket', '.scope')


def proc_tables(root, unreadable):
    """([listener dicts], {local port: established}) from proc/net/tcp and tcp6: the fallback of inet_diag."""
    listeners, established = [], {}
    for rel, family in (('proc/net/tcp', 'ipv4'), ('proc/net/tcp6', 'ipv6')):
        for line in read_lines(root, rel, unreadable)[1:]:
            fields = line.split()
            if len(fields) < 10 or ':' not in fields[1] or ':' not in fields[4]:
                continue
            address, port = fields[1].rsplit(':', 1)
            state = TCP_STATES.get(fields[3].upper())
            port = int(port, 16)
            if state == 'ESTABLISHED':
                established[port] = established.get(port, 0) + 1
            elif state == 'LISTEN':
                listeners.append({'family': family, 'address': proc_address(address), 'port': port,
                                  'queue': int(fields[4].split(':')[1], 16), 'backlog': None,
                                  'inode': to_int(fields[9]), 'uid': to_int(fields[7])})
    ports = set(item['port'] for item in listeners)
    return listeners, dict((port, n) for port, n in established.items() if port in ports)


def unit_of(cgroup_text):
    """The systemd unit a process runs in, from the text of /proc/PID/cgroup; None outside units.

    cgroup v2 has one line "0::/system.slice/nginx.service"; under v1 the name=systemd hierarchy
    carries the same path (systemd.special(7), systemd.slice(5)). The innermost .service, .socket or
    .scope component names the unit.
    """
    paths = []
    for line in (cgroup_text or '').splitlines():
        parts = line.split(':', 2)
        if len(parts) == 3 and (parts[0] == '0' or parts[1] == 'name=systemd'):
            paths.append(parts[2])
    for path in paths:
        for part in reversed(path.split('/')):
            if part.endswith(_UNIT_SUFFIXES):
                return part
    return None


def _uid_names(root):
    names = {}
    for line in (read_text(root, 'etc/passwd') or '').splitlines():
        fields = line.split(':')
        if len(fields) > 2 and fields[2].isdigit():
            names.setdefault(int(fields[2]), fields[0])
    return names


def _numeric(names):
    return sorted(int(name) for name in names if name.isdigit())


def _list(path):
    """(names, error number): the directory's entries, or the errno that stopped us."""
    try:
        return os.listdir(path), None
    except OSError as exc:
        return None, exc.errno


class _Walk(object):
    """The bounded walk over /proc/*/fd: which process holds which listener inode."""

    def __init__(self, root, inodes, budget, clock=time.monotonic, live=False):
        self.root, self.wanted, self.clock, self.live = root, set(inodes), clock, live
        self.deadline = clock() + budget
        self.owners = {}          # inode -> [pid]
        self.fds = {}             # pid -> open descriptors now
        self.denied = 0
        self.out_of_time = False

    def run(self):
        pids, dummy = _list(join(self.root, 'proc'))
        pids = _numeric(pids or [])
        self._two_passes((pid, self.wanted) for pid in pids)
        # Pre-forking servers (nginx, apache, gunicorn) share the listener with their workers, which
        # hold the connections: a child of an owner is an owner too when it holds its parent's sockets.
        held = {}
        for inode, owners in self.owners.items():
            for pid in owners:
                held.setdefault(pid, set()).add(inode)
        children = ((pid, set(held[parent])) for pid, parent in
                    ((pid, None if pid in held or self._late() else _ppid(self.root, pid)) for pid in pids)
                    if parent in held)
        self._two_passes(children)
        return self

    def _two_passes(self, items):
        """Probe each (pid, wanted) in its lowest descriptors first, then the rest of the large tables.

        Servers open their listeners first: a first pass that stops at descriptor LOW_FDS of a large
        table finds them at a cost that does not grow with the connections; a process with 100,000
        descriptors is read to its end only when some listener was found nowhere low, within the budget.
        wanted is the walk's own set (every listener not matched yet) or a worker's parent's sockets.
        """
        later = []
        for pid, wanted in items:
            if self._late() or (wanted is self.wanted and not wanted):
                break
            numbers, error = _fd_numbers_of(self.root, pid, self.live)
            if error is not None:
                if error in (errno.EACCES, errno.EPERM):
                    self.denied += 1
                continue              # ENOENT/ESRCH: it exited; skipped
            rest = self._process(pid, wanted, numbers, below=LOW_FDS)
            if rest is not None:
                later.append((pid, wanted, rest))
        for pid, wanted, rest in later:
            if wanted and not self._late():
                self._process(pid, wanted, rest)

    def _late(self):
        if self.clock() > self.deadline:
            self.out_of_time = True
        return self.out_of_time

    def _process(self, pid, wanted, numbers, below=None):
        """Record pid as an owner of the inodes in wanted it holds, reading descriptors from numbers
        ((count, iterator, probed) of _fd_numbers_of). Returns what is left of numbers when a probed
        table reached descriptor below with inodes still wanted, else None."""
        count, fds, probed = numbers
        fd_dir = join(self.root, 'proc/%d/fd' % pid)
        for fd in fds:
            if not wanted:
                return None
            if probed and below is not None and fd >= below:
                return count, itertools.chain([fd], fds), probed
            try:
                target = os.readlink(os.path.join(fd_dir, str(fd)))
            except OSError:
                continue              # the descriptor closed under us
            if target.startswith('socket:[') and target.endswith(']'):
                inode = to_int(target[8:-1])
                if inode in wanted:
                    self.owners.setdefault(inode, []).append(pid)
                    self.fds[pid] = count
                    wanted.discard(inode)
                    self.wanted.discard(inode)
        return None

    def count_fds(self):
        """Fill in the descriptor counts the kernel did not give cheaply (before 6.2), while time is left."""
        uncounted = 0
        for pid in sorted(self.fds):
            if self.fds[pid] is None:
                late = self.clock() > self.deadline
                names = None if late else _list(join(self.root, 'proc/%d/fd' % pid))[0]
                if names is None:
                    uncounted += 1
                else:
                    self.fds[pid] = len(names)
        return uncounted


# Above this many descriptors (or descriptor slots), probe fd numbers from 0 instead of listing the
# directory: listing /proc/PID/fd of a process with 100,000 sockets costs ~0.5 s (the kernel builds an
# entry per descriptor), and servers open their listeners first.
LIST_FDS_UP_TO = 1024
# The walk's first pass probes a large table only below this descriptor number (_Walk._two_passes).
LOW_FDS = 1024


def _fd_numbers_of(root, pid, live):
    """((open descriptors or None, their numbers lowest first, whether probed), None) of one process, or
    (None, the errno that stopped the reading of its /proc/PID/fd)."""
    fd_dir = join(root, 'proc/%d/fd' % pid)
    count, error = _fd_count(fd_dir, live)
    if error is not None:
        return None, error
    slots = None if count is not None else _fd_slots(root, pid)
    return (count, _fd_numbers(fd_dir, count, slots), _probed(count, slots)), None


def _probed(count, slots):
    """Whether a table of count descriptors (or slots, when the count is not known) is probed, not listed."""
    return (count if count is not None else (slots or 0)) > LIST_FDS_UP_TO


def _fd_count(fd_dir, live):
    """(open descriptors or None, None), or (None, errno) when the directory cannot be read.

    Since Linux 6.2 st_size of /proc/PID/fd is the count (fs/proc/fd.c proc_fd_getattr(), commit
    f1f1f2569901 "proc: report open files as size in stat() for /proc/pid/fd"); before it is 0, and the
    count is None (listing a large table is the cost this walk avoids). A fixture tree is listed.
    """
    try:
        if live:
            size = os.stat(fd_dir).st_size
            return (size if size > 0 else None), None
        return len(os.listdir(fd_dir)), None
    except OSError as exc:
        return None, exc.errno


def _fd_slots(root, pid):
    """FDSize of /proc/PID/status: the size of the descriptor table, an upper bound of fd numbers (proc(5))."""
    for line in (read_text(root, 'proc/%d/status' % pid) or '').splitlines():
        if line.startswith('FDSize:'):
            return to_int(line.split()[1])
    return None


def _fd_numbers(fd_dir, count, slots=None):
    """The process's descriptor numbers, lowest first: listed when few, probed upwards when many.

    count: open descriptors when known; slots: the table size when the count is not known.
    """
    if not _probed(count, slots):
        return iter(_numeric(_list(fd_dir)[0] or []))
    return _probe(fd_dir, count, slots)


def _probe(fd_dir, count, slots):
    fd = seen = misses = 0
    while (count is None or seen < count) and (slots is None or fd < slots):
        if os.path.lexists(os.path.join(fd_dir, str(fd))):
            seen += 1
            misses = 0
            yield fd
        else:
            misses += 1
            if misses > LIST_FDS_UP_TO:      # a sparse table (dup2 to high numbers): list what is left
                for high in _numeric(_list(fd_dir)[0] or []):
                    if high > fd:
                        yield high
                return
        fd += 1


def _ppid(root, pid):
    """The parent pid from /proc/PID/stat (field 4, after the command in parentheses); None if gone."""
    text = read_first(root, 'proc/%d/stat' % pid)
    if not text or ')' not in text:
        return None
    fields = text.rsplit(')', 1)[1].split()
    return to_int(fields[1]) if len(fields) > 1 else None


def process_info(root, pid, fds, uid_names, unreadable):
    """{pid, command, unit, user, nofile, fds} of one owning process; None when it has exited."""
    command = read_first(root, 'proc/%d/comm' % pid)
    if command is None:
        return None
    status = read_text(root, 'proc/%d/status' % pid) or ''
    uid = None
    for line in status.splitlines():
        if line.startswith('Uid:'):
            uid = to_int(line.split()[1])
    return {'pid': pid, 'command': command, 'unit': unit_of(read_text(root, 'proc/%d/cgroup' % pid)),
            'user': uid_names.get(uid, uid), 'nofile': process_nofile(root, str(pid), unreadable), 'fds': fds}


def services(root='/', unreadable=None, budget=DEFAULT_BUDGET_SECONDS, diag=listeners_and_established):
    """The 'services' facts: listeners with their queues and owners, and whether the view is whole."""
    notes = []
    source = SOURCE_PROC
    listeners = established = None
    live = os.path.realpath(root) == '/'
    if live:
        try:
            listeners, established = diag()
            source = SOURCE_DIAG
        except DiagUnavailable as exc:
            notes.append('%s; read proc/net/tcp instead (the maximum backlog is unknown)' % exc)
    if listeners is None:
        listeners, established = proc_tables(root, unreadable)
    walk = _Walk(root, [item['inode'] for item in listeners if item['inode']], budget, live=live).run()
    uncounted = walk.count_fds()
    if walk.wanted and walk.out_of_time:
        notes.append('owners: stopped at the %.2f s budget with %d listener(s) unmatched'
                     % (budget, len(walk.wanted)))
    elif walk.out_of_time:
        notes.append('owners: stopped at the %.2f s budget before every worker sharing a listener was found'
                     % budget)
    if walk.wanted and walk.denied:
        notes.append('owners: %d process(es) whose /proc/PID/fd could not be read (not root, or hidepid)'
                     % walk.denied)
    elif walk.wanted and not walk.out_of_time:
        notes.append('owners: %d listener(s) held by no process visible here (another PID namespace)'
                     % len(walk.wanted))
    if uncounted:
        notes.append('fds: %d owner(s) not counted within the budget (before Linux 6.2 counting lists '
                     '/proc/PID/fd)' % uncounted)
    uid_names = _uid_names(root)
    processes = {}
    for pid in sorted(walk.fds):
        info = process_info(root, pid, walk.fds[pid], uid_names, unreadable)
        if info is not None:
            processes[pid] = info
    for item in listeners:
        item['established'] = established.get(item['port'], 0)
        item['pids'] = [pid for pid in walk.owners.get(item['inode'], []) if pid in processes]
    listeners.sort(key=lambda item: (item['port'], item['family'], item['address']))
    return {
        'source': source,
        'complete': not walk.wanted,
        'notes': notes,
        'listeners': listeners,
        'processes': [processes[pid] for pid in sorted(processes)],
    }
