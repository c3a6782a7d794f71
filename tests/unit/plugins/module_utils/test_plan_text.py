# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""rc.local editing: the block goes right after the interpreter line (and the comment and `set` lines
that follow it), so nothing in the file can end the script before it; it comes out byte for byte; a
broken block is refused, never guessed at."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import subprocess

import pytest

from ansible_collections.netlimits.tcp.plugins.module_utils._formats import rc_local as t
from ansible_collections.netlimits.tcp.plugins.module_utils._common.paths import TEMPLATE_RC_LOCAL
from ansible_collections.netlimits.tcp.plugins.plugin_utils._tune.render import RenderError, render_file
from ansible_collections.netlimits.tcp.tests.unit.golden.renderer import role_renderer

RENDER = role_renderer()

BLOCK = ['ip link set dev eth0 txqueuelen 5000 || true']

WITH_FUNCTION = """#!/bin/sh -e
cleanup() {
    rm -f /tmp/x
    exit 0
}
echo hello
if [ -x /usr/bin/foo ]; then
    exit 0
fi
exit 0
"""

# A function called before the end exits: everything after the call never runs.
EARLY_EXIT_FUNCTION = """#!/bin/sh
finish() {
    echo finishing
    exit 0
}
echo up
finish
echo never
exit 0
"""

EXEC = '#!/bin/sh\necho up\nexec /bin/true\n'

SOURCED_EXIT = '#!/bin/sh\n. /nonexistent/netlimits-rc.local.d/settings\necho never\nexit 0\n'

SET_E_FAILS = '#!/bin/sh\nset -e\nfalse\nexit 0\n'

# The last `exit 0` of the file is inside a heredoc.
HEREDOC = """#!/bin/sh
cat >/dev/null <<EOF
echo this is data
exit 0
EOF
"""

# `do` as a bare word once counted as the start of a loop.
BARE_WORDS = '#!/bin/sh\necho do not remove\nexit 0\n'

DEBIAN = """#!/bin/sh -e
#
# rc.local
#
# This script is executed at the end of each multiuser runlevel.
# Make sure that the script will "exit 0" on success or any other
# value on error.
#
# By default this script does nothing.

exit 0
"""

SET_EU = '#!/bin/bash\n# local boot steps\nset -eu\nset -o errexit +x\necho up\nexit 0\n'

NO_SHEBANG = 'echo no interpreter line\nexit 0\n'

FIXTURES = {
    'function-exits': WITH_FUNCTION,
    'function-exits-crlf': WITH_FUNCTION.replace('\n', '\r\n'),
    'early-exit-function': EARLY_EXIT_FUNCTION,
    'exec': EXEC,
    'sourced-exit': SOURCED_EXIT,
    'set-e-fails': SET_E_FAILS,
    'heredoc': HEREDOC,
    'bare-words': BARE_WORDS,
    'debian': DEBIAN,
    'set-eu': SET_EU,
    'no-shebang': NO_SHEBANG,
    'no-exit': '#!/bin/sh\necho no exit here\n',
    'no-final-newline': '#!/bin/sh\necho no newline at end',
    'shebang-only-no-newline': '#!/bin/sh',
    'crlf-comment-no-newline': '#!/bin/sh\r\n# only a comment, no newline at end',
    'shebang-only': '#!/bin/sh\n',
    'empty': '',
    'one-newline': '\n',
}


def begin_index(text):
    return text.splitlines().index(t.RC_BEGIN)


# ---------------------------------------------------------------- byte for byte, idempotent

@pytest.mark.parametrize('text', list(FIXTURES.values()), ids=list(FIXTURES))
def test_remove_gives_back_the_original_bytes(text):
    new, dummy = t.rc_local_insert(text, BLOCK)
    assert new != text
    assert t.rc_local_has_block(new)
    assert t.rc_local_remove(new) == text
    again, notes = t.rc_local_insert(new, BLOCK)
    assert again == new            # idempotent
    assert not any('moved' in n for n in notes)


@pytest.mark.parametrize('text', list(FIXTURES.values()), ids=list(FIXTURES))
def test_a_changed_block_replaces_the_old_one_in_place(text):
    new, dummy = t.rc_local_insert(text, BLOCK)
    changed, dummy = t.rc_local_insert(new, ['ip link set dev eth1 txqueuelen 9000 || true'])
    assert 'eth0' not in changed and changed.count(t.RC_BEGIN) == 1
    assert t.rc_local_remove(changed) == text


