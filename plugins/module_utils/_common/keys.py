# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one table of sysctl keys that cap TCP connections.

Every other part of the collection reads this table: the facts module (what to
gather, scope, defaults by kernel version), the role's planner (which variable
sets which key, kernel guards, raise-only), argument validation (valid ranges)
and docs/ (generated tables). Nothing else lists keys.

Facts and sources: the kernel tree (Documentation/networking/ip-sysctl.rst,
Documentation/admin-guide/sysctl/fs.rst, net/ipv4/sysctl_net_ipv4.c, net/core/sysctl_net_core.c),
named per key below; docs/keys.md is generated from this table.
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

# TCP_TIMEWAIT_LEN (include/net/tcp.h): a closed 4-tuple is held in TIME_WAIT this long. Fixed:
# tcp_fin_timeout does not change it. The facts publish it (ports.time_wait_seconds), the planner
# sizes port ranges and conntrack with it, the tables word capacity with it.
TIME_WAIT_SECONDS = 60

# tcp_fin_timeout goes through proc_dointvec_jiffies (net/ipv4/sysctl_net_ipv4.c), which refuses a
# value above INT_MAX / HZ with EINVAL (do_proc_dointvec_jiffies_conv, kernel/sysctl.c). HZ is a build
# option that /proc does not show reliably; it is at most 1000, so INT_MAX // 1000 is valid on every kernel.
HZ_MAX = 1000
FIN_TIMEOUT_MAX = INT_MAX // HZ_MAX
# tcp_tw_reuse_delay: proc_dointvec_minmax up to TCP_PAWS_MSL (60 s) x 1000 ms (net/ipv4/sysctl_net_ipv4.c).
TW_REUSE_DELAY_MAX = 60000

