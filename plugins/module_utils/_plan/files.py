# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The managed files the planner plans: limits.d, systemd drop-ins, txqueuelen persistence, conntrack.

Each plan_* returns report entries and the model of each file: the data its
template in roles/tcp_tune/templates renders (on the controller, by the action
plugin tcp_tune_apply), as {'template', 'model', 'mode'} (file_spec). The
decisions stay here; the text of the files is in the templates.
Pure; Python 3.6 compatible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netlimits.tcp.plugins.module_utils._common.paths import (
    LIMITS_FILE, LINK_FILE, MANAGER_FILE, MODULES_LOAD_FILE, RC_LOCAL, SYSCTL_FILE, TEMPLATE_LINK,
    TEMPLATE_RC_LOCAL, TEMPLATE_UDEV, UDEV_FILE,
)
from ansible_collections.netlimits.tcp.plugins.module_utils._common.status import (
    APPLIED, OVERRIDDEN, SKIPPED_KERNEL, SKIPPED_LOWER, SKIPPED_MISSING, SKIPPED_READ_ONLY, UNCHANGED,
)
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.files import SYSTEMD_BUILTIN_NOFILE
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.persistence import RC_LOCAL_REMOVED_IN
from ansible_collections.netlimits.tcp.plugins.module_utils._plan.inputs import IFNAME
from ansible_collections.netlimits.tcp.plugins.module_utils._plan.keys import plan_key
from ansible_collections.netlimits.tcp.plugins.module_utils._plan.sizing import CONNTRACK_PER_BUCKET
from ansible_collections.netlimits.tcp.plugins.module_utils._formats.rc_local import rc_local_block_now, rc_local_notes
from ansible_collections.netlimits.tcp.plugins.module_utils._formats.systemd_link import link_settings
from ansible_collections.netlimits.tcp.plugins.module_utils._plan.values import var
from ansible_collections.netlimits.tcp.plugins.module_utils._common.values import ceil_int, is_int

# Interpreters our block's `ip link set ... || true` lines run under (POSIX shell syntax).
SHELLS = ('sh', 'dash', 'bash', 'ash', 'ksh', 'mksh', 'zsh', 'busybox')
SYSTEMD_TXQ_SINCE = 248         # .link TransmitQueueLength=


def file_spec(template, model, mode='0644'):
    """A managed file as the planner hands it on: its template, the template's model, its mode."""
    return {'template': template, 'model': model, 'mode': mode}


def plan_limits(values, params, facts):
    """(report entries, model of limits.conf.j2 ({'lines': [...]}) or None, warnings)."""
    hard = values.get('nofile')
    if not is_int(hard):
        return [], None, []
    soft = values.get('nofile_soft') if is_int(values.get('nofile_soft')) else hard
    soft = min(soft, hard)
    entries_in = ((facts or {}).get('files') or {}).get('limits_entries') or []
    ours = [e for e in entries_in if e.get('file') == LIMITS_FILE]
    others = [e for e in entries_in if e.get('file') != LIMITS_FILE]
    report, lines, warnings = [], [], []
    for domain in params['limits_domains']:
        for kind, value in (('soft', soft), ('hard', hard)):
            entry = {'domain': domain, 'type': kind, 'item': 'nofile', 'wanted': value, 'before': None,
                     'status': None, 'reason': '', 'overridden_by': None}
            before_ours = [e for e in ours if e.get('domain') == domain and e.get('type') in (kind, '-')]
            same = [e for e in others if e.get('domain') == domain and e.get('type') in (kind, '-')]
            earlier = [e for e in same if e['file'] < LIMITS_FILE or e['file'] == '/etc/security/limits.conf']
            later = [e for e in same if e not in earlier]
            in_effect = (earlier[-1]['value'] if earlier else None)
            entry['before'] = before_ours[-1]['value'] if before_ours else in_effect
            higher = in_effect == 'unlimited' or (is_int(in_effect) and in_effect > value)
            if params.get('raise_only') and higher:
                entry['status'] = SKIPPED_LOWER
                entry['reason'] = '%s sets %s %s nofile %s, above %s (tcp_tune_raise_only)' % (
                    earlier[-1]['file'], domain, kind, in_effect, value)
                report.append(entry)
                continue
            lines.append({'domain': domain, 'type': kind, 'item': 'nofile', 'value': value})
            if before_ours and before_ours[-1]['value'] == value:
                entry['status'] = UNCHANGED
            else:
                entry['status'] = APPLIED
            if later and later[-1]['value'] != value:
                entry['status'] = OVERRIDDEN
                entry['overridden_by'] = later[-1]['file']
                entry['reason'] = '%s (read after ours) sets %s %s nofile %s' % (
                    later[-1]['file'], domain, kind, later[-1]['value'])
                warnings.append('limits: %s' % entry['reason'])
            report.append(entry)
    return report, {'lines': lines}, warnings


