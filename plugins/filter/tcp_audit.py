# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters that turn gathered tcp_limits facts of a fleet into the audit report (playbooks/audit.yml).

- ``tcp_audit_report``: hostvars (or a dict host -> tcp_limits facts) -> the report data.
- ``tcp_audit_html`` / ``tcp_audit_md`` / ``tcp_audit_json``: report data -> the text of report.html,
  report.md and report.json. The HTML and Markdown come from the Jinja2 templates in
  plugins/plugin_utils/_report/templates/; ``template_dir`` names a directory of a site's own, searched first.

The work is done by plugins/plugin_utils/_report/: audit_hosts.py (each host's facts, tcp_tune_report and
gathering result in hostvars), audit_data.py (the data) and audit_render.py (the pages).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netlimits.tcp.plugins.plugin_utils._report.audit_hosts import audit_report as tcp_audit_report
from ansible_collections.netlimits.tcp.plugins.plugin_utils._report.audit_render import (
    checked_data, render_checked, render_html, render_json, render_markdown,
)

try:
    # ansible-core < 2.19 turns a template result that looks like a dict back into one; text of this
    # type is kept as text, so report.json keeps its layout. 2.19+ has no such conversion (nor type).
    from ansible.utils.native_jinja import NativeJinjaText as _Text
except ImportError:  # pragma: no cover - ansible-core 2.19+
    _Text = str


def tcp_audit_html(data, template_dir=None):
    """report.html text of report data; template_dir: a directory whose audit_report.html.j2 or .css replace ours."""
    return render_checked(render_html, data, template_dir, 'tcp_audit_html')


def tcp_audit_md(data, template_dir=None):
    """report.md text of report data; template_dir: a directory whose audit_report.md.j2 replaces ours."""
    return render_checked(render_markdown, data, template_dir, 'tcp_audit_md')


def tcp_audit_json(data):
    """report.json text of report data."""
    return _Text(render_json(checked_data(data, 'tcp_audit_json')))


class FilterModule(object):
    """netlimits.tcp audit report filters."""

    def filters(self):
        return {
            'tcp_audit_report': tcp_audit_report,
            'tcp_audit_html': tcp_audit_html,
            'tcp_audit_md': tcp_audit_md,
            'tcp_audit_json': tcp_audit_json,
        }
