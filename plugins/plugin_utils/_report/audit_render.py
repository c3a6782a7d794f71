# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The audit report's data (_audit_data.build) as report.html, report.md and report.json.

The pages are Jinja2 templates in templates/ next to this file: audit_report.html.j2 (with its style
sheet audit_report.css) and audit_report.md.j2. A site can replace any of them: render_html and
render_markdown take a template_dir searched before the collection's own. This file has what the
templates call: the figures as text (fmt_*), and the escaping. The HTML is one self-contained file:
inline CSS, no script, no external asset, every value escaped.

Controller side (the filter tcp_audit); jinja2 is always there with ansible-core.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
from collections.abc import Mapping

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, TemplateError
from markupsafe import Markup

from ansible.errors import AnsibleFilterError

from ansible_collections.netlimits.tcp.plugins.plugin_utils._report.services_table import backlog_text, endpoint, fds_text
from ansible_collections.netlimits.tcp.plugins.module_utils._common import status as _status
from ansible_collections.netlimits.tcp.plugins.module_utils._common.status import OK, SEVERITIES
from ansible_collections.netlimits.tcp.plugins.plugin_utils._report.plain import plain
from ansible_collections.netlimits.tcp.plugins.plugin_utils._report.audit_data import (
    HEADROOM_CRITICAL_PCT, HEADROOM_WARNING_PCT, NA, TITLE, TUNE_STATUSES, as_number, finding_groups_of, headroom_level,
)

TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'templates')
HTML_TEMPLATE = 'audit_report.html.j2'
MARKDOWN_TEMPLATE = 'audit_report.md.j2'


# ---------------------------------------------------------------------------
# values as text

