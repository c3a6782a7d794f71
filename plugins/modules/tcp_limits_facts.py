#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: tcp_limits_facts
short_description: Gather the limits that cap TCP connections on a Linux host, with findings
version_added: 0.1.0
description:
  - Reads C(/proc), C(/sys) and C(/etc) and returns C(ansible_facts.tcp_limits) - the kernel version and the
    behaviour that depends on it, containment (container engine, initial network namespace), every sysctl of
    the collection's key table with its value, writability, scope and kernel default, ephemeral port arithmetic
    (TIME_WAIT and the sustainable outbound connection rate), file handle limits (kernel, processes, systemd,
    limits.conf), socket totals and counters, conntrack, interfaces, which sysctl.d file sets each key and
    which one wins, where txqueuelen is persisted, and findings with a recommendation each.
  - Read only. It never changes the host, so it behaves the same in check mode.
  - What this user cannot read is listed in RV(ansible_facts.tcp_limits.unreadable) and reported as null,
    never an error, so it also runs without root.
  - The default path reads files whose cost does not grow with the number of sockets;
    O(connections=true) walks C(/proc/net/tcp) and C(/proc/net/tcp6).
  - Findings and their thresholds are described in C(docs/findings.md) of the collection.
author:
  - netlimits.tcp contributors (@netlimits)
requirements:
  - Linux
notes:
  - Runs no command for what a file gives. The only command is C(systemctl --version), and only when the systemd
    version cannot be read from the name of C(libsystemd-shared-NNN.so).
  - The initial network namespace is told by C(net.core.netdev_max_backlog), which the kernel shows only there;
    when C(/proc/sys/net/core) is missing, by comparing C(/proc/self/ns/net) with C(/proc/1/ns/net) outside a container.
  - The qdisc of an interface needs netlink and is reported as null.
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.facts
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  facts:
    support: full
  platform:
    platforms: posix
