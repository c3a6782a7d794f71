# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""rc.local editing: the block goes before the final top-level exit 0 and comes out byte for byte."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.netlimits.tcp.plugins.module_utils import _plan_text as t

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


def test_block_before_final_exit_not_the_one_in_a_function():
    new, notes = t.rc_local_insert(WITH_FUNCTION, BLOCK)
    lines = new.splitlines()
    assert lines[-1] == 'exit 0'
    assert lines[-2] == t.RC_END
    assert lines.index(t.RC_BEGIN) == len(lines) - 4
    assert notes == []


@pytest.mark.parametrize('text', [
    WITH_FUNCTION,
    WITH_FUNCTION.replace('\n', '\r\n'),
    '#!/bin/sh\necho no exit here\n',
    '#!/bin/sh\necho no newline at end',
    '',
])
def test_remove_gives_back_the_original_bytes(text):
    new, dummy = t.rc_local_insert(text, BLOCK)
    assert new != text
    assert t.rc_local_has_block(new)
    assert t.rc_local_remove(new) == text
    again, dummy = t.rc_local_insert(new, BLOCK)
    assert again == new            # idempotent


def test_crlf_is_kept_and_warned():
    new, notes = t.rc_local_insert(WITH_FUNCTION.replace('\n', '\r\n'), BLOCK)
    assert (t.RC_BEGIN + '\r\n') in new
    assert any('CRLF' in n for n in notes)


def test_missing_exit_appends_and_says_so():
    new, notes = t.rc_local_insert('#!/bin/sh\necho hi\n', BLOCK)
    assert new.endswith(t.RC_END + '\n')
    assert any('exit 0' in n for n in notes)


def test_new_file_has_shebang_and_exit():
    new, dummy = t.rc_local_insert(None, BLOCK)
    assert new.startswith('#!/bin/sh\n') and new.endswith('exit 0\n')


def test_parse_sysctl_file():
    assert t.parse_sysctl_file('# c\n-net.core.somaxconn = 4096\nnet/ipv4/tcp_fin_timeout=30\n') == [
        ('net.core.somaxconn', '4096'), ('net.ipv4.tcp_fin_timeout', '30')]
