# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one table of sysctl keys that cap TCP connections.

Every other part of the collection reads this table: the facts module (what to
gather, scope, defaults by kernel version), the role's planner (which variable
sets which key, kernel guards, raise-only), argument validation (valid ranges)
and docs/ (generated tables). Nothing else lists keys.

Facts and sources: ../shared/reference/kernel-limits.md and the kernel tree
(Documentation/networking/ip-sysctl.rst, net/ipv4/sysctl_net_ipv4.c).
Python 3.6 compatible: this runs on managed hosts.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections

# Where a key lives, which decides who can change it.
SCOPE_NETNS = 'netns'            # per network namespace: a privileged container sets its own
SCOPE_INIT_NETNS = 'init_netns'  # global net key: only the initial netns has it (or can write it)
SCOPE_HOST = 'host'              # not namespaced at all (fs.*): a privileged container changes the machine

# What kind of value it holds, which decides how the planner compares.
KIND_CAPACITY = 'capacity'    # a limit: with raise_only it never goes below a higher value in effect
KIND_BEHAVIOUR = 'behaviour'  # a switch or timer: set exactly as asked

# How its /proc/sys text parses.
TYPE_INT = 'int'              # "4096"
TYPE_INT_LIST = 'int_list'    # "32768\t60999", "4096 131072 6291456"
TYPE_PORT_SET = 'port_set'    # "8080,9000-9010" (ip_local_reserved_ports)

SysctlKey = collections.namedtuple('SysctlKey', [
    'name',         # dotted sysctl name
    'scope',        # SCOPE_*
    'kind',         # KIND_*
    'value_type',   # TYPE_*
    'minimum',      # smallest allowed value (each element for lists), or None
    'maximum',      # largest allowed value, or None
    'since',        # (major, minor) the key first exists, or None
    'until',        # (major, minor) the key is removed in, or None
    'defaults',     # ((since_version, value), ...) newest last; value None = computed at boot
    'variable',     # tcp_tune_* role variable that sets it, or None (gather only / tcp_tune_sysctl)
    'needs_module',  # kernel module that must be loaded for the key to exist, or None
    'doc',          # one line for docs/ and the report
])


def _key(name, scope, kind, value_type, doc, minimum=None, maximum=None, since=None,
         until=None, defaults=((None, None),), variable=None, needs_module=None):
    return SysctlKey(name, scope, kind, value_type, minimum, maximum, since, until,
                     defaults, variable, needs_module, doc)


NR_OPEN_MAX = 2147483584
INT_MAX = 2147483647

