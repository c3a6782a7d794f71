# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plan step's access check: the one module call of a settled host also tells whether it is root."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.netlimits.tcp.plugins.module_utils._apply.steps import not_root


def test_root_is_let_through():
    assert not_root(0, 'root') is None


def test_another_user_is_refused_with_the_fix_and_who_it_ran_as():
    refused = not_root(1000, 'deploy')
    assert refused['user'] == 'deploy' and refused['uid'] == 1000
    assert 'needs root on the host, but runs as deploy (uid 1000)' in refused['msg']
    assert 'become root' in refused['msg'] and 'nothing was read or changed' in refused['msg']