def plan_manager(values, params, facts, host):
    """DefaultLimitNOFILE for the systemd manager: (entry or None, model of systemd-manager.conf.j2 or None).

    systemd_default_nofile is the hard limit. The soft limit is systemd_default_nofile_soft when asked,
    else the one in effect (systemd's built-in 1024): systemd.exec(5) (LimitNOFILE=) advises against
    raising the soft limit for all services - select() breaks on descriptors above 1023, and programs
    that need more raise their own soft limit up to the hard one.
    """
    wanted = values.get('systemd_default_nofile')
    if not is_int(wanted):
        return None, None
    wanted_soft = values.get('systemd_default_nofile_soft')
    current = ((facts or {}).get('files') or {}).get('systemd_default_nofile')
    if current is None:
        return ({'wanted': wanted, 'before': None, 'status': SKIPPED_MISSING,
                 'reason': 'systemd is not the init system here'}, None)
    state = (host or {}).get('state') or {}
    original = state.get('systemd_default_nofile')
    if current.get('source') == MANAGER_FILE:
        base = original or dict(zip(('soft', 'hard'), SYSTEMD_BUILTIN_NOFILE))
    else:
        base = {'soft': current.get('soft'), 'hard': current.get('hard')}
    if params.get('raise_only') and 'infinity' in (base.get('hard'), base.get('soft')):
        return ({'wanted': wanted, 'before': current, 'status': SKIPPED_LOWER,
                 'reason': 'DefaultLimitNOFILE is infinity already'}, None)
    hard = wanted
    if params.get('raise_only') and is_int(base.get('hard')) and base['hard'] > hard:
        hard = base['hard']
    kept_soft = base.get('soft') if is_int(base.get('soft')) else SYSTEMD_BUILTIN_NOFILE['soft']
    soft = wanted_soft if is_int(wanted_soft) else kept_soft
    if params.get('raise_only') and kept_soft > soft:
        soft = kept_soft
    soft = min(soft, hard)
    entry = {'wanted': '%d:%d' % (soft, hard), 'before': current, 'status': APPLIED, 'reason': ''}
    if current.get('soft') == soft and current.get('hard') == hard:
        entry['status'] = UNCHANGED if current.get('source') == MANAGER_FILE else SKIPPED_LOWER
        if entry['status'] == SKIPPED_LOWER:
            entry['reason'] = 'DefaultLimitNOFILE is %s:%s already (%s)' % (soft, hard, current.get('source'))
            return entry, None
    return entry, {'soft': soft, 'hard': hard}


