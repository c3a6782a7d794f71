#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: tcp_tune_apply
short_description: Apply, persist or revert the TCP connection limits of the role netlimits.tcp.tcp_tune
version_added: 0.1.0
description:
  - The engine of the role M(netlimits.tcp.tcp_tune) (use the role; this module is what it runs on each host).
  - An action plugin of the same name validates the variables on the controller (before any remote call) and runs
    the module in two steps. C(step=plan) gathers the limits
    as M(netlimits.tcp.tcp_limits_facts) does, reads the role's state file and managed files and plans every change;
    each managed file comes back as the model of its template. The action plugin renders the templates of the role
    (C(roles/tcp_tune/templates), or the site's, see C(tcp_tune_templates)) on the controller. C(step=apply) checks
    that no file the plan was made from changed since, applies the plan, gathers again and returns the report the
    role publishes as C(tcp_tune_report). When nothing would change, the plan step's report is the result and
    there is no second call.
  - Bad input fails before anything on the host changes, with a message naming the variable and what is allowed.
  - C(step=plan) first checks that it runs as root and fails at once, before anything is read, when it does not
    (C(not_root)); this is the access check of a host, so a host with nothing to change takes one module call.
  - Files are written only when their bytes, mode or owner differ (a second run changes nothing), atomically, owned
    by root; a file the role replaces is backed up once under C(/var/lib/netlimits-tcp/backup) first. Live values are
    written to C(/proc/sys) and C(/sys/class/net/IFACE/tx_queue_len); the only commands run are C(systemctl)'s,
    C(modprobe nf_conntrack) and C(sysctl --version), as argument lists, never through a shell.
  - The variables, profiles and statuses are described in the role's documentation (C(docs/role.md)).
author:
  - netlimits.tcp contributors (@netlimits)
requirements:
  - Linux
  - root (C(step=plan) refuses to run without it, before anything is read)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  platform:
    platforms: posix
options:
  variables:
    description:
      - The role's variables, a dict of C(tcp_tune_*) names (the prefix may be left out) to values, for example
        C(tcp_tune_profile=server) and C(tcp_tune_nofile=1048576). Unset variables take the role's defaults.
      - The action plugin checks every name and value before it calls the module (defaults filled, so the module
        gets every variable); see C(docs/role-variables.md). The module checks only what needs the host's facts.
    type: dict
    default: {}
  profiles:
    description:
      - Internal, set by the role netlimits.tcp.tcp_tune - the values of each C(tcp_tune_profile), from the role's
        C(vars/main.yml) (C(__tcp_tune_profiles)) - per profile name a C(description) and C(settings), which map
        each variable (short name) to its C(value) and C(why).
        The module runs on the managed host and cannot read the role's files, so the role passes them.
      - Without it only C(tcp_tune_profile=none) and C(tcp_tune_state=absent) work.
    type: dict
  step:
    description:
      - Set by the action plugin. C(plan) plans and returns the plan, C(apply) applies a plan with rendered files.
    type: str
    choices: [plan, apply]
    default: plan
  plan:
    description:
      - Set by the action plugin for C(step=apply) - the plan of C(step=plan) with each file's content rendered.
    type: dict
  recheck:
    description:
      - Set by the action plugin. Whether C(step=apply) first checks that the files the plan was made from are
        unchanged (false only for the second apply after the kernel refused a key).
    type: bool
    default: true
"""

EXAMPLES = r"""
# Profiles are the role's data (the role passes them as profiles): without the role, set values explicitly.
- name: Raise the accept queue cap and the nofile limit, no profile
  netlimits.tcp.tcp_tune_apply:
    variables:
      tcp_tune_profile: none
      tcp_tune_somaxconn: 4096
      tcp_tune_nofile: 1048576
  register: tuned

- name: Revert everything the role changed
  netlimits.tcp.tcp_tune_apply:
    variables:
      tcp_tune_state: absent
"""

RETURN = r"""
plan:
  description:
    - C(step=plan) - the plan (per key decisions, every managed file as its template's model, live values to set,
      backups, the state file). The action plugin renders its files and hands it back to C(step=apply).
  returned: step=plan
  type: dict
facts:
  description:
    - C(step=plan) - C(ansible_facts.tcp_limits) as gathered before any change; the action plugin publishes them as
      the fact C(tcp_limits).
  returned: step=plan
  type: dict
settled_report:
  description:
    - C(step=plan) - the report of an apply that changes nothing, when nothing but the rendered files could change;
      the action plugin returns it without a second call when every rendered file equals the host's. null otherwise.
  returned: step=plan
  type: dict
applied:
  description: C(step=apply) - the live values and files it changed, also when it failed.
  returned: step=apply
  type: list
  elements: str
  sample: ["net.ipv4.tcp_fin_timeout=30", "/etc/sysctl.d/90-netlimits-tcp.conf"]
not_root:
  description: C(step=plan) - true when it refused to run because it is not root (nothing was read or changed).
  returned: failure
  type: bool
user:
  description: With C(not_root) - the user it ran as.
  returned: failure
  type: str
uid:
  description: With C(not_root) - that user's effective uid.
  returned: failure
  type: int
refused:
  description: C(step=apply) - C([key, value, reason]) of each value the kernel refused (the run failed).
  returned: failure
  type: list
  elements: list
report:
  description:
    - What was planned and done; the role publishes it as C(tcp_tune_report). Its fields are described in
      C(docs/role.md) of the collection.
  returned: step=apply, and always in the result of the task
  type: dict
  contains:
    state:
      description: C(present) or C(absent).
      type: str
      returned: always
      sample: present
    kernel:
      description: The kernel release.
      type: str
      returned: always
      sample: 6.1.0-18-amd64
    check_mode:
      description: Whether nothing was changed because this was check mode.
      type: bool
      returned: always
    sysctl:
      description:
        - Per key C(before), C(wanted), C(after) and C(status) (applied, unchanged, restored, skipped_missing,
          skipped_read_only, skipped_kernel, skipped_lower, overridden, kept_host_scope, unknown_original),
          with C(reason) where a status needs one.
      type: dict
      returned: always
      sample: {"net.ipv4.tcp_fin_timeout": {"before": 60, "wanted": 30, "after": 30, "status": "applied"}}
    txqueuelen:
      description: Per interface C(before), C(wanted), C(after) and C(status).
      type: dict
      returned: always
    files:
      description: Each managed path and what happened to it (applied, unchanged, restored, removed, block_removed).
      type: dict
      returned: always
      sample: {"/etc/sysctl.d/90-netlimits-tcp.conf": "applied"}
    summary:
      description: How many sysctl keys got each status.
      type: dict
      returned: always
      sample: {"applied": 5, "unchanged": 2}
    warnings:
      description: What the planner warned about (also shown as warnings).
      type: list
      elements: str
      returned: always
    findings:
      description: The findings (C(id), C(severity), C(message)) of the limits gathered after the change; before it in check mode.
      type: list
      elements: dict
      returned: always
"""

import os
import pwd

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.netlimits.tcp.plugins.module_utils._apply.apply import ApplyError
from ansible_collections.netlimits.tcp.plugins.module_utils._plan.plan import HostRefused, PlanError
from ansible_collections.netlimits.tcp.plugins.module_utils._apply.steps import apply_step, bounded, not_root, plan_step


def keep_context_of(module):
    """keep_context(tmp, dest) for _apply: the new file gets the SELinux context of the one it replaces."""
    if not module.selinux_enabled():
        return None

    def keep_context(tmp, dest):
        context = module.selinux_context(dest) if os.path.lexists(dest) else module.selinux_default_context(dest)
        module.set_context_if_different(tmp, context, False)
    return keep_context


def user_name(uid):
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return '?'


def main():
    module = AnsibleModule(
        argument_spec=dict(
            variables=dict(type='dict', default={}),
            profiles=dict(type='dict'),
            step=dict(type='str', choices=['plan', 'apply'], default='plan'),
            plan=dict(type='dict'),
            recheck=dict(type='bool', default=True),
        ),
        required_if=[('step', 'apply', ['plan'])],
        supports_check_mode=True,
    )
    euid = os.geteuid()
    refused = not_root(euid, user_name(euid)) if module.params['step'] == 'plan' else None
    if refused:
        module.fail_json(not_root=True, **refused)
    owner = (0, 0) if euid == 0 else None
    run = bounded(module.run_command, module.get_bin_path('timeout'))
    try:
        if module.params['step'] == 'plan':
            result = plan_step('/', module.params['variables'], module.check_mode, run, module.get_bin_path, owner,
                               module.params['profiles'])
        else:
            result = apply_step('/', module.params['plan'], module.check_mode, run, module.get_bin_path, owner,
                                keep_context_of(module), module.params['recheck'])
    except HostRefused as exc:
        module.fail_json(msg='netlimits.tcp.tcp_tune: refused, nothing was changed: %s' % exc)
    except PlanError as exc:
        module.fail_json(msg='netlimits.tcp.tcp_tune: invalid input, nothing was changed: %s' % exc)
    except ApplyError as exc:
        module.fail_json(msg='netlimits.tcp.tcp_tune: %s' % exc, changed=exc.changed, applied=exc.applied,
                         refused=exc.refused)
    except (IOError, OSError) as exc:
        module.fail_json(msg='netlimits.tcp.tcp_tune: %s' % exc)
    if not module._diff:
        result.pop('diff', None)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
