# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The planner of the role netlimits.tcp.tcp_tune (pure Python, no I/O).

Inputs: the role's variables (``tcp_tune_*``, every one, as the controller checked them:
plugin_utils/_tune/validate.py), ``ansible_facts.tcp_limits``
(docs/architecture.md) and the host readings of ``_plan/readings.read_host`` (listening
ports, the sysctl loader's version, the role's own state file, the text of
rc.local and 99-default.link). Output: one plain dict that ``_apply`` carries
out: per key the wanted value and its status, the content of every managed
file, the live values to set, txqueuelen changes, what revert restores. Every
decision shown in ``tcp_tune_report`` is made here. Keys come from ``_common/keys.py``
(the one table); nothing here lists sysctl keys.

Beside it in _plan/, one concern each: ``inputs`` (profiles, the checks that need the
host's facts), ``sizing`` (workload sizing), ``keys`` (per-key decisions, the sysctl
file, the live sysctl writes), ``nofile`` (fs.nr_open against every nofile), ``files``
(limits, systemd, txqueuelen, conntrack files), ``state`` (state file, backups, undo),
``values`` (fact look-ups, value formats and comparisons), ``readings`` (what it reads
of the host) and ``report`` (tcp_tune_report). Below it: _common (``paths``, ``status``,
``values``, ``keys``) and _formats (``sysctl_conf``, ``rc_local``, ``systemd_link``).

Python 3.6 compatible (it also runs in unit tests on old cores).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netlimits.tcp.plugins.module_utils._common import keys as _keys
from ansible_collections.netlimits.tcp.plugins.module_utils._common.paths import (
    LIMITS_FILE, LINK_FILE, MANAGER_FILE, METRICS_LIB_DIR, MODPROBE_FILE, MODULES_LOAD_FILE, RC_LOCAL, SERVICE_FILE, STATE_DIR,
    BACKUP_DIR, STATE_FILE, SYSCTL_FILE, UDEV_FILE, TEMPLATE_LIMITS, TEMPLATE_MANAGER, TEMPLATE_MODPROBE,
    TEMPLATE_MODULES_LOAD, TEMPLATE_SYSCTL,
)
from ansible_collections.netlimits.tcp.plugins.module_utils._common.status import (
    KEPT_HOST_SCOPE, OVERRIDDEN, RESTORED, SKIPPED_MISSING, SKIPPED_READ_ONLY, UNCHANGED, UNKNOWN_ORIGINAL,
)
from ansible_collections.netlimits.tcp.plugins.module_utils._plan.files import (
    file_spec, plan_conntrack, plan_limits, plan_manager, plan_txqueuelen,
)
from ansible_collections.netlimits.tcp.plugins.module_utils._plan.services import (
    listening_units, plan_services, service_limits, service_rows, service_unit,
)
from ansible_collections.netlimits.tcp.plugins.module_utils._plan.inputs import (
    IFNAME, SYSCTL_BAD, PlanError, check_on_host, nr_open_after, params_of,
)
from ansible_collections.netlimits.tcp.plugins.module_utils._plan.keys import (
    new_entry, wanted_sysctl, sysctl_writes, loader_supports_dash, plan_key, sysctl_model,
)
from ansible_collections.netlimits.tcp.plugins.module_utils._plan.metrics import (
    metrics_paths, metrics_removes, metrics_summary, plan_metrics,
)
from ansible_collections.netlimits.tcp.plugins.module_utils._plan.nofile import (
    check_nofile_after_boot, check_nr_open_lowering, revert_floor, systemd_may_bump,
)
from ansible_collections.netlimits.tcp.plugins.module_utils._plan.sizing import effective_values
from ansible_collections.netlimits.tcp.plugins.module_utils._plan.state import (
    boot_setter, file_ops, keep_nr_open, state_record, undo_ops, state_text,
)
from ansible_collections.netlimits.tcp.plugins.module_utils._formats.rc_local import RcLocalError, rc_local_has_block
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.pam import eperm_outcome
from ansible_collections.netlimits.tcp.plugins.module_utils._formats.sysctl_conf import sysctl_conf_keys
from ansible_collections.netlimits.tcp.plugins.module_utils._plan.values import (
    containment_of, kernel_text, kernel_version, normalize_raw, planned_value, same_value, sysctl_fact, var,
)
from ansible_collections.netlimits.tcp.plugins.module_utils._common.values import coerce_int, is_int