def _interfaces(params, facts):
    """[(name, fact or None)] of the interfaces to set, and warnings.

    Names read from sysfs (the default `physical`) may hold any byte but '/'
    and whitespace; those outside IFNAME (what tcp_tune_interfaces accepts) are
    skipped: they would land in rc.local, udev rules and .link files.
    """
    known = dict((i.get('name'), i) for i in ((facts or {}).get('interfaces') or []))
    if params['interfaces'] != 'physical':
        return [(n, known.get(n)) for n in params['interfaces']], []
    chosen, warnings = [], []
    for name, iface in sorted(known.items()):
        if not iface.get('physical'):
            continue
        if IFNAME.match(name or '') and name not in ('.', '..'):
            chosen.append((name, iface))
        else:
            warnings.append('txqueuelen: interface %r skipped: its name has characters other than '
                            'A-Z a-z 0-9 _ . + - (name it in tcp_tune_interfaces after renaming it)' % name)
    return chosen, warnings


def rc_local_mode(current):
    """rc.local's mode: the current one plus execute bits where it has read bits ('0755' for a new file).

    systemd's rc-local.service runs it only when it is executable; adding only
    execute bits keeps a 0700 file private (0600 -> 0700, 0644 -> 0755).
    """
    if current is None:
        return '0755'
    mode = int(current, 8)
    mode |= 0o100 | ((mode & 0o444) >> 2)
    return '%04o' % mode


def rc_local_interpreter(text):
    """The interpreter's name of rc.local's #! line ('python3' for '#!/usr/bin/env python3'), or None without one."""
    first = (text or '').split('\n', 1)[0]
    if not first.startswith('#!'):
        return None
    words = first[2:].split()
    if not words:
        return None
    name = words[0].rsplit('/', 1)[-1]
    if name == 'env' and len(words) > 1:
        name = [w for w in words[1:] if not w.startswith('-')][:1] or [name]
        name = name[0].rsplit('/', 1)[-1]
    return name


def rc_local_unusable(info):
    """Why rc.local cannot take our block (a warning), or None when it can.

    Not a regular file: a mask (/dev/null), a dangling link or a directory is the admin's, never written through.
    Another interpreter than a shell: shell lines would break the site's script.
    """
    kind = info.get('kind', 'file')
    if kind == 'masked':
        return '%s is a symlink to /dev/null (masked by the admin)' % RC_LOCAL
    if kind == 'dangling':
        return '%s is a symlink to a file that does not exist (the site\'s link, left as it is)' % RC_LOCAL
    if kind == 'other':
        return '%s is not a regular file' % RC_LOCAL
    name = rc_local_interpreter(info.get('content')) if info.get('exists') else 'sh'
    if name is not None and name not in SHELLS:
        return '%s runs with %s, not a shell: our `ip link set` lines would break the site\'s script' % (RC_LOCAL, name)
    return None