def _text(value):
    """Any value of the data as the text a page shows: none empty, booleans lower case, lists space separated."""
    if value is None:
        return ''
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, (list, tuple)):
        return ' '.join(_text(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True)
    return u'%s' % (value,)


def fmt_int(value):
    """A count with thousands separators; LONG_MAX and above as unlimited."""
    value = as_number(value)
    if value is None:
        return NA
    if isinstance(value, float) and value != int(value):
        return '{0:,.1f}'.format(value)
    value = int(value)
    if value >= 2 ** 62:
        return 'unlimited'          # LONG_MAX and the like: no limit in practice
    return '{0:,}'.format(value)


def fmt_pct(value):
    """'12.5%' or n/a."""
    return NA if value is None else '%.1f%%' % value


def fmt_used(block):
    """'used / capacity' of a row's time_wait, conntrack or file_handles."""
    if not block:
        return NA
    return '%s / %s' % (fmt_int(block.get('used')), fmt_int(block.get('capacity')))


def fmt_range(row):
    """'32768-60999 (28,232 usable)'."""
    port_range = row.get('port_range')
    if not port_range:
        return NA
    return '%s-%s (%s usable)' % (port_range[0], port_range[1], fmt_int(row.get('ports_usable')))


def fmt_nofile(row):
    """PID 1's nofile, 'soft / hard'."""
    nofile = row.get('nofile_pid1') or {}
    if nofile.get('soft') is None and nofile.get('hard') is None:
        return NA
    return '%s / %s' % (_limit(nofile.get('soft')), _limit(nofile.get('hard')))


def _limit(value):
    if value is None:
        return NA
    if as_number(value) is None:
        return _text(value)
    return fmt_int(value)


def fmt_txq(row):
    """'eth0 1,000, veth1 1,000 (veth)': the interfaces the row lists, virtual ones with their kind."""
    items = row.get('txqueuelen') or []
    if row.get('status') != OK:
        return NA
    if not items:
        return 'none'
    return ', '.join('%s %s%s' % (i['name'], _limit(i['txqueuelen']), '' if i.get('physical') else ' (%s)' % (i.get('kind') or 'virtual'))
                     for i in items)


def fmt_conntrack(row):
    """conntrack 'used / capacity', or 'not loaded'."""
    conntrack = row.get('conntrack') or {}
    if conntrack.get('loaded') is False:
        return 'not loaded'
    return fmt_used(conntrack)


def fmt_rate(row):
    """New connections per second to one destination, without and with tcp_tw_reuse."""
    rate = row.get('outbound_per_destination') or {}
    if rate.get('without_tw_reuse') is None:
        return NA
    return '%s/s (tw_reuse=%s: %s/s)' % (
        fmt_int(rate.get('without_tw_reuse')), _text(rate.get('tw_reuse')) or NA, fmt_int(rate.get('with_tw_reuse')))


def counted_severities(row):
    """The severities a host has findings of, most severe first."""
    return [severity for severity in SEVERITIES if row['findings'].get(severity)]


def fmt_value(value):
    """A finding's value: a dict as 'k=v, k=v', '' for none."""
    if value is None:
        return ''
    if isinstance(value, dict):
        return ', '.join('%s=%s' % (k, _text(value[k])) for k in sorted(value))
    return _text(value)


def hosts_text(group, limit=None):
    """'3: web-1, web-2, db-1' (host count, names; 'x2' after a host that has the finding twice)."""
    seen = {}
    for item in group['items']:
        seen[item['host']] = seen.get(item['host'], 0) + 1
    names = ['%s%s' % (h, ' x%d' % seen[h] if seen.get(h, 1) > 1 else '') for h in group['hosts']]
    if limit is not None and len(names) > limit:
        names = names[:limit] + ['+%d more' % (len(names) - limit)]
    return '%d: %s' % (len(group['hosts']), ', '.join(names))


def group_message(group):
    """The message of a finding group; when hosts differ (their values), the first host's, marked as such."""
    if group['same_message'] or len(group['items']) < 2:
        return _text(group['message'])
    return '%s (on %s; differs per host)' % (_text(group['message']), group['items'][0]['host'])


def status_text(row):
    """A host's status, with the reason when there is one."""
    if row['status'] == OK:
        return 'ok'
    if row.get('reason'):
        return '%s: %s' % (row['status'], _text(row['reason']))
    return row['status']


def tune_text(summary):
    """'applied 3, unchanged 40': a host's tune counts, the known statuses first."""
    if not summary:
        return ''
    return ', '.join('%s %d' % (status, summary['counts'][status]) for status in _tune_order(summary['counts'])
                     if summary['counts'][status])


def _tune_order(counts):
    return list(TUNE_STATUSES) + sorted(s for s in counts if s not in TUNE_STATUSES)


# ---------------------------------------------------------------------------
# escaping: every value a template prints goes through one of these (its finalize)

def html_escape(value):
    """Text safe in HTML element content and in quoted attribute values."""
    text = _text(value)
    return (text.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')
            .replace('"', '&quot;').replace("'", '&#x27;'))


def _html_finalize(value):
    """What {{ value }} prints in the HTML: escaped, unless it already is markup (a macro's output).

    The environment autoescapes too; this escapes first, as the page always has (&quot; and &#x27;,
    where markupsafe writes &#34; and &#39;), and prints None, booleans and lists as _text does.
    """
    if isinstance(value, Markup):
        return value
    return Markup(html_escape(value))


def md_escape(value):
    """Text safe in a Markdown table cell: HTML-escaped, Markdown punctuation backslash-escaped, one line."""
    text = _text(value)
    text = text.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')
    for char in ('\\', '`', '*', '_', '[', ']', '|', '#'):
        text = text.replace(char, '\\' + char)
    return ' '.join(text.split())


def bar_width(pct):
    """Width of a headroom bar's fill in percent, as CSS reads it: '0.0' when unknown."""
    width = 0.0 if pct is None else max(0.0, min(100.0, float(pct)))
    return '%.1f' % width


# ---------------------------------------------------------------------------
# the environments

_ENVIRONMENTS = {}


def environment(kind, template_dir=None):
    """The Jinja2 environment of 'html' or 'markdown' pages; template_dir (a site's) is searched first.

    Whitespace: a line holding only a block tag prints nothing (trim_blocks, lstrip_blocks), so each
    other line of a template is one line of the page. Undefined names are errors, not empty text.
    """
    key = (kind, template_dir or None)
    if key not in _ENVIRONMENTS:
        loaders = [FileSystemLoader(template_dir)] if template_dir else []
        loaders.append(FileSystemLoader(TEMPLATES))
        html = kind == 'html'
        env = Environment(loader=ChoiceLoader(loaders), autoescape=html, finalize=_html_finalize if html else md_escape,
                          trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, undefined=StrictUndefined)
        env.filters.update({
            'fmt_int': fmt_int, 'fmt_pct': fmt_pct, 'fmt_used': fmt_used, 'fmt_range': fmt_range,
            'fmt_nofile': fmt_nofile, 'fmt_txq': fmt_txq, 'fmt_conntrack': fmt_conntrack, 'fmt_rate': fmt_rate,
            'fmt_value': fmt_value, 'hosts_text': hosts_text, 'group_message': group_message,
            'status_text': status_text, 'tune_text': tune_text, 'text': _text, 'headroom_level': headroom_level,
            'bar_width': bar_width, 'counted_severities': counted_severities,
            'fds_text': fds_text, 'backlog_text': backlog_text, 'endpoint': endpoint,
        })
        env.globals.update({
            'status': _status, 'NA': NA, 'TITLE': TITLE,
            'HEADROOM_CRITICAL_PCT': HEADROOM_CRITICAL_PCT, 'HEADROOM_WARNING_PCT': HEADROOM_WARNING_PCT,
            'finding_groups_of': finding_groups_of,
        })
        _ENVIRONMENTS[key] = env
    return _ENVIRONMENTS[key]


# ---------------------------------------------------------------------------
# the pages

def render_html(data, template_dir=None):
    """The report data as one self-contained HTML page (inline CSS, no script, no external reference)."""
    return environment('html', template_dir).get_template(HTML_TEMPLATE).render(data=data)


def render_markdown(data, template_dir=None):
    """The report data as Markdown."""
    return environment('markdown', template_dir).get_template(MARKDOWN_TEMPLATE).render(data=data)


def render_json(data):
    """The report data as JSON text (json.loads of it equals the data)."""
    return json.dumps(data, indent=2, sort_keys=True) + '\n'


# ---------------------------------------------------------------- for the filters

def checked_data(data, name):
    if not isinstance(data, Mapping) or 'hosts' not in data or 'totals' not in data:
        raise AnsibleFilterError('%s expects the data returned by netlimits.tcp.tcp_audit_report' % name)
    return plain(data)


def template_dir_of(template_dir, name):
    """A site's template directory, or None for the collection's templates alone ('' too: audit.yml's default)."""
    if not template_dir:
        return None
    if not isinstance(template_dir, str) or not os.path.isdir(template_dir):
        raise AnsibleFilterError('%s: template_dir %r is not a directory' % (name, template_dir))
    return template_dir


def render_checked(render, data, template_dir, name):
    try:
        return render(checked_data(data, name), template_dir=template_dir_of(template_dir, name))
    except TemplateError as error:
        # A site's template that does not parse or names something the data has not.
        raise AnsibleFilterError('%s: %s' % (name, error))
