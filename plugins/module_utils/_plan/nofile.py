# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""fs.nr_open against every nofile the run writes, now and after the next boot (issue #14 H1, M8, item 4).

A hard nofile above fs.nr_open fails setrlimit() with EPERM: upstream Linux-PAM then refuses the
login, Debian/Ubuntu's pam_limits lets it in without the limit (kernel-limits.md; eperm_outcome in
_facts/pam.py says which for the host). Both are failures. These checks see what the next boot
does (the boot model: the last sysctl file in systemd-sysctl's order, systemd's bump where this
host's systemd does it, the kernel default), what other limits files ask, and what revert must
not go below. Pure; Python 3.6 compatible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netlimits.tcp.plugins.module_utils._common.paths import LIMITS_FILE, SYSCTL_FILE
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.boot import KERNEL_NR_OPEN, SYSTEMD_BUMPS_SINCE
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.pam import eperm_outcome
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.provenance import would_be_overridden_by
from ansible_collections.netlimits.tcp.plugins.module_utils._plan.services import listening_units
from ansible_collections.netlimits.tcp.plugins.module_utils._plan.keys import plan_key
from ansible_collections.netlimits.tcp.plugins.module_utils._plan.values import (
    containment_of, same_value, sysctl_fact, var,
)
from ansible_collections.netlimits.tcp.plugins.module_utils._common.values import coerce_int, is_int

# systemd >= 240 as PID 1 may raise fs.nr_open (to 1073741816 on 64-bit) and fs.file-max (to LONG_MAX) at
# every boot (bump_file_max_and_nr_open, systemd src/core/main.c), but each is a build option
# (bump-proc-sys-fs-nr-open, bump-proc-sys-fs-file-max): Debian 12 and 11 boot with fs.file-max LONG_MAX
# and fs.nr_open 1048576 (read in the vm scenario's VMs), Debian 13 with 1073741816. So the bump counts only
# where the host shows it: after boot fs.nr_open is what a sysctl file sets, else the bumped value when it is
# exactly the live one (the boot model, _facts/boot.py), else the kernel's default; and without a record
# revert leaves both keys where they are.
SYSTEMD_BUMPED_KEYS = ('fs.nr_open', 'fs.file-max')


def systemd_may_bump(facts, name):
    """True where systemd (>= 240, PID 1, not in a container) may raise this key at every boot."""
    systemd = ((facts or {}).get('persistence') or {}).get('systemd_version')
    # files.systemd_default_nofile is None where systemd is not PID 1 (_facts_files.systemd_default_nofile)
    pid1 = ((facts or {}).get('files') or {}).get('systemd_default_nofile') is not None
    return name in SYSTEMD_BUMPED_KEYS and pid1 and systemd is not None and systemd >= SYSTEMD_BUMPS_SINCE \
        and not containment_of(facts).get('container')


def other_nofile(facts):
    """(value, entry) of the highest numeric nofile set by a limits file other than ours, or (None, None)."""
    best = (None, None)
    for entry in ((facts or {}).get('files') or {}).get('limits_entries') or []:
        if entry.get('file') != LIMITS_FILE and is_int(entry.get('value')) \
                and (best[0] is None or entry['value'] > best[0]):
            best = (entry['value'], entry)
    return best


def nr_open_at_boot(entries, facts):
    """(value, source) of fs.nr_open after the next boot, with the sysctl file this plan writes.

    The boot model's sysctl order (_facts/boot_sysctl.py, through the facts' provenance): the last
    file that sets it wins, ours included when the plan puts the key in it. With none, the boot
    model's value (facts after_boot: systemd's bump where this host's systemd does it, else the
    kernel's default; the machine's value in a container).
    """
    entry = [e for e in entries if e['key'] == 'fs.nr_open']
    entry = entry[0] if entry else None
    prov = ((facts or {}).get('provenance') or {}).get('fs.nr_open') or {}
    others = [f for f in prov.get('files', ()) if f['path'] != SYSCTL_FILE]
    if entry is not None and entry['in_file']:
        winner = entry.get('overridden_by')
        if not winner:
            return entry['wanted'], SYSCTL_FILE
        others = [f for f in others if f['path'] == winner]
    if others:
        return coerce_int(others[-1]['value']), others[-1]['path']
    modelled = (((facts or {}).get('after_boot') or {}).get('sysctl') or {}).get('fs.nr_open') or {}
    if is_int(modelled.get('value')) and not str(modelled.get('source')).startswith('/'):
        return modelled['value'], modelled['source']
    live = sysctl_fact(facts, 'fs.nr_open').get('value')
    if containment_of(facts).get('container') and is_int(live):
        # fs.nr_open is the machine's: restarting the container does not reset it
        return live, 'the machine (fs.nr_open is not namespaced)'
    return KERNEL_NR_OPEN, 'the kernel default'


def check_nofile_after_boot(values, params, entries, facts, host):
    """Keep every nofile the run writes at or below fs.nr_open after the next boot (H1).

    When the value in effect now is high enough but nothing persists it (raised by
    hand, or skipped_lower), the plan persists fs.nr_open at that value; when
    another file sets a lower one at boot, the run is refused.
    """
    asked = [(var(short), values.get(short)) for short in ('nofile', 'nofile_soft', 'systemd_default_nofile')]
    asked.extend(('%s[%s]' % (var('service_nofile'), name), coerce_int(value))
                 for name, value in sorted((params.get('service_nofile') or {}).items()))
    listening = coerce_int(params.get('listening_services_nofile'))
    if is_int(listening) and listening_units(params, facts, host):
        asked.append((var('listening_services_nofile'), listening))
    asked = [(name, value) for name, value in asked if is_int(value)]
    fact = sysctl_fact(facts, 'fs.nr_open')
    live = fact.get('value')
    # Another limits file's nofile that the live fs.nr_open allows: a run that stops persisting fs.nr_open
    # (our file held it) must not take it away at the next boot. One above the live value is not ours to fix.
    # When this run sets fs.nr_open itself, check_nr_open_lowering() judges it against that file instead.
    other, limit = other_nofile(facts)
    setting = [e for e in entries if e['key'] == 'fs.nr_open' and e.get('apply')]
    needing = asked + ([('%s (nofile for %s)' % (limit['file'], limit['domain']), other)]
                       if is_int(other) and is_int(live) and other <= live and not setting else [])
    if not needing:
        return []
    highest = max(value for dummy, value in needing)
    boot, source = nr_open_at_boot(entries, facts)
    if is_int(boot) and boot >= highest:
        return []
    if fact.get('present') and is_int(live) and live >= highest:
        entry = [e for e in entries if e['key'] == 'fs.nr_open']
        if entry:
            entry = entry[0]
            persisted = entry['wanted'] if entry['in_file'] and is_int(entry['wanted']) and entry['wanted'] >= highest \
                else live
        else:
            entry, dummy = plan_key('fs.nr_open', live, var('nr_open'), facts, params, host)
            entries.append(entry)
            persisted = live
        if not entry['in_file'] or entry['wanted'] != persisted:
            entry['wanted'] = persisted
            entry['in_file'] = True
            entry['apply'] = not same_value('fs.nr_open', live, persisted) and bool(fact.get('writable'))
        if not entry.get('overridden_by'):
            # an entry plan_key left out of the file (skipped_lower) was never ordered against the other
            # files: one read after ours at boot still wins (found by I1, test_boot_tune.py)
            prov = ((facts or {}).get('provenance') or {}).get('fs.nr_open')
            entry['overridden_by'] = would_be_overridden_by(prov, SYSCTL_FILE) if prov else None
        if not entry.get('overridden_by'):
            entry['reason'] = ('persisted at %d: %s (%d) needs it after boot, when %s would give %s'
                               % (persisted, needing[0][0] if len(needing) == 1 else 'the nofile limits', highest,
                                  source, boot))
            return []
        boot, source = nr_open_at_boot(entries, facts)
    outcome = eperm_outcome(((facts or {}).get('files') or {}).get('pam_limits'))[1]
    return ['%s (%d) is above fs.nr_open after the next boot (%s, from %s, read after %s): then %s; set '
            'fs.nr_open there too (or remove it there), or lower %s'
            % (name, value, boot, source, SYSCTL_FILE, outcome, name) for name, value in asked if value > boot]


def revert_floor(name, facts):
    """(value, why) a revert never takes fs.nr_open below, or (None, ''): the highest nofile another
    limits file sets (below it, those users could not log in).
    """
    floors = []
    if name == 'fs.nr_open':
        value, limit = other_nofile(facts)
        if value is not None:
            floors.append((value, '%s sets nofile %d for %s: fs.nr_open is not restored below it'
                           % (limit['file'], value, limit['domain'])))
    if not floors:
        return None, ''
    return max(floors)


def check_nr_open_lowering(entries, facts):
    """Errors when the plan would lower fs.nr_open below a nofile another limits file sets (M8)."""
    value, limit = other_nofile(facts)
    if value is None:
        return []
    errors = []
    for entry in entries:
        if entry['key'] == 'fs.nr_open' and entry['apply'] and is_int(entry['wanted']) and entry['wanted'] < value:
            errors.append('%s (%d) would lower fs.nr_open below the nofile %d that %s sets for %s (line %s): '
                          'that user could no longer log in; keep tcp_tune_nr_open at or above %d'
                          % (var('nr_open'), entry['wanted'], value, limit['file'], limit['domain'],
                             limit.get('line'), value))
    return errors
