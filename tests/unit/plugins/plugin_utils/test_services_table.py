# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netlimits.tcp contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The services table of the limits table and the audit: rows from the services view the module gathered."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import socket
import time

from ansible_collections.netlimits.tcp.plugins.module_utils._facts.gather import gather
from ansible_collections.netlimits.tcp.plugins.plugin_utils._report.limits_table import limits_lines
from ansible_collections.netlimits.tcp.plugins.plugin_utils._report.services_table import (
    endpoint, limits_rows, service_rows,
)
from ansible_collections.netlimits.tcp.tests.unit.fixtures.audit_facts import fleet


def test_each_listener_shows_the_owner_nearest_its_soft_limit():
    rows = service_rows(fleet()['web1']['services'])
    assert [(r['unit'], endpoint(r), r['fds'], r['soft'], r['queue'], r['backlog']) for r in rows] == [
        ('nginx.service', '0.0.0.0:80', 851, 1024, 3, 511),
        ('nginx.service', '[::]:80', 851, 1024, 0, 511),
        (None, '127.0.0.1:9000', None, None, 0, 4096),
    ]
    assert limits_rows(fleet()['web1']['services'])[-1][0] == '(partial view)'
    assert service_rows(None) == [] and service_rows({}) == []


def test_the_limits_table_shows_this_hosts_listener_as_gathered():
    server = socket.socket()
    server.bind(('127.0.0.1', 0))
    server.listen(7)
    port = server.getsockname()[1]
    client = socket.create_connection(('127.0.0.1', port))
    time.sleep(0.05)
    try:
        facts = gather('/', services=True)
        lines = limits_lines(facts, 'here')
    finally:
        client.close()
        server.close()
    mine = [line for line in lines if '127.0.0.1:%d' % port in line]
    assert len(mine) == 1 and 'backlog 1 / 7, 1 established' in mine[0]
    without = limits_lines(gather('/'), 'here')
    assert not any('services' in line for line in without)
