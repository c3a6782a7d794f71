# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Per-key decisions of the planner: what each sysctl key is asked to be and its status.

plan_key() is the heart: kernel guards, missing and read-only keys,
raise_only against the recorded original, override by a later sysctl file.
render_sysctl() and sysctl_writes() turn the entries into the sysctl file and the
live writes. Pure; Python 3.6 compatible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netlimits.tcp.plugins.module_utils._common import keys as _keys
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.provenance import would_be_overridden_by
from ansible_collections.netlimits.tcp.plugins.module_utils._common.paths import SYSCTL_FILE
from ansible_collections.netlimits.tcp.plugins.module_utils._common.status import (
    APPLIED, OVERRIDDEN, SKIPPED_KERNEL, SKIPPED_LOWER, SKIPPED_MISSING, SKIPPED_READ_ONLY, UNCHANGED,
)
from ansible_collections.netlimits.tcp.plugins.module_utils._plan.values import (
    PREFIX, containment_of, format_value, holds_more, kernel_text, kernel_version, normalize_raw,
    planned_value, same_value, sysctl_fact, var, version_tuple,
)
from ansible_collections.netlimits.tcp.plugins.module_utils._common.values import is_int, parse_port_set

SYSTEMD_DASH_SINCE = 243        # '-' prefix in sysctl.d
PROCPS_DASH_SINCE = (3, 3, 16)
SYN_QUEUE_FROM_BACKLOG = (4, 4)   # from 4.4 the SYN queue is min(backlog, somaxconn), not tcp_max_syn_backlog


def loader_supports_dash(facts, sysctl_version_text):
    """'-key = value' is understood by every loader present: systemd >= 243 and procps-ng >= 3.3.16."""
    systemd = (((facts or {}).get('persistence') or {}).get('systemd_version'))
    procps = version_tuple(sysctl_version_text) if sysctl_version_text else None
    if systemd is not None and systemd < SYSTEMD_DASH_SINCE:
        return False
    if procps is not None and procps < PROCPS_DASH_SINCE:
        return False
    return systemd is not None or procps is not None


def wanted_sysctl(values, params, facts, host):
    """[(name, wanted, source variable)] from the table's variables, then tcp_tune_sysctl."""
    wanted = []
    listening = (host or {}).get('listening_ports') or []
    for key in _keys.KEYS:
        if not key.variable:
            continue
        short = key.variable[len(PREFIX):]
        value = values.get(short)
        if short == 'tw_recycle':
            wanted.append((key.name, value, key.variable))
            continue
        if short == 'reserved_ports':
            fact = sysctl_fact(facts, key.name)
            current = fact.get('value') if isinstance(fact.get('value'), list) else []
            original = _original_value(host, key.name)
            pairs = list(value or [])
            rng = values.get('local_port_range')
            added = []
            if params.get('reserve_listening_ports') and rng:
                added = [p for p in listening if rng[0] <= p <= rng[1]]
            if not pairs and not added and params.get('reserved_ports') is None:
                continue
            base = original if original is not None else current
            merged = parse_port_set([[a, b] for a, b in (base or [])] + pairs + added)
            wanted.append((key.name, merged, key.variable))
            continue
        if short == 'conntrack_max':
            continue  # planned by plan_conntrack
        if value is None:
            continue
        wanted.append((key.name, value, key.variable))
    for name, value in sorted(((params or {}).get('sysctl') or {}).items()):
        key = _keys.BY_NAME.get(name)
        parsed = planned_value(name, format_value(name, value)) if key is not None else normalize_raw(format_value(name, value))
        wanted.append((name, parsed, var('sysctl')))
    return wanted


def _original_value(host, name):
    state = (host or {}).get('state') or {}
    entry = (state.get('sysctl') or {}).get(name)
    if not entry:
        return None
    return planned_value(name, entry.get('value'))


def new_entry(name, fact, wanted, source):
    key = _keys.BY_NAME.get(name)
    return {
        'key': name, 'variable': source, 'before': fact.get('value') if fact else None,
        'wanted': wanted, 'after': None, 'status': None, 'reason': '',
        'scope': key.scope if key else (fact or {}).get('scope'),
        'kind': key.kind if key else _keys.KIND_BEHAVIOUR,
        'in_file': False, 'apply': False, 'overridden_by': None, 'live': None,
    }


