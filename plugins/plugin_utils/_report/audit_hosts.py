# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The audit report's input: each host's tcp_limits facts, tcp_tune_report and gathering result, found
in hostvars (or a dict host -> vars or facts) and handed to audit_data.build(). Controller side.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from collections.abc import Mapping

from ansible_collections.netlimits.tcp.plugins.plugin_utils._report.audit_data import build
from ansible_collections.netlimits.tcp.plugins.plugin_utils._report.plain import host_list, plain


def _lookup(hostvars, host):
    try:
        return hostvars[host]
    except KeyError:
        return None


def _facts_of(vars_or_facts):
    """The tcp_limits facts in one host's vars, or the vars themselves when they already are facts."""
    if not isinstance(vars_or_facts, Mapping):
        return None
    if 'kernel' in vars_or_facts and 'ports' in vars_or_facts:
        return vars_or_facts
    facts = vars_or_facts.get('ansible_facts')
    if isinstance(facts, Mapping) and isinstance(facts.get('tcp_limits'), Mapping):
        return facts['tcp_limits']
    if isinstance(vars_or_facts.get('tcp_limits'), Mapping):
        return vars_or_facts['tcp_limits']
    return None


def audit_report(hostvars, hosts=None, unreachable=None, failed=None, result_var=None,
                 tune_var='tcp_tune_report', generated=None, title=None, doc_base=None):
    """Report data for a fleet.

    hostvars: Ansible's hostvars, or a dict host -> host vars, or a dict host -> tcp_limits facts.
    hosts: the hosts to report (default: every key of hostvars).
    unreachable, failed: host names known to be unreachable / failed.
    result_var: name of the variable registered by the gathering task; a host whose result says
    unreachable (or failed) is reported so, whatever stale facts it may still have.
    tune_var: name of the tcp_tune role's report variable, used when a host has it.
    doc_base: URL or path the findings' doc links are made relative to (none: printed as text).
    """
    hosts = host_list(hostvars, hosts, 'tcp_audit_report', 'facts')
    unreachable = set(u'%s' % (h,) for h in (unreachable or []))
    failed_reasons = dict((u'%s' % (h,), None) for h in (failed or []))
    facts_by_host = {}
    tunes = {}
    for host in hosts:
        host = u'%s' % (host,)
        hv = _lookup(hostvars, host)
        result = hv.get(result_var) if (result_var and isinstance(hv, Mapping)) else None
        if isinstance(result, Mapping):
            if result.get('unreachable'):
                unreachable.add(host)
            elif result.get('failed'):
                failed_reasons[host] = result.get('msg')
        if host in unreachable or host in failed_reasons:
            continue
        facts = _facts_of(hv)
        facts_by_host[host] = plain(facts) if facts is not None else None
        if tune_var and isinstance(hv, Mapping) and isinstance(hv.get(tune_var), (Mapping, list)):
            tunes[host] = plain(hv.get(tune_var))
    return build(facts_by_host, tune_reports=tunes, unreachable=sorted(unreachable),
                 failed=failed_reasons, generated=generated, title=title, doc_base=doc_base or None)
