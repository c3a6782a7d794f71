# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of netlimits.tcp.tcp_tune_apply: plan on the host, render the templates here, apply there.

Why an action plugin: the role's files are Jinja2 templates (roles/tcp_tune/templates) that a site can
read and override, rendered with Ansible's own templating (the ansible.builtin.template lookup, so
filters, variables and the search path are the ones of any template task), while every decision stays
in the planner's Python on the host, where the facts are. The module plans (step=plan), this renders
the files of the plan, the module applies (step=apply); when nothing would change there is no second
call. The sequence is plugin_utils/_tune/steps.py; this file is only Ansible's plumbing.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible.errors import AnsibleError
from ansible.plugins.action import ActionBase
from ansible.plugins.loader import lookup_loader

from ansible_collections.netlimits.tcp.plugins.plugin_utils._tune.steps import tune_steps
from ansible_collections.netlimits.tcp.plugins.plugin_utils._tune.validate import MANAGED_HEADER

MODULE = 'netlimits.tcp.tcp_tune_apply'
ROLE_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), 'roles', 'tcp_tune')


class ActionModule(ActionBase):

    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(('variables', 'profiles'))

    def renderer(self, task_vars, variables):
        """render(template, model) -> text, through the template lookup (the role's templates/ first)."""
        lookup = lookup_loader.get('ansible.builtin.template', loader=self._loader, templar=self._templar)
        search = dict(task_vars)
        # The task's own search path (the role's directory first when the role runs it, then the
        # playbook's), then the role's directory in this collection, for a task that calls the
        # module outside the role.
        search['ansible_search_path'] = list(self._task.get_search_path()) + [ROLE_DIR]
        overrides = variables.get('tcp_tune_templates')
        overrides = overrides if isinstance(overrides, dict) else {}
        header = variables.get('tcp_tune_managed_header') or MANAGED_HEADER

        def render(template, model):
            source = overrides.get(template) or template
            try:
                return lookup.run([source], search, template_vars={'model': model, 'tcp_tune_managed_header': header})[0]
            except AnsibleError as exc:
                raise AnsibleError('netlimits.tcp.tcp_tune: rendering %s%s failed, nothing was changed: %s'
                                   % (template, ' (from %s, tcp_tune_templates)' % source if source != template else '',
                                      exc))
        return render

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super(ActionModule, self).run(tmp, task_vars)
        variables = self._task.args.get('variables') or {}
        profiles = self._task.args.get('profiles')
        if not isinstance(variables, dict):
            return dict(result, failed=True, msg='netlimits.tcp.tcp_tune_apply: variables must be a dict')

        def call(step, **options):
            return self._execute_module(module_name=MODULE, module_args=dict(options, step=step), task_vars=task_vars)

        # tune_steps checks the variables first, here, before any remote call.
        outcome = tune_steps(call, self.renderer(task_vars, variables), variables, profiles)
        facts = outcome.pop('facts', None)
        outcome.pop('invocation', None)     # the module's arguments: the whole plan, twice
        result.update(outcome)
        if facts is not None:
            result['ansible_facts'] = {'tcp_limits': facts}
        report = result.get('report') or {}
        if report.get('warnings'):
            result['warnings'] = list(result.get('warnings') or []) + list(report['warnings'])
        return result
