# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters that turn gathered tcp_limits facts of a fleet into the audit report (playbooks/audit.yml).

- ``tcp_audit_report``: hostvars (or a dict host -> tcp_limits facts) -> the report data.
- ``tcp_audit_html`` / ``tcp_audit_md`` / ``tcp_audit_json``: report data -> the text of report.html,
  report.md and report.json. The HTML and Markdown come from the Jinja2 templates in
  plugins/plugin_utils/_report/templates/; ``template_dir`` names a directory of a site's own, searched first.

The work is done by plugins/plugin_utils/_report/audit_data.py (the data) and _audit_render.py (the pages);
this file only finds each host's facts, tcp_tune_report and gathering result in hostvars.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
from collections.abc import Mapping

from jinja2 import TemplateError

from ansible.errors import AnsibleFilterError
from ansible_collections.netlimits.tcp.plugins.plugin_utils._report import audit_data as _audit_data
from ansible_collections.netlimits.tcp.plugins.plugin_utils._report import audit_render as _audit_render
from ansible_collections.netlimits.tcp.plugins.plugin_utils._report.plain import plain

try:
    # ansible-core < 2.19 turns a template result that looks like a dict back into one; text of this
    # type is kept as text, so report.json keeps its layout. 2.19+ has no such conversion (nor type).
    from ansible.utils.native_jinja import NativeJinjaText as _Text
except ImportError:  # pragma: no cover - ansible-core 2.19+
    _Text = str


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


def tcp_audit_report(hostvars, hosts=None, unreachable=None, failed=None, result_var=None,
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
    if not isinstance(hostvars, Mapping):
        raise AnsibleFilterError('tcp_audit_report expects hostvars or a dict host -> facts, got %s' % type(hostvars).__name__)
    if hosts is None:
        hosts = list(hostvars.keys())
    if isinstance(hosts, (str, bytes)):
        hosts = [hosts]
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
    return _audit_data.build(facts_by_host, tune_reports=tunes, unreachable=sorted(unreachable),
                             failed=failed_reasons, generated=generated, title=title, doc_base=doc_base or None)


def _data(data, name):
    if not isinstance(data, Mapping) or 'hosts' not in data or 'totals' not in data:
        raise AnsibleFilterError('%s expects the data returned by netlimits.tcp.tcp_audit_report' % name)
    return plain(data)


def _template_dir(template_dir, name):
    """A site's template directory, or None for the collection's templates alone ('' too: audit.yml's default)."""
    if not template_dir:
        return None
    if not isinstance(template_dir, str) or not os.path.isdir(template_dir):
        raise AnsibleFilterError('%s: template_dir %r is not a directory' % (name, template_dir))
    return template_dir


def _render(render, data, template_dir, name):
    try:
        return render(_data(data, name), template_dir=_template_dir(template_dir, name))
    except TemplateError as error:
        # A site's template that does not parse or names something the data has not.
        raise AnsibleFilterError('%s: %s' % (name, error))


def tcp_audit_html(data, template_dir=None):
    """report.html text of report data; template_dir: a directory whose audit_report.html.j2 or .css replace ours."""
    return _render(_audit_render.render_html, data, template_dir, 'tcp_audit_html')


def tcp_audit_md(data, template_dir=None):
    """report.md text of report data; template_dir: a directory whose audit_report.md.j2 replaces ours."""
    return _render(_audit_render.render_markdown, data, template_dir, 'tcp_audit_md')


def tcp_audit_json(data):
    """report.json text of report data."""
    return _Text(_audit_render.render_json(_data(data, 'tcp_audit_json')))


class FilterModule(object):
    """netlimits.tcp audit report filters."""

    def filters(self):
        return {
            'tcp_audit_report': tcp_audit_report,
            'tcp_audit_html': tcp_audit_html,
            'tcp_audit_md': tcp_audit_md,
            'tcp_audit_json': tcp_audit_json,
        }