KEYS = (
    # Ephemeral ports and TIME_WAIT
    _key('net.ipv4.ip_local_port_range', SCOPE_NETNS, KIND_BEHAVIOUR, TYPE_INT_LIST,
         'Ephemeral ports for connect() and bind(0); start >= ip_unprivileged_port_start.',
         minimum=1, maximum=65535, defaults=(((0, 0), [32768, 61000]), ((4, 2), [32768, 60999])),
         variable='tcp_tune_local_port_range'),
    _key('net.ipv4.ip_local_reserved_ports', SCOPE_NETNS, KIND_BEHAVIOUR, TYPE_PORT_SET,
         'Ports skipped by automatic port selection (keeps listeners out of the range).',
         minimum=1, maximum=65535, defaults=(((0, 0), []),), variable='tcp_tune_reserved_ports'),
    _key('net.ipv4.ip_unprivileged_port_start', SCOPE_NETNS, KIND_BEHAVIOUR, TYPE_INT,
         'First port an unprivileged process may bind; the port range must start at or above it.',
         minimum=0, maximum=65535, since=(4, 11), defaults=(((0, 0), 1024),)),
    _key('net.ipv4.tcp_tw_reuse', SCOPE_NETNS, KIND_BEHAVIOUR, TYPE_INT,
         'connect() may reuse a TIME_WAIT 4-tuple after ~1 s: 0 off, 1 on, 2 loopback only (4.18+).',
         minimum=0, maximum=2, defaults=(((0, 0), 0), ((4, 18), 2)), variable='tcp_tune_tw_reuse'),
    _key('net.ipv4.tcp_tw_reuse_delay', SCOPE_NETNS, KIND_BEHAVIOUR, TYPE_INT,
         'Milliseconds before tcp_tw_reuse may reuse a TIME_WAIT tuple.',
         minimum=1, maximum=INT_MAX, since=(6, 14), defaults=(((0, 0), 1000),)),
    _key('net.ipv4.tcp_tw_recycle', SCOPE_NETNS, KIND_BEHAVIOUR, TYPE_INT,
         'Removed in 4.12: fast TIME_WAIT recycling that breaks clients behind NAT.',
         minimum=0, maximum=1, until=(4, 12), defaults=(((0, 0), 0),), variable='tcp_tune_tw_recycle'),
    _key('net.ipv4.tcp_fin_timeout', SCOPE_NETNS, KIND_BEHAVIOUR, TYPE_INT,
         'Seconds an orphaned socket stays in FIN_WAIT_2. Does not shorten TIME_WAIT (fixed 60 s).',
         minimum=1, maximum=INT_MAX, defaults=(((0, 0), 60),), variable='tcp_tune_fin_timeout'),
    _key('net.ipv4.tcp_max_tw_buckets', SCOPE_NETNS, KIND_CAPACITY, TYPE_INT,
         'TIME_WAIT sockets past this are not created (TcpExt TCPTimeWaitOverflow counts them).',
         minimum=1, maximum=INT_MAX),
    _key('net.ipv4.tcp_timestamps', SCOPE_NETNS, KIND_BEHAVIOUR, TYPE_INT,
         'TCP timestamps; tcp_tw_reuse does nothing without them.',
         minimum=0, maximum=2, defaults=(((0, 0), 1),)),
    # Accept queue and SYN backlog
    _key('net.core.somaxconn', SCOPE_NETNS, KIND_CAPACITY, TYPE_INT,
         'Caps every listen() backlog (accept queue).',
         minimum=1, maximum=INT_MAX, defaults=(((0, 0), 128), ((5, 4), 4096)), variable='tcp_tune_somaxconn'),
    _key('net.ipv4.tcp_max_syn_backlog', SCOPE_NETNS, KIND_CAPACITY, TYPE_INT,
         'Half-open connections per listener (SYN queue).',
         minimum=1, maximum=INT_MAX, variable='tcp_tune_max_syn_backlog'),
    _key('net.ipv4.tcp_syncookies', SCOPE_NETNS, KIND_BEHAVIOUR, TYPE_INT,
         'SYN cookies when the SYN queue overflows.',
         minimum=0, maximum=2, defaults=(((0, 0), 1),)),
    _key('net.core.netdev_max_backlog', SCOPE_INIT_NETNS, KIND_CAPACITY, TYPE_INT,
         'Input packet queue per CPU; not visible inside a container network namespace.',
         minimum=1, maximum=INT_MAX, defaults=(((0, 0), 1000),), variable='tcp_tune_netdev_max_backlog'),
    # Orphans
    _key('net.ipv4.tcp_max_orphans', SCOPE_INIT_NETNS, KIND_CAPACITY, TYPE_INT,
         'Orphaned sockets past this are reset ("too many orphaned sockets").',
         minimum=1, maximum=INT_MAX, variable='tcp_tune_max_orphans'),
    _key('net.ipv4.tcp_orphan_retries', SCOPE_NETNS, KIND_BEHAVIOUR, TYPE_INT,
         'Retries before an orphaned connection is killed; 0 means 8.',
         minimum=0, maximum=255, defaults=(((0, 0), 0),), variable='tcp_tune_orphan_retries'),
    # Socket memory
    _key('net.ipv4.tcp_mem', SCOPE_INIT_NETNS, KIND_CAPACITY, TYPE_INT_LIST,
         'TCP memory thresholds in pages: low, pressure, high.', minimum=1, maximum=None),
    _key('net.ipv4.tcp_rmem', SCOPE_NETNS, KIND_CAPACITY, TYPE_INT_LIST,
         'Receive buffer per socket in bytes: min, default, max.', minimum=1, maximum=INT_MAX,
         defaults=(((0, 0), [4096, 131072, 6291456]),)),
    _key('net.ipv4.tcp_wmem', SCOPE_NETNS, KIND_CAPACITY, TYPE_INT_LIST,
         'Send buffer per socket in bytes: min, default, max.', minimum=1, maximum=INT_MAX,
         defaults=(((0, 0), [4096, 16384, 4194304]),)),
    _key('net.core.rmem_max', SCOPE_INIT_NETNS, KIND_CAPACITY, TYPE_INT,
         'Largest receive buffer a socket may ask for with SO_RCVBUF.', minimum=1, maximum=INT_MAX),
    _key('net.core.wmem_max', SCOPE_INIT_NETNS, KIND_CAPACITY, TYPE_INT,
         'Largest send buffer a socket may ask for with SO_SNDBUF.', minimum=1, maximum=INT_MAX),
    # File handles
    _key('fs.file-max', SCOPE_HOST, KIND_CAPACITY, TYPE_INT,
         'File handles the whole kernel may allocate ("VFS: file-max limit reached").',
         minimum=1, maximum=None, variable='tcp_tune_file_max'),
    # sysctl_nr_open_max (fs/file.c): min(INT_MAX, SIZE_MAX / sizeof(void *)) & -BITS_PER_LONG,
    # 2147483584 on 64-bit; a higher value gets EINVAL.
    _key('fs.nr_open', SCOPE_HOST, KIND_CAPACITY, TYPE_INT,
         'Ceiling for any RLIMIT_NOFILE; a nofile above it makes PAM logins fail.',
         minimum=1024, maximum=NR_OPEN_MAX, defaults=(((0, 0), 1048576),), variable='tcp_tune_nr_open'),
    # conntrack (exists only while nf_conntrack is loaded)
    _key('net.netfilter.nf_conntrack_max', SCOPE_INIT_NETNS, KIND_CAPACITY, TYPE_INT,
         'Tracked connections; read-only outside the initial network namespace.',
         minimum=1, maximum=INT_MAX, variable='tcp_tune_conntrack_max', needs_module='nf_conntrack'),
    _key('net.netfilter.nf_conntrack_buckets', SCOPE_INIT_NETNS, KIND_CAPACITY, TYPE_INT,
         'conntrack hash buckets (derived from nf_conntrack_max by the role).',
         minimum=1, maximum=INT_MAX, needs_module='nf_conntrack'),
    _key('net.netfilter.nf_conntrack_count', SCOPE_INIT_NETNS, KIND_CAPACITY, TYPE_INT,
         'Connections tracked now (read-only).', minimum=0, needs_module='nf_conntrack'),
    _key('net.ipv4.netfilter.ip_conntrack_max', SCOPE_INIT_NETNS, KIND_CAPACITY, TYPE_INT,
         'Old name of nf_conntrack_max on old kernels.', minimum=1, maximum=INT_MAX,
         needs_module='nf_conntrack'),
)