class HostRefused(PlanError):
    """A file of the host is in a state the role will not edit (a broken rc.local block): nothing changed."""


def plan_paths(params, facts, state=None):
    """Paths whose existence/mode the role must stat before planning (ours, plus any in the state file)."""
    params = params_of(params)
    paths = {SYSCTL_FILE, LIMITS_FILE, MANAGER_FILE, RC_LOCAL, UDEV_FILE, MODPROBE_FILE, MODULES_LOAD_FILE}
    paths.update(metrics_paths())
    for name in (params.get('service_nofile') or {}) if isinstance(params.get('service_nofile'), dict) else ():
        paths.add(SERVICE_FILE % service_unit(name))
    paths.update(SERVICE_FILE % unit for unit in listening_units(params, facts))
    ifaces = params.get('interfaces')
    names = []
    if params.get('txqueuelen_persist') == 'systemd_link':
        names = [i.get('name') for i in ((facts or {}).get('interfaces') or [])]
        if isinstance(ifaces, list):
            names.extend(n for n in ifaces if isinstance(n, str) and IFNAME.match(n))
    for n in names:
        if n:
            paths.add(LINK_FILE % n)
    paths.update(((state or {}).get('files') or {}).keys())
    return sorted(paths)


def extra_keys(params, state=None):
    """Keys outside the table the role must read itself: tcp_tune_sysctl's, and those the state file recorded."""
    params = params_of(params)
    names = set(k for k in (params.get('sysctl') or {}) if isinstance(k, str) and k and not SYSCTL_BAD.search(k)
                and '..' not in k and not k.startswith('-')) if isinstance(params.get('sysctl'), dict) else set()
    names.update(((state or {}).get('sysctl') or {}).keys())
    return sorted(n for n in names if n not in _keys.BY_NAME)


def files_read(host):
    """{path: SHA-1 or None} of every file the plan was made from (managed files, the state file).

    The plan travels to the controller to have its files rendered and comes back; the apply step
    checks these first and refuses when one changed in between (its decisions were made on the old text).
    """
    read = dict((path, info.get('sha1')) for path, info in ((host or {}).get('files') or {}).items())
    read.update((host or {}).get('deciding') or {})   # files outside the managed set that decide it
    read[STATE_FILE] = (host or {}).get('state_sha1')
    return read


def plan(raw_params, facts, host=None, profiles=None):
    """The whole plan for tcp_tune_state present or absent.

    raw_params: every variable of the role as the controller checked it ({'tcp_tune_x': value},
    plugins/plugin_utils/_tune/validate.py). profiles: the role's profiles (vars/main.yml
    __tcp_tune_profiles; see _plan/inputs.py).

    Raises PlanError on input this host cannot take, HostRefused when a file of the host cannot be
    edited safely; in both cases before anything is written.
    """
    try:
        return _make_plan(raw_params, facts, host, profiles)
    except RcLocalError as exc:
        raise HostRefused([str(exc)])


