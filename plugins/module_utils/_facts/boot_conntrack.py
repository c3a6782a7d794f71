# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The conntrack part of the boot model: nf_conntrack_max and buckets after the next boot.

net.netfilter.nf_conntrack_* exist only while nf_conntrack is loaded (kernel-limits.md). A
sysctl.d line for them applies at boot only when the module is there before systemd-sysctl runs:
built in, or loaded by systemd-modules-load (systemd-sysctl.service is ordered
After=systemd-modules-load.service), which reads modules-load.d(5) and ``modules_load=`` on the
kernel command line. A udev rule on the module's appearance that runs systemd-sysctl (the
sysctl.d(5) example, for br_netfilter there) applies it whenever the module loads. Otherwise a
firewall (nftables, iptables) loads it later and the kernel's own value stays:

nf_conntrack_init_start() (net/netfilter/nf_conntrack_core.c): buckets = ``hashsize=`` (modprobe.d
``options nf_conntrack hashsize=N`` or ``nf_conntrack.hashsize=`` on the command line) and max =
8 x buckets; without it buckets from RAM (since commit d532bcd0b269, about 5.15: 262144 above
4 GiB on 64-bit, 65536 above 1 GiB, else RAM/16384/8, min 1024, max = buckets; before: 65536,
16384, RAM/16384/8 min 32, max = 4 x buckets). nf_ct_alloc_hashtable() first rounds buckets up
to a multiple of PAGE_SIZE / 8 = 512.

Python 3.6 compatible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.netlimits.tcp.plugins.module_utils._common.values import to_int
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.read import (
    conf_files, read_lines, read_text,
)

MODULES_LOAD_DIRS = ('etc/modules-load.d', 'run/modules-load.d', 'usr/local/lib/modules-load.d',
                     'usr/lib/modules-load.d', 'lib/modules-load.d')
MODPROBE_DIRS = ('etc/modprobe.d', 'run/modprobe.d', 'usr/local/lib/modprobe.d', 'usr/lib/modprobe.d',
                 'lib/modprobe.d')
UDEV_DIRS = ('etc/udev/rules.d', 'run/udev/rules.d', 'usr/lib/udev/rules.d', 'lib/udev/rules.d')
# Modules that need nf_conntrack (depmod: loading one loads it first).
_NEEDS_CONNTRACK = re.compile(r'^(nf_conntrack(_\w+)?|nf_nat(_\w+)?|nft_(ct|nat|masq|redir|flow_offload)|'
                              r'xt_(conntrack|state|nat|MASQUERADE|REDIRECT|CT|connlimit)|ip6?table_nat|'
                              r'nf_flow_table|openvswitch)$')
_HASHSIZE = re.compile(r'(?:^|\s)hashsize=(\d+)')
_CMDLINE_HASHSIZE = re.compile(r'(?:^|\s)nf_conntrack\.hashsize=(\d+)')
_CMDLINE_LOAD = re.compile(r'(?:^|\s)(?:rd\.)?modules[_-]load=(\S+)')
_UDEV_SYSCTL = re.compile(r'KERNEL\s*==\s*"nf_conntrack".*RUN\+?=\s*"[^"]*systemd-sysctl')

PAGE_SLOTS = 512                    # PAGE_SIZE / sizeof(struct hlist_nulls_head), 4 KiB pages
GIB_KB = 1024 * 1024
SANITIZED_SINCE = (5, 15)           # commit d532bcd0b269
HASHSIZE_FACTOR = 8


def early_loaders(root, unreadable=None):
    """[(path, module)] of everything that loads nf_conntrack before systemd-sysctl, in load order."""
    found = []
    for path in conf_files(root, MODULES_LOAD_DIRS, '.conf', unreadable):
        for line in read_lines(root, path, unreadable) or []:
            name = line.split('#', 1)[0].strip()
            if name and not name.startswith(';') and _NEEDS_CONNTRACK.match(name.replace('-', '_')):
                found.append((path, name))
                break
    match = _CMDLINE_LOAD.search(read_text(root, 'proc/cmdline', unreadable) or '')
    if match:
        found.extend(('/proc/cmdline', name) for name in match.group(1).split(',')
                     if _NEEDS_CONNTRACK.match(name.replace('-', '_')))
    return found


