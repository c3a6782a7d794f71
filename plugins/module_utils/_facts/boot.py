# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The boot model: what a host will have after its next boot, from the files on it (issue #20 item 1).

after_boot(root, facts) reads the boot-time configuration under root and returns, for every
managed limit, the value the next boot leaves and the file (or kernel rule) it comes from, beside
the live value: the ``after_boot`` facts. Its parts, each with its sources in its docstring:
- boot_sysctl: systemd-sysctl's files, order and masks (sysctl.d(5), systemd src/sysctl/sysctl.c);
- boot_conntrack: when nf_conntrack loads, and so which of sysctl.d, ``hashsize=`` or the kernel's
  RAM formula sets nf_conntrack_max (net/netfilter/nf_conntrack_core.c);
- boot_nofile: what pam_limits gives a login and systemd a service, against fs.nr_open as boot
  leaves it (Linux-PAM pam_limits.c, Debian's 032_pam_limits_EPERM_NOT_FATAL, kernel/sys.c);
- boot_txqueuelen: udev rules, the first matching .link, rc.local (systemd.link(5), udev(7)).
fs.nr_open and fs.file-max: the sysctl.d value, else systemd's bump where this host's systemd
does it (bump_file_max_and_nr_open, src/core/main.c, a build option: seen as the live value being
exactly the bumped one with no file setting it), else the kernel's (1048576; file-max from RAM).
All figures follow shared/reference/kernel-limits.md. Python 3.6 compatible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netlimits.tcp.plugins.module_utils._common import keys as _keys
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.boot_conntrack import (
    conntrack_at_boot, conntrack_load, hashsize_option, mem_total_kb,
)
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.boot_nofile import (
    login_nofile, service_nofile, users_to_check,
)
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.boot_sysctl import boot_sysctl, value_at_boot
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.boot_txqueuelen import txqueuelen_at_boot
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.files import parse_systemd_nofile
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.read import conf_files, list_dir, read_lines
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.sysctl import parse_value

KERNEL_NR_OPEN = 1048576                # fs/file.c sysctl_nr_open
SYSTEMD_NR_OPEN = 1073741816            # what systemd's bump writes on 64-bit (kernel-limits.md)
SYSTEMD_FILE_MAX = 9223372036854775807  # LONG_MAX
SYSTEMD_BUMPS_SINCE = 240
_BUMPED = {'fs.nr_open': SYSTEMD_NR_OPEN, 'fs.file-max': SYSTEMD_FILE_MAX}   # the keys and what the bump writes
CONNTRACK_KEYS = ('net.netfilter.nf_conntrack_max', 'net.ipv4.netfilter.ip_conntrack_max',
                  'net.netfilter.nf_conntrack_buckets')


def _systemd_pid1(facts):
    version = (facts.get('persistence') or {}).get('systemd_version')
    pid1 = (facts.get('files') or {}).get('systemd_default_nofile') is not None
    return pid1 and version is not None and version >= SYSTEMD_BUMPS_SINCE


def fs_key_at_boot(name, setter, live, facts, version):
    """(value, source) of fs.nr_open / fs.file-max after boot (see the module docstring)."""
    key = _keys.BY_NAME[name]
    if setter is not None:
        return parse_value(key.value_type, setter['value']), setter['path']
    if (facts.get('containment') or {}).get('container'):
        return live, 'the machine (not namespaced: a container restart keeps it)'
    if _systemd_pid1(facts) and live == _BUMPED[name]:
        return live, 'systemd\'s bump at boot (bump_file_max_and_nr_open)'
    if name == 'fs.nr_open':
        return KERNEL_NR_OPEN, 'the kernel default'
    return _keys.default_for(key, version), 'the kernel (computed from RAM at boot)'


def sysctl_after_boot(facts, boot, conntrack):
    """{name: {value, source, live}} for each key of the key table present now or set by a sysctl file."""
    version = (facts.get('kernel') or {}).get('version')
    result = {}
    for key in _keys.KEYS:
        fact = (facts.get('sysctl') or {}).get(key.name) or {}
        setters = boot['assignments'].get(key.name)
        if not fact.get('present') and not setters:
            continue
        live = fact.get('value')
        setter = value_at_boot(setters)
        if key.name in CONNTRACK_KEYS:
            field = 'buckets' if key.name.endswith('buckets') else 'max'
            value = conntrack[field]
            source = conntrack['source'] if field == 'max' or not conntrack['sysctl_applies'] or setter is None \
                else setter['path']
        elif key.name in _BUMPED:
            value, source = fs_key_at_boot(key.name, setter, live, facts, version)
        elif setter is not None:
            value, source = parse_value(key.value_type, setter['value']), setter['path']
        else:
            value, source = _keys.default_for(key, version), 'the kernel default'
            if value is None:
                source = 'the kernel (computed at boot)'
        if isinstance(value, list) and not isinstance(live, list) and live is not None:
            live = [live]
        result[key.name] = {'value': value, 'source': source, 'live': live}
    return result


def service_limits(root, unreadable=None):
    """[{unit, soft, hard, source}] of LimitNOFILE= in /etc/systemd/system/*.service.d/*.conf drop-ins."""
    found = []
    for name in list_dir(root, 'etc/systemd/system', unreadable):
        if not name.endswith('.service.d'):
            continue
        setting = None
        for path in conf_files(root, ['etc/systemd/system/' + name], '.conf', unreadable):
            for line in read_lines(root, path, unreadable) or []:
                line = line.strip()
                if line.startswith('LimitNOFILE='):
                    parsed = parse_systemd_nofile(line.split('=', 1)[1])
                    setting = {'unit': name[:-2], 'soft': parsed[0], 'hard': parsed[1], 'source': path} \
                        if parsed else setting
        if setting:
            found.append(setting)
    return found


def nofile_after_boot(root, facts, nr_open, unreadable=None):
    """{logins: [...], services: [...]} after boot against nr_open (boot_nofile)."""
    files = facts.get('files') or {}
    pam = files.get('pam_limits') or {}
    default = files.get('systemd_default_nofile')
    pid1 = (files.get('nofile') or {}).get('pid1') or {}
    inherited = (default or pid1).get('soft'), (default or pid1).get('hard')
    entries = [e for e in files.get('limits_entries') or [] if isinstance(e.get('value'), int)
               or e.get('value') == 'unlimited']
    logins = []
    for user in users_to_check(entries):
        got = login_nofile(entries, user, pam.get('vendor'), inherited, nr_open, pam.get('unlimited_nofile_is_nr_open'))
        logins.append({'user': user['name'], 'soft': got['soft'], 'hard': got['hard'], 'outcome': got['outcome'],
                       'asked': got['asked'],
                       'line': ('%s:%d' % (got['hard_line']['file'], got['hard_line']['line'])
                                if got['hard_line'] else None)})
    services = []
    if default:
        services.append(dict(service_nofile(default, nr_open), unit='(DefaultLimitNOFILE)'))
    for setting in service_limits(root, unreadable):
        services.append(service_nofile(setting, nr_open))
    return {'logins': logins, 'services': services, 'vendor': pam.get('vendor')}


def after_boot(root, facts, unreadable=None):
    """The after_boot facts: {sysctl, sysctl_conf, conntrack, nofile, txqueuelen} (see the module docstring)."""
    boot = boot_sysctl(root, unreadable)
    kern = facts.get('kernel') or {}
    ct = facts.get('conntrack') or {}
    load, loaded_by, loaders = conntrack_load(root, ct.get('loaded'), kern.get('release'), unreadable)
    ct_key = ct.get('key') or 'net.netfilter.nf_conntrack_max'
    hashsize = hashsize_option(root, unreadable)
    conntrack = conntrack_at_boot(load, value_at_boot(boot['assignments'].get(ct_key)),
                                  value_at_boot(boot['assignments'].get('net.netfilter.nf_conntrack_buckets')),
                                  hashsize, kern.get('version'), mem_total_kb(root, unreadable))
    conntrack.update({'load': load, 'loaded_by': loaded_by, 'early_loaders': loaders, 'hashsize': hashsize[0],
                      'hashsize_source': hashsize[1]})
    sysctl = sysctl_after_boot(facts, boot, conntrack)
    nr_open = (sysctl.get('fs.nr_open') or {}).get('value')
    persist = facts.get('persistence') or {}
    txq = {}
    for iface in facts.get('interfaces') or []:
        if iface.get('kind') == 'loopback' or iface.get('txqueuelen') is None:
            continue
        got = txqueuelen_at_boot(root, iface, persist.get('rc_local') or {}, persist.get('systemd_version'),
                                 persist.get('rc_local_supported'), unreadable)
        txq[iface['name']] = dict(got, live=iface['txqueuelen'])
    return {
        'sysctl': sysctl,
        'sysctl_conf': boot['sysctl_conf'],
        'conntrack': conntrack,
        'nofile': nofile_after_boot(root, facts, nr_open, unreadable),
        'txqueuelen': txq,
    }