def _make_plan(raw_params, facts, host=None, profiles=None):
    params = params_of(raw_params)
    check_on_host(params, facts)
    warnings = []
    if params['state'] == 'absent':
        result = plan_revert(params, facts, host)
        result['warnings'] = warnings + result['warnings']
        return result
    values, sizing = effective_values(params, facts, host, profiles)
    warnings.extend(sizing['warnings'])
    # nofile against the fs.nr_open this run leaves
    leaves = nr_open_after(params, facts, values)
    errors = []
    for short in ('nofile', 'nofile_soft', 'systemd_default_nofile'):
        value = values.get(short)
        if is_int(value) and value > leaves:
            if params.get(short) is not None:
                errors.append('%s (%d) is above fs.nr_open (%d) as this run leaves it: raise tcp_tune_nr_open in '
                              'the same run (it is applied first) or lower %s; with a nofile above fs.nr_open %s'
                              % (var(short), value, leaves, var(short),
                                 eperm_outcome(((facts or {}).get('files') or {}).get('pam_limits'))[1]))
            else:
                warnings.append('%s from the profile (%d) is above fs.nr_open (%d), which cannot be raised here: '
                                'using %d' % (var(short), value, leaves, leaves))
                values[short] = leaves
    if is_int(coerce_int(params.get('listening_services_nofile'))) \
            and coerce_int(params.get('listening_services_nofile')) > leaves:
        errors.append('%s (%s) is above fs.nr_open (%d) as this run leaves it: it must be an integer from 1 to '
                      'fs.nr_open (raise tcp_tune_nr_open in the same run)'
                      % (var('listening_services_nofile'), params.get('listening_services_nofile'), leaves))
    for name, value in (params.get('service_nofile') or {}).items():
        if coerce_int(value) > leaves:
            errors.append('%s[%s] (%s) is above fs.nr_open (%d) as this run leaves it: it must be an integer from 1 '
                          'to fs.nr_open (raise tcp_tune_nr_open in the same run); a service cannot start with a '
                          'LimitNOFILE above it' % (var('service_nofile'), name, value, leaves))
    soft, hard = values.get('nofile_soft'), values.get('nofile')
    if params.get('nofile_soft') is not None and not is_int(hard):
        errors.append('%s needs a hard limit to stay under: set %s too (profile %s sets none)'
                      % (var('nofile_soft'), var('nofile'), params['profile']))
    elif params.get('nofile') is None and is_int(soft) and soft > hard:
        errors.append('%s (%d) must not be above the hard limit (%d, %s from profile %s): lower it or set %s'
                      % (var('nofile_soft'), soft, hard, var('nofile'), params['profile'], var('nofile')))
    soft, hard = values.get('systemd_default_nofile_soft'), values.get('systemd_default_nofile')
    if is_int(soft) and not is_int(hard):
        errors.append('%s needs a hard limit to stay under: set %s too (profile %s sets none)'
                      % (var('systemd_default_nofile_soft'), var('systemd_default_nofile'), params['profile']))
    elif params.get('systemd_default_nofile') is None and is_int(soft) and soft > hard:
        errors.append('%s (%d) must not be above the hard limit (%d, %s from profile %s): lower it or set %s'
                      % (var('systemd_default_nofile_soft'), soft, hard, var('systemd_default_nofile'),
                         params['profile'], var('systemd_default_nofile')))
    if errors:
        raise PlanError(errors)

    entries = []
    for name, wanted, source in wanted_sysctl(values, params, facts, host):
        entry, warn = plan_key(name, wanted, source, facts, params, host)
        entries.append(entry)
        warnings.extend(warn)
    ct_entries, modprobe, modules_load, warn = plan_conntrack(values, params, facts, host)
    entries.extend(ct_entries)
    warnings.extend(warn)
    errors = check_nofile_after_boot(values, params, entries, facts, host) + check_nr_open_lowering(entries, facts)
    if errors:
        raise PlanError(errors)
    dash = loader_supports_dash(facts, (host or {}).get('sysctl_version'))
    # Every managed file as its template's model (_plan_files.file_spec); the controller renders them.
    wanted_files = {}
    if any(e['in_file'] for e in entries):
        wanted_files[SYSCTL_FILE] = file_spec(TEMPLATE_SYSCTL, sysctl_model(entries, dash))
    limits, limits_model, warn = plan_limits(values, params, facts)
    warnings.extend(warn)
    if limits_model and limits_model['lines']:
        wanted_files[LIMITS_FILE] = file_spec(TEMPLATE_LIMITS, limits_model)
    manager, manager_model = plan_manager(values, params, facts, host)
    if manager_model:
        wanted_files[MANAGER_FILE] = file_spec(TEMPLATE_MANAGER, manager_model)
    limits_by_unit = service_limits(params, facts, host)
    services = plan_services(limits_by_unit)
    wanted_files.update(services)
    tx = plan_txqueuelen(values, params, facts, host)
    warnings.extend(tx['warnings'])
    wanted_files.update(tx['files'])
    if modprobe:
        wanted_files[MODPROBE_FILE] = file_spec(TEMPLATE_MODPROBE, modprobe)
    if modules_load:
        wanted_files[MODULES_LOAD_FILE] = file_spec(TEMPLATE_MODULES_LOAD, modules_load)
    metrics_files, warn = plan_metrics(params, host, facts)
    warnings.extend(warn)
    wanted_files.update(metrics_files)
    writes, backups, record_files, stale = file_ops(wanted_files, host)
    restores, removes, undo_writes, undo_warnings = undo_ops(stale, host)
    warnings.extend(undo_warnings)
    removes.extend(metrics_removes(params, host))
    state = state_record(facts, host, entries, tx['entries'], manager, record_files, params.get('conntrack_load'))
    for path in stale:
        state['files'].pop(path, None)
    return {
        'state': 'present',
        'read': files_read(host),
        'profile': params['profile'],
        'values': values,
        'sizing': {'lines': sizing['lines']},
        'sysctl': entries,
        'sysctl_writes': sysctl_writes(entries),
        'limits': limits,
        'systemd_default_nofile': manager,
        'services': sorted(limits_by_unit),
        'service_limits': service_rows(limits_by_unit, facts),
        'service_files': sorted(services),
        'restart_services': bool(params.get('restart_services')),
        'txqueuelen': {'value': tx['value'], 'method': tx['method'], 'entries': tx['entries'],
                       'writes': tx['writes']},
        'conntrack_load': bool(params.get('conntrack_load')) and not ((facts or {}).get('conntrack') or {}).get('loaded'),
        'metrics': metrics_summary(params, host),
        'empty_trees': [] if params.get('metrics') else [METRICS_LIB_DIR],
        'files': writes,
        'backups': backups,
        'restores': restores,
        'removes': removes,
        'undo_writes': undo_writes,
        'state_file': {'path': STATE_FILE, 'content': state_text(state)},
        'state_dirs': [STATE_DIR, BACKUP_DIR],
        'warnings': warnings,
        'kernel': kernel_text(facts),
        'container': bool(containment_of(facts).get('container')),
    }