def plan_key(name, wanted, source, facts, params, host):
    """Status of one key: the heart of the planner. Returns the report entry."""
    key = _keys.BY_NAME.get(name)
    extra = ((host or {}).get('extra_sysctl') or {})
    fact = sysctl_fact(facts, name) if key is not None else extra.get(name) or {}
    if key is None and fact:
        fact = dict(fact)
        fact['value'] = normalize_raw(fact.get('value'))
    entry = new_entry(name, fact, wanted, source)
    version = kernel_version(facts)
    release = kernel_text(facts)
    warnings = []
    if key is not None and not _keys.exists_in_kernel(key, version):
        entry['status'] = SKIPPED_KERNEL
        if key.until:
            entry['reason'] = '%s was removed in %d.%d; kernel %s does not have it' % (
                name, key.until[0], key.until[1], release)
        else:
            entry['reason'] = '%s exists from %d.%d; kernel %s does not have it' % (
                name, key.since[0], key.since[1], release)
        if name == 'net.ipv4.tcp_tw_recycle' and wanted:
            warnings.append('tcp_tw_recycle: not set: %s (it broke clients behind NAT)' % entry['reason'])
        elif name != 'net.ipv4.tcp_tw_recycle':
            warnings.append('%s: skipped: %s' % (name, entry['reason']))
        return entry, warnings
    if key is not None and is_int(wanted) and not _keys.value_allowed_on(name, wanted, version):
        since = _keys.VALUE_GUARDS[(name, wanted)]
        entry['status'] = SKIPPED_KERNEL
        entry['reason'] = '%s=%s needs kernel %d.%d or newer; this is %s' % (name, wanted, since[0], since[1], release)
        warnings.append('%s: refused: %s' % (name, entry['reason']))
        return entry, warnings
    if not fact.get('present'):
        entry['status'] = SKIPPED_MISSING
        if key is not None and key.needs_module:
            entry['reason'] = '%s exists only while %s is loaded' % (name, key.needs_module)
        elif key is not None and key.scope == _keys.SCOPE_INIT_NETNS:
            entry['reason'] = '%s exists only in the initial network namespace (not in a container)' % name
        else:
            entry['reason'] = '%s does not exist on this host' % name
        return entry, warnings
    if name == 'net.ipv4.tcp_tw_recycle' and wanted:
        warnings.append('tcp_tw_recycle=1 on kernel %s: it drops connections from clients behind NAT '
                        '(removed in 4.12 for that reason)' % release)
    before = fact.get('value')
    raise_only = params.get('raise_only', True)
    original = _original_value(host, name) if key is not None else None
    baseline = original if original is not None else before
    if raise_only and holds_more(name, entry['kind'], baseline, wanted):
        entry['status'] = SKIPPED_LOWER
        entry['reason'] = '%s is %s here, above the wanted %s (tcp_tune_raise_only)' % (
            name, format_value(name, baseline), format_value(name, wanted))
        if not same_value(name, before, baseline) and fact.get('writable'):
            # our own earlier run raised it further: go back to the higher value in effect before us
            entry['wanted'] = baseline
            entry['apply'] = True
        return entry, warnings
    entry['in_file'] = True
    if same_value(name, before, wanted):
        entry['status'] = UNCHANGED
    elif not fact.get('writable'):
        entry['status'] = SKIPPED_READ_ONLY
        entry['reason'] = '%s is read-only here%s: the file persists it; the host must set it live' % (
            name, ' (container network namespace)' if containment_of(facts).get('container') else '')
        warnings.append('%s: %s' % (name, entry['reason']))
    else:
        entry['status'] = APPLIED
        entry['apply'] = True
    entry['live'] = entry['status']
    if name == 'net.ipv4.tcp_max_syn_backlog' and (version is None or tuple(version[:2]) >= SYN_QUEUE_FROM_BACKLOG):
        cookies = sysctl_fact(facts, 'net.ipv4.tcp_syncookies').get('value')
        if cookies != 0:
            # tcp_conn_request() (net/ipv4/tcp_input.c) reads it only while tcp_syncookies=0; with cookies
            # on, a full SYN queue (min(backlog, somaxconn)) sends cookies instead of dropping. Before 4.4,
            # reqsk_queue_alloc() (net/core/request_sock.c) also sized the SYN queue from it.
            note = ('no effect while net.ipv4.tcp_syncookies=%s: the kernel reads it only with syncookies off'
                    % (cookies if cookies is not None else 'unknown'))
            entry['reason'] = '%s; %s' % (entry['reason'], note) if entry['reason'] else note
    prov = ((facts or {}).get('provenance') or {}).get(name)
    if prov:
        winner = would_be_overridden_by(prov, SYSCTL_FILE)
        if winner:
            entry['status'] = OVERRIDDEN
            entry['overridden_by'] = winner
            value = [f['value'] for f in prov.get('files', ()) if f['path'] == winner]
            entry['reason'] = '%s sets %s = %s and is loaded after %s: it wins at boot' % (
                winner, name, value[-1] if value else '?', SYSCTL_FILE)
            warnings.append('%s: overridden: %s' % (name, entry['reason']))
    return entry, warnings


def sysctl_model(entries, dash):
    """The model of the template sysctl.conf.j2: the keys of /etc/sysctl.d/90-netlimits-tcp.conf.

    Only keys present on the host; each with its line of the key table (doc, None for a key of
    tcp_tune_sysctl); ignore_errors: write '-key' (the loader skips a key it cannot set).
    """
    rows = []
    for entry in entries:
        if not entry['in_file']:
            continue
        key = _keys.BY_NAME.get(entry['key'])
        rows.append({'key': entry['key'], 'value': format_value(entry['key'], entry['wanted']),
                     'doc': key.doc if key is not None else None})
    return {'entries': rows, 'ignore_errors': bool(dash)}


# Keys written live before all others: fs.nr_open first, so that the limits.d and systemd files written
# after it may ask for a nofile up to its new value (a nofile above fs.nr_open makes PAM logins fail).
WRITE_FIRST = ('fs.nr_open',)


def sysctl_writes(entries):
    """[{'key', 'value'}] of the keys to set live, in write order (WRITE_FIRST, then the entries' order).

    value is the text written to /proc/sys (format_value), as a sysctl file has it.
    """
    todo = [e for e in entries if e['apply']]
    todo.sort(key=lambda e: WRITE_FIRST.index(e['key']) if e['key'] in WRITE_FIRST else len(WRITE_FIRST))
    return [{'key': e['key'], 'value': format_value(e['key'], e['wanted'])} for e in todo]
