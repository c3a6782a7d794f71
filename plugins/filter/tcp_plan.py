# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Thin filters over plugins/module_utils/_plan.py for the role netlimits.tcp.tcp_tune."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: tcp_plan
short_description: Plan what netlimits.tcp.tcp_tune changes on a host
version_added: 0.1.0
author:
  - netlimits.tcp contributors (@netlimits)
description:
  - Takes the role's variables, C(ansible_facts.tcp_limits) and a few host readings and returns the plan -
    per sysctl key the wanted value and a status (applied, unchanged, skipped_missing, skipped_read_only,
    skipped_kernel, skipped_lower, overridden), the lines of every managed file, the argv of the one live
    C(sysctl -w), txqueuelen commands, and what C(tcp_tune_state=absent) restores.
  - Bad input fails with a message naming the variable and what is allowed.
  - The same plugin file also provides C(tcp_plan_paths) (paths the role stats first) and C(tcp_report).
options:
  _input:
    description: The role's variables, a dict of C(tcp_tune_*) names to values.
    type: dict
    required: true
  facts:
    description: C(ansible_facts.tcp_limits) from M(netlimits.tcp.tcp_limits_facts).
    type: dict
    required: true
  host:
    description: Host readings (listening text, sysctl version, state file, stats and texts of managed files).
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: Plan
  ansible.builtin.set_fact:
    plan: "{{ {'tcp_tune_profile': 'client'} | netlimits.tcp.tcp_plan(ansible_facts.tcp_limits, {}) }}"
"""

RETURN = r"""
_value:
  description: The plan (see docs/role.md).
  type: dict
"""

import base64
import json

from ansible.errors import AnsibleFilterError
from ansible.utils.display import Display

from ansible_collections.netlimits.tcp.plugins.module_utils import _plan


def _plain(value):
    """Ansible's lazy/tagged containers to plain Python (recursively)."""
    if isinstance(value, dict):
        return dict((str(k), _plain(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    return value


def tcp_plan(params, facts, host=None):
    try:
        return _plan.plan(_plain(params), _plain(facts) or {}, _plain(host) or {})
    except _plan.PlanError as exc:
        raise AnsibleFilterError('netlimits.tcp.tcp_tune: invalid input: %s' % exc)


def tcp_plan_paths(params, facts, state=None):
    return _plan.plan_paths(_plain(params), _plain(facts) or {}, _plain(state) or {})


def tcp_extra_keys(params, state=None):
    return _plan.extra_keys(_plain(params), _plain(state) or {})


def tcp_report(the_plan, facts_after=None, check_mode=False, changed_files=None, denied_interfaces=None):
    return _plan.report(_plain(the_plan), _plain(facts_after) or {}, bool(check_mode), _plain(changed_files) or [],
                        _plain(denied_interfaces) or [])


def _b64text(result):
    content = (result or {}).get('content')
    if not content or (result or {}).get('failed'):
        return None
    return base64.b64decode(content).decode('utf-8', 'surrogateescape')


def tcp_host(readings):
    """The planner's `host` dict from the role's registered results (stat loop, slurps, commands)."""
    readings = _plain(readings) or {}
    files = {}
    for result in readings.get('stats') or []:
        stat = result.get('stat') or {}
        path = result.get('item')
        if not path:
            continue
        files[path] = {'exists': bool(stat.get('exists')), 'mode': stat.get('mode'),
                       'executable': bool(stat.get('xusr')) if stat.get('exists') else False}
    for result in readings.get('slurps') or []:
        path = result.get('item')
        text = _b64text(result)
        if path and text is not None:
            files.setdefault(path, {'exists': True})['content'] = text
    state = None
    text = _b64text(readings.get('state'))
    if text:
        try:
            state = json.loads(text)
        except ValueError:
            state = None
    default_link = None
    for result in readings.get('links') or []:
        text = _b64text(result)
        if text is not None:
            default_link = text
            break
    extra = {}
    values = {}
    for line in ((readings.get('extra_values') or {}).get('stdout') or '').splitlines():
        if ' = ' in line:
            name, value = line.split(' = ', 1)
            values[name.strip()] = value
        elif line.rstrip().endswith(' ='):
            values[line.rstrip()[:-2].strip()] = ''
    for result in readings.get('extra_stats') or []:
        name = result.get('item')
        stat = result.get('stat') or {}
        extra[name] = {'present': bool(stat.get('exists')), 'writable': bool(stat.get('writeable')),
                       'readable': name in values, 'value': values.get(name), 'raw': values.get(name)}
    return {
        'files': files,
        'state': state,
        'default_link': default_link,
        'listening_text': (readings.get('listening') or {}).get('stdout') or '',
        'sysctl_version': (readings.get('sysctl_version') or {}).get('stdout') or '',
        'rc_local_generator': bool(readings.get('generator')),
        'extra_sysctl': extra,
    }


def tcp_host_state(slurp_result):
    """The role's state file (a slurp result) as a dict, or {}."""
    text = _b64text(_plain(slurp_result))
    try:
        return json.loads(text) if text else {}
    except ValueError:
        return {}


def tcp_warn(messages, host=None):
    """Show each message as a warning in the play output; returns the messages."""
    display = Display()
    for message in _plain(messages) or []:
        display.warning('%s%s' % ('%s: ' % host if host else '', message))
    return messages


class FilterModule(object):
    def filters(self):
        return {
            'tcp_plan': tcp_plan,
            'tcp_plan_paths': tcp_plan_paths,
            'tcp_report': tcp_report,
            'tcp_host': tcp_host,
            'tcp_warn': tcp_warn,
            'tcp_host_state': tcp_host_state,
            'tcp_extra_keys': tcp_extra_keys,
        }
