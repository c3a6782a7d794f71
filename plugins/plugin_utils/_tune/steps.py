# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""tune_steps(): what the action plugin tcp_tune_apply does for one host, apart from Ansible's plumbing.

1. call('plan'): the module gathers, reads the host and plans there; the
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
'failed' when it failed); render(template, model) returns the text.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netlimits.tcp.plugins.module_utils._apply.apply import refused_message
from ansible_collections.netlimits.tcp.plugins.module_utils._common.status import SKIPPED_KERNEL
from ansible_collections.netlimits.tcp.plugins.plugin_utils._tune.render import RenderError, render_plan, unchanged_files

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


def tune_steps(call, render):
    """The action's result: changed, report, diff (when any), facts (as gathered before), or failed and msg."""
    planned = call('plan')
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
