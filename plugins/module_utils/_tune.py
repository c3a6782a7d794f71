# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""tune(): gather, read the host, plan, apply, gather again, report - one call, under a root directory.

What the module netlimits.tcp.tcp_tune_apply (and so the role tcp_tune) runs
on each host. Bad input raises _plan.PlanError before anything is written.
Python 3.6 compatible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netlimits.tcp.plugins.module_utils import _plan
from ansible_collections.netlimits.tcp.plugins.module_utils._apply import ApplyError, apply_plan
from ansible_collections.netlimits.tcp.plugins.module_utils._facts import gather
from ansible_collections.netlimits.tcp.plugins.module_utils._facts_files import systemd_running
from ansible_collections.netlimits.tcp.plugins.module_utils._facts_persistence import systemd_version_asking
from ansible_collections.netlimits.tcp.plugins.module_utils._host import read_host
from ansible_collections.netlimits.tcp.plugins.module_utils._plan_report import report as make_report


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


def findings_left(facts):
    return [dict((k, f.get(k)) for k in ('id', 'severity', 'message')) for f in facts.get('findings') or []]


def tune(root, params, check_mode=False, run=None, find_bin=None, owner=None, keep_context=None, profiles=None):
    """Returns {'changed', 'diff', 'report', 'facts'}. Raises PlanError (nothing changed) or ApplyError.

    params: the role's variables ({'tcp_tune_x': value}). run(argv) -> (rc, out, err)
    and find_bin(name) -> path come from AnsibleModule; owner (uid, gid) for files;
    keep_context(tmp, dest) gives each new file the SELinux context of the one it replaces;
    profiles: the role's profiles (its vars/main.yml, passed through the module's option profiles).
    """
    run = run or _no_run
    find_bin = find_bin or _no_bin
    version = systemd_version_asking(root, find_bin, run)
    loader = sysctl_version(find_bin, run)

    def plan_now():
        facts = gather(root, systemd_version=version)
        return facts, _plan.plan(params, facts, read_host(root, params, facts, loader), profiles)

    facts, the_plan = plan_now()
    loaded, notes = False, []
    if the_plan.get('conntrack_load') and not check_mode:
        why = load_conntrack(find_bin, run)
        if why is None:
            loaded = True
            facts, the_plan = plan_now()
        else:
            notes.append('nf_conntrack did not load here (%s); it loads at boot from /etc/modules-load.d' % why)
    try:
        outcome = apply_plan(root, the_plan, check_mode, run, owner, systemd_running(root), keep_context)
    except ApplyError as exc:
        exc.changed = exc.changed or loaded
        raise
    after = facts if check_mode else gather(root, systemd_version=version)
    report = make_report(the_plan, {} if check_mode else after, check_mode, outcome.changed_files,
                         outcome.denied_interfaces)
    report['warnings'].extend(notes)
    report['findings'] = findings_left(after)
    return {'changed': outcome.changed or loaded, 'diff': outcome.diff, 'report': report, 'facts': after}
