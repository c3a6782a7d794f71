# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""tune(): the role's whole run on one fixture host, in process, as on a real one.

The same sequence the action plugin tcp_tune_apply runs (plugin_utils/_tune/steps.py tune_steps):
the controller's check of the variables, the module's plan step on the host, the role's templates rendered (golden/renderer.py, Ansible's
template lookup), the module's apply step. call() turns the module's exceptions into the failed
results AnsibleModule.fail_json would give; tune() raises them again for the tests.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netlimits.tcp.plugins.module_utils._apply.files import ApplyError, StalePlan
from ansible_collections.netlimits.tcp.plugins.module_utils._plan.plan import HostRefused, PlanError
from ansible_collections.netlimits.tcp.plugins.module_utils._apply.steps import apply_step, plan_step
from ansible_collections.netlimits.tcp.plugins.plugin_utils._tune.steps import tune_steps
from ansible_collections.netlimits.tcp.tests.unit.fixtures.role import PROFILES
from ansible_collections.netlimits.tcp.tests.unit.golden.renderer import role_renderer


class Calls(object):
    """The module's two steps under a root directory, recording each step it was asked for."""

    def __init__(self, root, params, check_mode, run, find_bin, owner, keep_context, profiles=PROFILES):
        self.root, self.params, self.check_mode, self.profiles = root, params, check_mode, profiles
        self.run, self.find_bin, self.owner, self.keep_context = run, find_bin, owner, keep_context
        self.steps = []
        self.error = None

    def __call__(self, step, plan=None, recheck=True, variables=None, profiles=None):
        self.steps.append(step)
        try:
            if step == 'plan':     # variables as tune_steps checked them on the controller
                return plan_step(self.root, variables, self.check_mode, self.run, self.find_bin, self.owner,
                                 profiles)
            return apply_step(self.root, plan, self.check_mode, self.run, self.find_bin, self.owner,
                              self.keep_context, recheck)
        except ApplyError as exc:
            self.error = exc
            return {'failed': True, 'msg': str(exc), 'changed': exc.changed, 'applied': exc.applied,
                    'refused': exc.refused}
        except (PlanError, HostRefused) as exc:
            self.error = exc
            return {'failed': True, 'msg': str(exc)}


def tune(root, params, check_mode=False, run=None, find_bin=None, owner=None, keep_context=None, profiles=PROFILES,
         render=None, calls=None):
    """{'changed', 'diff', 'report', 'facts', 'steps'}; raises what the module would have failed with.

    PlanError/HostRefused (nothing changed) as raised; ApplyError with the action's message, changed and
    applied (of both applies when the kernel refused a key).
    """
    calls = calls or Calls(root, params, check_mode, run, find_bin, owner, keep_context, profiles)
    result = tune_steps(calls, render or role_renderer(), calls.params, calls.profiles)
    result['steps'] = list(calls.steps)
    if result.get('errors'):     # the controller's check: no call was made
        raise PlanError(result['errors'])
    if result.get('failed'):
        if isinstance(calls.error, (PlanError, HostRefused)):
            raise calls.error
        if isinstance(calls.error, StalePlan):
            raise calls.error
        refused = calls.error.refused if isinstance(calls.error, ApplyError) else []
        # the action's list (both applies when the kernel refused a key), else the failed call's
        applied = result['applied'] if 'applied' in result else (
            calls.error.applied if isinstance(calls.error, ApplyError) else [])
        raise ApplyError(result['msg'], result.get('changed', False), applied, refused)
    return result
