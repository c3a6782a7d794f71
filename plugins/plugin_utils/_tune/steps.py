# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""tune_steps(): what the action plugin tcp_tune_apply does for one host, apart from Ansible's plumbing.

0. validate.checked_variables(): the role's variables checked here, on the
   controller, before any remote call; bad input fails naming the variable.
1. call('plan'): the module checks it is root, gathers, reads the host and plans there; the
   plan's files are models of the role's templates.
2. render_plan(): each file rendered here, on the controller.
3. Nothing to apply (the module found the host settled and every rendered
   file equals the host's): done, with the module's report; one remote call.
4. call('apply', plan=...): the module checks that no file it planned from
   changed, applies, gathers again and reports.
5. The kernel refused a key (EINVAL): the first apply wrote everything but the
   sysctl file; it is rendered again without the refused keys and applied
   once more, and the run fails naming them (docs/safety.md, M7).

call(step, **options) runs the module and returns its result (a dict, with
'failed' when it failed); render(template, model) returns the text. The
check's warnings (unknown names) go first in the report's warnings.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netlimits.tcp.plugins.module_utils._apply.apply import refused_message
from ansible_collections.netlimits.tcp.plugins.module_utils._plan.inputs import PlanError
from ansible_collections.netlimits.tcp.plugins.module_utils._common.status import SKIPPED_KERNEL
from ansible_collections.netlimits.tcp.plugins.plugin_utils._tune.render import RenderError, render_plan, unchanged_files
from ansible_collections.netlimits.tcp.plugins.plugin_utils._tune.validate import checked_variables

MESSAGE_PREFIX = 'netlimits.tcp.tcp_tune: '
# The plan step loads nf_conntrack (tcp_tune_conntrack_load) to plan its keys, before anything is rendered:
# a failure after it is not "nothing was changed".
NOTHING_BUT_CONNTRACK = 'only nf_conntrack was loaded (modprobe nf_conntrack, in the plan step), nothing else changed'


def without_keys(the_plan, names):
    """The plan without live writes of the named sysctl keys (the kernel refused them once already)."""
    return dict(the_plan, sysctl_writes=[w for w in the_plan.get('sysctl_writes') or [] if w['key'] not in names])


def refused_in_report(report, refused):
    """The report with each key the kernel refused as skipped_kernel, after = its value before (the write failed)."""
    for name, value, why in refused:
        item = ((report or {}).get('sysctl') or {}).get(name)
        if item is not None:
            item.update(status=SKIPPED_KERNEL, after=item.get('before'),
                        reason='the kernel refused %s (%s): not set, not persisted' % (value, why))
    return report


def tune_steps(call, render, variables=None, profiles=None):
    """The action's result: changed, report, diff (when any), facts (as gathered before), or failed and msg.

    variables: the role's ({'tcp_tune_x': value}); profiles: its profiles (vars/main.yml). Bad input:
    failed, msg, and errors (one per bad variable), with no call made.
    """
    try:
        checked, warnings = checked_variables(variables or {}, profiles)
    except PlanError as exc:
        return {'failed': True, 'changed': False, 'errors': exc.errors,
                'msg': '%sinvalid input, nothing was changed: %s' % (MESSAGE_PREFIX, exc)}
    outcome = _steps(call, render, checked, profiles)
    report = outcome.get('report')
    if warnings and isinstance(report, dict):
        report['warnings'] = list(warnings) + list(report.get('warnings') or [])
    elif warnings:
        outcome['warnings'] = list(outcome.get('warnings') or []) + list(warnings)
    return outcome


def _steps(call, render, variables, profiles):
    planned = call('plan', variables=variables, profiles=profiles)
    if planned.get('failed'):
        return planned
    the_plan, facts = planned['plan'], planned['facts']
    try:
        rendered = render_plan(the_plan, render)
    except RenderError as exc:
        return {'failed': True, 'changed': planned.get('changed', False),
                'msg': '%srefused, %s: %s' % (MESSAGE_PREFIX, NOTHING_BUT_CONNTRACK if planned.get('changed')
                                              else 'nothing was changed', exc)}
    if planned.get('settled_report') is not None and unchanged_files(rendered):
        return {'changed': planned.get('changed', False), 'report': planned['settled_report'], 'diff': [],
                'facts': facts}
    applied = call('apply', plan=rendered)
    if applied.get('failed') and applied.get('refused'):
        names = set(r[0] for r in applied['refused'])
        again = call('apply', plan=without_keys(render_plan(the_plan, render, names), names), recheck=False)
        if again.get('failed'):
            return again
        return {'failed': True,
                'changed': bool(applied.get('changed') or again.get('changed') or planned.get('changed')),
                'msg': MESSAGE_PREFIX + refused_message(applied['refused'], applied.get('applied', []) + again.get('applied', [])),
                'applied': applied.get('applied', []) + again.get('applied', []), 'refused': applied['refused'],
                'report': refused_in_report(again.get('report'), applied['refused']), 'diff': again.get('diff', [])}
    if applied.get('failed'):
        if planned.get('changed'):
            applied['changed'] = True
            applied['msg'] = '%s (the plan step loaded nf_conntrack: modprobe nf_conntrack)' % applied.get('msg', '')
        applied.setdefault('changed', False)
        return applied
    applied['changed'] = applied.get('changed', False) or planned.get('changed', False)
    applied['facts'] = facts
    return applied
