#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: tcp_tune_apply
short_description: Apply, persist or revert the TCP connection limits of the role netlimits.tcp.tcp_tune in one call
version_added: 0.1.0
description:
  - The engine of the role M(netlimits.tcp.tcp_tune) (use the role; this module is what it runs on each host).
  - In one call it validates the variables, gathers the limits as M(netlimits.tcp.tcp_limits_facts) does, reads the
    role's state file and managed files, plans every change, applies it, gathers again and returns the report
    the role publishes as C(tcp_tune_report).
  - Bad input fails before anything on the host changes, with a message naming the variable and what is allowed.
  - Files are written only when their bytes, mode or owner differ (a second run changes nothing), atomically, owned
    by root; a file the role replaces is backed up once under C(/var/lib/netlimits-tcp/backup) first. Live values are
    written to C(/proc/sys) and C(/sys/class/net/IFACE/tx_queue_len); the only commands run are C(systemctl)'s,
    C(modprobe nf_conntrack) and C(sysctl --version), as argument lists, never through a shell.
  - The variables, profiles and statuses are described in the role's documentation (C(docs/role.md)).
author:
  - netlimits.tcp contributors (@netlimits)
requirements:
  - Linux
  - root (without it, files cannot be written)
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
      - Every name and value is validated by the planner; see C(docs/role-variables.md).
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
report:
  description:
    - What was planned and done; the role publishes it as C(tcp_tune_report). Its fields are described in
      C(docs/role.md) of the collection.
  returned: always
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

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.netlimits.tcp.plugins.module_utils._apply import ApplyError
from ansible_collections.netlimits.tcp.plugins.module_utils._plan import HostRefused, PlanError
from ansible_collections.netlimits.tcp.plugins.module_utils._tune import bounded, tune


def keep_context_of(module):
    """keep_context(tmp, dest) for _apply: the new file gets the SELinux context of the one it replaces."""
    if not module.selinux_enabled():
        return None

    def keep_context(tmp, dest):
        context = module.selinux_context(dest) if os.path.lexists(dest) else module.selinux_default_context(dest)
        module.set_context_if_different(tmp, context, False)
    return keep_context


def main():
    module = AnsibleModule(
        argument_spec=dict(variables=dict(type='dict', default={}), profiles=dict(type='dict')),
        supports_check_mode=True,
    )
    owner = (0, 0) if os.geteuid() == 0 else None
    run = bounded(module.run_command, module.get_bin_path('timeout'))
    try:
        result = tune('/', module.params['variables'], module.check_mode, run, module.get_bin_path, owner,
                      keep_context_of(module), module.params['profiles'])
    except HostRefused as exc:
        module.fail_json(msg='netlimits.tcp.tcp_tune: refused, nothing was changed: %s' % exc)
    except PlanError as exc:
        module.fail_json(msg='netlimits.tcp.tcp_tune: invalid input, nothing was changed: %s' % exc)
    except ApplyError as exc:
        module.fail_json(msg='netlimits.tcp.tcp_tune: %s' % exc, changed=exc.changed, applied=exc.applied)
    except (IOError, OSError) as exc:
        module.fail_json(msg='netlimits.tcp.tcp_tune: %s' % exc)
    for message in result['report']['warnings']:
        module.warn(message)
    extra = {'diff': result['diff']} if module._diff else {}
    module.exit_json(changed=result['changed'], report=result['report'], **extra)


if __name__ == '__main__':
    main()
