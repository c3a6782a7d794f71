# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""render_plan(): the plan's managed files rendered from their templates, on the controller.

The planner (module_utils/_plan*.py, on the host) decides what each file holds
and hands it on as a model (_plan_files.file_spec: template, model, mode);
this fills in each file's content with render(template, model), which the
action plugin tcp_tune_apply backs with Ansible's template lookup over the
role's templates/ (or the site's, tcp_tune_templates). rc.local is the site's
file: the template renders only our block's lines; the apply step on the host
puts them into the file's text between our markers (_apply.spliced,
_formats.rc_local.rc_local_splice). Every rendered file is checked against the
plan (mismatch(), invariant I7).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netlimits.tcp.plugins.module_utils._common.content import digest, text_bytes
from ansible_collections.netlimits.tcp.plugins.module_utils._common.paths import (
    TEMPLATE_LIMITS, TEMPLATE_METRICS_MODULE, TEMPLATE_RC_LOCAL, TEMPLATE_SYSCTL, is_ours,
)
from ansible_collections.netlimits.tcp.plugins.module_utils._formats.limits_conf import parse_limits_conf
from ansible_collections.netlimits.tcp.plugins.module_utils._formats.rc_local import (
    RcLocalError, block_lines, parse_ip_txqueuelen,
)
from ansible_collections.netlimits.tcp.plugins.module_utils._formats.sysctl_conf import parse_sysctl_conf
from ansible_collections.netlimits.tcp.plugins.plugin_utils._tune.metrics import with_source


class RenderError(Exception):
    """A template rendered text the role cannot write (the message names the template and why)."""


def _words(value):
    return ' '.join(str(value).split())


def mismatch(template, model, text):
    """Why a rendered file does not say what the plan decided (None when it does): issue #20, invariant I7.

    Site templates (tcp_tune_templates) may word a file as they like, but the file must start with the
    managed header (without a state file, that line is how the role tells its files from the site's:
    _paths.is_ours) and parse back to the model's values: a sysctl file without a planned key (fs.nr_open
    before a nofile that needs it) would be reported as persisted and not be.
    """
    if template == TEMPLATE_RC_LOCAL:
        wanted = dict((name, model['txqueuelen']) for name in model['interfaces'])
        found = dict(p for p in (parse_ip_txqueuelen(line) for line in text.splitlines()) if p)
        return None if found == wanted else 'sets txqueuelen %s, the plan %s' % (found, wanted)
    if not is_ours(text):
        return ('its first line is %r, not the managed header (# tcp_tune_managed_header): without it the role '
                'cannot tell the file from the site\'s' % text.split('\n', 1)[0][:80])
    if template == TEMPLATE_SYSCTL:
        found = dict((line.name, _words(line.value)) for line in parse_sysctl_conf(text))
        wanted = dict((e['key'], _words(e['value'])) for e in model['entries'])
    elif template == TEMPLATE_LIMITS:
        found = sorted((e['domain'], e['type'], e['value']) for e in parse_limits_conf(text, ''))
        wanted = sorted((line['domain'], line['type'], line['value']) for line in model['lines'])
    else:
        return None
    if found == wanted:
        return None
    if isinstance(wanted, dict):
        missing = ['%s = %s' % (k, v) for k, v in sorted(wanted.items()) if found.get(k) != v]
        extra = sorted(k for k in found if k not in wanted)
        return 'it %s%s%s' % ('lacks or changes %s' % ', '.join(missing) if missing else '',
                              '; ' if missing and extra else '', 'adds %s' % ', '.join(extra) if extra else '')
    return 'it sets %s, the plan %s' % (found, wanted)


def render_file(item, render, exclude_keys=()):
    """The content of one planned file (item: a write of the plan, with template and model).

    RenderError when the text does not parse back to the model (mismatch()).
    """
    model = item['model']
    if item['template'] == TEMPLATE_SYSCTL and exclude_keys:
        model = dict(model, entries=[e for e in model['entries'] if e['key'] not in exclude_keys])
    text = render(item['template'], model)
    why = mismatch(item['template'], model, text)
    if why:
        raise RenderError('%s rendered %s so that %s' % (item['template'], item['path'], why))
    if item['template'] == TEMPLATE_RC_LOCAL:
        try:
            block_lines(text)       # the host splices these lines into rc.local (_apply.spliced); refuse early
        except RcLocalError as exc:
            raise RenderError('%s: %s' % (item['template'], exc))
    if item['template'] == TEMPLATE_METRICS_MODULE:
        text = with_source(text, model)
    return text


def render_plan(the_plan, render, exclude_keys=()):
    """A copy of the plan with 'content' in each write; exclude_keys: sysctl keys left out of the file."""
    files = [dict(item, content=render_file(item, render, exclude_keys)) if 'template' in item else item
             for item in the_plan.get('files') or []]
    return dict(the_plan, files=files)


def unchanged_files(rendered_plan):
    """True when every rendered file has the bytes the host has now (the plan's 'read' digests)."""
    read = rendered_plan.get('read') or {}
    for item in rendered_plan.get('files') or []:
        if item.get('template') == TEMPLATE_RC_LOCAL:
            # the block: the host splices it into rc.local; block_now is what it has when that changes nothing
            if block_lines(item['content']) != item.get('block_now'):
                return False
        # the bytes the module writes for a text (text_bytes), digested as the host's were
        elif digest(text_bytes(item['content'])) != read.get(item['path']):
            return False
    return True
