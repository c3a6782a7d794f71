# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet summary of playbooks/tune.yml: one line per host, totals at the end.

The work is done by plugins/plugin_utils/_report/summary.py (pure Python, unit tested).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: tcp_summary
short_description: One line per host and totals after netlimits.tcp.tcp_tune ran on a fleet
version_added: 0.1.0
author:
  - netlimits.tcp contributors (@netlimits)
description:
  - Reads, for every host of O(hosts), the fact C(tcp_tune_report) published by the role
    C(netlimits.tcp.tcp_tune), the result of the reachability check, the result of the verify
    gathering and the failure record that C(playbooks/tune.yml) keeps, and returns the fleet
    summary - per host the keys changed (or, in check mode, that would change), the keys skipped
    with their status and the number of findings left; each distinct finding once, with the hosts
    that have it; the hosts that were unreachable or failed; and totals.
  - Changed means status C(applied) or C(restored) (also C(overridden) when the live value was set).
    Skipped means C(skipped_*), C(kept_host_scope) or C(unknown_original). txqueuelen entries count
    as keys named C(txqueuelen IFACE).
  - Findings left are C(tcp_tune_report.findings) when the report has them, else the findings of
    the verify gathering (O(verify_var)).
  - A host is C(unreachable) when its reachability result says so, C(failed) when it has a failure
    record or no report at all, else C(tuned).
options:
  _input:
    description:
      - C(hostvars), or a dict host name -> that host's variables.
    type: dict
    required: true
  hosts:
    description: The hosts to summarize, in the order of the lines (default - every key of the input).
    type: list
    elements: str
  report_var:
    description: Name of the role's report fact.
    type: str
    default: tcp_tune_report
  reach_var:
    description:
      - Name of the registered result of the first task that contacts the host (its C(unreachable) flag), or a list
        of such names when the first contact depends on the options (a host is unreachable when any of them says so).
    type: raw
    default: __netlimits_tcp_reach
  verify_var:
    description: Name of the registered result of the C(netlimits.tcp.tcp_limits_facts) call after the role.
    type: str
    default: __netlimits_tcp_verify
  failure_var:
    description: Name of the fact holding C({task, msg}) of a failure on the host (set in a rescue).
    type: str
    default: __netlimits_tcp_failure
  reports:
    description:
      - Also keep each tuned host's whole C(tcp_tune_report) in its entry (C(report)), for a summary file that has
        everything; off by default to keep the summary small.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Summarize the fleet
  ansible.builtin.set_fact:
    fleet_summary: "{{ hostvars | netlimits.tcp.tcp_summary(hosts=['web1', 'web2', 'db1']) }}"

- name: Print it
  ansible.builtin.debug:
    msg: "{{ fleet_summary.lines }}"
"""

RETURN = r"""
_value:
  description: The summary.
  type: dict
  contains:
    lines:
      description:
        - One line per host (its findings as counts per severity), then one line per distinct finding (severity and
          id) with the number and names of the hosts that have it, then the totals, the unreachable hosts and the
          failed hosts.
      type: list
      elements: str
    finding_groups:
      description:
        - One per distinct finding (C(severity), C(id)) over the tuned hosts, critical first, then by the number of
          hosts - C(hosts) (names, in the order of the lines), C(count) (occurrences; a host may have one more than
          once, e.g. C(nofile_soft_low) for PID 1 and for the gathering process).
      type: list
      elements: dict
    hosts:
      description:
        - Per host C(host), C(status) (tuned, unreachable, failed), C(changed) (list of keys), C(skipped)
          (key -> status), C(overridden) (key -> file that wins at boot), C(findings) (list of C(id), C(severity);
          null when unknown), C(check_mode), C(msg) (why it is unreachable or failed), and with O(reports=true)
          C(report) (the host's whole C(tcp_tune_report), null when it has none).
      type: list
      elements: dict
    unreachable:
      description: Hosts that could not be reached.
      type: list
      elements: str
    failed:
      description: Hosts where tuning failed or that have no report.
      type: list
      elements: str
    totals:
      description: C(hosts), C(tuned), C(unreachable), C(failed), C(changed), C(skipped), C(overridden), and C(findings) per severity plus C(total).
      type: dict
    check_mode:
      description: Whether any report came from a check mode run (then C(changed) is what would change).
      type: bool
"""

from ansible_collections.netlimits.tcp.plugins.plugin_utils._report.summary import tcp_summary


class FilterModule(object):
    """netlimits.tcp fleet summary filter."""

    def filters(self):
        return {'tcp_summary': tcp_summary}
