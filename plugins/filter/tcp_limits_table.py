# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The gathered limits of one host as lines a person reads (playbooks/tune.yml with netlimits_tcp_print_limits).

The work is done by plugins/plugin_utils/_report/limits_table.py (pure Python, unit tested).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: tcp_limits_table
short_description: The limits gathered by netlimits.tcp.tcp_limits_facts as an aligned, grouped table
version_added: 0.1.0
author:
  - netlimits.tcp contributors (@netlimits)
description:
  - Turns one host's C(ansible_facts.tcp_limits) into a list of lines, to print with M(ansible.builtin.debug) C(msg)
    (one line per item with any stdout callback).
  - A first line with the kernel and containment, then one aligned table - group, key, value, note - grouped as
    ports and TIME_WAIT (port range with its usable ports, the outbound rate to one destination with and without
    TIME_WAIT reuse, C(tcp_tw_reuse), TIME_WAIT buckets and sockets now, C(tcp_fin_timeout)), accept queue
    (C(somaxconn) with the listen overflow counters, C(tcp_max_syn_backlog), C(netdev_max_backlog)), conntrack,
    file handles (C(fs.file-max), C(fs.nr_open), nofile of PID 1, this process and systemd's default), txqueuelen per
    interface but C(lo), and memory (orphans, C(tcp_mem), socket buffer maxima). Keys the host lacks are left out.
  - Then the files that could not be read, and the findings one line each (unless O(findings=false)).
options:
  _input:
    description: One host's C(ansible_facts.tcp_limits).
    type: dict
    required: true
  host:
    description: The host name the first line starts with.
    type: str
    default: host
  findings:
    description: Also list the findings (C(false) when another table lists them, as in C(playbooks/tune.yml)).
    type: bool
    default: true
"""

EXAMPLES = r"""
- name: Gather
  netlimits.tcp.tcp_limits_facts:

- name: Print them, one line per item
  ansible.builtin.debug:
    msg: "{{ ansible_facts.tcp_limits | netlimits.tcp.tcp_limits_table(host=inventory_hostname) }}"
"""

RETURN = r"""
_value:
  description: The lines.
  type: list
  elements: str
"""

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError
from ansible.module_utils.parsing.convert_bool import boolean
from ansible_collections.netlimits.tcp.plugins.plugin_utils._report.limits_table import limits_lines
from ansible_collections.netlimits.tcp.plugins.plugin_utils._report.plain import plain


def tcp_limits_table(facts, host='host', findings=True):
    """Lines of the limits table of one host's tcp_limits facts."""
    if not isinstance(facts, Mapping):
        raise AnsibleFilterError('tcp_limits_table expects the tcp_limits facts (a dict), got %s' % type(facts).__name__)
    return limits_lines(plain(facts), '%s' % (host,), boolean(findings, strict=False))


class FilterModule(object):
    """netlimits.tcp limits table filter."""

    def filters(self):
        return {'tcp_limits_table': tcp_limits_table}