KEYS = (
    # Ephemeral ports and TIME_WAIT
    _key('net.ipv4.ip_local_port_range', SCOPE_NETNS, KIND_BEHAVIOUR, TYPE_INT_LIST,
         'Ephemeral ports for connect() and bind(0); start >= ip_unprivileged_port_start. connect() prefers '
         'ports of the same parity as the low end, bind(0) the other: ends of different parity split them evenly.',
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
         'Milliseconds before tcp_tw_reuse may reuse a TIME_WAIT tuple (at most 60000, TCP_PAWS_MSL x 1000).',
         minimum=1, maximum=TW_REUSE_DELAY_MAX, since=(6, 14), defaults=(((0, 0), 1000),)),
    _key('net.ipv4.tcp_tw_recycle', SCOPE_NETNS, KIND_BEHAVIOUR, TYPE_INT,
         'Removed in 4.12: fast TIME_WAIT recycling that breaks clients behind NAT.',
         minimum=0, maximum=1, until=(4, 12), defaults=(((0, 0), 0),), variable='tcp_tune_tw_recycle'),
    _key('net.ipv4.tcp_fin_timeout', SCOPE_NETNS, KIND_BEHAVIOUR, TYPE_INT,
         'Seconds an orphaned socket stays in FIN_WAIT_2. Does not shorten TIME_WAIT (fixed 60 s). At most '
         'INT_MAX / HZ (jiffies); 2147483 here, valid for any HZ up to 1000.',
         minimum=1, maximum=FIN_TIMEOUT_MAX, defaults=(((0, 0), 60),), variable='tcp_tune_fin_timeout'),
    _key('net.ipv4.tcp_max_tw_buckets', SCOPE_NETNS, KIND_CAPACITY, TYPE_INT,
         'TIME_WAIT sockets past this are not created (TcpExt TCPTimeWaitOverflow counts them; nothing is logged).',
         minimum=1, maximum=INT_MAX),
    _key('net.ipv4.tcp_timestamps', SCOPE_NETNS, KIND_BEHAVIOUR, TYPE_INT,
         'TCP timestamps; tcp_tw_reuse does nothing without them.',
         minimum=0, maximum=2, defaults=(((0, 0), 1),)),
    # Accept queue and SYN backlog
    # minimum 1 is our policy (a backlog of 0 is useless); the kernel takes 0 (net/core/sysctl_net_core.c, SYSCTL_ZERO).
    _key('net.core.somaxconn', SCOPE_NETNS, KIND_CAPACITY, TYPE_INT,
         'Caps every listen() backlog (accept queue). Minimum 1 is our policy (kernel: 0).',
         minimum=1, maximum=INT_MAX, defaults=(((0, 0), 128), ((5, 4), 4096)), variable='tcp_tune_somaxconn'),
    _key('net.ipv4.tcp_max_syn_backlog', SCOPE_NETNS, KIND_CAPACITY, TYPE_INT,
         'Read only while tcp_syncookies=0 (the default is 1): then new SYNs are dropped once the SYN queue is '
         '3/4 of it. With cookies on, the SYN queue is bounded by min(listen() backlog, somaxconn) and overflow '
         'sends cookies. Never affects ListenOverflows. (Kernels before about 4.4 also sized the SYN queue with it.)',
         minimum=1, maximum=INT_MAX, variable='tcp_tune_max_syn_backlog'),
    _key('net.ipv4.tcp_syncookies', SCOPE_NETNS, KIND_BEHAVIOUR, TYPE_INT,
         'SYN cookies when the SYN queue (min(listen() backlog, somaxconn)) overflows; 1 by default.',
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
    # tcp_rmem/tcp_wmem: no table default. The middle of tcp_rmem was 87380 before 4.20 and the maxima
    # depend on RAM (tcp_init in net/ipv4/tcp.c), so revert must never restore a value from here.
    _key('net.ipv4.tcp_rmem', SCOPE_NETNS, KIND_CAPACITY, TYPE_INT_LIST,
         'Receive buffer per socket in bytes: min, default, max (typically 4096 131072 6291456; the maximum '
         'depends on RAM, the default was 87380 before 4.20).', minimum=1, maximum=INT_MAX),
    _key('net.ipv4.tcp_wmem', SCOPE_NETNS, KIND_CAPACITY, TYPE_INT_LIST,
         'Send buffer per socket in bytes: min, default, max (typically 4096 16384 4194304; the maximum depends '
         'on RAM).', minimum=1, maximum=INT_MAX),
    _key('net.core.rmem_max', SCOPE_INIT_NETNS, KIND_CAPACITY, TYPE_INT,
         'Largest receive buffer a socket may ask for with SO_RCVBUF.', minimum=1, maximum=INT_MAX),
    _key('net.core.wmem_max', SCOPE_INIT_NETNS, KIND_CAPACITY, TYPE_INT,
         'Largest send buffer a socket may ask for with SO_SNDBUF.', minimum=1, maximum=INT_MAX),
    # File handles
    _key('fs.file-max', SCOPE_HOST, KIND_CAPACITY, TYPE_INT,
         'File handles the whole kernel may allocate ("VFS: file-max limit reached"). The kernel derives it from '
         'RAM (about 10% of it at about 1 KB a handle); systemd >= 240 as PID 1 sets LONG_MAX at boot where it is '
         'built to (bump-proc-sys-fs-file-max, on in Debian 11 to 13).',
         minimum=1, maximum=None, variable='tcp_tune_file_max'),
    # sysctl_nr_open_max (fs/file.c): min(INT_MAX, SIZE_MAX / sizeof(void *)) & -BITS_PER_LONG,
    # 2147483584 on 64-bit; a higher value gets EINVAL. Minimum 1024 is our policy (so a nofile of
    # 1024 always fits); the kernel's is sysctl_nr_open_min = BITS_PER_LONG (64).
    # The default 1048576 is the kernel's; systemd >= 240 as PID 1 may raise it at every boot
    # (bump_file_max_and_nr_open, src/core/main.c: INT_MAX rounded down, halved until the kernel takes
    # it, 1073741816 on 64-bit) - a build option (bump-proc-sys-fs-nr-open) that Debian 11 and 12 leave off and
    # Debian 13 (systemd 257) turns on: measured in VMs, 1048576 at boot on 11 and 12, 1073741816 on 13.
    # fs.file-max: files_maxfiles_init (fs/file_table.c) derives it from RAM; LONG_MAX is systemd's bump
    # (bump-proc-sys-fs-file-max), on in Debian 11 to 13 (measured).
    _key('fs.nr_open', SCOPE_HOST, KIND_CAPACITY, TYPE_INT,
         'Ceiling for any RLIMIT_NOFILE; setrlimit() above it fails (EPERM): upstream pam_limits then refuses the '
         'login, Debian\'s logs it and leaves the limit unset. Kernel default 1048576; '
         'systemd >= 240 as PID 1 may raise it to 1073741816 at boot (a build option: on in Debian 13, off in 11 '
         'and 12). '
         'Minimum 1024 is our policy (kernel: 64).',
         minimum=1024, maximum=NR_OPEN_MAX, defaults=(((0, 0), 1048576),), variable='tcp_tune_nr_open'),
    # conntrack (exists only while nf_conntrack is loaded)
    _key('net.netfilter.nf_conntrack_max', SCOPE_INIT_NETNS, KIND_CAPACITY, TYPE_INT,
         'Tracked connections: one global limit, checked against each network namespace\'s own count; read-only '
         'outside the initial network namespace. Default (nf_conntrack_init_start): the buckets since commit '
         'd532bcd0b269 (about 5.15), 4 x the buckets before it (5.10), 8 x when hashsize= is given.',
         minimum=1, maximum=INT_MAX, variable='tcp_tune_conntrack_max', needs_module='nf_conntrack'),
    _key('net.netfilter.nf_conntrack_buckets', SCOPE_INIT_NETNS, KIND_CAPACITY, TYPE_INT,
         'conntrack hash buckets (derived from nf_conntrack_max by the role). Default from RAM since commit '
         'd532bcd0b269 (about 5.15): 262144 above 4 GiB (64-bit), 65536 above 1 GiB, else RAM / 16384 / 8, at '
         'least 1024; before it (5.10): 65536 above 4 GiB, 16384 above 1 GiB, else RAM / 16384 / 8, at least 32. '
         'Rounded up to a multiple of 512 (nf_ct_alloc_hashtable) before the max is derived.',
         minimum=1, maximum=INT_MAX, needs_module='nf_conntrack'),
    _key('net.netfilter.nf_conntrack_count', SCOPE_NETNS, KIND_CAPACITY, TYPE_INT,
         'Entries tracked now in this network namespace (read-only): on the host it leaves out the entries of '
         'containers with their own network namespace, which count against the same global max '
         '(__nf_conntrack_alloc).', minimum=0, needs_module='nf_conntrack'),
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