def plan_txqueuelen(values, params, facts, host):
    """Live writes ({'interface', 'txqueuelen'}), report entries and the persistence method's files."""
    out = {'value': values.get('txqueuelen'), 'entries': [], 'writes': [], 'method': None,
           'files': {}, 'warnings': []}
    wanted = values.get('txqueuelen')
    if not is_int(wanted):
        return out
    state = (host or {}).get('state') or {}
    originals = state.get('txqueuelen') or {}
    names = []
    chosen, out['warnings'] = _interfaces(params, facts)
    for name, iface in chosen:
        entry = {'interface': name, 'before': None, 'wanted': wanted, 'status': None, 'reason': ''}
        out['entries'].append(entry)
        if iface is None:
            entry['status'] = SKIPPED_MISSING
            entry['reason'] = 'no interface %s here' % name
            out['warnings'].append('txqueuelen: %s' % entry['reason'])
            continue
        before = iface.get('txqueuelen')
        entry['before'] = before
        baseline = originals.get(name, before)
        if params.get('raise_only') and is_int(baseline) and baseline > wanted:
            entry['status'] = SKIPPED_LOWER
            entry['reason'] = '%s has txqueuelen %d, above %d (tcp_tune_raise_only)' % (name, baseline, wanted)
            continue
        names.append(name)
        if before == wanted:
            entry['status'] = UNCHANGED
        else:
            entry['status'] = APPLIED
            out['writes'].append({'interface': name, 'txqueuelen': wanted})
    if params['interfaces'] == 'physical' and not out['entries']:
        out['warnings'].append('txqueuelen: no physical interface here (containers have veth; '
                               'name interfaces in tcp_tune_interfaces)')
    method = params['txqueuelen_persist']
    persistence = (facts or {}).get('persistence') or {}
    systemd = persistence.get('systemd_version')
    if method == 'rc_local' and persistence.get('rc_local_supported') is False:
        out['warnings'].append('txqueuelen: systemd %d has no rc.local support (removed in %d): persisting with '
                               'udev instead' % (systemd, RC_LOCAL_REMOVED_IN))
        method = 'udev'
    if method == 'rc_local' and systemd is not None and not (host or {}).get('rc_local_generator', True):
        out['warnings'].append('txqueuelen: systemd-rc-local-generator is missing: persisting with udev instead')
        method = 'udev'
    if method == 'rc_local' and not (host or {}).get('ip_binary', True):
        out['warnings'].append('txqueuelen: no ip binary (iproute2), which rc.local lines need: persisting with udev instead')
        method = 'udev'
    rc_info = ((host or {}).get('files') or {}).get(RC_LOCAL) or {}
    why = rc_local_unusable(rc_info) if method == 'rc_local' else None
    if why:
        out['warnings'].append('txqueuelen: %s; persisting with udev instead' % why)
        method = 'udev'
    if method == 'systemd_link' and (host or {}).get('default_link_masked'):
        # A mask keeps the kernel's names (eth0); a .link of ours would bring NamePolicy= back, or with
        # none of it still be the first match in place of the admin's choice.
        out['warnings'].append('txqueuelen: %s is masked (kernel interface names kept): a .link file would '
                               'change how interfaces are named; persisting with udev instead'
                               % host['default_link_masked'])
        method = 'udev'
    if method == 'systemd_link' and (host or {}).get('site_links'):
        # Only the first matching .link applies (systemd.link(5)): ours would override the site's, or never apply.
        out['warnings'].append('txqueuelen: site .link files (%s): only the first matching .link file applies, '
                               'so ours would override them or be ignored; persisting with udev instead (or set '
                               'TransmitQueueLength= in them)' % ', '.join(host['site_links']))
        method = 'udev'
    if method == 'systemd_link' and (systemd is None or systemd < SYSTEMD_TXQ_SINCE):
        out['warnings'].append('txqueuelen: .link TransmitQueueLength= needs systemd %d (this has %s): '
                               'persisting with udev instead' % (SYSTEMD_TXQ_SINCE, systemd))
        method = 'udev'
    out['method'] = method
    if not names or method == 'none':
        return out
    if method == 'rc_local':
        files = (host or {}).get('files') or {}
        info = files.get(RC_LOCAL) or {}
        text = info.get('content') if info.get('exists') else None
        # Where the block goes does not depend on its lines: the notes (and a broken block, RcLocalError)
        # are known here; the apply step puts the rendered block into this same text (_apply.spliced).
        out['warnings'].extend('rc.local: %s' % n for n in rc_local_notes(text) if not n.startswith('created'))
        mode = rc_local_mode(info.get('mode') if info.get('exists') else None)
        if info.get('exists') and not info.get('executable', True):
            out['warnings'].append('rc.local: %s was not executable, so it never ran at boot: made it %s'
                                   % (RC_LOCAL, mode))
        spec = file_spec(TEMPLATE_RC_LOCAL, {'interfaces': names, 'txqueuelen': wanted}, mode)
        # the block's lines now, when the file would not change with them: the controller's "nothing to apply"
        spec['block_now'] = rc_local_block_now(text)
        out['files'][RC_LOCAL] = spec
    elif method == 'udev':
        out['files'][UDEV_FILE] = file_spec(TEMPLATE_UDEV, {'interfaces': names, 'txqueuelen': wanted})
    elif method == 'systemd_link':
        settings = link_settings((host or {}).get('default_link'))
        for n in names:
            out['files'][LINK_FILE % n] = file_spec(TEMPLATE_LINK, {'interface': n, 'txqueuelen': wanted,
                                                                    'link_settings': settings})
    return out