def udev_sysctl_rule(root, unreadable=None):
    """The udev rules file that runs systemd-sysctl when nf_conntrack appears, or None."""
    for path in conf_files(root, UDEV_DIRS, '.rules', unreadable):
        for line in read_lines(root, path, unreadable) or []:
            if not line.lstrip().startswith('#') and _UDEV_SYSCTL.search(line) and 'SUBSYSTEM' in line:
                return path
    return None


def builtin(root, release, unreadable=None):
    """True when nf_conntrack is built into the kernel (modules.builtin lists it)."""
    text = read_text(root, 'lib/modules/%s/modules.builtin' % release, unreadable) if release else None
    return bool(text) and any(line.endswith('/nf_conntrack.ko') for line in text.splitlines())


def hashsize_option(root, unreadable=None):
    """(hashsize, source) of the nf_conntrack hashsize= the next load gets, or (None, None)."""
    found = (None, None)
    for path in conf_files(root, MODPROBE_DIRS, '.conf', unreadable):
        for line in read_lines(root, path, unreadable) or []:
            fields = line.split('#', 1)[0].split()
            if len(fields) >= 3 and fields[0] == 'options' and fields[1].replace('-', '_') == 'nf_conntrack':
                match = _HASHSIZE.search(' '.join(fields[2:]))
                if match:
                    found = (int(match.group(1)), path)
    match = _CMDLINE_HASHSIZE.search(read_text(root, 'proc/cmdline', unreadable) or '')
    if match:
        found = (int(match.group(1)), '/proc/cmdline')
    return found


def mem_total_kb(root, unreadable=None):
    """MemTotal of /proc/meminfo in kB (totalram_pages x PAGE_SIZE), or None."""
    for line in (read_text(root, 'proc/meminfo', unreadable) or '').splitlines():
        if line.startswith('MemTotal:'):
            return to_int(line.split()[1])
    return None


def kernel_conntrack(version, mem_kb, hashsize=None):
    """Pure: (buckets, max) nf_conntrack_init_start() gives, or (None, None) when RAM is unknown."""
    if hashsize:
        buckets, factor = hashsize, HASHSIZE_FACTOR
    elif mem_kb is None:
        return None, None
    else:
        new = version is None or tuple(version[:2]) >= SANITIZED_SINCE
        buckets = mem_kb * 1024 // 16384 // 8
        if mem_kb > 4 * GIB_KB:
            buckets = 262144 if new else 65536
        elif mem_kb > GIB_KB:
            buckets = 65536 if new else 16384
        buckets = max(buckets, 1024 if new else 32)
        factor = 1 if new else 4
    buckets = -(-buckets // PAGE_SLOTS) * PAGE_SLOTS
    return buckets, factor * buckets


def conntrack_at_boot(load, sysctl_max, sysctl_buckets, hashsize, version, mem_kb):
    """Pure: {sysctl_applies, buckets, max, source} after boot.

    load: 'builtin', 'early', 'udev' (sysctl.d applies whenever it loads), 'late' (loaded after
    systemd-sysctl) or 'not_loaded'. sysctl_max/_buckets: the sysctl.d assignments that win
    ({path, value}) or None. hashsize: (value, source) of the module option.
    """
    applies = load in ('builtin', 'early', 'udev')
    buckets, ct_max = kernel_conntrack(version, mem_kb, hashsize[0])
    source = ('hashsize=%d (%s): max = %d x hashsize' % (hashsize[0], hashsize[1], HASHSIZE_FACTOR)
              if hashsize[0] else 'the kernel\'s default from RAM')
    max_source = source
    if applies and sysctl_buckets is not None:
        buckets = to_int(sysctl_buckets['value'])
    if applies and sysctl_max is not None:
        ct_max, max_source = to_int(sysctl_max['value']), sysctl_max['path']
    return {'sysctl_applies': applies, 'buckets': buckets, 'max': ct_max, 'source': max_source}


def conntrack_load(root, loaded_now, release, unreadable=None):
    """(load, by, loaders): when nf_conntrack loads at the next boot (see conntrack_at_boot), what loads it,
    and every modules-load.d file (or the command line) that loads it early (['path (module)'])."""
    loaders = ['%s (%s)' % found for found in early_loaders(root, unreadable)]
    if builtin(root, release, unreadable):
        return 'builtin', None, loaders
    if loaders:
        return 'early', loaders[0], loaders
    rule = udev_sysctl_rule(root, unreadable)
    if rule:
        return 'udev', rule, loaders
    return ('late', None, loaders) if loaded_now else ('not_loaded', None, loaders)
