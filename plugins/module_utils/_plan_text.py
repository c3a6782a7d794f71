# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Text edits of the planner (pure): the marked block in /etc/rc.local, systemd .link files, sysctl files.

The rc.local block is inserted so that removing it gives back the original
bytes: the block is whole lines in the file's own line ending, and when the
file did not end with a newline the BEGIN marker says so and removal takes
that newline away again. Python 3.6 compatible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

RC_BEGIN = '# BEGIN netlimits.tcp txqueuelen (managed by netlimits.tcp.tcp_tune)'
RC_BEGIN_ADDED_NL = RC_BEGIN + ' [newline added at end of file]'
RC_END = '# END netlimits.tcp txqueuelen'

_EXIT0 = re.compile(r'^[ \t]*exit[ \t]+0[ \t]*(#.*)?$')
_FUNC = re.compile(r'^\s*(function\s+[\w.:-]+|[\w.:-]+\s*\(\s*\))')
_OPEN_WORDS = ('if', 'case', 'do')
_CLOSE_WORDS = ('fi', 'esac', 'done')


def _strip_comment_and_quotes(line):
    """The shell words of a line, roughly: quoted text and comments dropped."""
    out, quote = [], None
    i = 0
    while i < len(line):
        ch = line[i]
        if quote:
            if ch == quote:
                quote = None
            elif ch == '\\' and quote == '"':
                i += 1
        elif ch in ('"', "'"):
            quote = ch
        elif ch == '#' and (i == 0 or line[i - 1] in ' \t;'):
            break
        elif ch == '\\':
            i += 1
        else:
            out.append(ch)
        i += 1
    return ''.join(out)


def _depths(lines):
    """Nesting depth at the start of each line: braces, if/case/loops (enough for rc.local)."""
    depth = 0
    result = []
    for line in lines:
        result.append(depth)
        code = _strip_comment_and_quotes(line.rstrip('\r\n'))
        code = re.sub(r'\$\{[^}]*\}', '', code)
        depth += code.count('{') - code.count('}')
        for word in re.split(r'[\s;&|()]+', code):
            if word in _OPEN_WORDS:
                depth += 1
            elif word in _CLOSE_WORDS:
                depth -= 1
        depth = max(depth, 0)
    return result


def final_exit_index(lines):
    """Index of the last top-level `exit 0` line (not inside a function, if, case or loop), or None."""
    depths = _depths(lines)
    found = None
    for index, line in enumerate(lines):
        if depths[index] == 0 and _EXIT0.match(line.rstrip('\r\n')):
            found = index
    return found


def newline_of(text):
    return '\r\n' if '\r\n' in (text or '') else '\n'


def rc_local_has_block(text):
    return any(line.rstrip('\r\n').startswith(RC_BEGIN) for line in (text or '').splitlines(True))


def rc_local_remove(text):
    """text without our marked block (the exact bytes rc_local_insert added)."""
    if text is None:
        return None
    lines = text.splitlines(True)
    out = []
    inside = False
    added_nl = False
    for line in lines:
        bare = line.rstrip('\r\n')
        if not inside and bare.startswith(RC_BEGIN):
            inside = True
            added_nl = bare == RC_BEGIN_ADDED_NL
            continue
        if inside:
            if bare == RC_END:
                inside = False
            continue
        out.append(line)
    result = ''.join(out)
    if added_nl:
        if result.endswith('\r\n'):
            result = result[:-2]
        elif result.endswith('\n'):
            result = result[:-1]
    return result


def rc_local_insert(text, block_lines):
    """(new text, notes): our block before the final top-level `exit 0`, or a new file when text is None."""
    notes = []
    if text is None:
        lines = ['#!/bin/sh', '# /etc/rc.local: run at the end of boot by rc-local.service (systemd < 260).',
                 RC_BEGIN] + list(block_lines) + [RC_END, 'exit 0']
        return '\n'.join(lines) + '\n', ['created %s' % '/etc/rc.local']
    base = rc_local_remove(text)
    nl = newline_of(base)
    if nl == '\r\n':
        notes.append('/etc/rc.local has CRLF line ends: /bin/sh cannot run it until they are converted '
                     '(left as is; our block uses the same line ends)')
    lines = base.splitlines(True)
    index = final_exit_index(lines)
    if index is not None:
        block = nl.join([RC_BEGIN] + list(block_lines) + [RC_END]) + nl
        return ''.join(lines[:index]) + block + ''.join(lines[index:]), notes
    notes.append('/etc/rc.local has no top-level "exit 0": the block is appended at the end')
    if base and not base.endswith('\n'):
        block = nl + nl.join([RC_BEGIN_ADDED_NL] + list(block_lines) + [RC_END]) + nl
    else:
        block = nl.join([RC_BEGIN] + list(block_lines) + [RC_END]) + nl
    return base + block, notes


def parse_link_section(text, section='Link'):
    """[(key, value)] of one section of a systemd .link file."""
    items, current = [], None
    for line in (text or '').splitlines():
        line = line.strip()
        if not line or line[0] in '#;':
            continue
        if line.startswith('[') and line.endswith(']'):
            current = line[1:-1]
            continue
        if current == section and '=' in line:
            key, value = line.split('=', 1)
            items.append((key.strip(), value.strip()))
    return items


# What Debian's 99-default.link says (systemd 247..257) when the host's cannot be read.
DEFAULT_LINK = """[Match]
OriginalName=*

[Link]
NamePolicy=keep kernel database onboard slot path
AlternativeNamesPolicy=database onboard slot path
MACAddressPolicy=persistent
"""


def render_link(default_link_text, ifname, txqueuelen, header):
    """A full .link for one interface: only the first matching .link applies, so ours repeats 99-default.link."""
    settings = [(k, v) for k, v in parse_link_section(default_link_text or DEFAULT_LINK)
                if k != 'TransmitQueueLength']
    lines = [header,
             '# Only the first matching .link file applies: this one matches %s by OriginalName= and' % ifname,
             "# repeats the [Link] settings of the host's 99-default.link so naming and MAC policy stay.",
             '[Match]', 'OriginalName=%s' % ifname, '', '[Link]']
    lines.extend('%s=%s' % kv for kv in settings)
    lines.append('TransmitQueueLength=%d' % txqueuelen)
    return '\n'.join(lines) + '\n'


def parse_sysctl_file(text):
    """[(name, value)] of a sysctl.d text (dotted names, '-' prefix dropped)."""
    out = []
    for line in (text or '').splitlines():
        line = line.strip()
        if not line or line[0] in '#;' or '=' not in line:
            continue
        name, value = line.split('=', 1)
        name = name.strip().lstrip('-').strip()
        if '/' in name and (name.find('/') < name.find('.') or '.' not in name):
            name = name.replace('/', '.')
        out.append((name, value.strip()))
    return out
