# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The two steps of the module netlimits.tcp.tcp_tune_apply on a host, under a root directory.

plan_step(): gather, read the host, plan (nothing is written but, outside check
mode, `modprobe nf_conntrack` when tcp_tune_conntrack_load asks). The plan's
files are models of the role's templates; the action plugin tcp_tune_apply
renders them on the controller (plugins/plugin_utils/_tune/steps.py) and
hands the plan back to apply_step(): check that nothing it was made from
changed, apply, gather again, report. When the plan would change nothing if
the rendered files equal the ones on the host (settled), plan_step also
returns the report, and the controller needs no second call.

Bad input raises _plan.PlanError before anything is written.
Python 3.6 compatible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netlimits.tcp.plugins.module_utils._plan import plan as _plan
from ansible_collections.netlimits.tcp.plugins.module_utils._plan.inputs import params_of
from ansible_collections.netlimits.tcp.plugins.module_utils._plan.services import somaxconn_rise, stale_backlog_warnings
from ansible_collections.netlimits.tcp.plugins.module_utils._common.paths import RC_LOCAL
from ansible_collections.netlimits.tcp.plugins.module_utils._apply.apply import ApplyError, apply_plan, check_unchanged
from ansible_collections.netlimits.tcp.plugins.module_utils._apply.systemd import read_pending
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.gather import gather
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.services import services as services_view
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.files import systemd_running
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.persistence import systemd_version_asking
from ansible_collections.netlimits.tcp.plugins.module_utils._common.content import decode
from ansible_collections.netlimits.tcp.plugins.module_utils._facts.read import read_bytes
from ansible_collections.netlimits.tcp.plugins.module_utils._plan.readings import read_host
from ansible_collections.netlimits.tcp.plugins.module_utils._plan.report import report as make_report


# Longest a command may take (systemctl daemon-reexec on a busy host takes seconds, not minutes).
COMMAND_TIMEOUT = 120


def bounded(run, timeout_bin, seconds=COMMAND_TIMEOUT):
    """run(argv) with every command under coreutils' timeout(1) when the host has it (argv lists only).

    AnsibleModule.run_command has no time limit; a hung systemctl would hold the
    whole play. rc 124 (timed out) and 137 (killed after the grace period) get a
    message that says so.
    """
    if not timeout_bin:
        return run

    def bounded_run(argv):
        rc, out, err = run([timeout_bin, '--kill-after=10', str(seconds)] + list(argv))
        if rc in (124, 137):
            err = '%s timed out after %s s %s' % (' '.join(argv), seconds, err or '')
        return rc, out, err
    return bounded_run


def _no_bin(dummy):
    return None


def _no_run(argv):
    return 127, '', '%s: no command runner' % argv[0]


def sysctl_version(find_bin, run):
    """`sysctl --version` (procps) for the planner's '-key' decision; '' when there is no sysctl."""
    sysctl = find_bin('sysctl')
    if not sysctl:
        return ''
    rc, out, dummy = run([sysctl, '--version'])
    return out if rc == 0 else ''


def load_conntrack(find_bin, run):
    """modprobe nf_conntrack; returns None when it loaded, else why not."""
    modprobe = find_bin('modprobe')
    if not modprobe:
        return 'modprobe not found'
    rc, dummy, err = run([modprobe, 'nf_conntrack'])
    return None if rc == 0 else (err or '').strip() or 'rc %s' % rc


def not_root(euid, user):
    """Why the plan step refuses to run (a dict with msg, user and uid), or None when euid is root's.

    The plan needs root too: it tells the keys it may write from the read-only ones by what this
    user may write, and reads /proc/1/limits. Checked first, before anything is read, so that the
    one module call a host gets on a re-run also serves as the access check (docs/performance.md).
    """
    if euid == 0:
        return None
    return {'msg': 'netlimits.tcp.tcp_tune needs root on the host, but runs as %s (uid %d): become root '
                   '(become: true, with a user that may sudo) or connect as root; nothing was read or changed'
                   % (user, euid),
            'user': user, 'uid': euid}


def findings_left(facts):
    return [dict((k, f.get(k)) for k in ('id', 'severity', 'message')) for f in facts.get('findings') or []]