def conntrack_loads_late(entry, facts):
    """True when the sysctl.d line for nf_conntrack_max would not apply at the next boot (issue #25 item 3).

    The boot model (_facts/boot_conntrack.py): the line applies only when nf_conntrack is there before
    systemd-sysctl runs (built in, modules-load.d, or a udev rule running systemd-sysctl). Our own
    modules-load.d file does not count: it is what this decides.
    """
    boot = ((facts or {}).get('after_boot') or {}).get('conntrack') or {}
    if not entry['in_file'] or entry['status'] in (SKIPPED_READ_ONLY, SKIPPED_MISSING) \
            or not ((facts or {}).get('conntrack') or {}).get('loaded'):
        return False
    if boot.get('load') in ('builtin', 'udev'):
        return False
    return not [by for by in boot.get('early_loaders') or [] if not by.startswith(MODULES_LOAD_FILE + ' ')]


def plan_conntrack(values, params, facts, host):
    """(sysctl entries, model of the modprobe.d file or None, of the modules-load.d file or None, warnings).

    nf_conntrack_max persists by the sysctl file only where the module is loaded before systemd-sysctl;
    where a firewall loads it later (conntrack_loads_late) the plan also lists nf_conntrack in
    modules-load.d, so that it is loaded early whatever loads it again later, and the entry's reason
    says so.
    """
    entries, warnings = [], []
    wanted = values.get('conntrack_max')
    ct = (facts or {}).get('conntrack') or {}
    load_lines = {'modules': ['nf_conntrack']} if params.get('conntrack_load') else None
    if not is_int(wanted):
        return entries, None, load_lines, warnings
    name = ct.get('key') or 'net.netfilter.nf_conntrack_max'
    entry, warn = plan_key(name, wanted, var('conntrack_max'), facts, params, host)
    warnings.extend(warn)
    if entry['status'] == SKIPPED_MISSING:
        entry['reason'] = 'nf_conntrack is not loaded (set tcp_tune_conntrack_load: true to load it)'
    if entry['status'] == SKIPPED_READ_ONLY:
        entry['reason'] = ('%s is read-only outside the initial network namespace: the host must set it '
                           '(the file keeps it for when this runs on the host)' % name)
    if conntrack_loads_late(entry, facts):
        load_lines = {'modules': ['nf_conntrack']}
        note = ('persisted by %s with nf_conntrack loaded before systemd-sysctl by %s: nothing else here loads '
                'it early, and loaded later (by a firewall) it keeps the kernel\'s value at boot'
                % (SYSCTL_FILE, MODULES_LOAD_FILE))
        entry['reason'] = '%s; %s' % (entry['reason'], note) if entry['reason'] else note
    entries.append(entry)
    buckets = max(1, ceil_int(float(entry['wanted']) / CONNTRACK_PER_BUCKET)) if is_int(entry['wanted']) else None
    modprobe = None
    if buckets and entry['status'] not in (SKIPPED_LOWER, SKIPPED_KERNEL):
        bentry, warn = plan_key('net.netfilter.nf_conntrack_buckets', buckets, var('conntrack_max'),
                                facts, params, host)
        bentry['in_file'] = False  # persisted by modprobe.d, not sysctl.d
        if bentry['status'] == SKIPPED_READ_ONLY:
            bentry['reason'] = 'conntrack buckets are read-only outside the initial network namespace: the host must set them'
        if bentry['status'] != SKIPPED_MISSING:
            warnings.extend(w for w in warn if 'overridden' not in w)
        entries.append(bentry)
        if bentry['status'] != SKIPPED_LOWER:
            # a hashsize below the buckets in effect would lower them at the next module load
            modprobe = {'hashsize': buckets, 'per_bucket': CONNTRACK_PER_BUCKET}
    return entries, modprobe, load_lines, warnings