def test_no_block_remove_is_identity_and_none_stays_none():
    assert t.rc_local_remove(DEBIAN) == DEBIAN
    assert t.rc_local_remove(None) is None
    assert not t.rc_local_has_block(DEBIAN)
    assert not t.rc_local_has_block(None)
    assert t.rc_local_check(DEBIAN) is None


# ---------------------------------------------------------------- placement

@pytest.mark.parametrize('text, index', [
    (WITH_FUNCTION, 1),
    (EARLY_EXIT_FUNCTION, 1),
    (EXEC, 1),
    (SOURCED_EXIT, 1),
    (SET_E_FAILS, 2),              # after `set -e`: our lines end in `|| true`
    (HEREDOC, 1),
    (BARE_WORDS, 1),
    (DEBIAN, 9),                   # after the header comments, before the blank line
    (SET_EU, 4),
    ('#!/bin/sh\n# c\n\n# d\necho\n', 2),               # the header ends at the first blank line
    ('#!/bin/sh\nset -e\nset -o pipefail\nexit 0\n', 2),  # dash exits on -o pipefail: not skipped
    ('#!/bin/sh\nset -h\nexit 0\n', 1),                   # dash exits on -h
    ('#!/bin/sh\nset -n\nexit 0\n', 1),                   # noexec would skip the block
    ('#!/bin/sh\nset -e#x\nexit 0\n', 1),                 # one word `-e#x`: illegal option
    ('#!/bin/sh\nset -e \\\n  ; exit 0\n', 1),            # continued onto the next line
    ('#!/bin/sh\nset -e; exit 0\n', 1),
    ('#!/bin/sh\nset -e  # strict\nexit 0\n', 2),
    ('#!/bin/sh\n  # indented comment\nexit 0\n', 2),
    (NO_SHEBANG, 0),
], ids=['function-exits', 'early-exit-function', 'exec', 'sourced-exit', 'set-e-fails', 'heredoc', 'bare-words',
        'debian', 'set-eu', 'blank-ends-header', 'set-o-pipefail', 'set-h', 'set-n', 'set-e-hash', 'set-continued',
        'set-then-exit', 'set-e-comment', 'indented-comment', 'no-shebang'])
def test_block_goes_after_the_interpreter_comment_and_set_lines(text, index):
    new, dummy = t.rc_local_insert(text, BLOCK)
    assert begin_index(new) == index


def test_exit_in_a_heredoc_or_bare_words_do_not_misplace_the_block():
    for text in (HEREDOC, BARE_WORDS):
        new, dummy = t.rc_local_insert(text, BLOCK)
        lines = new.splitlines()
        assert lines[:2] == ['#!/bin/sh', t.RC_BEGIN]
        assert lines[-1] == text.splitlines()[-1]


def test_no_shebang_goes_on_top_and_says_systemd_cannot_run_it():
    new, notes = t.rc_local_insert(NO_SHEBANG, BLOCK)
    assert new.startswith(t.RC_BEGIN + '\n')
    assert any('#!' in n and 'rc-local.service' in n for n in notes)


def test_a_plain_insert_has_no_notes():
    assert t.rc_local_insert(WITH_FUNCTION, BLOCK)[1] == []
    assert t.rc_local_insert(DEBIAN, BLOCK)[1] == []


def test_crlf_is_kept_and_warned():
    new, notes = t.rc_local_insert(WITH_FUNCTION.replace('\n', '\r\n'), BLOCK)
    assert (t.RC_BEGIN + '\r\n') in new
    assert '\n' not in new.replace('\r\n', '')
    assert any('CRLF' in n for n in notes)


def test_shebang_without_newline_gets_one_and_loses_it_again():
    new, dummy = t.rc_local_insert('#!/bin/sh', BLOCK)
    assert new == '#!/bin/sh\n' + t.RC_BEGIN_ADDED_NL + '\n' + BLOCK[0] + '\n' + t.RC_END + '\n'
    assert t.rc_local_remove(new) == '#!/bin/sh'
    # lines added after our block later: the newline stays, lines are never joined
    assert t.rc_local_remove(new + 'echo later\n') == '#!/bin/sh\necho later\n'


def test_new_file_has_shebang_comment_block_and_exit():
    new, notes = t.rc_local_insert(None, BLOCK)
    lines = new.splitlines()
    assert lines[0] == '#!/bin/sh' and lines[1].startswith('# ')
    assert lines[2:] == [t.RC_BEGIN] + BLOCK + [t.RC_END, 'exit 0']
    assert new.endswith('exit 0\n')
    assert notes == ['created /etc/rc.local']