def plan_step(root, params, check_mode=False, run=None, find_bin=None, owner=None, profiles=None):
    """{'changed', 'plan', 'facts', 'settled_report' (or None)}. Raises PlanError or HostRefused (nothing changed).

    params: the role's variables ({'tcp_tune_x': value}). run(argv) -> (rc, out, err) and
    find_bin(name) -> path come from AnsibleModule; profiles: the role's profiles (its vars/main.yml,
    passed through the module's option profiles). settled_report: the report of an apply
    that changes nothing, when the host already has every file's current text and nothing else
    is owed (a dry pass of the apply with the current texts in place of the rendered ones).
    """
    run = run or _no_run
    find_bin = find_bin or _no_bin
    version = systemd_version_asking(root, find_bin, run)
    loader = sysctl_version(find_bin, run)

    # The services view only when the plan needs it (tcp_tune_listening_services_nofile): it walks /proc/*/fd.
    services = params_of(params).get('listening_services_nofile') is not None

    def plan_now():
        facts = gather(root, systemd_version=version, services=services)
        the_plan = _plan.plan(params, facts, read_host(root, params, facts, loader), profiles)
        if the_plan['state'] == 'present' and somaxconn_rise(the_plan['sysctl']):
            # A run that raises somaxconn names the listeners that keep their backlog. The services view is
            # walked for it only then (when the plan did not need it); the facts the run reports stay as gathered.
            view = facts['services'] if services else services_view(root)
            the_plan['warnings'].extend(stale_backlog_warnings(
                the_plan['sysctl'], view, the_plan['services'] if the_plan['restart_services'] else ()))
        return facts, the_plan

    facts, the_plan = plan_now()
    loaded = False
    if the_plan.get('conntrack_load') and not check_mode:
        why = load_conntrack(find_bin, run)
        if why is None:
            loaded = True
            facts, the_plan = plan_now()
        else:
            the_plan['warnings'].append('nf_conntrack did not load here (%s); it loads at boot from '
                                        '/etc/modules-load.d' % why)
    settled = None
    if not loaded and settled_if_unchanged(root, the_plan, owner):
        settled = make_report(the_plan, {} if check_mode else facts, check_mode, [], [])
        settled['findings'] = findings_left(facts)
    return {'changed': loaded, 'plan': the_plan, 'facts': facts, 'settled_report': settled}


def settled_if_unchanged(root, the_plan, owner=None):
    """True when applying the plan would change nothing, provided every rendered file equals the host's.

    A dry pass of the apply with each file's current text as its content: it sees the live values,
    modes, owners, backups, the state file, the state directories and undo steps exactly as the
    real apply does. Systemctl calls still owed from an earlier run (the pending file) need the apply.
    """
    if the_plan['state'] != 'present' or the_plan.get('conntrack_load'):
        return False
    try:
        if read_pending(root, the_plan):
            return False
    except ApplyError:      # a corrupt pending file: the apply says so
        return False
    files = []
    for item in the_plan['files']:
        data = read_bytes(root, item['path'])
        if data is None:
            return False
        if item['path'] == RC_LOCAL:
            # the apply splices a block into rc.local: the block it has now, when that changes nothing
            if item.get('block_now') is None:
                return False
            files.append(dict(item, content='\n'.join(item['block_now'])))
            continue
        files.append(dict(item, content=decode(data)))
    try:
        preview = apply_plan(root, dict(the_plan, files=files), True, None, owner, False)
    except ApplyError:
        return False
    return not preview.changed


def apply_step(root, the_plan, check_mode=False, run=None, find_bin=None, owner=None, keep_context=None,
               recheck=True):
    """{'changed', 'diff', 'report'} of applying a rendered plan. Raises ApplyError (StalePlan: nothing changed).

    recheck: compare the files the plan was made from with its digests first (False only for the
    second apply after the kernel refused a key, whose files the first apply wrote).
    """
    run = run or _no_run
    find_bin = find_bin or _no_bin
    if recheck:
        check_unchanged(root, the_plan)
    outcome = apply_plan(root, the_plan, check_mode, run, owner, systemd_running(root), keep_context)
    after = gather(root, systemd_version=systemd_version_asking(root, find_bin, run))
    report = make_report(the_plan, {} if check_mode else after, check_mode, outcome.changed_files,
                         outcome.denied_interfaces)
    report['findings'] = findings_left(after)
    return {'changed': outcome.changed, 'diff': outcome.diff, 'report': report,
            'applied': outcome.live + outcome.changed_files}
