# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The marked block in /etc/rc.local (pure text edits): where it goes, its markers, parsing it back.

Where the rc.local block goes. On systemd hosts rc.local is run by
rc-local.service, which systemd's rc-local generator
(src/rc-local-generator/rc-local-generator.c) pulls into the boot when
/etc/rc.local is executable, and whose unit (units/rc-local.service.in) runs
``ExecStart=/etc/rc.local start``: systemd executes the file itself, so it
needs an interpreter line (``#!/bin/sh``); without one the exec fails and
nothing in the file runs (sysvinit's /etc/init.d/rc.local would fall back to
sh, systemd does not). Everything before our block can end the script
before the block runs: ``exit`` in a function called on the way, ``exec``,
a ``.`` of a file that exits or is missing, any failing command under
``#!/bin/sh -e`` (Debian's default rc.local). So the block goes where nothing
can run before it: right after the interpreter line and the comment lines and
plain ``set`` option lines that directly follow it. Comments run nothing.
``set`` lines are skipped only with options that dash and bash both accept
(an unknown option such as dash's ``-h`` or ``-o pipefail`` ends the script)
and without ``-n`` (no later command would run); ``-e`` and ``-u`` do not
matter to the block, whose lines use no variables and end in ``|| true``.
The header ends at the first other line, blank lines included. The price:
an interface that rc.local itself creates further down does not exist yet
when the block runs. A file without an interpreter line gets the block on
its first line and a note. Earlier versions put the block before the final
top-level ``exit 0``; inserting removes any block first, so such a block
moves.

A block whose markers are not exactly one BEGIN line followed by one END
line is refused (RcLocalError): its extent would be a guess, and a wrong
guess deletes the host's own lines on re-apply or revert.

The block is inserted so that removing it gives back the original bytes: the
block is whole lines in the file's own line ending, and when the line before
it had no newline (the file ended there) the BEGIN marker says so and removal
takes that newline away again. Lines are split at "\\n" only, as the shell
does. Python 3.6 compatible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import shlex

from ansible_collections.netlimits.tcp.plugins.module_utils._common.paths import RC_LOCAL as RC_LOCAL_PATH

RC_BEGIN = '# BEGIN netlimits.tcp txqueuelen (managed by netlimits.tcp.tcp_tune)'
RC_BEGIN_ADDED_NL = RC_BEGIN + ' [newline added at end of file]'
RC_END = '# END netlimits.tcp txqueuelen'

# What a new /etc/rc.local holds besides our block.
RC_LOCAL_NEW = ('#!/bin/sh\n'
                '# /etc/rc.local: run late in boot by rc-local.service (systemd < 260).\n'
                'exit 0\n')

# A line a person may have meant as one of our markers (edited, re-indented, trailing space):
# never taken as a marker, always reported.
_MARKER_LIKE = re.compile(r'^\s*#\s*(BEGIN|END)\s+netlimits\.tcp\b', re.IGNORECASE)
_COMMENT = re.compile(r'^[ \t]*#')
# `set` with options dash and bash both accept and that let later commands run (no -n, no -h,
# no -o pipefail): dash exits on an option it does not know. The whole line must be that, with
# at most a comment after blanks (`set -e#x` is one word, an illegal option).
_SET_OPTIONS = re.compile(
    r'^[ \t]*set'
    r'([ \t]+([-+][abCefuvx]+|[-+]o[ \t]+(allexport|errexit|noclobber|noglob|notify|nounset|verbose|xtrace)))+'
    r'([ \t]+#.*)?$')
_TXQ_WORDS = ('txqueuelen', 'txqlen', 'qlen')
_DIGITS = re.compile(r'^[0-9]+$')   # str.isdigit() also takes '²', which int() refuses


class RcLocalError(ValueError):
    """/etc/rc.local has netlimits.tcp markers that do not delimit exactly one block: not edited."""


def looks_like_marker(line):
    """True for a line that reads as a BEGIN or END line of ours: it cannot stand inside our block."""
    return bool(_MARKER_LIKE.match(line))


def newline_of(text):
    return '\r\n' if '\r\n' in (text or '') else '\n'


def _lines(text):
    """Lines split at "\\n" only (the shell's lines; str.splitlines also splits at \\f, \\x1c ...), ends kept."""
    parts = (text or '').split('\n')
    return [part + '\n' for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def _eol(line):
    return '\r\n' if line.endswith('\r\n') else ('\n' if line.endswith('\n') else '')


def _bare(line):
    """The line without its line end ("\\n" or "\\r\\n": a stray second \\r stays and spoils a marker)."""
    return line[:len(line) - len(_eol(line))]


def _quoted(marker):
    return "'%s'" % marker


def rc_local_has_block(text):
    """Whether text holds our block or anything like its markers (a broken block counts: editing must refuse)."""
    for line in _lines(text):
        bare = _bare(line)
        if bare in (RC_BEGIN, RC_BEGIN_ADDED_NL, RC_END) or _MARKER_LIKE.match(bare):
            return True
    return False


def rc_local_check(text):
    """None when text has no block of ours, else (BEGIN index, END index) into its lines (0-based).

    Raises RcLocalError, saying which lines are wrong and how to fix them, unless the markers are
    exactly one BEGIN line and one later END line: the single validation every edit goes through.
    """
    begins, ends, problems = [], [], []
    for index, line in enumerate(_lines(text)):
        bare = _bare(line)
        if bare in (RC_BEGIN, RC_BEGIN_ADDED_NL):
            begins.append(index)
        elif bare == RC_END:
            ends.append(index)
        elif _MARKER_LIKE.match(bare):
            problems.append('line %d looks like a netlimits.tcp marker but is not exactly one: %r' % (index + 1, bare))
    if len(begins) > 1:
        problems.append('lines %s each have the BEGIN marker (more than one block)'
                        % ' and '.join(str(i + 1) for i in begins))
    if len(ends) > 1:
        problems.append('lines %s each have the END marker' % ' and '.join(str(i + 1) for i in ends))
    if begins and not any(e > begins[0] for e in ends):
        problems.append('line %d has the BEGIN marker but no later line is exactly %s'
                        % (begins[0] + 1, _quoted(RC_END)))
    if ends and not any(b < ends[-1] for b in begins):
        problems.append('line %d has the END marker but no earlier line is exactly %s'
                        % (ends[-1] + 1, _quoted(RC_BEGIN)))
    if problems:
        raise RcLocalError(
            '%s: %s. Not edited: where the netlimits.tcp block begins and ends is unknown, and a guess could delete '
            'lines of your own. Fix it by hand: make the block exactly one line %s, its "ip link set" lines '
            'and one line %s (no trailing spaces), or delete the block\'s lines altogether; then run again.'
            % (RC_LOCAL_PATH, '; '.join(problems), _quoted(RC_BEGIN), _quoted(RC_END)))
    if not begins:
        return None
    return begins[0], ends[0]


def rc_local_remove(text):
    """text without our block: the exact bytes rc_local_insert added come out (RcLocalError if broken)."""
    if text is None:
        return None
    span = rc_local_check(text)
    if span is None:
        return text
    lines = _lines(text)
    begin, end = span
    before, after = lines[:begin], lines[end + 1:]
    eol = _eol(lines[begin])
    if _bare(lines[begin]) == RC_BEGIN_ADDED_NL and not after and before and before[-1].endswith(eol):
        # The file ended without a newline right where the block went; we added that newline (in the
        # block's line end). Only taken back while the block is still last: with lines after it,
        # dropping it would join two lines.
        before[-1] = before[-1][:len(before[-1]) - len(eol)]
    return ''.join(before + after)


def _block_index(lines):
    """(index of the first line nothing before which can end the script, whether there is a #! line)."""
    if not lines or not lines[0].startswith('#!'):
        return 0, False
    index = 1
    while index < len(lines):
        line = lines[index]
        # `set -e\r` is an illegal option to sh: only "\n" comes off before matching set lines.
        if not (_COMMENT.match(line) or _SET_OPTIONS.match(line[:-1] if line.endswith('\n') else line)):
            break
        index += 1
    return index, True


def _placement(text):
    """(head, tail, newline, notes) of text with our block taken out: the block goes between head and tail.

    RcLocalError if text has a broken block.
    """
    notes = []
    span = rc_local_check(text)
    base = rc_local_remove(text)
    nl = newline_of(base)
    if nl == '\r\n':
        notes.append('%s has CRLF line ends: /bin/sh cannot run it until they are converted '
                     '(left as is; our block uses the same line ends)' % RC_LOCAL_PATH)
    lines = _lines(base)
    index, shebang = _block_index(lines)
    if not shebang:
        notes.append("%s has no interpreter line ('#!/bin/sh') on top: systemd's rc-local.service executes the file, "
                     "which fails without one, so nothing in it runs at boot; our block went on the first line, "
                     "add '#!/bin/sh' above it" % RC_LOCAL_PATH)
    if span is not None and span[0] != index:
        notes.append('moved the netlimits.tcp block in %s up to right after the interpreter line, where no '
                     'earlier exit can skip it' % RC_LOCAL_PATH)
    return ''.join(lines[:index]), ''.join(lines[index:]), nl, notes


def rc_local_notes(text):
    """What inserting our block into text (None: a new file) will say, without building it (RcLocalError if broken)."""
    return ['created %s' % RC_LOCAL_PATH] if text is None else _placement(text)[3]


def rc_local_insert(text, block_lines):
    """(new text, notes): our block right after the #! line and the comment/set lines that follow it.

    A block already there (also one at the old place before the final exit 0) is replaced; a new
    file (text None) is a #! line, a comment, the block and exit 0. RcLocalError if text has a
    broken block.
    """
    if text is None:
        return rc_local_insert(RC_LOCAL_NEW, block_lines)[0], ['created %s' % RC_LOCAL_PATH]
    head, tail, nl, notes = _placement(text)
    if head and not head.endswith('\n'):
        # The file ends in its header without a final newline: add one and say so in the BEGIN line.
        return head + nl + nl.join([RC_BEGIN_ADDED_NL] + list(block_lines) + [RC_END]) + nl, notes
    return head + nl.join([RC_BEGIN] + list(block_lines) + [RC_END]) + nl + tail, notes


def block_lines(rendered):
    """The lines of a rendered block (rc.local-txqueuelen.j2, blank lines left out).

    RcLocalError for a line that reads as one of our markers: the block could not be found again.
    """
    lines = [line for line in rendered.splitlines() if line.strip()]
    for line in lines:
        if looks_like_marker(line):
            raise RcLocalError('the rendered rc.local block has the line %r, which reads as a BEGIN/END line of the '
                               'role\'s block: the block could not be found again' % line)
    return lines


def rc_local_splice(text, rendered):
    """rc.local's new text: the rendered block's lines put into text (None: a new file), as the host does it."""
    return rc_local_insert(text, block_lines(rendered))[0]


def rc_local_block_now(text):
    """The lines of our block in text when inserting them again would give the same text, else None.

    The controller compares its rendered block with them to know the file would not change.
    """
    try:
        span = rc_local_check(text)
    except RcLocalError:
        return None
    if text is None or span is None:
        return None
    lines = [_bare(line) for line in _lines(text)[span[0] + 1:span[1]]]
    return lines if rc_local_insert(text, lines)[0] == text else None


def parse_ip_txqueuelen(line):
    """(interface, txqueuelen) of one `ip link set [dev] NAME txqueuelen N [|| true]` line, or None."""
    try:
        words = shlex.split(line, comments=True)
    except ValueError:             # unbalanced quotes: not a line we wrote
        return None
    if words[:3] != ['ip', 'link', 'set']:
        return None
    rest = words[3:]
    if rest[:1] == ['dev']:
        rest = rest[1:]
    if len(rest) < 3 or rest[1] not in _TXQ_WORDS or not _DIGITS.match(rest[2]) \
            or rest[3:] not in ([], ['||', 'true'], ['||', ':']):
        return None
    return rest[0], int(rest[2])


def rc_local_block_settings(text):
    """{interface: txqueuelen} set by our block in text ({} without one; lines not of that form skipped).

    The inverse of the block rc.local-txqueuelen.j2 renders (quoted names come back unquoted). RcLocalError if the block is
    broken: the block's extent, and so what it sets, is unknown.
    """
    span = rc_local_check(text)
    if span is None:
        return {}
    settings = {}
    for line in _lines(text)[span[0] + 1:span[1]]:
        parsed = parse_ip_txqueuelen(_bare(line))
        if parsed:
            settings[parsed[0]] = parsed[1]
    return settings