def test_a_block_at_the_old_place_is_moved_to_the_top():
    original = '#!/bin/sh -e\necho up\nexit 0\n'
    old = '#!/bin/sh -e\necho up\n' + t.RC_BEGIN + '\n' + BLOCK[0] + '\n' + t.RC_END + '\nexit 0\n'
    new, notes = t.rc_local_insert(old, BLOCK)
    assert new == '#!/bin/sh -e\n' + t.RC_BEGIN + '\n' + BLOCK[0] + '\n' + t.RC_END + '\necho up\nexit 0\n'
    assert any('moved' in n for n in notes)
    assert t.rc_local_remove(new) == original
    assert t.rc_local_remove(old) == original


def test_an_old_appended_block_with_added_newline_is_moved_and_removed_exactly():
    original = '#!/bin/sh\necho hi'
    old = original + '\n' + t.RC_BEGIN_ADDED_NL + '\n' + BLOCK[0] + '\n' + t.RC_END + '\n'
    assert t.rc_local_remove(old) == original
    new, dummy = t.rc_local_insert(old, BLOCK)
    assert new == '#!/bin/sh\n' + t.RC_BEGIN + '\n' + BLOCK[0] + '\n' + t.RC_END + '\necho hi'
    assert t.rc_local_remove(new) == original


# ---------------------------------------------------------------- the block runs whatever the file does