BY_NAME = dict((k.name, k) for k in KEYS)
BY_VARIABLE = dict((k.variable, k) for k in KEYS if k.variable)


def key_path(name):
    """/proc/sys relative path of a dotted sysctl name (dots become slashes)."""
    return 'proc/sys/' + name.replace('.', '/')


def exists_in_kernel(key, version):
    """Whether the key exists at all on a kernel of (major, minor[, patch]).

    version None means unknown: assume it may exist and let the read decide.
    """
    if version is None:
        return True
    mm = tuple(version[:2])
    if key.since is not None and mm < tuple(key.since):
        return False
    if key.until is not None and mm >= tuple(key.until):
        return False
    return True


def default_for(key, version):
    """The kernel's default for this key on that version, or None when computed at boot."""
    value = None
    for since, candidate in key.defaults:
        if since is None or version is None or tuple(version[:2]) >= tuple(since):
            value = candidate
    return value


# Values of a key that exist only from some version on, beyond the key itself.
VALUE_GUARDS = {
    ('net.ipv4.tcp_tw_reuse', 2): (4, 18),
}


def value_allowed_on(name, value, version):
    """False when this value of the key needs a newer kernel than version."""
    since = VALUE_GUARDS.get((name, value))
    if since is None or version is None:
        return True
    return tuple(version[:2]) >= since
