# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plan of one host as lines a person reads: the filter over tcp_tune_report that playbooks/tune.yml prints.

A filter and not a field of the report: the report is data (built on the host, kept as JSON, read by the
summary and the audit), the table is its presentation, made on the controller where it is printed. The
work is done by plugins/plugin_utils/_report/plan_table.py (pure Python, unit tested).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: tcp_plan_table
short_description: The plan of one host as an aligned table, from the tcp_tune_report of netlimits.tcp.tcp_tune
version_added: 0.1.0
author:
  - netlimits.tcp contributors (@netlimits)
description:
  - Turns one host's C(tcp_tune_report) into a list of lines, to print with M(ansible.builtin.debug) C(msg)
    (one line per item with any stdout callback).
  - One aligned row per managed key, interface, limits.d entry group or C(DefaultLimitNOFILE) that changes or is
    left alone for a reason - C(key  now -> after  status  why). The status says C(would set) in check mode.
  - The why is a few words derived from the report's status and reason, such as
    C(raise_only - 2466165 already higher) (printed with a colon), C(removed in 4.12) or C(read-only in a container);
    the reason itself where no rule fits.
  - Unchanged keys are folded into one line (their count and names); files that change are listed; warnings that no
    row already explains.
  - The capacity in words - usable ephemeral ports before and after, and the new connections per second one source
    IP can open to one destination ip:port, without TIME_WAIT reuse (ports / 60 s) and with it (ports / 1 s, or
    C(tcp_tw_reuse_delay)) - computed from the port range, the reserved ports and C(tcp_tw_reuse) in the report.
    Keys the report does not manage are taken from O(facts).
  - The findings (now in check mode, left after tuning otherwise), one line each with its severity, and totals.
options:
  _input:
    description: One host's C(tcp_tune_report).
    type: dict
    required: true
  facts:
    description:
      - That host's C(ansible_facts.tcp_limits) (as gathered before tuning), for the port range, reserved ports
        and C(tcp_tw_reuse) where the report does not manage them. Without it such values count as unknown.
    type: dict
  host:
    description: The host name the first line starts with.
    type: str
    default: host
"""

EXAMPLES = r"""
- name: Apply the role
  ansible.builtin.include_role:
    name: netlimits.tcp.tcp_tune

- name: Print what it did, one line per item
  ansible.builtin.debug:
    msg: "{{ tcp_tune_report | netlimits.tcp.tcp_plan_table(host=inventory_hostname, facts=ansible_facts.tcp_limits | default({})) }}"
"""

RETURN = r"""
_value:
  description:
    - The lines. The first names the host, check mode, profile and kernel; then a header and one row per key; then
      C(unchanged), files, warnings, C(capacity), findings and C(total) lines.
  type: list
  elements: str
"""

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError
from ansible_collections.netlimits.tcp.plugins.plugin_utils._report.plan_table import plan_lines
from ansible_collections.netlimits.tcp.plugins.plugin_utils._report.plain import plain


def tcp_plan_table(report, facts=None, host='host'):
    """Lines of the plan table of one tcp_tune_report."""
    if not isinstance(report, Mapping):
        raise AnsibleFilterError('tcp_plan_table expects a tcp_tune_report (a dict), got %s' % type(report).__name__)
    if facts is not None and not isinstance(facts, Mapping):
        raise AnsibleFilterError('tcp_plan_table: facts must be the tcp_limits facts (a dict), got %s' % type(facts).__name__)
    return plan_lines(plain(report), plain(facts) if facts else None, '%s' % (host,))


class FilterModule(object):
    """netlimits.tcp plan table filter."""

    def filters(self):
        return {'tcp_plan_table': tcp_plan_table}