def _run_rc_local(tmp_path, text):
    """Run text with /bin/sh, `ip` a stub on PATH that logs its arguments: [[arg, ...] per call]."""
    log = tmp_path / 'ip.log'
    bindir = tmp_path / 'bin'
    bindir.mkdir()
    stub = bindir / 'ip'
    stub.write_text(u'#!/bin/sh\nfor a in "$@"; do printf "%%s\\n" "$a"; done >>%s\necho -- >>%s\n'
                    % (log, log))
    os.chmod(str(stub), 0o755)
    script = tmp_path / 'rc.local'
    script.write_text(text)
    env = dict(os.environ, PATH='%s:%s' % (bindir, os.environ.get('PATH', '/usr/bin:/bin')))
    subprocess.call(['/bin/sh', str(script), 'start'], env=env,
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if not log.exists():
        return []
    calls, call = [], []
    for line in log.read_text().splitlines():
        if line == '--':
            calls.append(call)
            call = []
        else:
            call.append(line)
    return calls


@pytest.mark.parametrize('name', ['early-exit-function', 'exec', 'sourced-exit', 'set-e-fails', 'heredoc',
                                  'bare-words', 'debian', 'function-exits'])
def test_the_block_runs_even_when_the_file_ends_early(tmp_path, name):
    new, dummy = t.rc_local_insert(FIXTURES[name], BLOCK)
    assert _run_rc_local(tmp_path, new) == [['link', 'set', 'dev', 'eth0', 'txqueuelen', '5000']]


# ---------------------------------------------------------------- broken blocks are refused

def _blk(begin=None, end=None):
    return (begin if begin is not None else t.RC_BEGIN) + '\n' + BLOCK[0] + '\n' + \
        (end if end is not None else t.RC_END) + '\n'


BROKEN = {
    'end with trailing space': ('#!/bin/sh\n' + _blk(end=t.RC_END + ' ') + 'echo mine\nexit 0\n', ['line 2', 'line 4']),
    'end deleted': ('#!/bin/sh\n' + t.RC_BEGIN + '\n' + BLOCK[0] + '\necho mine\nexit 0\n', ['line 2']),
    'end edited': ('#!/bin/sh\n' + _blk(end='# END netlimits.tcp') + 'echo mine\n', ['line 2', 'line 4']),
    'end without begin': ('#!/bin/sh\necho mine\n' + BLOCK[0] + '\n' + t.RC_END + '\nexit 0\n', ['line 4']),
    'begin edited': ('#!/bin/sh\n' + _blk(begin='# BEGIN netlimits.tcp txqueuelen') + 'exit 0\n', ['line 2']),
    'two blocks': ('#!/bin/sh\n' + _blk() + 'echo mine\n' + _blk() + 'exit 0\n', ['lines 2 and 6', 'BEGIN']),
    'nested begin': ('#!/bin/sh\n' + t.RC_BEGIN + '\n' + _blk() + 'exit 0\n', ['lines 2 and 3', 'BEGIN']),
    'two ends': ('#!/bin/sh\n' + _blk() + 'echo mine\n' + t.RC_END + '\nexit 0\n', ['lines 4 and 6', 'END']),
    'end before begin': ('#!/bin/sh\n' + t.RC_END + '\necho mine\n' + t.RC_BEGIN + '\nexit 0\n', ['line 2']),
    'crlf end with stray cr': ('#!/bin/sh\r\n' + _blk(end=t.RC_END + '\r').replace('\n', '\r\n') + 'echo mine\r\n',
                               ['line 2']),
}


@pytest.mark.parametrize('name', sorted(BROKEN))
def test_a_broken_block_is_refused_with_what_to_fix(name):
    text, where = BROKEN[name]
    assert t.rc_local_has_block(text)
    for call in (lambda: t.rc_local_check(text), lambda: t.rc_local_remove(text),
                 lambda: t.rc_local_insert(text, BLOCK), lambda: t.rc_local_block_settings(text)):
        with pytest.raises(t.RcLocalError) as caught:
            call()
        message = str(caught.value)
        assert '/etc/rc.local' in message and 'by hand' in message
        for part in where:
            assert part in message
    assert issubclass(t.RcLocalError, ValueError)


def test_end_with_trailing_space_message_names_the_exact_end_line():
    text = BROKEN['end with trailing space'][0]
    with pytest.raises(t.RcLocalError) as caught:
        t.rc_local_remove(text)
    assert "'%s'" % t.RC_END in str(caught.value)


def test_check_returns_the_block_lines():
    new, dummy = t.rc_local_insert(DEBIAN, BLOCK)
    assert t.rc_local_check(new) == (9, 11)


# ---------------------------------------------------------------- block lines: quoted names, parsed back

ODD_NAMES = ['eth0', 'we$(reboot)', 'a;b', 'q"x', "it's", 'sp ace', '`id`', 'x*', '-dash', 'tab\there', 'br{a,b}']


def block_lines(names, txqueuelen):
    """Our block's lines as the role renders them: the template rc.local-txqueuelen.j2, on the controller."""
    text = RENDER(TEMPLATE_RC_LOCAL, {'interfaces': names, 'txqueuelen': txqueuelen})
    return t.block_lines(text)


def test_block_lines_quote_names():
    lines = block_lines(['eth0', 'we$(reboot)'], 5000)
    assert lines == ['ip link set dev eth0 txqueuelen 5000 || true',
                     "ip link set dev 'we$(reboot)' txqueuelen 5000 || true"]


def test_a_rendered_line_that_reads_as_our_marker_is_refused():
    # a site template that writes such a line would make the block impossible to find again
    render = role_renderer()

    def marker_render(template, model):
        return render(template, model) + '# END netlimits.tcp txqueuelen\n'
    item = {'path': '/etc/rc.local', 'template': TEMPLATE_RC_LOCAL, 'model': {'interfaces': ['eth0'], 'txqueuelen': 1}}
    with pytest.raises(RenderError) as caught:
        render_file(item, marker_render)
    assert TEMPLATE_RC_LOCAL in str(caught.value)
    with pytest.raises(t.RcLocalError):     # and the host, which splices the block, refuses it too
        t.rc_local_splice(None, marker_render(TEMPLATE_RC_LOCAL, item['model']))


def test_odd_names_are_one_word_for_sh(tmp_path):
    new, dummy = t.rc_local_insert(None, block_lines(ODD_NAMES, 5000))
    script = tmp_path / 'syntax.sh'
    script.write_text(new)
    assert subprocess.call(['/bin/sh', '-n', str(script)]) == 0
    calls = _run_rc_local(tmp_path, new)
    assert calls == [['link', 'set', 'dev', name, 'txqueuelen', '5000'] for name in ODD_NAMES]


def test_block_settings_parse_back_what_was_rendered():
    new, dummy = t.rc_local_insert(DEBIAN, block_lines(ODD_NAMES, 5000))
    assert t.rc_local_block_settings(new) == dict((name, 5000) for name in ODD_NAMES)
    crlf, dummy = t.rc_local_insert(DEBIAN.replace('\n', '\r\n'), block_lines(['eth1'], 128))
    assert t.rc_local_block_settings(crlf) == {'eth1': 128}


def test_block_settings_without_a_block_and_with_lines_that_are_not_ours():
    assert t.rc_local_block_settings(None) == {}
    assert t.rc_local_block_settings(DEBIAN) == {}
    # a line outside the block is not ours; odd lines inside it are skipped
    text = ('#!/bin/sh\n' + t.RC_BEGIN + '\nip link set eth2 txqueuelen 77\necho hi\n'
            "ip link set dev 'unbalanced txqueuelen 5 || true\n" + t.RC_END +
            '\nip link set dev eth3 txqueuelen 9 || true\n')
    assert t.rc_local_block_settings(text) == {'eth2': 77}