options:
  connections:
    description:
      - Also count TCP sockets per state from C(/proc/net/tcp) and C(/proc/net/tcp6).
      - This costs time in proportion to the number of sockets, about 25 to 30 ms of CPU per 10,000 sockets
        on a 2-core machine (C(make bench-facts), docs/performance.md); the default gathering does not grow with sockets.
    type: bool
    default: false
  port_range:
    description:
      - With O(connections=true), count only sockets whose local port is within these two ports (inclusive).
      - Two integers, low then high, each 0 to 65535.
    type: list
    elements: int
  services:
    description:
      - Also gather the services view, RV(ansible_facts.tcp_limits.services) every TCP listener of the host's
        network namespace with its accept queue and maximum backlog (NETLINK_SOCK_DIAG, as C(ss) reads them),
        the processes that hold it (from C(/proc/PID/fd)), their nofile limits and open descriptors, and the
        findings over them.
      - Finding owners walks C(/proc/*/fd) and stops as soon as every listener has one, or at O(services_budget).
    type: bool
    default: true
  services_budget:
    description:
      - Seconds the owner walk of O(services) may take before it stops and reports the view as partial.
    type: float
    default: 0.3
"""

EXAMPLES = r"""
- name: Gather TCP limits
  netlimits.tcp.tcp_limits_facts:

- name: Show the outbound connection ceiling to one destination
  ansible.builtin.debug:
    msg: >-
      {{ ansible_facts.tcp_limits.ports.outbound_rate_per_destination.without_tw_reuse }} new connections/s
      ({{ ansible_facts.tcp_limits.ports.usable }} usable ports)

- name: Fail on critical findings
  ansible.builtin.assert:
    that: ansible_facts.tcp_limits.findings | selectattr('severity', 'equalto', 'critical') | list | length == 0
    fail_msg: "{{ ansible_facts.tcp_limits.findings | selectattr('severity', 'equalto', 'critical') | map(attribute='message') | list }}"

- name: Count sockets per TCP state in the ephemeral port range
  netlimits.tcp.tcp_limits_facts:
    connections: true
    port_range: [32768, 60999]
"""

RETURN = r"""
ansible_facts:
  description: Facts added to the host.
  returned: always
  type: complex
  contains:
    tcp_limits:
      description: Everything gathered. A value that could not be read is null and its path is in RV(ansible_facts.tcp_limits.unreadable).
      returned: always
      type: complex
      contains:
        kernel:
          description: The running kernel.
          returned: always
          type: complex
          contains:
            release:
              description: Kernel release string from C(/proc/sys/kernel/osrelease).
              returned: always
              type: str
              sample: 6.1.0-18-amd64
            version:
              description: Release parsed as major, minor, patch; null when unparsable.
              returned: always
              type: list
              elements: int
              sample: [6, 1, 0]
            behaviour:
              description: Version-dependent behaviour from the key table; every value null when the version is unknown.
              returned: always
              type: complex
              contains:
                tcp_tw_recycle_exists:
                  description: Whether C(net.ipv4.tcp_tw_recycle) exists (kernels below 4.12).
                  returned: always
                  type: bool
                tcp_tw_reuse_default:
                  description: Default of C(net.ipv4.tcp_tw_reuse) (2 from 4.18, else 0).
                  returned: always
                  type: int
                tcp_tw_reuse_loopback_mode:
                  description: Whether C(tcp_tw_reuse=2) (loopback only) is allowed (4.18+).
                  returned: always
                  type: bool
                somaxconn_default:
                  description: Default of C(net.core.somaxconn) (4096 from 5.4, else 128).
                  returned: always
                  type: int
                tcp_tw_reuse_delay_exists:
                  description: Whether C(net.ipv4.tcp_tw_reuse_delay) exists (6.14+).
                  returned: always
                  type: bool
        containment:
          description: Whether this runs in a container and in the initial network namespace.
          returned: always
          type: complex
          contains:
            container:
              description: Whether a container was detected.
              returned: always
              type: bool
            engine:
              description: C(podman), C(docker), C(lxc), C(systemd-nspawn), C(container) (unknown engine) or null.
              returned: always
              type: str
              sample: podman
            evidence:
              description: The file that told, or null.
              returned: always
              type: str
              sample: /run/.containerenv
            initial_netns:
              description: Whether this process is in the initial network namespace; null when it cannot be told.
              returned: always
              type: bool
            netns_method:
              description: How RV(ansible_facts.tcp_limits.containment.initial_netns) was decided, C(netdev_max_backlog), C(ns_link) or null.
              returned: always
              type: str
        sysctl:
          description:
            - One entry per key of the collection's key table, keyed by the dotted sysctl name.
            - Each entry has C(present) (the /proc/sys file exists), C(readable), C(value) (int; list of ints for lists;
              merged [lo, hi] pairs for port sets), C(raw) (text), C(writable) (by this process here; false on a read-only
              /proc/sys and for 0444 files), C(scope) (C(netns), C(init_netns) or C(host)), C(kernel_default) (null when computed
              at boot) and C(in_kernel) (whether the key exists on this kernel version; null when the version is unknown).
          returned: always
          type: dict
          sample:
            net.ipv4.tcp_tw_reuse:
              present: true
              readable: true
              value: 2
              raw: "2"
              writable: true
              scope: netns
              kernel_default: 2
              in_kernel: true
        ports:
          description: Ephemeral port arithmetic.
          returned: always
          type: complex
          contains:
            range:
              description: C(net.ipv4.ip_local_port_range) as low, high; null when unreadable.
              returned: always
              type: list
              elements: int
              sample: [32768, 60999]
            size:
              description: Ports in the range.
              returned: always
              type: int
              sample: 28232
            reserved:
              description: Raw C(net.ipv4.ip_local_reserved_ports).
              returned: always
              type: str
              sample: 8080,9000-9010
            reserved_in_range:
              description: Reserved ports inside the range.
              returned: always
              type: int
            usable:
              description: Size minus reserved ports inside the range.
              returned: always
              type: int
            time_wait_seconds:
              description: TIME_WAIT length (C(TCP_TIMEWAIT_LEN), fixed at 60 s; C(tcp_fin_timeout) does not change it).
              returned: always
              type: int
              sample: 60
            tw_reuse_after_seconds:
              description: Seconds after which C(tcp_tw_reuse) may reuse a TIME_WAIT tuple (C(tcp_tw_reuse_delay)/1000, else 1).
              returned: always
              type: float
              sample: 1.0
            outbound_rate_per_destination:
              description: Sustainable new connections per second from one source IP to one destination ip:port when this side closes first.
              returned: always
              type: complex
              contains:
                without_tw_reuse:
                  description: Usable ports / 60.
                  returned: always
                  type: float
                  sample: 470.5
                with_tw_reuse:
                  description: Usable ports / reuse delay in seconds.
                  returned: always
                  type: float
                  sample: 28232.0
        files:
          description: File handle limits.
          returned: always
          type: complex
          contains:
            allocated:
              description: Allocated file handles (first field of C(/proc/sys/fs/file-nr)).
              returned: always
              type: int
            file_max:
              description:
                - C(fs.file-max). The kernel derives it from RAM (C(files_maxfiles_init), C(fs/file_table.c)); where
                  systemd 240 or newer as PID 1 is built to bump it (C(bump-proc-sys-fs-file-max), on in Debian 11,
                  12 and 13) it is C(LONG_MAX) from boot.
              returned: always
              type: int
            nr_open:
              description:
                - C(fs.nr_open), the ceiling of any RLIMIT_NOFILE. The kernel's default is 1048576; systemd 240 and newer
                  as PID 1 may raise it to 1073741816 (64-bit) at boot, a build option off in Debian 11 and 12, on in 13.
              returned: always
              type: int
            nofile:
              description:
                - RLIMIT_NOFILE of this process (C(self)) and of PID 1 (C(pid1)), each C(soft) and C(hard), an int or C(unlimited).
                - Null values when unreadable.
                - Under systemd PID 1's own limit is neither what logins get (PAM) nor what services get
                  (C(systemd_default_nofile)); systemd raises its own soft limit.
              returned: always
              type: dict
              sample: {self: {soft: 1024, hard: 524288}, pid1: {soft: 1024, hard: 524288}}
            systemd_default_nofile:
              description:
                - What systemd gives services, C(soft), C(hard) and C(source); null where systemd does not run.
                - C(source) is the file setting C(DefaultLimitNOFILE=) (the last one wins), C(builtin) for systemd's compiled-in
                  default (1024:524288 from v240) or C(pid1) for PID 1's own limit when the systemd version is unknown.
              returned: always
              type: dict
              sample: {soft: 1024, hard: 524288, source: builtin}
            limits_entries:
              description: C(nofile) entries of C(/etc/security/limits.conf) and C(limits.d/*.conf) in pam_limits order.
              returned: always
              type: list
              elements: dict
              contains:
                file:
                  description: The file.
                  returned: always
                  type: str
                line:
                  description: Line number.
                  returned: always
                  type: int
                domain:
                  description: User, C(@group) or C(*).
                  returned: always
                  type: str
                type:
                  description: C(soft), C(hard) or C(-) (both).
                  returned: always
                  type: str
                value:
                  description: An int, or C(unlimited).
                  returned: always
                  type: raw
            pam_limits:
              description:
                - The host's pam_limits module, which decides what a C(nofile unlimited) line does at login.
                - C(path) is the first C(pam_limits.so) found (C(/usr/lib/*-linux-*/security), C(/lib/*-linux-*/security),
                  C(/usr/lib64/security), C(/lib64/security), C(/usr/lib/security), C(/lib/security)), null when none.
                - C(unlimited_nofile_is_nr_open) is true when the module contains C(/proc/sys/fs/nr_open) (newer Linux-PAM
                  such as Debian 12's 1.5.2 maps unlimited to C(fs.nr_open); logins work), false when it does not (older
                  ones such as Debian 11's 1.4.0; setrlimit() fails), null when not found or unreadable.
                - C(vendor) says what a hard nofile above C(fs.nr_open) (setrlimit() fails with EPERM) does at login.
                  C(debian) (Debian, Ubuntu, patch 032_pam_limits_EPERM_NOT_FATAL), the login succeeds and the limit
                  silently does not apply; C(upstream) (RHEL, Fedora, SUSE, Arch), the session is refused;
                  C(unknown) when the host does not tell. C(vendor_why) says how it was told (dpkg's C(libpam-modules),
                  C(/etc/os-release) C(ID)/C(ID_LIKE), an rpm database); C(version) is C(libpam-modules)' dpkg
                  version (null elsewhere); C(os_id) the os-release C(ID).
              returned: always
              type: dict
              sample: {path: /usr/lib/x86_64-linux-gnu/security/pam_limits.so, unlimited_nofile_is_nr_open: true,
                       vendor: debian, vendor_why: libpam-modules 1.5.2-6+deb12u1 (dpkg), os_id: debian,
                       version: 1.5.2-6+deb12u1}
        sockets:
          description: Socket totals and counters.
          returned: always
          type: complex
          contains:
            tcp:
              description: The TCP line of C(/proc/net/sockstat) - C(inuse), C(orphan), C(tw), C(alloc), C(mem) (pages).
              returned: always
              type: dict
              sample: {inuse: 5, orphan: 0, tw: 0, alloc: 7, mem: 1}
            tcp6:
              description: The TCP6 line of C(/proc/net/sockstat6) - C(inuse).
              returned: always
              type: dict
              sample: {inuse: 2}
            tcp_mem_pages:
              description: C(net.ipv4.tcp_mem) low, pressure, high in pages.
              returned: always
              type: list
              elements: int
            counters:
              description: TcpExt counters C(ListenOverflows), C(ListenDrops), C(TCPTimeWaitOverflow), C(TCPAbortOnMemory) from C(/proc/net/netstat).
              returned: always
              type: dict
              sample: {ListenOverflows: 0, ListenDrops: 0, TCPTimeWaitOverflow: 0, TCPAbortOnMemory: 0}
            connections:
              description: Null unless O(connections=true).
              returned: always
              type: complex
              contains:
                states:
                  description: Sockets per TCP state name.
                  returned: when O(connections=true)
                  type: dict
                  sample: {ESTABLISHED: 12, TIME_WAIT: 300, LISTEN: 4}
                port_range:
                  description: O(port_range) or null.
                  returned: when O(connections=true)
                  type: list
                  elements: int
                sockets_scanned:
                  description: Lines read from C(/proc/net/tcp) and C(tcp6).
                  returned: when O(connections=true)
                  type: int
        conntrack:
          description: The connection tracking table.
          returned: always
          type: complex
          contains:
            loaded:
              description: Whether nf_conntrack is loaded.
              returned: always
              type: bool
            max:
              description:
                - The table size, one global limit checked against each network namespace's own count
                  (C(__nf_conntrack_alloc), C(net/netfilter/nf_conntrack_core.c)).
              returned: always
              type: int
            count:
              description:
                - Entries now in this network namespace only; on the host it excludes the entries of containers with
                  network namespaces of their own, which count against the same max.
              returned: always
              type: int
            buckets:
              description: Hash buckets (sysctl or the C(hashsize) module parameter).
              returned: always
              type: int
            fill:
              description: count / max, 0 to 1.
              returned: always
              type: float
            writable:
              description: Whether the max key is writable here (not outside the initial network namespace).
              returned: always
              type: bool
            key:
              description: Which max key exists, C(net.netfilter.nf_conntrack_max) or C(net.ipv4.netfilter.ip_conntrack_max); null when none.
              returned: always
              type: str
            stat:
              description:
                - Counters since boot of C(/proc/net/stat/nf_conntrack), summed over the CPUs; null when not loaded or
                  unreadable. C(drop) - packets conntrack could not track because the table was full (packets, not
                  connections); C(early_drop) - entries evicted to make room; C(insert_failed) - clashes on insert.
                  They do not say when - the max may have been lower then.
              returned: always
              type: dict
              sample: {drop: 0, early_drop: 0, insert_failed: 0}
        interfaces:
          description: Network interfaces from C(/sys/class/net).
          returned: always
          type: list
          elements: dict
          contains:
            name:
              description: Interface name.
              returned: always
              type: str
            txqueuelen:
              description: C(tx_queue_len).
              returned: always
              type: int
            mtu:
              description: MTU.
              returned: always
              type: int
            operstate:
              description: Operational state.
              returned: always
              type: str
            kind:
              description:
                - C(loopback), C(physical), C(veth), C(bridge), C(bond), C(vlan), C(tun), C(wireguard), C(dummy), C(vxlan), C(macvlan),
                  C(ipvlan) or C(virtual).
              returned: always
              type: str
            physical:
              description: Whether a device backs it.
              returned: always
              type: bool
            qdisc:
              description: Root qdisc; null (needs netlink).
              returned: always
              type: str
        provenance:
          description:
            - Per key of the key table, C(files) (each C(path), C(line), C(value)) that set it in load order, and C(winner),
              the file whose value applies at boot (null when no file sets it).
            - Order is systemd-sysctl's (sysctl.d(5)) - C(/etc/sysctl.conf) counts only through a sysctl.d link to it,
              under the link's name.
          returned: always
          type: dict
          sample:
            net.core.somaxconn:
              files: [{path: /etc/sysctl.d/99-sysctl.conf, line: 3, value: "1024"}]
              winner: /etc/sysctl.d/99-sysctl.conf
        after_boot:
          description:
            - The boot model (plugins/module_utils/_facts/boot*.py) - what the host will have after its next boot, from
              the files on it, beside the live value. The finding C(not_persisted) names every limit it will not keep.
          returned: always
          type: complex
          contains:
            sysctl:
              description:
                - Per key of the key table present now or set by a sysctl file, C(value) after the next boot (parsed as
                  in C(sysctl); null where the kernel computes it at boot and no file sets it), C(source) (the
                  winning file in systemd-sysctl's order, C(the kernel default), systemd's bump, or the conntrack
                  rule of C(conntrack.source)), and C(live).
              returned: always
              type: dict
              sample: {net.core.somaxconn: {value: 4096, source: the kernel default, live: 65535}}
            sysctl_conf:
              description:
                - C(exists), C(read_at_boot) and C(through) of C(/etc/sysctl.conf). systemd-sysctl never reads it
                  itself; it applies only through a sysctl.d link to it (Debian 12 and older ship
                  C(/etc/sysctl.d/99-sysctl.conf)), at that link's place in the order.
              returned: always
              type: dict
              sample: {exists: true, read_at_boot: true, through: /etc/sysctl.d/99-sysctl.conf}
            conntrack:
              description:
                - C(load) of nf_conntrack at boot - C(builtin), C(early) (modules-load.d or C(modules_load=), before
                  systemd-sysctl), C(udev) (a rule running systemd-sysctl when it appears), C(late) (loaded now, by
                  something after systemd-sysctl such as a firewall) or C(not_loaded); C(loaded_by),
                  C(early_loaders), C(sysctl_applies) (whether a sysctl.d line for it applies at boot), C(buckets)
                  and C(max) after boot, C(source) of the max, C(hashsize) and C(hashsize_source) of modprobe.d's or
                  the command line's C(hashsize=) (max = 8 x hashsize at load).
              returned: always
              type: dict
              sample: {load: late, loaded_by: null, early_loaders: [], sysctl_applies: false, buckets: 65536,
                       max: 65536, source: "the kernel's default from RAM", hashsize: null, hashsize_source: null}
            nofile:
              description:
                - C(logins), per user that limits lines tell apart (root, each named user and C(@group), any other
                  user) - C(soft) and C(hard) the login gets after boot, C(asked), C(line) (the hard line that wins),
                  C(outcome) (C(applied), C(not_applied) - EPERM ignored by Debian's pam_limits, C(refused) - upstream,
                  or C(unknown)); C(services) - DefaultLimitNOFILE and each C(LimitNOFILE=) drop-in of
                  C(/etc/systemd/system), with C(above_nr_open); C(vendor).
              returned: always
              type: dict
            txqueuelen:
              description:
                - Per interface (not loopback), C(value) after boot (null where unknown), C(source) (a udev rules
                  file, the first matching C(.link), C(/etc/rc.local), the driver's default), C(certain) and C(live).
              returned: always
              type: dict
              sample: {eth0: {value: 1000, source: "the driver's default", certain: true, live: 5000}}
        persistence:
          description: Where txqueuelen is persisted already, and what runs at boot.
          returned: always
          type: complex
          contains:
            rc_local:
              description:
                - C(exists), C(executable) and C(txqueuelen_lines) of C(/etc/rc.local), and C(txqueuelen), the
                  interface to queue length of its C(ip link set dev IF txqueuelen N) lines.
              returned: always
              type: dict
              sample: {exists: true, executable: false, txqueuelen_lines: ["ip link set dev eth0 txqueuelen 5000"],
                       txqueuelen: {eth0: 5000}}
            udev_txqueuelen:
              description: udev rules setting C(ATTR{tx_queue_len}).
              returned: always
              type: list
              elements: dict
              contains:
                file:
                  description: The rules file.
                  returned: always
                  type: str
                line:
                  description: Line number.
                  returned: always
                  type: int
                value:
                  description: The queue length set.
                  returned: always
                  type: int
                text:
                  description: The line.
                  returned: always
                  type: str
                interface:
                  description:
                    - The one interface the rule (C(KERNEL=="IF")) or C(.link) file (C(OriginalName=IF)) matches; null
                      for a glob or other match keys.
                  returned: always
                  type: str
            systemd_link_txqueuelen:
              description: systemd C(.link) files with C(TransmitQueueLength=), same fields as RV(ansible_facts.tcp_limits.persistence.udev_txqueuelen).
              returned: always
              type: list
              elements: dict
            systemd_version:
              description: systemd's version, null when systemd is absent or its version unknown.
              returned: always
              type: int
              sample: 252
            rc_local_supported:
              description: Whether an executable rc.local runs at boot (systemd below 260, or no systemd); null when unknown.
              returned: always
              type: bool
        findings:
          description: Limits hit or close, each with a fix.
          returned: always
          type: list
          elements: dict
          contains:
            id:
              description: Finding id, a section of C(docs/findings.md).
              returned: always
              type: str
              sample: somaxconn_low
            severity:
              description: C(info), C(warning) or C(critical).
              returned: always
              type: str
            message:
              description: What was found.
              returned: always
              type: str
            value:
              description: The observed value(s).
              returned: always
              type: raw
            recommendation:
              description: The fix.
              returned: always
              type: str
            doc:
              description: C(docs/findings.md#<id>).
              returned: always
              type: str
        services:
          description:
            - The services view (O(services=true)); absent otherwise.
          returned: when O(services=true)
          type: complex
          contains:
            source:
              description:
                - C(inet_diag) (NETLINK_SOCK_DIAG, queue and maximum backlog) or C(proc_net_tcp) (the fallback where
                  netlink cannot be asked, or a fixture root; the maximum backlog is then null).
              returned: always
              type: str
            complete:
              description: Every listener's owning process was found (false on a budget stop, hidepid or no root).
              returned: always
              type: bool
            notes:
              description: Why the view is partial or came from the fallback.
              returned: always
              type: list
              elements: str
            listeners:
              description:
                - One per listening TCP socket (IPv4 and IPv6), sorted by port.
                - C(queue) is the accept queue now; C(backlog) its maximum, min(listen() backlog, net.core.somaxconn
                  at listen() time), null from C(/proc/net/tcp); C(established) the established connections
                  whose local port is this port; C(pids) the processes holding the socket; C(inode), C(uid),
                  C(family) (ipv4, ipv6), C(address), C(port).
              returned: always
              type: list
              elements: dict
              sample: [{address: 0.0.0.0, port: 80, family: ipv4, queue: 0, backlog: 511, established: 12,
                        pids: [812, 813], inode: 24515, uid: 0}]
            processes:
              description:
                - The processes that hold a listener, by pid.
                - C(command) (from C(/proc/PID/comm)), C(unit) (the systemd unit from C(/proc/PID/cgroup), null
                  outside units), C(user), C(nofile) soft and hard (C(/proc/PID/limits)), C(fds) (descriptors open now).
              returned: always
              type: list
              elements: dict
              sample: [{pid: 812, command: nginx, unit: nginx.service, user: root,
                        nofile: {soft: 1024, hard: 524288}, fds: 14}]
        unreadable:
          description: Host paths that exist but could not be read by this user.
          returned: always
          type: list
          elements: str
          sample: [/proc/1/environ]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.netlimits.tcp.plugins.module_utils._facts.gather import gather
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.persistence import systemd_version_asking


def main():
    module = AnsibleModule(
        argument_spec=dict(
            connections=dict(type='bool', default=False),
            port_range=dict(type='list', elements='int'),
            services=dict(type='bool', default=True),
            services_budget=dict(type='float', default=0.3),
        ),
        supports_check_mode=True,
    )
    port_range = module.params['port_range']
    if port_range is not None:
        if not module.params['connections']:
            module.fail_json(msg='port_range needs connections=true')
        if len(port_range) != 2 or not 0 <= port_range[0] <= port_range[1] <= 65535:
            module.fail_json(msg='port_range must be [low, high] with 0 <= low <= high <= 65535')
    if not 0 < module.params['services_budget'] <= 60:
        module.fail_json(msg='services_budget must be a number of seconds above 0 and at most 60')
    facts = gather('/', connections=module.params['connections'], port_range=port_range,
                   systemd_version=systemd_version_asking('/', module.get_bin_path, module.run_command),
                   services=module.params['services'], services_budget=module.params['services_budget'])
    module.exit_json(changed=False, ansible_facts={'tcp_limits': facts})


if __name__ == '__main__':
    main()