def plan_revert(params, facts, host):
    """tcp_tune_state absent: remove our files, restore backups, put live values back.

    Live values go back to what the state file recorded before the role first
    changed them; a key our sysctl file sets but the state file lacks goes to
    the kernel default (_keys.default_for) when one is known. Keys of scope
    host/init_netns are restored only outside a container: from a container
    they belong to the machine (fs.*) or are not ours to write.
    """
    host = host or {}
    state = host.get('state') or {}
    warnings = []
    container = bool(containment_of(facts).get('container'))
    recorded = dict(state.get('sysctl') or {})
    files = host.get('files') or {}
    ours_text = (files.get(SYSCTL_FILE) or {}).get('content')
    names = list(recorded)
    for name in sysctl_conf_keys(ours_text):
        if name not in recorded:
            names.append(name)
    entries = []
    version = kernel_version(facts)
    for name in names:
        key = _keys.BY_NAME.get(name)
        fact = sysctl_fact(facts, name) if key else ((host.get('extra_sysctl') or {}).get(name) or {})
        scope = (recorded.get(name) or {}).get('scope') or (key.scope if key else _keys.SCOPE_NETNS)
        unknown_why = 'no recorded original and no fixed kernel default'
        if name in recorded:
            original = planned_value(name, recorded[name].get('value'))
        elif systemd_may_bump(facts, name):
            original = None
            unknown_why = 'no recorded original, and systemd may raise %s at every boot (a build option)' % name
        else:
            original = _keys.default_for(key, version) if key else None
        before = fact.get('value') if key else normalize_raw(fact.get('value'))
        floor, why = revert_floor(name, facts)
        floored = floor is not None and is_int(original) and original < floor and is_int(before)
        if floored:
            original = min(floor, before)   # never below the floor; never raised by a revert either
        entry = new_entry(name, fact, original, 'revert')
        entry['before'] = before
        if floored:
            entry['reason'] = why
        if original is None:
            entry['status'] = UNKNOWN_ORIGINAL
            entry['reason'] = '%s: left at %s' % (unknown_why, before)
        elif not fact.get('present'):
            entry['status'] = SKIPPED_MISSING
        elif scope != _keys.SCOPE_NETNS and container:
            entry['status'] = KEPT_HOST_SCOPE
            entry['reason'] = '%s is %s-scope: not restored from inside a container (it is the machine\'s)' % (
                name, scope)
        elif same_value(name, before, original):
            entry['status'] = UNCHANGED
        elif boot_setter(facts, name):
            # another file sets it now: not ours to lower (or raise); reported, left alone
            entry['status'] = OVERRIDDEN
            entry['overridden_by'], value = boot_setter(facts, name)
            entry['reason'] = '%s sets %s = %s (at boot too): left at %s, not put back to %s' % (
                entry['overridden_by'], name, value, before, original)
        elif not fact.get('writable'):
            entry['status'] = SKIPPED_READ_ONLY
            entry['reason'] = '%s is read-only here' % name
        else:
            entry['status'] = RESTORED
            entry['apply'] = True
            if name not in recorded and not entry['reason']:
                entry['reason'] = 'no recorded original: kernel default'
        entries.append(entry)
    tx_entries, tx_writes = [], []
    known = dict((i.get('name'), i) for i in ((facts or {}).get('interfaces') or []))
    for name, original in sorted((state.get('txqueuelen') or {}).items()):
        iface = known.get(name)
        entry = {'interface': name, 'before': iface.get('txqueuelen') if iface else None, 'wanted': original,
                 'status': None, 'reason': ''}
        if iface is None:
            entry['status'] = SKIPPED_MISSING
        elif iface.get('txqueuelen') == original:
            entry['status'] = UNCHANGED
        else:
            entry['status'] = RESTORED
            tx_writes.append({'interface': name, 'txqueuelen': original})
        tx_entries.append(entry)
    paths = sorted(set(state.get('files') or {}) | set(p for p in (
        SYSCTL_FILE, LIMITS_FILE, MANAGER_FILE, UDEV_FILE, MODPROBE_FILE, MODULES_LOAD_FILE)
        if (files.get(p) or {}).get('exists')))
    for path in files:
        if path.endswith('/90-netlimits-tcp.conf') and '.service.d/' in path and (files.get(path) or {}).get('exists'):
            paths.append(path)
        if path.startswith('/etc/systemd/network/90-netlimits-tcp-') and (files.get(path) or {}).get('exists'):
            paths.append(path)
    rc = files.get(RC_LOCAL) or {}
    if rc.get('exists') and rc.get('content') is not None and rc_local_has_block(rc['content']) \
            and RC_LOCAL not in paths:
        paths.append(RC_LOCAL)
    paths.extend(p for p in metrics_paths() if (files.get(p) or {}).get('exists'))
    paths = sorted(set(paths))
    restores, removes, writes, undo_warnings = undo_ops(paths, host)
    warnings.extend(undo_warnings)
    removes.extend(metrics_removes(params, host))
    nr_open = [e for e in entries if e['key'] == 'fs.nr_open']
    after = (nr_open[0]['wanted'] if nr_open[0].get('apply') else nr_open[0]['before']) if nr_open else \
        sysctl_fact(facts, 'fs.nr_open').get('value')
    removes, kept, undo_warnings = keep_nr_open(removes, host, facts, after, params['managed_header'])
    writes.extend(kept)
    warnings.extend(undo_warnings)
    if not state and any(True for dummy in paths):
        warnings.append('no state file %s: files removed, live values put to kernel defaults where known' % STATE_FILE)
    return {
        'state': 'absent',
        'read': files_read(host),
        'sysctl': entries,
        'sysctl_writes': sysctl_writes(entries),
        'txqueuelen': {'entries': tx_entries, 'writes': tx_writes},
        'restores': restores,
        'removes': removes,
        'undo_writes': writes,
        'state_dirs': [STATE_DIR],
        'empty_trees': [METRICS_LIB_DIR],
        'warnings': warnings,
        'kernel': kernel_text(facts),
        'container': container,
        'files': [], 'backups': [],
    }
